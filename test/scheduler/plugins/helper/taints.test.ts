import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import {
  doNotScheduleTaintsFilter,
  findMatchingUntoleratedTaint,
  toleratesTaint,
  tolerationsTolerateTaint,
} from '../../../../src/scheduler/plugins/helper/taints.js';

const taint: Taint = { key: 'foo', value: 'bar', effect: 'NoSchedule' };

const cases: { name: string; toleration: Toleration; taint?: Taint; want: boolean }[] = [
  { name: 'Equal with same key, value, effect', toleration: { key: 'foo', operator: 'Equal', value: 'bar', effect: 'NoSchedule' }, want: true },
  { name: 'empty operator means Equal', toleration: { key: 'foo', value: 'bar', effect: 'NoSchedule' }, want: true },
  { name: 'Equal with another value', toleration: { key: 'foo', operator: 'Equal', value: 'baz', effect: 'NoSchedule' }, want: false },
  { name: 'Equal without value against a valued taint', toleration: { key: 'foo', operator: 'Equal' }, want: false },
  { name: 'Equal without value against an unvalued taint', toleration: { key: 'foo', operator: 'Equal' }, taint: { key: 'foo', effect: 'NoSchedule' }, want: true },
  { name: 'Exists ignores the value', toleration: { key: 'foo', operator: 'Exists', effect: 'NoSchedule' }, want: true },
  { name: 'Exists with another key', toleration: { key: 'other', operator: 'Exists' }, want: false },
  { name: 'empty key with Exists tolerates everything', toleration: { operator: 'Exists' }, want: true },
  { name: 'empty key with Exists but another effect', toleration: { operator: 'Exists', effect: 'NoExecute' }, want: false },
  { name: 'empty effect matches every effect', toleration: { key: 'foo', operator: 'Exists' }, taint: { key: 'foo', effect: 'NoExecute' }, want: true },
  { name: 'effect mismatch', toleration: { key: 'foo', operator: 'Exists', effect: 'PreferNoSchedule' }, want: false },
  { name: 'unknown operator tolerates nothing', toleration: { key: 'foo', operator: 'Gt', value: 'bar' }, want: false },
];

for (const c of cases) {
  test(`toleratesTaint: ${c.name}`, () => {
    assert.equal(toleratesTaint(c.toleration, c.taint ?? taint), c.want);
  });
}

test('tolerationsTolerateTaint: any toleration suffices; none or undefined tolerate nothing', () => {
  assert.equal(tolerationsTolerateTaint([{ key: 'x', operator: 'Exists' }, { key: 'foo', operator: 'Exists' }], taint), true);
  assert.equal(tolerationsTolerateTaint([{ key: 'x', operator: 'Exists' }], taint), false);
  assert.equal(tolerationsTolerateTaint([], taint), false);
  assert.equal(tolerationsTolerateTaint(undefined, taint), false);
});

test('findMatchingUntoleratedTaint returns the first untolerated taint passing the filter', () => {
  const taints: Taint[] = [
    { key: 'soft', value: 'x', effect: 'PreferNoSchedule' },
    { key: 'a', value: '1', effect: 'NoSchedule' },
    { key: 'b', value: '2', effect: 'NoExecute' },
  ];
  assert.deepEqual(findMatchingUntoleratedTaint(taints, [], doNotScheduleTaintsFilter), taints[1]);
  assert.deepEqual(findMatchingUntoleratedTaint(taints, [{ key: 'a', operator: 'Exists' }], doNotScheduleTaintsFilter), taints[2]);
  assert.equal(findMatchingUntoleratedTaint(taints, [{ key: 'a', operator: 'Exists' }, { key: 'b', value: '2' }], doNotScheduleTaintsFilter), undefined);
  // Without a filter the PreferNoSchedule taint counts too.
  assert.deepEqual(findMatchingUntoleratedTaint(taints, []), taints[0]);
  assert.equal(findMatchingUntoleratedTaint(undefined, []), undefined);
});

test('doNotScheduleTaintsFilter keeps NoSchedule and NoExecute only', () => {
  assert.equal(doNotScheduleTaintsFilter({ key: 'k', effect: 'NoSchedule' }), true);
  assert.equal(doNotScheduleTaintsFilter({ key: 'k', effect: 'NoExecute' }), true);
  assert.equal(doNotScheduleTaintsFilter({ key: 'k', effect: 'PreferNoSchedule' }), false);
});
