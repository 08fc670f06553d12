// Workloads end to end with the real kubectl: Deployments roll within their surge/unavailable
// limits (checked at every pod event), rollout status/history/undo/restart/pause/resume and scale
// work as upstream, ReplicaSets heal, deletion cascades (or orphans), namespaces empty themselves,
// Services get EndpointSlices and Endpoints. A simulated node in the test process binds pods and
// reports them Running and Ready, as a kubelet would (there is no kubelet yet).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { ApiClient } from '../../src/client/client.js';
import { InformerFactory } from '../../src/client/cache/informer-factory.js';
import { PODS, REPLICA_SETS } from '../../src/client/resources.js';
import { silentLogger } from '../../src/logging/index.js';
import { FakeNode } from '../../src/simulated-node/fake-node.js';
import { TestCluster, until } from './harness.js';

const deploymentYaml = (name: string, image: string, replicas = 3, extra = '') => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}${extra}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: app
        image: ${image}
        ports: [{name: http, containerPort: 8080}]
`;

describe('workloads with kubectl', () => {
  let cluster: TestCluster;
  let client: ApiClient;
  let node: FakeNode;
  const abort = new AbortController();
  let informers: InformerFactory;

  before(async () => {
    cluster = await TestCluster.start();
    client = cluster.client();
    node = new FakeNode(client, 'node-1', false); // the scheduler in kubets server binds
    await node.register();
    await node.start(abort.signal);
    informers = new InformerFactory(client, silentLogger);
    informers.for<Pod>(PODS);
    informers.for<ReplicaSet>(REPLICA_SETS);
    informers.start(abort.signal);
    await informers.waitForCacheSync(abort.signal);
  });

  after(async () => {
    abort.abort();
    client?.close();
    await cluster?.stop();
  });

  const podsOf = (app: string) =>
    informers
      .for<Pod>(PODS)
      .store.list()
      .filter((p) => p.metadata?.labels?.app === app && p.metadata.namespace === 'default');
  const live = (app: string) => podsOf(app).filter((p) => !p.metadata?.deletionTimestamp);
  const ready = (app: string) => live(app).filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));

  it('applies a Deployment of 3 and rolls out a new image within maxSurge 1 / maxUnavailable 0', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { stdin: deploymentYaml('web', 'registry.local/web:1') });
    const status = await cluster.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.match(status, /successfully rolled out/);
    assert.equal(live('web').length, 3);

    // Watch every pod event during the rollout: never more than 3+1 pods, never fewer than 3 ready.
    let maxLive = 0;
    let minReady = Infinity;
    informers.for<Pod>(PODS).addEventHandler({
      onUpdate: () => {
        maxLive = Math.max(maxLive, live('web').length);
        minReady = Math.min(minReady, ready('web').length);
      },
      onAdd: () => {
        maxLive = Math.max(maxLive, live('web').length);
      },
      onDelete: () => {
        minReady = Math.min(minReady, ready('web').length);
      },
    });
    const oldPods = new Set(live('web').map((p) => p.metadata!.name));
    await cluster.kubectlOk(['set', 'image', 'deployment/web', 'app=registry.local/web:2']);
    const rolled = await cluster.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.match(rolled, /successfully rolled out/);
    await until(() => podsOf('web').length === 3, 'old pods gone');
    const now = live('web');
    assert.equal(now.length, 3);
    assert.ok(now.every((p) => !oldPods.has(p.metadata!.name) && p.spec!.containers[0]!.image === 'registry.local/web:2'));
    assert.ok(maxLive <= 4, `at most replicas+maxSurge pods at any time, saw ${maxLive}`);
    assert.ok(minReady >= 3, `never fewer than replicas-maxUnavailable ready, saw ${minReady}`);
    const rss = informers.for<ReplicaSet>(REPLICA_SETS).store.list().filter((r) => r.metadata?.labels?.app === 'web');
    assert.equal(rss.length, 2);
    assert.deepEqual(rss.map((r) => r.metadata!.annotations!['deployment.kubernetes.io/revision']).sort(), ['1', '2']);
  });

  it('rollout history, undo and undo --to-revision restore earlier templates', async () => {
    const history = await cluster.kubectlOk(['rollout', 'history', 'deployment/web']);
    assert.match(history, /REVISION\s+CHANGE-CAUSE/);
    assert.match(history, /^1\s/m);
    assert.match(history, /^2\s/m);
    await cluster.kubectlOk(['rollout', 'undo', 'deployment/web']);
    await cluster.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    const image = () => cluster.kubectlOk(['get', 'deployment/web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']);
    assert.equal(await image(), 'registry.local/web:1');
    await until(() => live('web').length === 3 && live('web').every((p) => p.spec!.containers[0]!.image === 'registry.local/web:1'), 'pods back on :1');
    // Revision 1 became revision 3; revision 2 is still there to go back to.
    await cluster.kubectlOk(['rollout', 'undo', 'deployment/web', '--to-revision=2']);
    await cluster.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.equal(await image(), 'registry.local/web:2');
    const revision = await cluster.kubectlOk(['get', 'deployment/web', '-o', "jsonpath={.metadata.annotations['deployment\\.kubernetes\\.io/revision']}"]);
    assert.equal(revision, '4');
  });

  it('rollout restart replaces every pod; pause holds a template change until resume', async () => {
    const before = new Set(live('web').map((p) => p.metadata!.name));
    await cluster.kubectlOk(['rollout', 'restart', 'deployment/web']);
    await cluster.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    await until(() => podsOf('web').length === 3 && podsOf('web').every((p) => !before.has(p.metadata!.name)), 'all pods replaced');

    await cluster.kubectlOk(['rollout', 'pause', 'deployment/web']);
    await cluster.kubectlOk(['set', 'image', 'deployment/web', 'app=registry.local/web:3']);
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(live('web').every((p) => p.spec!.containers[0]!.image !== 'registry.local/web:3'), 'paused: no pod of the new template');
    const paused = await cluster.kubectlOk(['get', 'deployment/web', '-o', 'jsonpath={.status.conditions[?(@.type=="Progressing")].reason}']);
    assert.equal(paused, 'DeploymentPaused');
    await cluster.kubectlOk(['rollout', 'resume', 'deployment/web']);
    await cluster.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    await until(() => live('web').length === 3 && live('web').every((p) => p.spec!.containers[0]!.image === 'registry.local/web:3'), 'pods on :3');
  });

  it('kubectl scale changes the pod count; a deleted pod is replaced', async () => {
    await cluster.kubectlOk(['scale', 'deployment/web', '--replicas=5']);
    await until(() => ready('web').length === 5, '5 ready pods');
    await cluster.kubectlOk(['scale', 'deployment/web', '--replicas=2']);
    await until(() => podsOf('web').length === 2, '2 pods');
    const victim = live('web')[0]!.metadata!.name!;
    await cluster.kubectlOk(['delete', 'pod', victim, '--wait=true']);
    await until(() => ready('web').length === 2 && !podsOf('web').some((p) => p.metadata!.name === victim), 'replacement pod');
    const out = await cluster.kubectlOk(['get', 'deployment', 'web'], { version: '1.27' });
    assert.match(out, /web\s+2\/2\s+2\s+2\s/);
  });

  it('a Service gets EndpointSlices and Endpoints listing the ready pods', async () => {
    await cluster.kubectlOk(['expose', 'deployment/web', '--port=80', '--target-port=http']);
    const slices = await until(async () => {
      const out = await cluster.kubectlOk(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json']);
      const items = JSON.parse(out).items as { endpoints?: { addresses: string[] }[]; ports?: { port: number }[] }[];
      const n = items.reduce((a, s) => a + (s.endpoints?.length ?? 0), 0);
      return n === 2 ? items : undefined;
    }, 'slices with 2 endpoints');
    assert.equal(slices![0]!.ports?.[0]?.port, 8080);
    const ips = live('web').map((p) => p.status!.podIP).sort();
    const ep = JSON.parse(await cluster.kubectlOk(['get', 'endpoints', 'web', '-o', 'json']));
    assert.deepEqual(ep.subsets[0].addresses.map((a: { ip: string }) => a.ip).sort(), ips);
  });

  it('kubectl delete deployment removes its ReplicaSets and pods; --cascade=orphan leaves them', async () => {
    await cluster.kubectlOk(['delete', 'deployment', 'web', '--wait=true']);
    await until(() => podsOf('web').length === 0, 'pods of web gone');
    await until(async () => (await cluster.kubectlOk(['get', 'rs', '-l', 'app=web', '-o', 'name'])).trim() === '', 'rs of web gone');

    await cluster.kubectlOk(['apply', '-f', '-'], { stdin: deploymentYaml('keep', 'registry.local/keep:1', 2) });
    await cluster.kubectlOk(['rollout', 'status', 'deployment/keep', '--timeout=60s']);
    await cluster.kubectlOk(['delete', 'deployment', 'keep', '--cascade=orphan', '--wait=true']);
    await new Promise((r) => setTimeout(r, 1000));
    const rs = JSON.parse(await cluster.kubectlOk(['get', 'rs', '-l', 'app=keep', '-o', 'json'])).items;
    assert.equal(rs.length, 1);
    assert.equal(rs[0].metadata.ownerReferences, undefined);
    assert.equal(ready('keep').length, 2);
  });

  it('--cascade=foreground keeps the Deployment until its ReplicaSets and pods are gone', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { stdin: deploymentYaml('fg', 'registry.local/fg:1', 2) });
    await cluster.kubectlOk(['rollout', 'status', 'deployment/fg', '--timeout=60s']);
    // kubectl waits for the Deployment itself, which the garbage collector removes last.
    await cluster.kubectlOk(['delete', 'deployment', 'fg', '--cascade=foreground', '--wait=true', '--timeout=60s']);
    assert.equal(podsOf('fg').filter((p) => !p.metadata?.deletionTimestamp).length, 0, 'no live pod outlives its Deployment');
    assert.equal((await cluster.kubectlOk(['get', 'rs', '-l', 'app=fg', '-o', 'name'])).trim(), '');
  });

  it('a ReplicationController keeps its pod count and scales with kubectl', async () => {
    const rc = `
apiVersion: v1
kind: ReplicationController
metadata: {name: legacy}
spec:
  replicas: 2
  selector: {app: legacy}
  template:
    metadata: {labels: {app: legacy}}
    spec: {containers: [{name: app, image: registry.local/legacy:1}]}
`;
    await cluster.kubectlOk(['apply', '-f', '-'], { stdin: rc });
    await until(() => ready('legacy').length === 2, '2 ready pods of the rc');
    await cluster.kubectlOk(['scale', 'rc/legacy', '--replicas=1']);
    await until(() => podsOf('legacy').length === 1, '1 pod of the rc');
    const out = await cluster.kubectlOk(['get', 'rc', 'legacy']);
    assert.match(out, /legacy\s+1\s+1\s+1\s/);
  });

  it('deleting a namespace deletes everything in it, then the namespace', async () => {
    await cluster.kubectlOk(['create', 'namespace', 'doomed']);
    await cluster.kubectlOk(['-n', 'doomed', 'apply', '-f', '-'], { stdin: deploymentYaml('app', 'registry.local/app:1', 2) });
    await cluster.kubectlOk(['-n', 'doomed', 'create', 'configmap', 'settings', '--from-literal=a=b']);
    await cluster.kubectlOk(['-n', 'doomed', 'rollout', 'status', 'deployment/app', '--timeout=60s']);
    await cluster.kubectlOk(['delete', 'namespace', 'doomed', '--wait=true', '--timeout=60s']);
    const r = await cluster.kubectl(['get', 'namespace', 'doomed']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /NotFound/);
    assert.equal(informers.for<Pod>(PODS).store.list().filter((p) => p.metadata?.namespace === 'doomed').length, 0);
  });
});
