import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { leaseResource as def } from '../../../../src/api/coordination/v1/lease.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);

describe('leases', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.group, def.version, def.plural, def.namespaced, def.shortNames, def.tracksGeneration], ['coordination.k8s.io', 'v1', 'leases', true, undefined, false]);
  });

  test('validation', () => {
    const cases: [Lease['spec'], string[]][] = [
      [{ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0 }, []],
      [{ leaseDurationSeconds: 0 }, ['FieldValueInvalid spec.leaseDurationSeconds']],
      [{ leaseTransitions: -1 }, ['FieldValueInvalid spec.leaseTransitions']],
    ];
    for (const [spec, want] of cases) {
      const lease: Lease = { metadata: { name: 'l' }, spec };
      assert.deepEqual(summary(def.validate!(lease)), want);
      assert.deepEqual(summary(def.validateUpdate!(lease, lease)), want);
    }
    assert.equal(def.validate!({ spec: { leaseDurationSeconds: 0 } })[0]!.message, 'Invalid value: 0: must be greater than 0');
  });

  test('NAME HOLDER AGE', () => {
    const now = new Date('2024-01-01T00:00:07Z');
    assert.deepEqual(def.table!.cells({ metadata: { name: 'kube-scheduler', creationTimestamp: '2024-01-01T00:00:00Z' }, spec: { holderIdentity: 'cp_1' } }, now), ['kube-scheduler', 'cp_1', '7s']);
    assert.deepEqual(def.table!.cells({ metadata: { name: 'x' } }, now), ['x', '', '<unknown>']);
  });
});
