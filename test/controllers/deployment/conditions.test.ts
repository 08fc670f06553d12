import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import {
  AVAILABLE,
  calculateStatus,
  compactStatus,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  formatTime,
  getCondition,
  MINIMUM_REPLICAS_AVAILABLE,
  MINIMUM_REPLICAS_UNAVAILABLE,
  NEW_RS_AVAILABLE_REASON,
  PROGRESSING,
  REPLICA_FAILURE,
  REPLICA_SET_UPDATED_REASON,
  removeCondition,
  rolloutStatus,
  setCondition,
  statusEqual,
  stuckDeploymentCheckMs,
  TIMED_OUT_REASON,
} from '../../../src/controllers/deployment/conditions.js';
import { newDeployment, setMeta, setStatus } from './fixtures.js';

const testNow = '2020-01-01T00:00:00Z';
const condProgressing = (): DeploymentCondition => ({ type: PROGRESSING, status: 'False', reason: 'ForSomeReason' });
const condProgressing2 = (): DeploymentCondition => ({ type: PROGRESSING, status: 'True', reason: 'BecauseItIs' });
const condAvailable = (): DeploymentCondition => ({ type: AVAILABLE, status: 'True', reason: 'AwesomeController' });

describe('condition helpers', () => {
  test('upstream TestGetCondition', () => {
    const status = { conditions: [condProgressing(), condAvailable()] };
    assert.ok(getCondition(status, AVAILABLE));
    assert.equal(getCondition(status, REPLICA_FAILURE), undefined);
  });

  test('upstream TestSetCondition', () => {
    const cases: [string, DeploymentStatus, DeploymentCondition, DeploymentStatus][] = [
      ['set for the first time', {}, condAvailable(), { conditions: [condAvailable()] }],
      ['simple set', { conditions: [condProgressing()] }, condAvailable(), { conditions: [condProgressing(), condAvailable()] }],
      ['overwrite', { conditions: [condProgressing()] }, condProgressing2(), { conditions: [condProgressing2()] }],
    ];
    for (const [name, status, cond, want] of cases) {
      setCondition(status, cond);
      assert.deepEqual(status, want, name);
    }
  });

  test('same status and reason leaves the condition alone; same status keeps lastTransitionTime', () => {
    const status: DeploymentStatus = { conditions: [{ type: PROGRESSING, status: 'True', reason: 'A', lastUpdateTime: 't0', lastTransitionTime: 't0' }] };
    setCondition(status, { type: PROGRESSING, status: 'True', reason: 'A', lastUpdateTime: 't1', lastTransitionTime: 't1' });
    assert.equal(status.conditions![0]!.lastUpdateTime, 't0');
    setCondition(status, { type: PROGRESSING, status: 'True', reason: 'B', lastUpdateTime: 't2', lastTransitionTime: 't2' });
    assert.deepEqual([status.conditions![0]!.lastUpdateTime, status.conditions![0]!.lastTransitionTime], ['t2', 't0']);
  });

  test('upstream TestRemoveCondition', () => {
    const cases: [string, DeploymentStatus, string, DeploymentStatus][] = [
      ['remove from empty status', {}, PROGRESSING, {}],
      ['simple remove', { conditions: [condProgressing()] }, PROGRESSING, {}],
      ["doesn't remove anything", { conditions: [condProgressing(), condAvailable()] }, REPLICA_FAILURE, { conditions: [condProgressing(), condAvailable()] }],
    ];
    for (const [name, status, type, want] of cases) {
      removeCondition(status, type);
      assert.deepEqual(status, want, name);
    }
  });

  test('formatTime renders whole seconds in UTC', () => {
    assert.equal(formatTime(Date.parse('2017-02-15T18:49:00.999Z')), '2017-02-15T18:49:00Z');
  });
});

describe('rollout predicates', () => {
  test('upstream TestDeploymentComplete', () => {
    const d = (desired: number, current: number, updated: number, available: number, maxUnavailable: number, maxSurge: number): Deployment => {
      const dep = newDeployment('foo', desired, { maxUnavailable, maxSurge });
      setMeta(dep, { generation: 0 });
      dep.status = { replicas: current, updatedReplicas: updated, availableReplicas: available };
      return dep;
    };
    const cases: [string, Deployment, boolean][] = [
      ['not complete: min but not all pods become available', d(5, 5, 5, 4, 1, 0), false],
      ['not complete: min availability is not honored', d(5, 5, 5, 3, 1, 0), false],
      ['complete', d(5, 5, 5, 5, 0, 0), true],
      ['not complete: all pods are available but not updated', d(5, 5, 4, 5, 0, 0), false],
      ['not complete: still running old pods', d(1, 2, 1, 1, 0, 1), false],
      ['not complete: one replica deployment never comes up', d(1, 1, 1, 0, 1, 1), false],
    ];
    for (const [name, dep, want] of cases) assert.equal(deploymentComplete(dep, dep.status!), want, name);
    const unobserved = d(5, 5, 5, 5, 0, 0);
    setMeta(unobserved, { generation: 2 });
    assert.equal(deploymentComplete(unobserved, { ...unobserved.status, observedGeneration: 1 }), false, 'generation not observed');
  });

  test('upstream TestDeploymentProgressing', () => {
    const st = (replicas: number, updatedReplicas: number, readyReplicas: number, availableReplicas: number): DeploymentStatus => ({
      replicas,
      updatedReplicas,
      readyReplicas,
      availableReplicas,
    });
    const cases: [string, DeploymentStatus, DeploymentStatus, boolean][] = [
      ['progressing: updated pods', st(10, 4, 4, 4), st(10, 6, 4, 4), true],
      ['not progressing', st(10, 4, 4, 4), st(10, 4, 4, 4), false],
      ['progressing: old pods removed', st(10, 4, 6, 6), st(8, 4, 6, 6), true],
      ['not progressing: less new pods', st(10, 7, 3, 3), st(10, 6, 3, 3), false],
      ['progressing: less overall but more new pods', st(10, 4, 7, 7), st(8, 8, 5, 5), true],
      ['progressing: more ready pods', st(10, 10, 9, 8), st(10, 10, 10, 8), true],
      ['progressing: more available pods', st(10, 10, 10, 9), st(10, 10, 10, 10), true],
    ];
    for (const [name, old, next, want] of cases) {
      const d = newDeployment('foo', 10);
      d.status = old;
      assert.equal(deploymentProgressing(d, next), want, name);
    }
  });

  test('upstream TestDeploymentTimedOut', () => {
    const at = (min: number, sec: number) => Date.UTC(2016, 0, 1, 0, min, sec);
    const d = (reason: string, pds: number | undefined, from: number): Deployment => {
      const dep = newDeployment('foo', 1);
      dep.spec!.progressDeadlineSeconds = pds;
      dep.status = { conditions: [{ type: PROGRESSING, status: 'True', reason, lastUpdateTime: formatTime(from) }] };
      return dep;
    };
    const cases: [string, Deployment, number, boolean][] = [
      ['no progressDeadlineSeconds specified - no timeout', d('', undefined, at(1, 9)), at(1, 20), false],
      ['progressDeadlineSeconds: 10s, 11s elapsed', d('', 10, at(1, 9)), at(1, 20), true],
      ['progressDeadlineSeconds: 10s, 9s elapsed', d('', 10, at(1, 11)), at(1, 20), false],
      ['previous status was a complete deployment', d(NEW_RS_AVAILABLE_REASON, 10, 0), at(1, 20), false],
      ['already timed out', d(TIMED_OUT_REASON, 10, at(1, 19)), at(1, 20), true],
      ['MaxInt32 means no deadline', d('', 2147483647, 0), at(1, 20), false],
    ];
    for (const [name, dep, now, want] of cases) assert.equal(deploymentTimedOut(dep, dep.status!, now), want, name);
  });
});

/** upstream newRSWithAvailable. */
function rsAvail(name: string, specReplicas: number, statusReplicas: number, available: number): ReplicaSet {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { replicas: specReplicas, selector: {}, template: {} },
    status: { replicas: statusReplicas, availableReplicas: available },
  };
}

describe('rolloutStatus (upstream TestSyncRolloutStatus)', () => {
  const testTime = '2017-02-15T18:49:00Z';
  const now = Date.parse('2017-03-01T00:00:00Z');
  const failedTimedOut: DeploymentCondition = { type: PROGRESSING, status: 'False', reason: TIMED_OUT_REASON };
  const newRSAvailable: DeploymentCondition = { type: PROGRESSING, status: 'True', reason: NEW_RS_AVAILABLE_REASON, lastUpdateTime: testTime, lastTransitionTime: testTime };
  const replicaSetUpdated: DeploymentCondition = { type: PROGRESSING, status: 'True', reason: REPLICA_SET_UPDATED_REASON, lastUpdateTime: testTime, lastTransitionTime: testTime };

  /** upstream currentDeployment: Recreate, observed. */
  const current = (pds: number | undefined, replicas: number, statusReplicas: number, updated: number, available: number, conditions: DeploymentCondition[]): Deployment => {
    const d = newDeployment('progress-test', replicas);
    setMeta(d, { generation: 0 });
    d.spec!.strategy = { type: 'Recreate' };
    d.spec!.progressDeadlineSeconds = pds;
    d.status = { replicas: statusReplicas, updatedReplicas: updated, availableReplicas: available, conditions: structuredClone(conditions) };
    return d;
  };

  const cases: {
    name: string;
    d: Deployment;
    allRSs: ReplicaSet[];
    newRS?: ReplicaSet;
    want?: [status: string, reason: string];
    lastUpdate?: string;
    lastTransition?: string;
  }[] = [
    { name: 'no progress deadline: the Progressing condition goes', d: current(undefined, 3, 2, 2, 2, [replicaSetUpdated]), allRSs: [rsAvail('bar', 0, 1, 1)], newRS: rsAvail('foo', 3, 2, 2) },
    { name: 'only one active set: no estimate', d: current(60, 3, 3, 3, 3, [newRSAvailable]), allRSs: [rsAvail('bar', 3, 3, 3)], want: ['True', NEW_RS_AVAILABLE_REASON], lastUpdate: testTime, lastTransition: testTime },
    { name: 'progressing: lastTransitionTime kept when already True', d: current(60, 3, 2, 2, 2, [replicaSetUpdated]), allRSs: [rsAvail('bar', 0, 1, 1)], newRS: rsAvail('foo', 3, 2, 2), want: ['True', REPLICA_SET_UPDATED_REASON], lastTransition: testTime },
    { name: 'progressing: everything updated after Progressing=False', d: current(60, 3, 2, 2, 2, [failedTimedOut]), allRSs: [rsAvail('bar', 0, 1, 1)], newRS: rsAvail('foo', 3, 2, 2), want: ['True', REPLICA_SET_UPDATED_REASON] },
    { name: 'progressing: condition created', d: current(60, 3, 2, 2, 2, []), allRSs: [rsAvail('bar', 0, 1, 1)], newRS: rsAvail('foo', 3, 2, 2), want: ['True', REPLICA_SET_UPDATED_REASON] },
    { name: 'complete: lastTransitionTime kept when already True', d: current(60, 3, 2, 2, 2, [replicaSetUpdated]), allRSs: [], newRS: rsAvail('foo', 3, 3, 3), want: ['True', NEW_RS_AVAILABLE_REASON], lastTransition: testTime },
    { name: 'complete: everything updated after Progressing=False', d: current(60, 3, 2, 2, 2, [failedTimedOut]), allRSs: [], newRS: rsAvail('foo', 3, 3, 3), want: ['True', NEW_RS_AVAILABLE_REASON] },
    { name: 'complete: condition created', d: current(60, 3, 2, 2, 2, []), allRSs: [], newRS: rsAvail('foo', 3, 3, 3), want: ['True', NEW_RS_AVAILABLE_REASON] },
    { name: 'complete without a new set', d: current(60, 0, 3, 3, 3, [replicaSetUpdated]), allRSs: [rsAvail('foo', 0, 0, 0)], want: ['True', NEW_RS_AVAILABLE_REASON] },
    { name: 'timed out past the deadline', d: current(60, 3, 2, 2, 2, [replicaSetUpdated]), allRSs: [], newRS: rsAvail('foo', 3, 2, 2), want: ['False', TIMED_OUT_REASON] },
    { name: 'an existing timeout stays as it was', d: current(60, 3, 2, 2, 2, [{ ...failedTimedOut, lastUpdateTime: testTime, lastTransitionTime: testTime }]), allRSs: [], newRS: rsAvail('foo', 3, 2, 2), want: ['False', TIMED_OUT_REASON], lastUpdate: testTime, lastTransition: testTime },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const all = c.newRS ? [...c.allRSs, c.newRS] : c.allRSs;
      const cond = getCondition(rolloutStatus(all, c.newRS, c.d, now), PROGRESSING);
      if (!c.want) return assert.equal(cond, undefined);
      assert.deepEqual([cond?.status, cond?.reason], c.want);
      if (c.lastUpdate) assert.equal(cond!.lastUpdateTime, c.lastUpdate);
      else assert.equal(cond!.lastUpdateTime, formatTime(now));
      if (c.lastTransition) assert.equal(cond!.lastTransitionTime, c.lastTransition);
    });
  }

  test('messages name the new ReplicaSet', () => {
    const d = current(60, 3, 2, 1, 1, []);
    const progressing = getCondition(rolloutStatus([rsAvail('foo', 3, 2, 2)], rsAvail('foo', 3, 2, 2), d, now), PROGRESSING);
    assert.equal(progressing?.message, 'ReplicaSet "foo" is progressing.');
    const done = getCondition(rolloutStatus([rsAvail('foo', 3, 3, 3)], rsAvail('foo', 3, 3, 3), d, now), PROGRESSING);
    assert.equal(done?.message, 'ReplicaSet "foo" has successfully progressed.');
  });

  test('a ReplicaFailure condition of a set is promoted, and removed once gone', () => {
    const d = current(60, 3, 3, 3, 3, []);
    const failing = rsAvail('foo', 3, 2, 2);
    (failing.status as { conditions?: unknown[] }).conditions = [{ type: REPLICA_FAILURE, status: 'True', reason: 'FailedCreate', message: 'quota', lastTransitionTime: testTime }];
    const status = rolloutStatus([failing], failing, d, now);
    assert.deepEqual(getCondition(status, REPLICA_FAILURE), { type: REPLICA_FAILURE, status: 'True', reason: 'FailedCreate', message: 'quota', lastTransitionTime: testTime, lastUpdateTime: testTime });
    d.status = status;
    assert.equal(getCondition(rolloutStatus([rsAvail('foo', 3, 3, 3)], rsAvail('foo', 3, 3, 3), d, now), REPLICA_FAILURE), undefined);
  });
});

describe('calculateStatus', () => {
  test('counts from the sets and Available by replicas - maxUnavailable', () => {
    const d = newDeployment('foo', 4, { maxSurge: 1, maxUnavailable: 1 });
    setMeta(d, { generation: 3 });
    d.status = { collisionCount: 2 };
    const newRS: ReplicaSet = { metadata: { name: 'new' }, spec: { replicas: 2, selector: {}, template: {} }, status: { replicas: 2, readyReplicas: 1, availableReplicas: 1 } };
    const oldRS: ReplicaSet = { metadata: { name: 'old' }, spec: { replicas: 3, selector: {}, template: {} }, status: { replicas: 3, readyReplicas: 3, availableReplicas: 3 } };
    const status = calculateStatus([oldRS, newRS], newRS, d, Date.parse(testNow));
    assert.deepEqual(compactStatus({ ...status, conditions: undefined }), {
      observedGeneration: 3,
      replicas: 5,
      updatedReplicas: 2,
      readyReplicas: 4,
      availableReplicas: 4,
      unavailableReplicas: 1,
      collisionCount: 2,
    });
    assert.deepEqual(getCondition(status, AVAILABLE), {
      type: AVAILABLE,
      status: 'True',
      reason: MINIMUM_REPLICAS_AVAILABLE,
      message: 'Deployment has minimum availability.',
      lastUpdateTime: testNow,
      lastTransitionTime: testNow,
    });
    setStatus(oldRS, { replicas: 3, availableReplicas: 1 });
    const low = calculateStatus([oldRS, newRS], newRS, d, Date.parse(testNow));
    assert.equal(getCondition(low, AVAILABLE)?.reason, MINIMUM_REPLICAS_UNAVAILABLE);
    assert.equal(low.unavailableReplicas, 3);
  });

  test('more available than desired is not negative unavailability', () => {
    const d = newDeployment('foo', 1, { maxSurge: 1 });
    const set: ReplicaSet = { metadata: { name: 'a' }, spec: { replicas: 1, selector: {}, template: {} }, status: { replicas: 3, availableReplicas: 3 } };
    assert.equal(calculateStatus([set], set, d, 0).unavailableReplicas, 0);
  });

  test('statusEqual treats missing counters as zero', () => {
    assert.ok(statusEqual({ replicas: 0, conditions: [] }, {}));
    assert.ok(!statusEqual({ replicas: 1 }, {}));
    assert.ok(!statusEqual({ collisionCount: 0 }, {}));
  });
});
describe('stuckDeploymentCheckMs (upstream TestRequeueStuckDeployment)', () => {
  const failed: DeploymentCondition[] = [{ type: PROGRESSING, status: 'False', reason: TIMED_OUT_REASON }];
  const stuck: DeploymentCondition[] = [{ type: PROGRESSING, status: 'True', lastUpdateTime: '2017-02-15T18:49:00Z' }];
  const current = (pds: number | undefined, replicas: number, statusReplicas: number, updated: number, available: number, conditions?: DeploymentCondition[]): Deployment => {
    const d = newDeployment('progress-test', replicas);
    setMeta(d, { generation: 0 });
    d.spec!.strategy = { type: 'Recreate' };
    d.spec!.progressDeadlineSeconds = pds;
    d.status = { replicas: statusReplicas, updatedReplicas: updated, availableReplicas: available, conditions };
    return d;
  };
  const st = (replicas: number, updatedReplicas: number, availableReplicas: number): DeploymentStatus => ({ replicas, updatedReplicas, availableReplicas });
  const at = (min: number, sec: number, ms = 0) => Date.UTC(2017, 1, 15, 18, min, sec, ms);
  const cases: [string, Deployment, DeploymentStatus, number, number | undefined][] = [
    ['no progressDeadlineSeconds specified', current(undefined, 4, 3, 3, 2), st(3, 3, 2), at(49, 0), undefined],
    ['no progressing condition found', current(60, 4, 3, 3, 2), st(3, 3, 2), at(49, 0), undefined],
    ['complete deployment does not need to be requeued', current(60, 3, 3, 3, 3), st(3, 3, 3), at(49, 0), undefined],
    ['already failed deployment does not need to be requeued', current(60, 3, 3, 3, 0, failed), st(3, 3, 0), at(49, 0), undefined],
    ['stuck deployment - 30s', current(60, 3, 3, 3, 1, stuck), st(3, 3, 1), at(49, 30), 30_000],
    ['stuck deployment - 1s', current(60, 3, 3, 3, 1, stuck), st(3, 3, 1), at(49, 59), 1000],
    ['less than a second => now', current(60, 3, 3, 3, 1, stuck), st(3, 3, 1), at(49, 59, 1), 0],
    ['failed deployment - now', current(60, 3, 3, 3, 1, stuck), st(3, 3, 1), at(50, 0), 0],
    ['failed deployment - 1s after deadline', current(60, 3, 3, 3, 1, stuck), st(3, 3, 1), at(50, 1), 0],
    ['failed deployment - 60s after deadline', current(60, 3, 3, 3, 1, stuck), st(3, 3, 1), at(51, 0), 0],
  ];
  for (const [name, d, status, now, want] of cases) {
    test(name, () => assert.equal(stuckDeploymentCheckMs(d, status, now), want));
  }
});
