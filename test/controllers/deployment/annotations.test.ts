import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import {
  CHANGE_CAUSE_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  desiredReplicasAnnotation,
  LAST_APPLIED_CONFIG_ANNOTATION,
  lastRevision,
  MAX_REPLICAS_ANNOTATION,
  maxRevision,
  replicasAnnotationsNeedUpdate,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  revisionOf,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from '../../../src/controllers/deployment/annotations.js';
import { newDeployment, rs } from './fixtures.js';

const withAnnotations = (name: string, annotations?: Record<string, string>): ReplicaSet => {
  const set = rs(name, 1);
  set.metadata!.annotations = annotations;
  return set;
};

describe('revision annotations', () => {
  test('revisionOf: 0 when missing, undefined when unparsable', () => {
    assert.equal(revisionOf(withAnnotations('a')), 0);
    assert.equal(revisionOf(withAnnotations('a', { [REVISION_ANNOTATION]: '7' })), 7);
    assert.equal(revisionOf(withAnnotations('a', { [REVISION_ANNOTATION]: 'x' })), undefined);
  });

  test('maxRevision and lastRevision skip unparsable revisions', () => {
    const sets = ['3', '1', 'oops', '5', '4'].map((r, i) => withAnnotations(`rs${i}`, { [REVISION_ANNOTATION]: r }));
    assert.equal(maxRevision(sets), 5);
    assert.equal(lastRevision(sets), 4);
    assert.equal(maxRevision([]), 0);
    assert.equal(lastRevision([withAnnotations('only', { [REVISION_ANNOTATION]: '2' })]), 0);
  });

  test('upstream TestAnnotationUtils: revisions 1 through 20 are taken in turn', () => {
    const d = newDeployment('nginx', 1);
    d.metadata!.annotations![REVISION_ANNOTATION] = '1';
    const set = withAnnotations('rs');
    for (let i = 1; i <= 20; i++) {
      setNewReplicaSetAnnotations(d, set, String(i), true);
      assert.equal(set.metadata!.annotations![REVISION_ANNOTATION], String(i));
    }
  });

  test('a lower revision never replaces a higher one', () => {
    const d = newDeployment('nginx', 1);
    const set = withAnnotations('rs', { [REVISION_ANNOTATION]: '5' });
    assert.equal(setNewReplicaSetAnnotations(d, set, '3', true), false);
    assert.equal(set.metadata!.annotations![REVISION_ANNOTATION], '5');
    assert.equal(set.metadata!.annotations![REVISION_HISTORY_ANNOTATION], undefined);
  });

  test('an old RS that becomes new again keeps its former revisions in revision-history', () => {
    const d = newDeployment('nginx', 1);
    const set = withAnnotations('rs', { [REVISION_ANNOTATION]: '1' });
    assert.equal(setNewReplicaSetAnnotations(d, set, '3', true), true);
    assert.equal(set.metadata!.annotations![REVISION_HISTORY_ANNOTATION], '1');
    setNewReplicaSetAnnotations(d, set, '5', true);
    assert.deepEqual([set.metadata!.annotations![REVISION_ANNOTATION], set.metadata!.annotations![REVISION_HISTORY_ANNOTATION]], ['5', '1,3']);
  });

  test('revision-history is trimmed from the front to its length limit', () => {
    const cases: [history: string, old: string, limit: number, want: string | undefined][] = [
      ['1,2,3', '4', 7, '1,2,3,4'],
      ['1,2,3', '4', 6, '2,3,4'],
      ['1,2,3', '4', 3, '3,4'],
      ['1,2,3', '4', 100, '1,2,3,4'],
      // Not even the newest revision fits: the history is left as it was.
      ['1,2,3', '44', 1, '1,2,3'],
    ];
    for (const [history, old, limit, want] of cases) {
      const set = withAnnotations('rs', { [REVISION_ANNOTATION]: old, [REVISION_HISTORY_ANNOTATION]: history });
      setNewReplicaSetAnnotations(newDeployment('d', 1), set, '9', true, limit);
      assert.equal(set.metadata!.annotations![REVISION_HISTORY_ANNOTATION], want, `${history} + ${old} within ${limit}`);
    }
  });

  test('copies the Deployment annotations but the skipped ones; new sets get replica annotations', () => {
    const d = newDeployment('nginx', 4, { maxSurge: 1, maxUnavailable: 1 });
    d.metadata!.annotations = {
      [CHANGE_CAUSE_ANNOTATION]: 'kubectl set image',
      [LAST_APPLIED_CONFIG_ANNOTATION]: '{}',
      [REVISION_ANNOTATION]: '9',
      custom: 'x',
    };
    const set = withAnnotations('rs');
    assert.equal(setNewReplicaSetAnnotations(d, set, '2', false), true);
    assert.deepEqual(set.metadata!.annotations, {
      [CHANGE_CAUSE_ANNOTATION]: 'kubectl set image',
      custom: 'x',
      [REVISION_ANNOTATION]: '2',
      [DESIRED_REPLICAS_ANNOTATION]: '4',
      [MAX_REPLICAS_ANNOTATION]: '5',
    });
    assert.equal(setNewReplicaSetAnnotations(d, set, '2', true), false);
  });

  test('an unparsable RS revision is left alone', () => {
    const set = withAnnotations('rs', { [REVISION_ANNOTATION]: 'abc' });
    setNewReplicaSetAnnotations(newDeployment('d', 1), set, '2', true);
    assert.equal(set.metadata!.annotations![REVISION_ANNOTATION], 'abc');
  });

  test('setDeploymentRevision reports changes', () => {
    const d = newDeployment('nginx', 1);
    assert.equal(setDeploymentRevision(d, '1'), true);
    assert.equal(setDeploymentRevision(d, '1'), false);
    assert.equal(d.metadata!.annotations![REVISION_ANNOTATION], '1');
  });
});

describe('replica annotations', () => {
  test('upstream TestAnnotationUtils SetReplicasAnnotations', () => {
    const set = withAnnotations('rs');
    assert.equal(setReplicasAnnotations(set, 10, 11), true);
    assert.equal(set.metadata!.annotations![DESIRED_REPLICAS_ANNOTATION], '10');
    assert.equal(set.metadata!.annotations![MAX_REPLICAS_ANNOTATION], '11');
    assert.equal(setReplicasAnnotations(set, 10, 11), false);
    assert.equal(desiredReplicasAnnotation(set), 10);
  });

  test('upstream TestReplicasAnnotationsNeedUpdate', () => {
    const cases: [string, Record<string, string> | undefined, boolean][] = [
      ['annotations nil', undefined, true],
      ['desiredReplicas update', { [DESIRED_REPLICAS_ANNOTATION]: '8', [MAX_REPLICAS_ANNOTATION]: '20' }, true],
      ['maxReplicas update', { [DESIRED_REPLICAS_ANNOTATION]: '10', [MAX_REPLICAS_ANNOTATION]: '16' }, true],
      ["needn't update", { [DESIRED_REPLICAS_ANNOTATION]: '10', [MAX_REPLICAS_ANNOTATION]: '20' }, false],
    ];
    for (const [name, annotations, want] of cases) {
      assert.equal(replicasAnnotationsNeedUpdate(withAnnotations('hello', annotations), 10, 20), want, name);
    }
  });

  test('desiredReplicasAnnotation is undefined when missing or not a number', () => {
    assert.equal(desiredReplicasAnnotation(withAnnotations('a')), undefined);
    assert.equal(desiredReplicasAnnotation(withAnnotations('a', { [DESIRED_REPLICAS_ANNOTATION]: 'ten' })), undefined);
  });
});
