import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PersistentVolumeClaim, PersistentVolumeClaimSpec } from 'kubernetes-types/core/v1.js';
import { persistentVolumeClaimResource as def } from '../../../../src/api/core/v1/persistentvolumeclaim.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const spec = (o: Partial<PersistentVolumeClaimSpec> = {}): PersistentVolumeClaimSpec => ({
  accessModes: ['ReadWriteOnce'],
  resources: { requests: { storage: '1Gi' } },
  volumeMode: 'Filesystem',
  ...o,
});
const pvc = (s: PersistentVolumeClaimSpec, o: Partial<PersistentVolumeClaim> = {}): PersistentVolumeClaim => ({
  metadata: { name: 'data', namespace: 'default' },
  spec: s,
  ...o,
});

describe('persistentvolumeclaims', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.plural, def.shortNames, def.namespaced, def.subresources, def.selectableFields], ['persistentvolumeclaims', ['pvc'], true, { status: true }, undefined]);
  });

  test('defaults and create status', () => {
    const c = pvc({ accessModes: ['ReadWriteOnce'] });
    def.defaults!(c);
    assert.equal(c.spec!.volumeMode, 'Filesystem');
    assert.equal(c.status?.phase, 'Pending');
    (c as { status?: unknown }).status = { phase: 'Bound', capacity: { storage: '1Gi' } };
    def.prepareForCreate!(c);
    assert.deepEqual(c.status, { phase: 'Pending' });
  });

  test('validation', () => {
    const cases: [string, PersistentVolumeClaimSpec, string[]][] = [
      ['valid', spec(), []],
      ['access modes required', spec({ accessModes: [] }), ['FieldValueRequired spec.accessModes']],
      // Upstream's path for the storage request lacks "requests".
      ['storage request required', spec({ resources: {} }), ['FieldValueRequired spec.resources[storage]']],
      ['storage positive', spec({ resources: { requests: { storage: '-1Gi' } } }), ['FieldValueInvalid spec.resources[storage]']],
      ['storage parses', spec({ resources: { requests: { storage: 'lots' } } }), ['FieldValueInvalid spec.resources[storage]']],
      ['selector', spec({ selector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }), ['FieldValueRequired spec.selector.matchExpressions[0].values']],
      ['data source kind', spec({ dataSource: { kind: 'Snapshot', name: 's' } }), ['FieldValueInvalid spec.dataSource']],
      ['data sources must agree', spec({ dataSource: { kind: 'PersistentVolumeClaim', name: 'a' }, dataSourceRef: { kind: 'PersistentVolumeClaim', name: 'b' } }), ['FieldValueInvalid spec']],
    ];
    for (const [name, s, want] of cases) assert.deepEqual(summary(def.validate!(pvc(s))), want, name);
    assert.equal(def.validate!(pvc(spec({ accessModes: [] })))[0]!.message, 'Required value: at least 1 access mode is required');
  });

  test('updates', () => {
    const unbound = pvc(spec(), { status: { phase: 'Pending' } });
    const bound = pvc(spec({ volumeName: 'pv1' }), { status: { phase: 'Bound', capacity: { storage: '1Gi' } } });
    const cases: [string, PersistentVolumeClaim, PersistentVolumeClaim, string[]][] = [
      ['binding sets volumeName once', pvc(spec({ volumeName: 'pv1' }), { status: { phase: 'Pending' } }), unbound, []],
      ['volumeName then fixed', pvc(spec({ volumeName: 'pv2' }), { status: { phase: 'Bound' } }), bound, ['FieldValueForbidden spec']],
      ['bound claims may grow', pvc(spec({ volumeName: 'pv1', resources: { requests: { storage: '2Gi' } } }), { status: { phase: 'Bound', capacity: { storage: '1Gi' } } }), bound, []],
      ['unbound claims may not resize', pvc(spec({ resources: { requests: { storage: '2Gi' } } }), { status: { phase: 'Pending' } }), unbound, ['FieldValueForbidden spec']],
      ['not below capacity', pvc(spec({ volumeName: 'pv1', resources: { requests: { storage: '512Mi' } } }), { status: { phase: 'Bound', capacity: { storage: '1Gi' } } }), bound,
        ['FieldValueForbidden spec.resources.requests.storage']],
      ['access modes fixed', pvc(spec({ accessModes: ['ReadWriteMany'] }), { status: { phase: 'Pending' } }), unbound, ['FieldValueForbidden spec']],
      ['a class may be given to a claim without one', pvc(spec({ storageClassName: 'standard' }), { status: { phase: 'Pending' } }), unbound, []],
      ['volume mode fixed', pvc(spec({ volumeMode: 'Block' }), { status: { phase: 'Pending' } }), unbound, ['FieldValueForbidden spec', 'FieldValueInvalid volumeMode']],
    ];
    for (const [name, upd, old, want] of cases) assert.deepEqual(summary(def.validateUpdate!(upd, old)), want, name);
    const [e] = def.validateUpdate!(pvc(spec({ accessModes: ['ReadWriteMany'] })), unbound);
    assert.equal(e!.message, 'Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims');
  });

  test('golden rows', () => {
    const now = new Date('2024-01-01T00:00:05Z');
    const meta = { name: 'data', creationTimestamp: '2024-01-01T00:00:00Z' };
    const cases: [PersistentVolumeClaim, unknown[]][] = [
      [pvc(spec({ storageClassName: 'standard' }), { metadata: meta, status: { phase: 'Pending' } }), ['data', 'Pending', '', '', '', 'standard', '<unset>', '5s', 'Filesystem']],
      [pvc(spec({ volumeName: 'pv1', storageClassName: 'standard' }), { metadata: meta, status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'] } }),
        ['data', 'Bound', 'pv1', '1Gi', 'RWO,ROX', 'standard', '<unset>', '5s', 'Filesystem']],
    ];
    for (const [c, row] of cases) assert.deepEqual(def.table!.cells(c, now), row);
  });
});
