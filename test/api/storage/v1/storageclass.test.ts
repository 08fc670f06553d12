import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StorageClass } from 'kubernetes-types/storage/v1.js';
import { storageClassResource as def } from '../../../../src/api/storage/v1/storageclass.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const sc = (o: Partial<StorageClass> = {}): StorageClass => ({ metadata: { name: 'standard' }, provisioner: 'rancher.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate', ...o });

describe('storageclasses', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.group, def.plural, def.shortNames, def.namespaced], ['storage.k8s.io', 'storageclasses', ['sc'], false]);
  });

  test('defaults: Delete and Immediate', () => {
    const s: StorageClass = { metadata: { name: 'x' }, provisioner: 'p' };
    def.defaults!(s);
    assert.deepEqual([s.reclaimPolicy, s.volumeBindingMode], ['Delete', 'Immediate']);
    const kept = sc({ reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' });
    def.defaults!(kept);
    assert.deepEqual([kept.reclaimPolicy, kept.volumeBindingMode], ['Retain', 'WaitForFirstConsumer']);
  });

  test('validation', () => {
    const cases: [string, Partial<StorageClass>, string[]][] = [
      ['valid', { parameters: { type: 'ssd' }, allowedTopologies: [{ matchLabelExpressions: [{ key: 'topology.kubernetes.io/zone', values: ['a'] }] }] }, []],
      ['provisioner required', { provisioner: '' }, ['FieldValueRequired provisioner']],
      ['provisioner is a qualified name', { provisioner: 'bad provisioner' }, ['FieldValueInvalid provisioner']],
      ['reclaim policy', { reclaimPolicy: 'Recycle' }, ['FieldValueNotSupported reclaimPolicy']],
      ['binding mode', { volumeBindingMode: 'Later' }, ['FieldValueNotSupported volumeBindingMode']],
      ['empty parameter key', { parameters: { '': 'x' } }, ['FieldValueInvalid parameters']],
      ['topology values', { allowedTopologies: [{ matchLabelExpressions: [{ key: 'zone', values: [] }] }] }, ['FieldValueRequired allowedTopologies[0].matchLabelExpressions[0].values']],
    ];
    for (const [name, o, want] of cases) assert.deepEqual(summary(def.validate!(sc(o))), want, name);
  });

  test('updates: provisioner, parameters, reclaim policy and binding mode are fixed', () => {
    const old = sc({ parameters: { type: 'ssd' } });
    const cases: [Partial<StorageClass>, string[]][] = [
      [{ parameters: { type: 'ssd' }, allowVolumeExpansion: true, mountOptions: ['ro'] }, []],
      [{ parameters: { type: 'hdd' } }, ['FieldValueForbidden parameters']],
      [{ parameters: { type: 'ssd' }, provisioner: 'other.io/x' }, ['FieldValueForbidden provisioner']],
      [{ parameters: { type: 'ssd' }, reclaimPolicy: 'Retain' }, ['FieldValueForbidden reclaimPolicy']],
      [{ parameters: { type: 'ssd' }, volumeBindingMode: 'WaitForFirstConsumer' }, ['FieldValueInvalid volumeBindingMode']],
    ];
    for (const [o, want] of cases) assert.deepEqual(summary(def.validateUpdate!(sc(o), old)), want, JSON.stringify(o));
    assert.equal(def.validateUpdate!(sc({ parameters: {} }), old)[0]!.message, 'Forbidden: updates to parameters are forbidden.');
  });

  test('golden rows', () => {
    assert.deepEqual(def.table!.columns.map((c) => c.name), ['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age']);
    const now = new Date('2024-01-01T00:00:05Z');
    const meta = { name: 'standard', creationTimestamp: '2024-01-01T00:00:00Z', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } };
    assert.deepEqual(def.table!.cells(sc({ metadata: meta }), now), ['standard (default)', 'rancher.io/local-path', 'Delete', 'Immediate', false, '5s']);
    assert.deepEqual(def.table!.cells({ metadata: { name: 'fast' }, provisioner: 'x', allowVolumeExpansion: true }, now), ['fast', 'x', 'Delete', 'Immediate', true, '<unknown>']);
  });
});
