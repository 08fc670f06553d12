import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  collisionCountNotDecremented,
  immutable,
  intOrPercentValue,
  templateLabelsMatch,
  toSelector,
  validateReplicaStatus,
  validateRequiredSelector,
} from '../../src/api/workload-validation.js';
import { FieldPath } from '../../src/apimachinery/field-errors.js';
import { podTemplate, summary } from './workload-fixtures.js';

const path = FieldPath.root('spec');

describe('workload validation helpers', () => {
  it('validateRequiredSelector', () => {
    assert.deepEqual(summary(validateRequiredSelector(undefined, path.child('selector'), 'empty').errs), ['FieldValueRequired spec.selector']);
    assert.equal(validateRequiredSelector({}, path.child('selector'), 'empty is bad').errs[0]!.message, 'Invalid value: {}: empty is bad');
    assert.ok(validateRequiredSelector({ matchLabels: { a: 'b' } }, path.child('selector'), 'x').selector?.matches({ a: 'b' }));
  });

  it('templateLabelsMatch skips empty selectors but not missing ones', () => {
    assert.deepEqual(templateLabelsMatch(toSelector({})!, podTemplate(), path), []);
    assert.deepEqual(summary(templateLabelsMatch(toSelector(undefined)!, podTemplate(), path)), ['FieldValueInvalid spec.metadata.labels']);
    assert.deepEqual(templateLabelsMatch(toSelector({ matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] })!, podTemplate(), path), []);
  });

  it('immutable compares semantically', () => {
    assert.deepEqual(immutable({ matchLabels: { a: 'b' }, matchExpressions: [] }, { matchLabels: { a: 'b' } }, path), []);
    assert.equal(immutable({ matchLabels: { a: 'c' } }, { matchLabels: { a: 'b' } }, path)[0]!.message, 'Invalid value: {"matchLabels":{"a":"c"}}: field is immutable');
  });

  const values: [number | string | undefined, number][] = [
    [3, 3],
    ['25%', 25],
    ['7', 7],
    ['x%', 0],
    [undefined, 0],
  ];
  for (const [v, n] of values) it(`intOrPercentValue(${JSON.stringify(v)}) = ${n}`, () => assert.equal(intOrPercentValue(v), n));

  it('collision counts may not go down', () => {
    assert.deepEqual(collisionCountNotDecremented(2, 1, path), []);
    assert.deepEqual(collisionCountNotDecremented(undefined, undefined, path), []);
    assert.equal(collisionCountNotDecremented(undefined, 1, path).length, 1);
  });

  it('replica status relations', () => {
    assert.deepEqual(summary(validateReplicaStatus({ replicas: 2, fullyLabeledReplicas: 3, readyReplicas: -1 })), [
      'FieldValueInvalid status.readyReplicas',
      'FieldValueInvalid status.fullyLabeledReplicas',
      // 0 available is more than -1 ready: upstream reports that too.
      'FieldValueInvalid status.availableReplicas',
    ]);
  });
});
