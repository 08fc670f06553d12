// Selectors, pagination, `get all`, and kubectl's typed create commands (protobuf bodies in 1.32+).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestCluster } from './harness.js';

for (const version of ['1.27', '1.33']) {
  describe(`selectors and generators with kubectl ${version}`, () => {
    let c: TestCluster;
    const ok = (args: string[], stdin?: string) => c.kubectlOk(args, { version, stdin });
    before(async () => {
      c = await TestCluster.start({ datastore: 'memory' });
      const items = ['a:prod:web', 'b:prod:db', 'c:dev:web', 'd:dev:', 'e::']
        .map((s) => s.split(':'))
        .map(([name, env, tier]) => {
          const labels: Record<string, string> = {};
          if (env) labels.env = env;
          if (tier) labels.tier = tier;
          return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `sel-${name}`, labels } };
        });
      await ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    });
    after(async () => {
      await c.stop();
    });

    const names = async (selector: string) =>
      (await ok(['get', 'cm', '-l', selector, '-o', 'name'])).trim().split('\n').filter((n) => n.startsWith('configmap/sel-')).map((n) => n.replace('configmap/sel-', '')).sort().join(',');

    it('filters with every label selector operator', async () => {
      assert.equal(await names('env=prod'), 'a,b');
      assert.equal(await names('env==dev'), 'c,d');
      assert.equal(await names('env!=prod,env'), 'c,d');
      assert.equal(await names('tier in (web,db)'), 'a,b,c');
      assert.equal(await names('env,tier notin (web)'), 'b,d');
      assert.equal(await names('!env'), 'e');
      assert.equal(await names('env,!tier'), 'd');
    });

    it('filters with field selectors and pages with --chunk-size', async () => {
      assert.equal((await ok(['get', 'cm', '--field-selector', 'metadata.name=sel-c', '-o', 'name'])).trim(), 'configmap/sel-c');
      const chunked = (await ok(['get', 'cm', '-l', 'env', '--chunk-size=1', '-o', 'name'])).trim().split('\n');
      assert.equal(chunked.length, 4);
      const bad = await c.kubectl(['get', 'pods', '--field-selector', 'spec.nope=x'], { version });
      assert.match(bad.stderr, /field label not supported: spec.nope/);
    });

    it('creates with the typed create commands', async () => {
      assert.match(await ok(['create', 'namespace', 'gen']), /namespace\/gen created/);
      assert.match(await ok(['create', 'deployment', 'gen', '-n', 'gen', '--image=nginx', '--replicas=2', '--port=80']), /deployment.apps\/gen created/);
      const d = JSON.parse(await ok(['get', 'deploy', 'gen', '-n', 'gen', '-o', 'json']));
      assert.equal(d.spec.replicas, 2);
      assert.equal(d.spec.template.spec.containers[0].ports[0].containerPort, 80);
      assert.match(await ok(['create', 'secret', 'generic', 'gen', '-n', 'gen', '--from-literal=password=s3cret']), /secret\/gen created/);
      assert.equal(Buffer.from(await ok(['get', 'secret', 'gen', '-n', 'gen', '-o', 'jsonpath={.data.password}']), 'base64').toString(), 's3cret');
      assert.match(await ok(['create', 'service', 'clusterip', 'gen', '-n', 'gen', '--tcp=80:8080']), /service\/gen created/);
      assert.match(await ok(['get', 'svc', 'gen', '-n', 'gen']), /^gen\s+ClusterIP\s+10\.43\.\d+\.\d+\s+<none>\s+80\/TCP\s+/m);
      assert.match(await ok(['create', 'job', 'gen', '-n', 'gen', '--image=busybox', '--', 'true']), /job.batch\/gen created/);
      assert.match(await ok(['create', 'clusterrolebinding', 'gen', '--clusterrole=view', '--user=alice']), /clusterrolebinding.rbac.authorization.k8s.io\/gen created/);
      const all = await ok(['get', 'all', '-n', 'gen']);
      assert.match(all, /deployment.apps\/gen/);
      assert.match(all, /service\/gen/);
      assert.match(all, /job.batch\/gen/);
    });
  });
}
