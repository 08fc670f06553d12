// The real kubectl, oldest and newest supported, against a real `kubets server`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestCluster } from './harness.js';

const DEPLOYMENT = (name: string, image = 'nginx:1.25', replicas = 2) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - containerPort: 80
`;

async function waitFor(cond: () => boolean, ms: number, why: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((r) => setTimeout(r, 50));
  }
}

for (const version of ['1.27', '1.33']) {
  describe(`kubectl ${version} against kubets server`, () => {
    let c: TestCluster;
    const k = (args: string[], stdin?: string) => c.kubectl(args, { version, stdin });
    const ok = (args: string[], stdin?: string) => c.kubectlOk(args, { version, stdin });

    before(async () => {
      c = await TestCluster.start();
    });
    after(async () => {
      assert.equal(await c.stop(), 0, 'the server exits cleanly on SIGTERM');
    });

    it('reports the server version', async () => {
      const out = JSON.parse(await ok(['version', '-o', 'json']));
      assert.equal(out.serverVersion.gitVersion, 'v1.33.0');
    });

    it('lists the system namespaces', async () => {
      const out = await ok(['get', 'namespaces', '-o', 'name']);
      for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
        assert.match(out, new RegExp(`^namespace/${ns}$`, 'm'));
      }
    });

    it('lists api-resources with short names and groups', async () => {
      const out = await ok(['api-resources']);
      assert.match(out, /^pods\s+po\s+v1\s+true\s+Pod$/m);
      assert.match(out, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
      assert.match(out, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
    });

    it('creates, reads in every output format, labels, annotates and deletes a configmap', async () => {
      assert.match(await ok(['create', 'configmap', 'settings', '--from-literal=color=blue']), /configmap\/settings created/);
      const obj = JSON.parse(await ok(['get', 'cm', 'settings', '-o', 'json']));
      assert.equal(obj.data.color, 'blue');
      assert.match(obj.metadata.resourceVersion, /^\d+$/);
      assert.match(obj.metadata.uid, /^[0-9a-f-]{36}$/);
      assert.match(await ok(['get', 'cm', 'settings', '-o', 'yaml']), /color: blue/);
      assert.equal(await ok(['get', 'cm', 'settings', '-o', 'name']), 'configmap/settings\n');
      assert.equal(await ok(['get', 'cm', 'settings', '-o', 'jsonpath={.data.color}']), 'blue');
      assert.match(await ok(['get', 'cm', 'settings']), /^NAME\s+DATA\s+AGE\nsettings\s+1\s+\d+s\n$/);
      assert.match(await ok(['label', 'cm', 'settings', 'tier=backend']), /configmap\/settings labeled/);
      // kubectl 1.27 prints "annotate", later ones "annotated".
      assert.match(await ok(['annotate', 'cm', 'settings', 'note=hello']), /configmap\/settings annotated?\n/);
      assert.equal(await ok(['get', 'cm', 'settings', '-o', 'jsonpath={.metadata.annotations.note}']), 'hello');
      assert.equal(await ok(['get', 'cm', '-l', 'tier=backend', '-o', 'name']), 'configmap/settings\n');
      assert.equal(await ok(['get', 'cm', '-l', 'tier!=backend', '-o', 'name']), 'configmap/kube-root-ca.crt\n', 'every namespace has the root CA ConfigMap');
      assert.match(await ok(['delete', 'cm', 'settings', '--wait']), /configmap "settings" deleted/);
      const gone = await k(['get', 'cm', 'settings']);
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, /Error from server \(NotFound\): configmaps "settings" not found/);
    });

    it('applies a deployment, applies a change, scales it and shows its columns', async () => {
      assert.match(await ok(['apply', '-f', '-'], DEPLOYMENT('web')), /deployment.apps\/web created/);
      assert.match(await ok(['apply', '-f', '-'], DEPLOYMENT('web')), /deployment.apps\/web unchanged/);
      assert.match(await ok(['apply', '-f', '-'], DEPLOYMENT('web', 'nginx:1.26')), /deployment.apps\/web configured/);
      const d = JSON.parse(await ok(['get', 'deploy', 'web', '-o', 'json']));
      assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.26');
      assert.equal(d.metadata.generation, 2);
      assert.equal(d.spec.strategy.type, 'RollingUpdate', 'defaults applied');
      assert.match(await ok(['scale', 'deploy', 'web', '--replicas=3']), /deployment.apps\/web scaled/);
      assert.equal(await ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}']), '3');
      const wide = await ok(['get', 'deploy', 'web', '-o', 'wide']);
      assert.match(wide, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\n/);
      // The deployment controller is creating pods meanwhile (UP-TO-DATE grows); nothing runs them.
      assert.match(wide, /^web\s+0\/3\s+[0-3]\s+0\s+\S+\s+web\s+nginx:1.26\s+app=web\n/m);
    });

    it('patches with strategic merge, merge and JSON patches', async () => {
      await ok(['apply', '-f', '-'], DEPLOYMENT('patched'));
      await ok(['patch', 'deploy', 'patched', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:2"}]}}}}']);
      let d = JSON.parse(await ok(['get', 'deploy', 'patched', '-o', 'json']));
      assert.equal(d.spec.template.spec.containers.length, 1, 'strategic patch merged containers by name');
      assert.equal(d.spec.template.spec.containers[0].image, 'nginx:2');
      assert.deepEqual(d.spec.template.spec.containers[0].ports, [{ containerPort: 80, protocol: 'TCP' }]);
      await ok(['patch', 'deploy', 'patched', '--type=merge', '-p', '{"metadata":{"labels":{"extra":"yes"}}}']);
      await ok(['patch', 'deploy', 'patched', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":5}]']);
      d = JSON.parse(await ok(['get', 'deploy', 'patched', '-o', 'json']));
      assert.equal(d.metadata.labels.extra, 'yes');
      assert.equal(d.spec.replicas, 5);
      const bad = await k(['patch', 'deploy', 'patched', '--type=json', '-p', '[{"op":"test","path":"/spec/replicas","value":9}]']);
      assert.notEqual(bad.code, 0);
    });

    it('replaces an object and refuses a stale one', async () => {
      await ok(['create', 'configmap', 'rep', '--from-literal=a=1']);
      const cm = JSON.parse(await ok(['get', 'cm', 'rep', '-o', 'json']));
      cm.data.a = '2';
      assert.match(await ok(['replace', '-f', '-'], JSON.stringify(cm)), /configmap\/rep replaced/);
      cm.data.a = '3'; // still the old resourceVersion
      const stale = await k(['replace', '-f', '-'], JSON.stringify(cm));
      assert.equal(stale.code, 1);
      assert.match(stale.stderr, /Operation cannot be fulfilled on configmaps "rep": the object has been modified/);
    });

    it('prints validation errors as upstream does', async () => {
      const bad = await k(['create', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n');
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
      const generator = await k(['create', 'configmap', 'Bad_Name']);
      assert.match(generator.stderr, /ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value/);
      const strict = await k(['create', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\ndatta:\n  a: b\n');
      assert.equal(strict.code, 1);
      assert.match(strict.stderr, /unknown field "datta"/);
      const missingNs = await k(['create', 'configmap', 'x', '-n', 'nope']);
      assert.match(missingNs.stderr, /namespaces "nope" not found/);
      const unknownKind = await k(['get', 'widgets']);
      assert.match(unknownKind.stderr, /the server doesn't have a resource type "widgets"/);
    });

    it('explains fields from the OpenAPI documents', async () => {
      const out = await ok(['explain', 'deployment.spec.replicas']);
      assert.match(out, /Number of desired pods/);
    });

    it('watches with get -w and sees a new object', async () => {
      const watcher = c.kubectlSpawn(['get', 'configmaps', '-w', '-o', 'name'], version);
      let out = '';
      watcher.stdout!.on('data', (d) => (out += d));
      try {
        // The watch lists first: wait for an existing object, then make a new one.
        await waitFor(() => out.includes('configmap/'), 10_000, () => `no initial list: ${out}`);
        await ok(['create', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: watched-one\n');
        await waitFor(() => out.includes('configmap/watched-one'), 10_000, () => `watch did not see the create: ${out}`);
      } finally {
        watcher.kill();
      }
    });

    it('describes deployments, services, pods and nodes', async () => {
      await ok(['apply', '-f', '-'], DEPLOYMENT('described'));
      assert.match(await ok(['describe', 'deployment', 'described']), /Name:\s+described[\s\S]*Replicas:\s+2 desired[\s\S]*StrategyType:\s+RollingUpdate/);
      await ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: Service\nmetadata:\n  name: described\nspec:\n  selector:\n    app: described\n  ports:\n  - port: 80\n    targetPort: 8080\n');
      const svc = await ok(['describe', 'service', 'described']);
      assert.match(svc, /Type:\s+ClusterIP/);
      assert.match(svc, /IP:\s+10\.43\.\d+\.\d+/);
      assert.match(svc, /TargetPort:\s+8080\/TCP/);
      await ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: described\nspec:\n  containers:\n  - name: main\n    image: busybox\n');
      const pod = await ok(['describe', 'pod', 'described']);
      assert.match(pod, /Status:\s+Pending/);
      assert.match(pod, /Image:\s+busybox/);
      const wide = await ok(['get', 'pod', 'described', '-o', 'wide']);
      assert.match(wide, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\n/);
      assert.match(wide, /^described\s+0\/1\s+Pending\s+0\s+\S+\s+<none>\s+<none>/m);
      await ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: Node\nmetadata:\n  name: node-a\n  labels:\n    kubernetes.io/hostname: node-a\n');
      assert.match(await ok(['describe', 'node', 'node-a']), /Name:\s+node-a[\s\S]*Labels:\s+kubernetes.io\/hostname=node-a/);
      assert.match(await ok(['get', 'nodes']), /^node-a\s+Unknown\s+<none>/m);
    });

    it('deletes a namespace with what is in it', async () => {
      await ok(['create', 'namespace', 'scratch']);
      await ok(['create', 'configmap', 'inside', '-n', 'scratch', '--from-literal=a=b']);
      assert.match(await ok(['delete', 'namespace', 'scratch', '--wait', '--timeout=20s']), /namespace "scratch" deleted/);
      const gone = await k(['get', 'namespace', 'scratch']);
      assert.match(gone.stderr, /namespaces "scratch" not found/);
      const cm = await k(['get', 'configmap', 'inside', '-n', 'scratch']);
      assert.notEqual(cm.code, 0);
    });
  });
}
