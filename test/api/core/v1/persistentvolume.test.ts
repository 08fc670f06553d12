import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PersistentVolume, PersistentVolumeSpec } from 'kubernetes-types/core/v1.js';
import { accessModesString, persistentVolumeResource as def } from '../../../../src/api/core/v1/persistentvolume.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const pv = (spec: PersistentVolumeSpec, o: Partial<PersistentVolume> = {}): PersistentVolume => ({ metadata: { name: 'pv1' }, spec, ...o });
const valid: PersistentVolumeSpec = { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/data' } };

describe('persistentvolumes', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.plural, def.shortNames, def.namespaced, def.subresources, def.selectableFields], ['persistentvolumes', ['pv'], false, { status: true }, undefined]);
  });

  test('defaults and create status', () => {
    const v = pv({ ...valid });
    def.defaults!(v);
    assert.equal(v.spec!.persistentVolumeReclaimPolicy, 'Retain');
    assert.equal(v.spec!.volumeMode, 'Filesystem');
    assert.equal(v.status?.phase, 'Pending');
    (v as { status?: unknown }).status = { phase: 'Bound' };
    def.prepareForCreate!(v);
    assert.equal(v.status?.phase, 'Pending');
    assert.match(v.status?.lastPhaseTransitionTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const block = pv({ ...valid, volumeMode: 'Block', persistentVolumeReclaimPolicy: 'Delete' });
    def.defaults!(block);
    assert.deepEqual([block.spec!.volumeMode, block.spec!.persistentVolumeReclaimPolicy], ['Block', 'Delete']);
  });

  test('validation', () => {
    const cases: [string, PersistentVolumeSpec, string[]][] = [
      ['valid', valid, []],
      ['access modes required', { ...valid, accessModes: [] }, ['FieldValueRequired spec.accessModes']],
      ['access mode enum', { ...valid, accessModes: ['RWO'] }, ['FieldValueNotSupported spec.accessModes']],
      ['ReadWriteOncePod alone', { ...valid, accessModes: ['ReadWriteOncePod', 'ReadOnlyMany'] }, ['FieldValueForbidden spec.accessModes']],
      ['capacity required', { ...valid, capacity: {} }, ['FieldValueRequired spec.capacity', 'FieldValueNotSupported spec.capacity']],
      ['only storage', { ...valid, capacity: { storage: '1Gi', cpu: '1' } }, ['FieldValueNotSupported spec.capacity']],
      ['positive storage', { ...valid, capacity: { storage: '0' } }, ['FieldValueInvalid spec.capacity[storage]']],
      ['a volume source', { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] }, ['FieldValueRequired spec']],
      ['one volume source', { ...valid, nfs: { server: 'nfs', path: '/x' } }, ['FieldValueForbidden spec.nfs']],
      ['nfs fields', { ...valid, hostPath: undefined, nfs: { server: '', path: 'rel' } }, ['FieldValueRequired spec.nfs.server', 'FieldValueInvalid spec.nfs.path']],
      ['local needs node affinity', { ...valid, hostPath: undefined, local: { path: '/mnt' } }, ['FieldValueRequired spec.nodeAffinity']],
      ['csi fields', { ...valid, hostPath: undefined, csi: { driver: 'd', volumeHandle: '' } }, ['FieldValueRequired spec.csi.volumeHandle']],
      ['reclaim policy enum', { ...valid, persistentVolumeReclaimPolicy: 'Keep' }, ['FieldValueNotSupported spec.persistentVolumeReclaimPolicy']],
      ['recycle of /', { ...valid, hostPath: { path: '/' }, persistentVolumeReclaimPolicy: 'Recycle' }, ['FieldValueForbidden spec.persistentVolumeReclaimPolicy']],
      ['storage class name', { ...valid, storageClassName: 'Fast_SSD' }, ['FieldValueInvalid spec.storageClassName']],
      ['volume mode enum', { ...valid, volumeMode: 'Raw' }, ['FieldValueNotSupported spec.volumeMode']],
    ];
    for (const [name, spec, want] of cases) assert.deepEqual(summary(def.validate!(pv(spec))), want, name);
    assert.equal(def.validate!(pv({ ...valid, capacity: { storage: '0' } }))[0]!.message, 'Invalid value: "0": must be greater than zero');
  });

  test('updates: the source and volume mode are fixed', () => {
    const old = pv({ ...valid, volumeMode: 'Filesystem' });
    const cases: [PersistentVolumeSpec, string[]][] = [
      [{ ...valid, volumeMode: 'Filesystem', capacity: { storage: '2Gi' }, claimRef: { name: 'c', namespace: 'd' } }, []],
      [{ ...valid, volumeMode: 'Filesystem', hostPath: { path: '/other' } }, ['FieldValueForbidden spec.persistentvolumesource']],
      [{ ...valid, volumeMode: 'Block' }, ['FieldValueInvalid volumeMode']],
    ];
    for (const [spec, want] of cases) assert.deepEqual(summary(def.validateUpdate!(pv(spec), old)), want, JSON.stringify(spec));
  });

  test('golden rows', () => {
    assert.equal(accessModesString(['ReadWriteOncePod', 'ReadWriteMany', 'ReadWriteOnce']), 'RWO,RWX,RWOP');
    const now = new Date('2024-01-01T00:10:00Z');
    const bound = pv(
      { ...valid, capacity: { storage: '1024Mi' }, persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem', storageClassName: 'standard', claimRef: { namespace: 'default', name: 'data' } },
      { metadata: { name: 'pv1', creationTimestamp: '2024-01-01T00:00:00Z' }, status: { phase: 'Bound' } },
    );
    assert.deepEqual(def.table!.cells(bound, now), ['pv1', '1Gi', 'RWO', 'Retain', 'Bound', 'default/data', 'standard', '<unset>', '', '10m', 'Filesystem']);
    const terminating = pv({ accessModes: ['ReadOnlyMany'] }, { metadata: { name: 'pv2', deletionTimestamp: '2024-01-01T00:00:00Z', annotations: { 'volume.beta.kubernetes.io/storage-class': 'old' } }, status: { phase: 'Released', reason: 'Gone' } });
    assert.deepEqual(def.table!.cells(terminating, now), ['pv2', '0', 'ROX', '', 'Terminating', '', 'old', '<unset>', 'Gone', '<unknown>', '<unset>']);
    assert.deepEqual(def.table!.columns.map((c) => c.name), ['Name', 'Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age', 'VolumeMode']);
  });
});
