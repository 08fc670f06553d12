import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import {
  maxSurge,
  maxUnavailable,
  minAvailable,
  newRSNewReplicas,
  resolveFenceposts,
} from '../../../src/controllers/deployment/strategy.js';
import { newDeployment, rs } from './fixtures.js';

const recreate = (replicas: number): Deployment => {
  const d = newDeployment('foo', replicas);
  d.spec!.strategy = { type: 'Recreate' };
  return d;
};

describe('resolveFenceposts', () => {
  test('upstream TestResolveFenceposts and the rounding rules', () => {
    const cases: [surge: number | string, unavailable: number | string, desired: number, wantSurge: number, wantUnavailable: number][] = [
      ['0%', '0%', 0, 0, 1],
      ['39%', '39%', 10, 4, 3],
      ['25%', '25%', 10, 3, 2],
      ['25%', '25%', 1, 1, 0],
      ['1%', '1%', 2, 1, 0],
      ['0%', '1%', 2, 0, 1],
      [0, 0, 5, 0, 1],
      [2, 1, 5, 2, 1],
      ['100%', '100%', 3, 3, 3],
    ];
    for (const [surge, unavailable, desired, ws, wu] of cases) {
      assert.deepEqual(resolveFenceposts(surge, unavailable, desired), { maxSurge: ws, maxUnavailable: wu }, `${surge}/${unavailable} of ${desired}`);
    }
  });

  test('values that are neither ints nor percentages are errors', () => {
    assert.throws(() => resolveFenceposts('oops', '39%', 10));
    assert.throws(() => resolveFenceposts('55%', 'urg', 10));
  });
});

describe('maxSurge / maxUnavailable', () => {
  test('upstream TestMaxUnavailable', () => {
    const cases: [string, Deployment, number][] = [
      ['less than replicas', newDeployment('foo', 10, { maxSurge: 1, maxUnavailable: 5 }), 5],
      ['equal replicas', newDeployment('foo', 10, { maxSurge: 1, maxUnavailable: 10 }), 10],
      ['greater than replicas', newDeployment('foo', 5, { maxSurge: 1, maxUnavailable: 10 }), 5],
      ['replicas is 0', newDeployment('foo', 0, { maxSurge: 1, maxUnavailable: 10 }), 0],
      ['Recreate', recreate(10), 0],
      ['less than replicas with percents', newDeployment('foo', 10, { maxSurge: 1, maxUnavailable: '50%' }), 5],
      ['equal replicas with percents', newDeployment('foo', 10, { maxSurge: 1, maxUnavailable: '100%' }), 10],
      ['greater than replicas with percents', newDeployment('foo', 5, { maxSurge: 1, maxUnavailable: '100%' }), 5],
    ];
    for (const [name, d, want] of cases) assert.equal(maxUnavailable(d), want, name);
  });

  test('maxSurge is 0 for Recreate and rounds up for RollingUpdate', () => {
    assert.equal(maxSurge(recreate(10)), 0);
    assert.equal(maxSurge(newDeployment('foo', 10, { maxSurge: '25%', maxUnavailable: '25%' })), 3);
    assert.equal(minAvailable(newDeployment('foo', 10, { maxSurge: '25%', maxUnavailable: '25%' })), 8);
    assert.equal(minAvailable(recreate(10)), 0);
  });
});

describe('newRSNewReplicas', () => {
  test('upstream TestNewRSNewReplicas (another set holds 5 replicas)', () => {
    const cases: [string, 'RollingUpdate' | 'Recreate', depReplicas: number, newRSReplicas: number, surge: number, want: number][] = [
      ['can not scale up - to newRSReplicas', 'RollingUpdate', 1, 5, 1, 5],
      ['scale up - to depReplicas', 'RollingUpdate', 6, 2, 10, 6],
      ['recreate - to depReplicas', 'Recreate', 3, 1, 1, 3],
    ];
    for (const [name, type, depReplicas, newReplicas, surge, want] of cases) {
      const d = newDeployment('nginx', depReplicas, { maxSurge: surge, maxUnavailable: 1 });
      d.spec!.strategy!.type = type;
      const newRS = rs('new', newReplicas);
      assert.equal(newRSNewReplicas(d, [rs('rs5', 5)], newRS), want, name);
    }
  });

  test('upstream reconcileNewReplicaSet scale-up amounts', () => {
    const cases: [depReplicas: number, surge: number, oldReplicas: number, newReplicas: number, want: number][] = [
      [10, 0, 10, 0, 0],
      [10, 2, 10, 0, 2],
      [10, 2, 5, 0, 7],
      [10, 2, 10, 2, 2],
    ];
    for (const [depReplicas, surge, oldReplicas, newReplicas, want] of cases) {
      const d = newDeployment('foo', depReplicas, { maxSurge: surge });
      const newRS = rs('foo-v2', newReplicas);
      assert.equal(newRSNewReplicas(d, [newRS, rs('foo-v1', oldReplicas)], newRS), want);
    }
  });

  test('an unknown strategy is an error', () => {
    const d = newDeployment('foo', 1);
    d.spec!.strategy = { type: 'Blue' };
    assert.throws(() => newRSNewReplicas(d, [], rs('x', 0)), /deployment type Blue isn't supported/);
  });
});
