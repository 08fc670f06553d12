import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { selectorFromLabelSelector } from '../../../src/apimachinery/labels.js';
import { type ClaimAction, claimAction, deploymentControllerRef } from '../../../src/controllers/deployment/claim.js';
import { newDeployment, rs, setMeta } from './fixtures.js';

describe('claimAction (upstream ClaimObject)', () => {
  const d = newDeployment('foo', 1);
  const selector = selectorFromLabelSelector(d.spec!.selector);
  const set = (labels: Record<string, string>, owner?: string, extra: Record<string, unknown> = {}): ReplicaSet => {
    const s = rs('x', 1);
    setMeta(s, { labels, ...extra });
    if (owner) s.metadata!.ownerReferences = [{ ...deploymentControllerRef(d), uid: owner }];
    return s;
  };
  const deleting = setMeta(structuredClone(d), { deletionTimestamp: '2020-01-01T00:00:00Z' });
  const ours = d.metadata!.uid!;
  const cases: [string, ReplicaSet, ClaimAction, ClaimAction][] = [
    // [name, set, action for the live Deployment, action for one being deleted]
    ['ours and selected', set({ foo: 'bar' }, ours), 'keep', 'keep'],
    ['ours but no longer selected', set({ foo: 'other' }, ours), 'release', 'ignore'],
    ["someone else's", set({ foo: 'bar' }, 'other-uid'), 'ignore', 'ignore'],
    ['a selected orphan', set({ foo: 'bar' }), 'adopt', 'ignore'],
    ['an orphan not selected', set({ foo: 'other' }), 'ignore', 'ignore'],
    ['a selected orphan being deleted', set({ foo: 'bar' }, undefined, { deletionTimestamp: '2020-01-01T00:00:00Z' }), 'ignore', 'ignore'],
    ['a selected orphan in another namespace', set({ foo: 'bar' }, undefined, { namespace: 'elsewhere' }), 'ignore', 'ignore'],
  ];
  for (const [name, s, live, gone] of cases) {
    test(name, () => {
      assert.equal(claimAction(s, d, selector), live);
      assert.equal(claimAction(s, deleting, selector), gone);
    });
  }

  test('the controller reference upstream NewControllerRef makes', () => {
    assert.deepEqual(deploymentControllerRef(d), { apiVersion: 'apps/v1', kind: 'Deployment', name: 'foo', uid: ours, controller: true, blockOwnerDeletion: true });
  });
});
