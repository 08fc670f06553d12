// The kubelet's pod half against a real API server with the in-memory fake runtime: a pod bound
// to the node gets a sandbox and its containers, init containers first; its status follows the
// containers (Running, Succeeded/Failed by restart policy, CrashLoopBackOff with back-off); a
// config error waits with its reason; deleting the pod stops everything within the grace period
// and removes the API object; a pod deleted behind the kubelet's back is cleaned up.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConfigMap, Pod } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../src/apimachinery/errors.js';
import { CONFIG_MAPS, PODS } from '../../src/client/resources.js';
import { silentLogger } from '../../src/logging/index.js';
import { RestartBackoff } from '../../src/kubelet/pods/backoff.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_UID } from '../../src/kubelet/pods/pod-worker.js';
import { Kubelet } from '../../src/kubelet/kubelet.js';
import { startControlPlane, waitFor, type ControlPlane } from '../controllers/harness.js';
import { FakeRuntime } from './runtime/fake-runtime.js';

const NODE = 'node-a';

const pod = (name: string, spec: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { nodeName: NODE, containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }], ...spec },
});

describe('kubelet pod lifecycle (fake runtime)', () => {
  let cp: ControlPlane;
  let runtime: FakeRuntime;
  const ac = new AbortController();
  let running: Promise<void>;
  let clock = 0;

  before(async () => {
    cp = await startControlPlane();
    runtime = new FakeRuntime('10.42.0.7');
    // Back-off on a clock the test moves: 10 s of back-off pass in no time.
    const kubelet = new Kubelet({
      client: cp.client,
      runtime,
      logger: silentLogger,
      nodeName: NODE,
      hostIP: '192.0.2.10',
      logRoot: '/tmp/kubets-test-logs',
      resyncMs: 200,
      backoff: new RestartBackoff(() => Date.now() + clock),
    });
    running = kubelet.start(ac.signal);
  });

  after(async () => {
    ac.abort();
    await running;
    await cp.stop();
  });

  const pods = () => cp.client.resource<Pod>(PODS);
  const get = (name: string) => pods().get('default', name);
  const containersOf = async (name: string) => {
    const uid = (await get(name)).metadata!.uid!;
    return (await runtime.listContainers({ labelSelector: { [LABEL_POD_UID]: uid } })).sort((a, b) => a.metadata.attempt - b.metadata.attempt);
  };
  const statusOf = (name: string, container = 'app') => get(name).then((p) => p.status?.containerStatuses?.find((c) => c.name === container));

  it('starts a bound pod: sandbox, container, Running and Ready with IPs', async () => {
    await pods().create(pod('web'));
    const p = await waitFor(async () => {
      const x = await get('web');
      return x.status?.phase === 'Running' && x.status.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? x : undefined;
    }, 5000, 'web Running and Ready');
    assert.equal(p.status?.podIP, '10.42.0.7');
    assert.equal(p.status?.hostIP, '192.0.2.10');
    const c = p.status!.containerStatuses![0]!;
    assert.ok(c.containerID?.startsWith('process://'));
    assert.equal(c.restartCount, 0);
    assert.ok(p.status?.conditions?.some((x) => x.type === 'PodScheduled' && x.status === 'True'), 'PodScheduled kept');
  });

  it('runs init containers one at a time before the app', async () => {
    await pods().create(pod('init', { initContainers: [{ name: 'one', image: 'x', command: ['true'] }, { name: 'two', image: 'x', command: ['true'] }] }));
    const first = await waitFor(async () => (await containersOf('init')).find((c) => c.labels[LABEL_CONTAINER_NAME] === 'one'), 5000, 'init one');
    assert.equal((await containersOf('init')).length, 1, 'only the first init container runs');
    assert.equal((await get('init')).status?.phase, 'Pending');
    runtime.exit(first.id, 0);
    const second = await waitFor(async () => (await containersOf('init')).find((c) => c.labels[LABEL_CONTAINER_NAME] === 'two'), 5000, 'init two');
    runtime.exit(second.id, 0);
    await waitFor(async () => (await get('init')).status?.phase === 'Running', 5000, 'app running');
    const initialized = (await get('init')).status?.conditions?.find((c) => c.type === 'Initialized');
    assert.equal(initialized?.status, 'True');
  });

  it('restartPolicy Never: an exit code decides Succeeded or Failed, nothing restarts', async () => {
    await pods().create(pod('job-ok', { restartPolicy: 'Never' }));
    await pods().create(pod('job-bad', { restartPolicy: 'Never' }));
    for (const [name, code, phase] of [['job-ok', 0, 'Succeeded'], ['job-bad', 3, 'Failed']] as const) {
      const [c] = await waitFor(async () => ((await containersOf(name)).length ? containersOf(name) : undefined), 5000, `${name} container`);
      await waitFor(async () => (await statusOf(name))?.state?.running, 5000, `${name} running`);
      runtime.exit(c!.id, code);
      await waitFor(async () => (await get(name)).status?.phase === phase, 5000, `${name} ${phase}`);
      const s = await statusOf(name);
      assert.equal(s?.state?.terminated?.exitCode, code);
      assert.equal(s?.state?.terminated?.reason, code === 0 ? 'Completed' : 'Error');
      assert.equal((await containersOf(name)).length, 1, 'not restarted');
    }
  });

  it('restartPolicy Always: restarts at once, then CrashLoopBackOff for 10 s, then again', async () => {
    await pods().create(pod('crash'));
    await waitFor(async () => (await statusOf('crash'))?.state?.running, 5000, 'running');
    runtime.exit((await containersOf('crash'))[0]!.id, 1);
    await waitFor(async () => (await statusOf('crash'))?.restartCount === 1 && (await statusOf('crash'))?.state?.running, 5000, 'first restart, at once');
    runtime.exit((await containersOf('crash'))[1]!.id, 1);
    const waiting = await waitFor(async () => (await statusOf('crash'))?.state?.waiting, 5000, 'CrashLoopBackOff');
    assert.equal(waiting.reason, 'CrashLoopBackOff');
    assert.match(waiting.message!, /^back-off 10s restarting failed container=app pod=crash_default\(/);
    assert.equal((await statusOf('crash'))?.lastState?.terminated?.exitCode, 1);
    clock += 11_000;
    await waitFor(async () => (await statusOf('crash'))?.restartCount === 2 && (await statusOf('crash'))?.state?.running, 5000, 'restart after the back-off');
  });

  it('a missing ConfigMap keeps the container waiting with CreateContainerConfigError until it exists', async () => {
    await pods().create(pod('cfg', { containers: [{ name: 'app', image: 'x', command: ['sleep', '1'], env: [{ name: 'C', valueFrom: { configMapKeyRef: { name: 'later', key: 'k' } } }] }] }));
    const w = await waitFor(async () => { const s = (await statusOf('cfg'))?.state?.waiting; return s?.reason === 'CreateContainerConfigError' ? s : undefined; }, 5000, 'config error');
    assert.equal(w.message, 'configmap "later" not found');
    await cp.client.resource<ConfigMap>(CONFIG_MAPS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later', namespace: 'default' }, data: { k: 'v' } });
    await waitFor(async () => (await statusOf('cfg'))?.state?.running, 10_000, 'running once the ConfigMap exists');
  });

  it('deleting a pod stops its containers and removes the API object', async () => {
    await pods().create(pod('bye'));
    await waitFor(async () => (await statusOf('bye'))?.state?.running, 5000, 'running');
    const [c] = await containersOf('bye');
    await pods().delete('default', 'bye');
    await waitFor(async () => {
      try {
        await get('bye');
        return false;
      } catch (e) {
        return isNotFound(e);
      }
    }, 5000, 'pod gone');
    assert.equal((await runtime.listContainers({ id: c!.id })).length, 0, 'container removed with its sandbox');
  });
});
