import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  calculateStatus,
  nextAvailabilityCheckMs,
  REPLICA_FAILURE,
  statusNeedsUpdate,
  type ReplicaSpecView,
  type ReplicaStatus,
} from '../../../src/controllers/replicaset/status.js';

const NOW = Date.parse('2024-01-01T00:10:00Z');

function pod(labels: Record<string, string>, readySecondsAgo?: number): Pod {
  return {
    metadata: { name: 'p', namespace: 'default', labels },
    status: readySecondsAgo === undefined
      ? { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] }
      : { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(NOW - readySecondsAgo * 1000).toISOString() }] },
  };
}

const view = (over: Partial<ReplicaSpecView> = {}): ReplicaSpecView => ({
  replicas: 3,
  minReadySeconds: 0,
  templateLabels: { app: 'web', tier: 'front' },
  status: undefined,
  ...over,
});

const full = { app: 'web', tier: 'front' };

test('calculateStatus counts replicas, fully labeled, ready and available pods', () => {
  const pods = [pod(full, 100), pod({ app: 'web' }, 5), pod({ ...full, extra: 'x' }), pod(full, 20)];
  const cases: { minReady: number; available: number }[] = [
    { minReady: 0, available: 3 },
    { minReady: 10, available: 2 },
    { minReady: 20, available: 1 }, // exactly 20 s ago is not yet "more than" 20 s
    { minReady: 200, available: 0 },
  ];
  for (const c of cases) {
    const s = calculateStatus(view({ minReadySeconds: c.minReady }), pods, undefined, NOW);
    assert.deepEqual(
      { replicas: s.replicas, fullyLabeledReplicas: s.fullyLabeledReplicas, readyReplicas: s.readyReplicas, availableReplicas: s.availableReplicas },
      { replicas: 4, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: c.available },
      `minReadySeconds ${c.minReady}`,
    );
  }
});

test('calculateStatus: ReplicaFailure is added on a failed step, kept while failing, removed once clean', () => {
  const failed = calculateStatus(view(), [pod(full)], new Error('pods "x" is forbidden: exceeded quota'), NOW);
  assert.deepEqual(failed.conditions, [
    { type: REPLICA_FAILURE, status: 'True', lastTransitionTime: '2024-01-01T00:10:00Z', reason: 'FailedCreate', message: 'pods "x" is forbidden: exceeded quota' },
  ]);
  const later = calculateStatus(view({ status: failed }), [pod(full)], new Error('another message'), NOW + 60_000);
  assert.deepEqual(later.conditions, failed.conditions, 'an existing condition is left as it was');
  const over = calculateStatus(view({ replicas: 0 }), [pod(full)], new Error('boom'), NOW);
  assert.equal(over.conditions?.[0]?.reason, 'FailedDelete');
  const clean = calculateStatus(view({ status: { ...failed, conditions: [...failed.conditions!, { type: 'Other', status: 'True' }] } }), [pod(full)], undefined, NOW);
  assert.deepEqual(clean.conditions, [{ type: 'Other', status: 'True' }]);
  const none = calculateStatus(view({ status: failed }), [pod(full)], undefined, NOW);
  assert.equal(none.conditions, undefined);
});

test('nextAvailabilityCheckMs: the soonest Ready pod still short of minReadySeconds', () => {
  const pods = [pod(full, 100), pod(full, 3), pod(full, 8), pod(full)];
  assert.equal(nextAvailabilityCheckMs(pods, 10, NOW), 2000);
  assert.equal(nextAvailabilityCheckMs(pods, 0, NOW), undefined, 'no wait without minReadySeconds');
  assert.equal(nextAvailabilityCheckMs(pods, 5, NOW), 2000, 'the pod ready 8 s ago is already available');
  assert.equal(nextAvailabilityCheckMs([pod(full, 100), pod(full)], 10, NOW), undefined);
});

test('statusNeedsUpdate: only real changes, or an unobserved generation, are written', () => {
  const current: ReplicaStatus = { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 1, availableReplicas: 1, observedGeneration: 3 };
  const cases: { name: string; next: ReplicaStatus; generation: number; want: boolean }[] = [
    { name: 'same', next: { ...current }, generation: 3, want: false },
    { name: 'new generation', next: { ...current }, generation: 4, want: true },
    { name: 'replicas', next: { ...current, replicas: 3 }, generation: 3, want: true },
    { name: 'ready', next: { ...current, readyReplicas: 2 }, generation: 3, want: true },
    { name: 'available', next: { ...current, availableReplicas: 0 }, generation: 3, want: true },
    { name: 'fully labeled', next: { ...current, fullyLabeledReplicas: 1 }, generation: 3, want: true },
    { name: 'condition', next: { ...current, conditions: [{ type: REPLICA_FAILURE, status: 'True' }] }, generation: 3, want: true },
  ];
  for (const c of cases) assert.equal(statusNeedsUpdate(current, c.next, c.generation), c.want, c.name);
  assert.equal(statusNeedsUpdate(undefined, { replicas: 0 }, undefined), false, 'a fresh object with nothing to report');
  assert.equal(statusNeedsUpdate(undefined, { replicas: 0 }, 1), true);
});
