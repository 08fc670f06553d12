import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LimitRange, LimitRangeItem } from 'kubernetes-types/core/v1.js';
import { createdAtTable, limitRangeResource as def } from '../../../../src/api/core/v1/limitrange.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const lr = (...limits: LimitRangeItem[]): LimitRange => ({ metadata: { name: 'limits', namespace: 'default' }, spec: { limits } });

describe('limitranges', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.plural, def.singular, def.shortNames, def.namespaced], ['limitranges', 'limitrange', ['limits'], true]);
  });

  test('container defaults: limit from max, request from limit then min', () => {
    const l = lr(
      { type: 'Container', max: { cpu: '2', memory: '1Gi' }, min: { cpu: '100m', 'ephemeral-storage': '1Gi' }, default: { memory: '512Mi' } },
      { type: 'Pod', max: { cpu: '4' } },
    );
    def.defaults!(l);
    assert.deepEqual(l.spec!.limits[0]!.default, { memory: '512Mi', cpu: '2' });
    assert.deepEqual(l.spec!.limits[0]!.defaultRequest, { memory: '512Mi', cpu: '2', 'ephemeral-storage': '1Gi' });
    assert.equal(l.spec!.limits[1]!.default, undefined, 'only container items are defaulted');
  });

  test('validation', () => {
    const cases: [string, LimitRangeItem[], string[]][] = [
      ['valid', [{ type: 'Container', min: { cpu: '100m' }, max: { cpu: '1' }, default: { cpu: '500m' }, defaultRequest: { cpu: '200m' }, maxLimitRequestRatio: { cpu: '5' } }], []],
      ['type name', [{ type: 'Widget' }], ['FieldValueInvalid spec.limits[0].type']],
      ['duplicate type', [{ type: 'Pod' }, { type: 'Pod' }], ['FieldValueDuplicate spec.limits[1].type']],
      ['min above max', [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }], ['FieldValueInvalid spec.limits[0].min[cpu]']],
      ['default above max', [{ type: 'Container', max: { memory: '1Gi' }, default: { memory: '2Gi' } }], ['FieldValueInvalid spec.limits[0].default[memory]']],
      ['request above limit', [{ type: 'Container', default: { cpu: '1' }, defaultRequest: { cpu: '2' } }], ['FieldValueInvalid spec.limits[0].defaultRequest[cpu]']],
      ['pods take no defaults', [{ type: 'Pod', default: { cpu: '1' } }], ['FieldValueForbidden spec.limits[0].default']],
      ['container resources only', [{ type: 'Container', max: { pods: '1' } }], ['FieldValueInvalid spec.limits[0].max[pods]']],
      ['claims need a storage bound', [{ type: 'PersistentVolumeClaim' }], ['FieldValueRequired spec.limits[0].limits']],
      ['ratio at least 1', [{ type: 'Container', maxLimitRequestRatio: { cpu: '500m' } }], ['FieldValueInvalid spec.limits[0].maxLimitRequestRatio[cpu]']],
      ['ratio within max/min', [{ type: 'Container', min: { cpu: '1' }, max: { cpu: '2' }, maxLimitRequestRatio: { cpu: '3' } }], ['FieldValueInvalid spec.limits[0].maxLimitRequestRatio[cpu]']],
    ];
    for (const [name, items, want] of cases) assert.deepEqual(summary(def.validate!(lr(...items))), want, name);
    const msg = (items: LimitRangeItem[]) => def.validate!(lr(...items))[0]!.message;
    assert.equal(msg([{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }]), 'Invalid value: "2": min value 2 is greater than max value 1');
    assert.equal(
      msg([{ type: 'Container', min: { cpu: '1' }, max: { cpu: '2' }, maxLimitRequestRatio: { cpu: '3' } }]),
      'Invalid value: "3": ratio 3 is greater than max/min = 2.000000',
    );
  });

  test('NAME CREATED AT, as upstream prints kinds without printers', () => {
    assert.deepEqual(def.table!.columns.map((c) => [c.name, c.type]), [['Name', 'string'], ['Created At', 'date']]);
    const obj = { metadata: { name: 'limits', creationTimestamp: '2024-03-04T05:06:07Z' } };
    assert.deepEqual(def.table!.cells(lr(), new Date()).length, 2);
    assert.deepEqual(createdAtTable().cells(obj, new Date()), ['limits', '2024-03-04T05:06:07Z']);
    assert.deepEqual(createdAtTable().cells({ metadata: { name: 'x' } }, new Date()), ['x', '']);
  });
});
