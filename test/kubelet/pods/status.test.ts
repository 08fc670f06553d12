// Pod status from the runtime's records: container states and reasons, restart counts, last
// states, the phase for each restart policy, and the conditions, as upstream's kubelet reports them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus } from '../../../src/kubelet/runtime/types.js';
import { phaseOf, podStatus, type ContainerView } from '../../../src/kubelet/pods/status.js';

const T0 = 1_700_000_000_000n * 1_000_000n;
const status = (name: string, state: ContainerStatus['state'], o: Partial<ContainerStatus> = {}): ContainerStatus => ({
  id: `${name}-${o.metadata?.attempt ?? 0}`,
  podSandboxId: 'sb',
  metadata: { name, attempt: 0 },
  image: { image: 'img' },
  imageRef: 'img',
  state,
  createdAt: T0,
  startedAt: T0,
  finishedAt: state === 'CONTAINER_EXITED' ? T0 + 5_000_000_000n : 0n,
  exitCode: 0,
  reason: '',
  message: '',
  logPath: '/x',
  labels: {},
  annotations: {},
  ...o,
});
const pod = (restartPolicy: 'Always' | 'OnFailure' | 'Never', containers = ['app'], init: string[] = []): Pod => ({
  metadata: { name: 'p', namespace: 'ns', uid: 'u1' },
  spec: {
    restartPolicy,
    containers: containers.map((name) => ({ name, image: 'img' })),
    initContainers: init.length ? init.map((name) => ({ name, image: 'img' })) : undefined,
  },
  status: { conditions: [{ type: 'PodScheduled', status: 'True' }] },
});
const compute = (p: Pod, views: Record<string, ContainerView>) =>
  podStatus({ pod: p, views: new Map(Object.entries(views)), podIP: '10.42.0.5', hostIP: '192.0.2.1', sandboxReady: true, startTime: new Date(0), now: new Date(1000) });

describe('pod status', () => {
  it('a container not created yet is waiting in ContainerCreating and the pod is Pending', () => {
    const s = compute(pod('Always'), {});
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(s.containerStatuses![0]!.state, { waiting: { reason: 'ContainerCreating' } });
    assert.equal(s.containerStatuses![0]!.ready, false);
    const ready = s.conditions!.find((c) => c.type === 'Ready')!;
    assert.deepEqual([ready.status, ready.reason, ready.message], ['False', 'ContainersNotReady', 'containers with unready status: [app]']);
    assert.ok(s.conditions!.some((c) => c.type === 'PodScheduled'), 'the scheduler condition stays');
  });

  it('a running container makes the pod Running and Ready, with IPs and the container ID', () => {
    const s = compute(pod('Always'), { app: { current: status('app', 'CONTAINER_RUNNING') } });
    assert.equal(s.phase, 'Running');
    const c = s.containerStatuses![0]!;
    assert.deepEqual([c.ready, c.started, c.restartCount, c.containerID], [true, true, 0, 'process://app-0']);
    assert.ok(c.state?.running?.startedAt);
    assert.equal(s.conditions!.find((x) => x.type === 'Ready')!.status, 'True');
    assert.deepEqual([s.podIP, s.hostIP, s.podIPs], ['10.42.0.5', '192.0.2.1', [{ ip: '10.42.0.5' }]]);
  });

  it('CrashLoopBackOff: waiting with the reason, the last run as lastState, the restart count', () => {
    const current = status('app', 'CONTAINER_EXITED', { exitCode: 1, metadata: { name: 'app', attempt: 3 } });
    const s = compute(pod('Always'), { app: { current, waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } } });
    const c = s.containerStatuses![0]!;
    assert.deepEqual(c.state, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } });
    assert.equal(c.lastState?.terminated?.exitCode, 1);
    assert.equal(c.lastState?.terminated?.reason, 'Error');
    assert.equal(c.restartCount, 3);
    assert.equal(s.phase, 'Running', 'a pod that ran and restarts stays Running');
  });

  const phases: { policy: 'Always' | 'OnFailure' | 'Never'; codes: number[]; phase: string }[] = [
    { policy: 'Never', codes: [0, 0], phase: 'Succeeded' },
    { policy: 'Never', codes: [0, 2], phase: 'Failed' },
    { policy: 'OnFailure', codes: [0, 0], phase: 'Succeeded' },
    { policy: 'OnFailure', codes: [1, 0], phase: 'Running' },
    { policy: 'Always', codes: [0, 0], phase: 'Running' },
  ];
  for (const c of phases) {
    it(`restartPolicy ${c.policy}, exit codes ${c.codes.join(',')}: ${c.phase}`, () => {
      const p = pod(c.policy, ['a', 'b']);
      const s = compute(p, Object.fromEntries(c.codes.map((code, i) => [['a', 'b'][i]!, { current: status(['a', 'b'][i]!, 'CONTAINER_EXITED', { exitCode: code }) }])));
      assert.equal(s.phase, c.phase);
      if (c.phase === 'Succeeded') assert.equal(s.containerStatuses![0]!.state?.terminated?.reason, 'Completed');
      if (c.phase === 'Succeeded' || c.phase === 'Failed') assert.equal(s.conditions!.find((x) => x.type === 'Ready')!.reason, 'PodCompleted');
    });
  }

  it('init containers: Pending and not Initialized until each has succeeded; a failed one with Never fails the pod', () => {
    const p = pod('Always', ['app'], ['setup', 'migrate']);
    const running = compute(p, { setup: { current: status('setup', 'CONTAINER_EXITED') }, migrate: { current: status('migrate', 'CONTAINER_RUNNING') } });
    assert.equal(running.phase, 'Pending');
    const init = running.conditions!.find((c) => c.type === 'Initialized')!;
    assert.equal(init.status, 'False');
    assert.equal(init.reason, 'ContainersNotInitialized');
    const done = compute(p, {
      setup: { current: status('setup', 'CONTAINER_EXITED') },
      migrate: { current: status('migrate', 'CONTAINER_EXITED') },
      app: { current: status('app', 'CONTAINER_RUNNING') },
    });
    assert.equal(done.phase, 'Running');
    assert.equal(done.conditions!.find((c) => c.type === 'Initialized')!.status, 'True');
    const never = pod('Never', ['app'], ['setup']);
    assert.equal(compute(never, { setup: { current: status('setup', 'CONTAINER_EXITED', { exitCode: 1 }) } }).phase, 'Failed');
  });

  it('keeps lastTransitionTime while a condition keeps its status', () => {
    const p = pod('Always');
    p.status!.conditions!.push({ type: 'Ready', status: 'True', lastTransitionTime: '2020-01-01T00:00:00Z' });
    const s = compute(p, { app: { current: status('app', 'CONTAINER_RUNNING') } });
    assert.equal(s.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime, '2020-01-01T00:00:00Z');
  });

  it('phaseOf: no containers reported at all is Pending', () => {
    assert.equal(phaseOf(pod('Always'), [], []), 'Pending');
  });
});
