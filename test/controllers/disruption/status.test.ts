// The arithmetic of a budget's status: expected pods and desired healthy from the spec, the
// standing disruptedPods entries, healthy pods, disruptions allowed, and when a write is needed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetSpec } from 'kubernetes-types/policy/v1.js';
import { DELETION_TIMEOUT_MS } from '../../../src/controllers/disruption/budget.js';
import {
  countHealthyPods,
  disruptedPodMap,
  disruptionsAllowed,
  expectedPodCount,
  nextStatus,
  type ScaleFinder,
} from '../../../src/controllers/disruption/status.js';

const NOW = Date.parse('2024-01-01T00:10:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function pod(name: string, o: { ready?: boolean; owner?: string; deleting?: boolean } = {}): Pod {
  const ownerReferences: OwnerReference[] | undefined = o.owner
    ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `uid-${o.owner}`, controller: true }]
    : undefined;
  return {
    metadata: { name, namespace: 'default', ownerReferences, deletionTimestamp: o.deleting ? ago(0) : undefined },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

const pdb = (spec: PodDisruptionBudgetSpec, status?: PodDisruptionBudget['status'], generation = 1): PodDisruptionBudget => ({
  metadata: { name: 'b', namespace: 'default', generation },
  spec: { selector: {}, ...spec },
  status,
});

/** Scales by owner name; records which owners were looked up. */
function finder(scales: Record<string, number>): ScaleFinder & { asked: string[] } {
  const asked: string[] = [];
  const f = async (ref: OwnerReference) => {
    asked.push(ref.name);
    return scales[ref.name] === undefined ? undefined : { uid: ref.uid, scale: scales[ref.name]! };
  };
  return Object.assign(f, { asked });
}

describe('expectedPodCount', () => {
  const three = [pod('a', { owner: 'rs' }), pod('b', { owner: 'rs' }), pod('c', { owner: 'rs' })];
  const cases: { name: string; spec: PodDisruptionBudgetSpec; scale: number; expected: number; desired: number }[] = [
    { name: 'integer minAvailable counts the pods', spec: { minAvailable: 2 }, scale: 10, expected: 3, desired: 2 },
    { name: 'percent minAvailable of the scale, rounded up', spec: { minAvailable: '50%' }, scale: 3, expected: 3, desired: 2 },
    { name: 'percent minAvailable uses the scale, not the pods', spec: { minAvailable: '50%' }, scale: 8, expected: 8, desired: 4 },
    { name: 'integer maxUnavailable', spec: { maxUnavailable: 1 }, scale: 3, expected: 3, desired: 2 },
    { name: 'percent maxUnavailable rounds the unavailable up', spec: { maxUnavailable: '34%' }, scale: 3, expected: 3, desired: 1 },
    { name: 'maxUnavailable beyond the scale desires none', spec: { maxUnavailable: 5 }, scale: 3, expected: 3, desired: 0 },
    { name: 'neither set', spec: {}, scale: 3, expected: 0, desired: 0 },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const f = finder({ rs: c.scale });
      const got = await expectedPodCount(pdb(c.spec), three, f);
      assert.deepEqual(got, { expectedCount: c.expected, desiredHealthy: c.desired, unmanagedPods: [] });
      // The controller is asked once for all its pods, and only when a scale is needed.
      assert.deepEqual(f.asked, typeof c.spec.minAvailable === 'number' || (c.spec.minAvailable === undefined && c.spec.maxUnavailable === undefined) ? [] : ['rs']);
    });
  }

  test('sums the scales of distinct controllers and lists unmanaged pods', async () => {
    const pods = [pod('a', { owner: 'x' }), pod('b', { owner: 'y' }), pod('c', { owner: 'x' }), pod('lone')];
    const got = await expectedPodCount(pdb({ maxUnavailable: '50%' }), pods, finder({ x: 2, y: 4 }));
    assert.deepEqual(got, { expectedCount: 6, desiredHealthy: 3, unmanagedPods: ['lone'] });
  });

  test('a pod whose controller no finder knows is an error', async () => {
    await assert.rejects(expectedPodCount(pdb({ minAvailable: '50%' }), [pod('a', { owner: 'gone' })], finder({})), {
      message: 'found no controllers for pod "a"',
    });
  });
});

describe('disruptedPodMap and countHealthyPods', () => {
  const pods = [
    pod('fresh'),
    pod('overdue'),
    pod('deleting', { deleting: true }),
    pod('unready', { ready: false }),
    pod('plain'),
  ];
  const budget = pdb(
    { minAvailable: 1 },
    {
      currentHealthy: 0,
      desiredHealthy: 0,
      disruptionsAllowed: 0,
      expectedPods: 0,
      disruptedPods: { fresh: ago(30_000), overdue: ago(DELETION_TIMEOUT_MS + 1000), deleting: ago(1000), gone: ago(1000) },
    },
  );

  test('keeps entries of selected pods not yet deleting whose timeout has not passed', () => {
    const m = disruptedPodMap(pods, budget, NOW);
    assert.deepEqual(m.disrupted, { fresh: ago(30_000) });
    assert.deepEqual(m.overdue.map((p) => p.metadata?.name), ['overdue']);
    assert.equal(m.recheckAt, NOW - 30_000 + DELETION_TIMEOUT_MS);
  });

  test('no entries: nothing to recheck', () => {
    const m = disruptedPodMap(pods, pdb({ minAvailable: 1 }), NOW);
    assert.deepEqual(m, { disrupted: {}, overdue: [] });
  });

  test('healthy: ready, not deleting, not about to be deleted', () => {
    const { disrupted } = disruptedPodMap(pods, budget, NOW);
    // fresh is disrupted, deleting is going, unready is not ready: overdue and plain count.
    assert.equal(countHealthyPods(pods, disrupted, NOW), 2);
    assert.equal(countHealthyPods(pods, {}, NOW), 3);
  });
});

describe('disruptionsAllowed and nextStatus', () => {
  test('disruptionsAllowed', () => {
    const cases = [
      { currentHealthy: 3, desiredHealthy: 1, expectedCount: 3, want: 2 },
      { currentHealthy: 1, desiredHealthy: 2, expectedCount: 3, want: 0 },
      { currentHealthy: 3, desiredHealthy: 0, expectedCount: 0, want: 0 },
    ];
    for (const c of cases) assert.equal(disruptionsAllowed(c), c.want, JSON.stringify(c));
  });

  const observed = { currentHealthy: 3, desiredHealthy: 2, expectedCount: 3, disrupted: {} };
  const at = new Date(NOW);

  test('writes counts, the observed generation and a SufficientPods condition', () => {
    const s = nextStatus(pdb({ minAvailable: 2 }, undefined, 4), observed, at);
    assert.deepEqual(s, {
      currentHealthy: 3,
      desiredHealthy: 2,
      expectedPods: 3,
      disruptionsAllowed: 1,
      observedGeneration: 4,
      conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: 4, lastTransitionTime: '2024-01-01T00:10:00Z' }],
    });
  });

  test('nothing to write when the status already says it all', () => {
    const s = nextStatus(pdb({ minAvailable: 2 }), observed, at)!;
    assert.equal(nextStatus(pdb({ minAvailable: 2 }, s), observed, at), undefined);
    // A newer generation, a changed count or a stale condition all need a write.
    assert.ok(nextStatus(pdb({ minAvailable: 2 }, s, 2), observed, at));
    assert.ok(nextStatus(pdb({ minAvailable: 2 }, s), { ...observed, currentHealthy: 2 }, at));
    assert.ok(nextStatus(pdb({ minAvailable: 2 }, { ...s, conditions: [] }), observed, at));
    assert.ok(nextStatus(pdb({ minAvailable: 2 }, s), { ...observed, disrupted: { a: ago(0) } }, at));
  });

  test('InsufficientPods once nothing may be disrupted; the transition time moves', () => {
    const before = nextStatus(pdb({ minAvailable: 2 }), observed, at)!;
    const later = new Date(NOW + 5000);
    const s = nextStatus(pdb({ minAvailable: 2 }, before), { ...observed, currentHealthy: 2, disrupted: { a: ago(0) } }, later)!;
    assert.equal(s.disruptionsAllowed, 0);
    assert.deepEqual(s.disruptedPods, { a: ago(0) });
    assert.deepEqual(s.conditions, [
      { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: 1, lastTransitionTime: '2024-01-01T00:10:05Z' },
    ]);
  });
});
