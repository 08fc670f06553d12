import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { REVISION_ANNOTATION } from '../../../src/controllers/deployment/annotations.js';
import {
  isSaturated,
  planCleanup,
  planNewReplicaSet,
  planOldReplicaSets,
  planRollingScaleDown,
  planScale,
  planUnhealthyCleanup,
  proportion,
  type ScaleStep,
} from '../../../src/controllers/deployment/scaling.js';
import { maxSurge, maxUnavailable } from '../../../src/controllers/deployment/strategy.js';
import { annotate, newDeployment, rs, rsWithStatus, setMeta, timestamp } from './fixtures.js';

const NEW = timestamp(2);
const OLD = timestamp(1);
const OLDER = timestamp(0);

/** The sizes after applying the steps, by name. */
function sizesAfter(sets: (ReplicaSet | undefined)[], steps: ScaleStep[]): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const s of sets) if (s) sizes[s.metadata!.name!] = s.spec!.replicas!;
  for (const step of steps) sizes[step.rs.metadata!.name!] = step.replicas;
  return sizes;
}

describe('planScale (upstream TestScale)', () => {
  const updatedTemplate = (replicas: number): Deployment => {
    const d = newDeployment('foo', replicas);
    d.spec!.template.metadata!.labels!.another = 'label';
    return d;
  };
  const broken = () => {
    const set = rs('foo-v2', 2, NEW);
    set.status!.availableReplicas = 0;
    return set;
  };
  const cases: {
    name: string;
    d: Deployment;
    old: Deployment;
    newRS?: ReplicaSet;
    oldRSs: ReplicaSet[];
    want: Record<string, number>;
    desired?: Record<string, number>;
  }[] = [
    { name: 'normal scaling event: 10 -> 12', d: newDeployment('foo', 12), old: newDeployment('foo', 10), newRS: rs('foo-v1', 10, NEW), oldRSs: [], want: { 'foo-v1': 12 } },
    { name: 'normal scaling event: 10 -> 5', d: newDeployment('foo', 5), old: newDeployment('foo', 10), newRS: rs('foo-v1', 10, NEW), oldRSs: [], want: { 'foo-v1': 5 } },
    { name: 'proportional scaling: 5 -> 10', d: newDeployment('foo', 10), old: newDeployment('foo', 5), newRS: rs('foo-v2', 2, NEW), oldRSs: [rs('foo-v1', 3, OLD)], want: { 'foo-v2': 4, 'foo-v1': 6 } },
    { name: 'proportional scaling: 5 -> 3', d: newDeployment('foo', 3), old: newDeployment('foo', 5), newRS: rs('foo-v2', 2, NEW), oldRSs: [rs('foo-v1', 3, OLD)], want: { 'foo-v2': 1, 'foo-v1': 2 } },
    { name: 'proportional scaling: 9 -> 4', d: newDeployment('foo', 4), old: newDeployment('foo', 9), newRS: rs('foo-v2', 8, NEW), oldRSs: [rs('foo-v1', 1, OLD)], want: { 'foo-v2': 4, 'foo-v1': 0 } },
    { name: 'proportional scaling: 7 -> 10', d: newDeployment('foo', 10), old: newDeployment('foo', 7), newRS: rs('foo-v3', 2, NEW), oldRSs: [rs('foo-v2', 3, OLD), rs('foo-v1', 2, OLDER)], want: { 'foo-v3': 3, 'foo-v2': 4, 'foo-v1': 3 } },
    { name: 'proportional scaling: 13 -> 8', d: newDeployment('foo', 8), old: newDeployment('foo', 13), newRS: rs('foo-v3', 2, NEW), oldRSs: [rs('foo-v2', 8, OLD), rs('foo-v1', 3, OLDER)], want: { 'foo-v3': 1, 'foo-v2': 5, 'foo-v1': 2 } },
    { name: 'leftover distribution: 3 -> 4 (new set scaled up)', d: newDeployment('foo', 4), old: newDeployment('foo', 3), newRS: rs('foo-v3', 1, NEW), oldRSs: [rs('foo-v2', 1, OLD), rs('foo-v1', 1, OLDER)], want: { 'foo-v3': 2, 'foo-v2': 1, 'foo-v1': 1 } },
    { name: 'leftover distribution: 3 -> 2 (older set scaled down)', d: newDeployment('foo', 2), old: newDeployment('foo', 3), newRS: rs('foo-v3', 1, NEW), oldRSs: [rs('foo-v2', 1, OLD), rs('foo-v1', 1, OLDER)], want: { 'foo-v3': 1, 'foo-v2': 1, 'foo-v1': 0 } },
    { name: 'proportional scaling (no new rs): 4 -> 5', d: newDeployment('foo', 5), old: newDeployment('foo', 4), oldRSs: [rs('foo-v2', 2, OLD), rs('foo-v1', 2, OLDER)], want: { 'foo-v2': 3, 'foo-v1': 2 } },
    { name: 'proportional scaling: 6 -> 0', d: newDeployment('foo', 0), old: newDeployment('foo', 6), newRS: rs('foo-v3', 3, NEW), oldRSs: [rs('foo-v2', 2, OLD), rs('foo-v1', 1, OLDER)], want: { 'foo-v3': 0, 'foo-v2': 0, 'foo-v1': 0 } },
    { name: 'proportional scaling: 0 -> 6', d: newDeployment('foo', 6), old: newDeployment('foo', 6), newRS: rs('foo-v3', 0, NEW), oldRSs: [rs('foo-v2', 0, OLD), rs('foo-v1', 0, OLDER)], want: { 'foo-v3': 6, 'foo-v2': 0, 'foo-v1': 0 } },
    { name: 'stale desired-replicas on one set (upstream "failed rs update")', d: newDeployment('foo', 5), old: newDeployment('foo', 5), newRS: rs('foo-v3', 2, NEW), oldRSs: [rs('foo-v2', 1, OLD), rs('foo-v1', 1, OLDER)], want: { 'foo-v3': 2, 'foo-v2': 2, 'foo-v1': 1 }, desired: { 'foo-v2': 3 } },
    { name: 'deployment with surge pods', d: newDeployment('foo', 20, { maxSurge: 2 }), old: newDeployment('foo', 10, { maxSurge: 2 }), newRS: rs('foo-v2', 6, NEW), oldRSs: [rs('foo-v1', 6, OLD)], want: { 'foo-v2': 11, 'foo-v1': 11 } },
    { name: 'change both surge and size', d: newDeployment('foo', 50, { maxSurge: 6 }), old: newDeployment('foo', 10, { maxSurge: 3 }), newRS: rs('foo-v2', 5, NEW), oldRSs: [rs('foo-v1', 8, OLD)], want: { 'foo-v2': 22, 'foo-v1': 34 } },
    { name: 'change both size and template', d: updatedTemplate(14), old: newDeployment('foo', 10), oldRSs: [rs('foo-v2', 7, NEW), rs('foo-v1', 3, OLD)], want: { 'foo-v2': 10, 'foo-v1': 4 } },
    { name: 'saturated but broken new replica set does not affect old pods', d: newDeployment('foo', 2, { maxSurge: 1, maxUnavailable: 1 }), old: newDeployment('foo', 2, { maxSurge: 1, maxUnavailable: 1 }), newRS: broken(), oldRSs: [rs('foo-v1', 1, OLD)], want: { 'foo-v2': 2, 'foo-v1': 1 } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      for (const set of [c.newRS, ...c.oldRSs]) if (set) annotate(set, c.old, c.desired?.[set.metadata!.name!] ?? c.old.spec!.replicas!);
      const steps = planScale(c.d, c.newRS, c.oldRSs);
      assert.deepEqual(sizesAfter([c.newRS, ...c.oldRSs], steps), c.want);
    });
  }

  test('a saturated new set lets every old one go', () => {
    const d = newDeployment('foo', 3, { maxSurge: 1 });
    const newRS = annotate(rs('foo-v2', 3, NEW), d);
    const steps = planScale(d, newRS, [rs('foo-v1', 1, OLD), rs('foo-v0', 0, OLDER)]);
    assert.deepEqual(steps.map((s) => [s.rs.metadata!.name, s.replicas, s.operation]), [['foo-v1', 0, 'down']]);
    assert.equal(isSaturated(d, newRS), true);
  });

  test('Recreate does not scale several active sets proportionally', () => {
    const d = newDeployment('foo', 10);
    d.spec!.strategy = { type: 'Recreate' };
    assert.deepEqual(planScale(d, rs('foo-v2', 2, NEW), [rs('foo-v1', 3, OLD)]), []);
  });

  test('proportion never exceeds what is left to add', () => {
    const d = newDeployment('foo', 10);
    const set = annotate(rs('a', 5), newDeployment('foo', 5));
    assert.equal(proportion(set, d, 5, 0), 5);
    assert.equal(proportion(set, d, 5, 3), 2);
    assert.equal(proportion(set, d, 5, 5), 0);
    assert.equal(proportion(rs('zero', 0), d, 5, 0), 0);
  });
});

describe('rolling update plans', () => {
  test('upstream TestDeploymentController_reconcileNewReplicaSet', () => {
    const cases: [depReplicas: number, surge: number, oldReplicas: number, newReplicas: number, want: number | undefined][] = [
      [10, 0, 10, 0, undefined],
      [10, 2, 10, 0, 2],
      [10, 2, 5, 0, 7],
      [10, 2, 10, 2, undefined],
      [10, 2, 2, 11, 10],
    ];
    for (const [depReplicas, surge, oldReplicas, newReplicas, want] of cases) {
      const d = newDeployment('foo', depReplicas, { maxSurge: surge });
      const newRS = rs('foo-v2', newReplicas);
      assert.equal(planNewReplicaSet(d, [newRS, rs('foo-v1', oldReplicas)], newRS), want, `${oldReplicas} old, ${newReplicas} new`);
    }
  });

  test('upstream TestDeploymentController_reconcileOldReplicaSets', () => {
    const cases: [depReplicas: number, unavailable: number, oldReplicas: number, newReplicas: number, oldAvailable: number, newAvailable: number, want: number | undefined][] = [
      [10, 0, 10, 0, 10, 0, 9],
      [10, 2, 10, 0, 10, 0, 8],
      // Unhealthy old replicas are cleaned up.
      [10, 2, 10, 0, 8, 0, 8],
      // One unhealthy replica cleaned up and one available scaled down.
      [10, 2, 10, 0, 9, 0, 8],
      // The new set's unavailable pods keep the old ones.
      [10, 2, 8, 2, 8, 0, undefined],
    ];
    for (const [depReplicas, unavailable, oldReplicas, newReplicas, oldAvailable, newAvailable, want] of cases) {
      const d = newDeployment('foo', depReplicas, { maxUnavailable: unavailable });
      const newRS = rs('foo-new', newReplicas);
      newRS.status!.availableReplicas = newAvailable;
      const oldRS = rs('foo-old', oldReplicas);
      oldRS.status!.availableReplicas = oldAvailable;
      const steps = planOldReplicaSets(d, [oldRS, newRS], [oldRS], newRS);
      assert.equal(steps.length ? steps.at(-1)!.replicas : undefined, want);
    }
  });

  test('upstream TestDeploymentController_cleanupUnhealthyReplicas', () => {
    const cases: [oldReplicas: number, ready: number, max: number, want: number][] = [
      [10, 8, 1, 1],
      [10, 8, 3, 2],
      [10, 8, 0, 0],
      [10, 10, 3, 0],
    ];
    for (const [oldReplicas, ready, max, want] of cases) {
      const oldRS = rs('foo-v2', oldReplicas);
      oldRS.status!.availableReplicas = ready;
      const { cleaned, steps } = planUnhealthyCleanup([oldRS], max);
      assert.equal(cleaned, want);
      assert.equal(steps.length, want ? 1 : 0);
    }
  });

  test('upstream TestDeploymentController_scaleDownOldReplicaSetsForRollingUpdate', () => {
    const cases: [unavailable: number, ready: number, oldReplicas: number, want: number | undefined][] = [
      [0, 10, 10, 9],
      [2, 10, 10, 8],
      [2, 8, 10, undefined],
      [2, 10, 0, undefined],
      [2, 1, 10, undefined],
    ];
    for (const [unavailable, ready, oldReplicas, want] of cases) {
      const d = newDeployment('foo', 10, { maxUnavailable: unavailable });
      const oldRS = rs('foo-v2', oldReplicas);
      oldRS.status!.availableReplicas = ready;
      const steps = planRollingScaleDown(d, [oldRS], [oldRS]);
      assert.equal(steps[0]?.replicas, want);
    }
  });

  test('a full rolling update never passes replicas + maxSurge nor drops below replicas - maxUnavailable', () => {
    const cases: [number, number | string, number | string][] = [[10, '25%', '25%'], [3, 1, 0], [5, 0, 2], [1, '0%', '1%']];
    for (const [replicas, surge, unavailable] of cases) {
      const d = newDeployment('foo', replicas, { maxSurge: surge, maxUnavailable: unavailable });
      const label = `${replicas} replicas, surge ${surge}, unavailable ${unavailable}`;
      let oldRS = rs('foo-v1', replicas, OLD);
      let newRS = rs('foo-v2', 0, NEW);
      for (let round = 0; round < 100 && !(newRS.spec!.replicas === replicas && oldRS.spec!.replicas === 0); round++) {
        // Every pod is available as soon as it exists.
        const grow = planNewReplicaSet(d, [oldRS, newRS], newRS);
        if (grow !== undefined) newRS = rs('foo-v2', grow, NEW);
        else for (const step of planOldReplicaSets(d, [oldRS, newRS], [oldRS], newRS)) oldRS = rs('foo-v1', step.replicas, OLD);
        const total = oldRS.spec!.replicas! + newRS.spec!.replicas!;
        assert.ok(total <= replicas + maxSurge(d), `${label}: ${total} pods`);
        assert.ok(total >= replicas - maxUnavailable(d), `${label}: ${total} pods`);
      }
      assert.deepEqual([newRS.spec!.replicas, oldRS.spec!.replicas], [replicas, 0], label);
    }
  });
});

describe('planCleanup (upstream TestDeploymentController_cleanupDeployment)', () => {
  const deleting = rsWithStatus('foo-1', 0, 0);
  setMeta(deleting, { deletionTimestamp: timestamp(0) });
  const cases: [ReplicaSet[], number, number][] = [
    [[rsWithStatus('foo-1', 0, 0), rsWithStatus('foo-2', 0, 0), rsWithStatus('foo-3', 0, 0)], 1, 2],
    // Only sets with spec and status replicas 0 go.
    [[rsWithStatus('foo-1', 0, 0), rsWithStatus('foo-2', 0, 1), rsWithStatus('foo-3', 1, 0), rsWithStatus('foo-4', 1, 1)], 0, 1],
    [[rsWithStatus('foo-1', 0, 0), rsWithStatus('foo-2', 0, 0)], 0, 2],
    [[rsWithStatus('foo-1', 1, 1), rsWithStatus('foo-2', 1, 1)], 0, 0],
    [[deleting], 0, 0],
    [[rsWithStatus('foo-1', 0, 0), rsWithStatus('foo-2', 0, 0), rsWithStatus('foo-3', 0, 0)], 2147483647, 0],
  ];
  cases.forEach(([sets, limit, want], i) => {
    test(`scenario ${i}`, () => {
      assert.equal(planCleanup(newDeployment('foo', 1, { revisionHistoryLimit: limit }), sets).length, want);
    });
  });

  test('the lowest revisions go first; unobserved generations stay', () => {
    const sets = ['3', '1', '2'].map((r) => {
      const s = rsWithStatus(`rev-${r}`, 0, 0);
      s.metadata!.annotations = { [REVISION_ANNOTATION]: r };
      return s;
    });
    const d = newDeployment('foo', 1, { revisionHistoryLimit: 1 });
    assert.deepEqual(planCleanup(d, sets).map((s) => s.metadata!.name), ['rev-1', 'rev-2']);
    setMeta(sets[1]!, { generation: 2 });
    assert.deepEqual(planCleanup(d, sets).map((s) => s.metadata!.name), ['rev-2']);
    assert.deepEqual(planCleanup(newDeployment('foo', 1), sets), [], 'no limit set');
  });
});
