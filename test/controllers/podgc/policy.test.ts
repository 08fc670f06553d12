import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import {
  byEvictionAndCreation,
  isPodTerminated,
  NodeQuarantine,
  terminatedPodsToDelete,
  terminatingPodsOnOutOfServiceNodes,
  unscheduledTerminatingPods,
} from '../../../src/controllers/podgc/policy.js';

function pod(name: string, o: { phase?: string; created?: number; reason?: string; node?: string; deleting?: boolean } = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'ns',
      creationTimestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, o.created ?? 0)).toISOString(),
      deletionTimestamp: o.deleting ? '2024-01-02T00:00:00Z' : undefined,
    },
    spec: { containers: [], nodeName: o.node },
    status: { phase: o.phase, reason: o.reason },
  };
}
const names = (pods: Pod[]) => pods.map((p) => p.metadata!.name);

test('isPodTerminated', () => {
  const cases: [string | undefined, boolean][] = [
    ['Pending', false],
    ['Running', false],
    ['Unknown', false],
    ['Succeeded', true],
    ['Failed', true],
  ];
  for (const [phase, want] of cases) assert.equal(isPodTerminated(pod('p', { phase })), want, String(phase));
});

test('order: evicted first, then oldest, then by name', () => {
  const pods = [
    pod('young', { phase: 'Failed', created: 30 }),
    pod('b-old', { phase: 'Succeeded', created: 10 }),
    pod('a-old', { phase: 'Succeeded', created: 10 }),
    pod('evicted-young', { phase: 'Failed', reason: 'Evicted', created: 50 }),
  ];
  assert.deepEqual(names([...pods].sort(byEvictionAndCreation)), ['evicted-young', 'a-old', 'b-old', 'young']);
});

test('terminatedPodsToDelete keeps `threshold` terminated pods', () => {
  const pods = [
    pod('run', { phase: 'Running', created: 0 }),
    pod('t1', { phase: 'Succeeded', created: 1 }),
    pod('t2', { phase: 'Failed', created: 2 }),
    pod('t3', { phase: 'Succeeded', created: 3 }),
    pod('t4', { phase: 'Failed', created: 4 }),
  ];
  const cases: [number, string[]][] = [
    [2, ['t1', 't2']],
    [4, []],
    [10, []],
    [0, []], // disabled
  ];
  for (const [threshold, want] of cases) assert.deepEqual(names(terminatedPodsToDelete(pods, threshold)), want, `threshold ${threshold}`);
});

test('unscheduledTerminatingPods', () => {
  const pods = [pod('a', { deleting: true }), pod('b', { deleting: true, node: 'n1' }), pod('c')];
  assert.deepEqual(names(unscheduledTerminatingPods(pods)), ['a']);
});

test('terminating pods on out-of-service nodes', () => {
  const node = (name: string, ready: boolean, tainted: boolean): Node => ({
    metadata: { name },
    spec: { taints: tainted ? [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }] : [] },
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
  const nodes = new Map([
    ['down-tainted', node('down-tainted', false, true)],
    ['down', node('down', false, false)],
    ['up-tainted', node('up-tainted', true, true)],
  ]);
  const pods = [
    pod('a', { deleting: true, node: 'down-tainted' }),
    pod('b', { node: 'down-tainted' }),
    pod('c', { deleting: true, node: 'down' }),
    pod('d', { deleting: true, node: 'up-tainted' }),
    pod('e', { deleting: true, node: 'unknown' }),
  ];
  assert.deepEqual(names(terminatingPodsOnOutOfServiceNodes(pods, nodes)), ['a']);
});

test('NodeQuarantine: a missing node is due once its quarantine is over', () => {
  const q = new NodeQuarantine(40);
  const pods = [pod('a', { node: 'gone' }), pod('b', { node: 'here' }), pod('c')];
  const known = new Set(['here']);
  assert.deepEqual(q.update(pods, known, 0), []);
  assert.deepEqual(q.update(pods, known, 39), []);
  assert.deepEqual(q.update(pods, known, 40), ['gone']);
  q.release('gone');
  assert.deepEqual(q.update(pods, known, 41), [], 'a released name starts a new quarantine');
  assert.deepEqual(q.update(pods, known, 81), ['gone']);
  // the node showing up ends the quarantine
  assert.deepEqual(q.update(pods, new Set(['here', 'gone']), 100), []);
  assert.deepEqual(q.update(pods, known, 101), []);
  assert.deepEqual(new NodeQuarantine(0).update(pods, known, 5), ['gone'], 'no quarantine: due at once');
});
