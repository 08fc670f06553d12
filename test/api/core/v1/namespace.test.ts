import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { namespaceFinalize, namespaceResource as def } from '../../../../src/api/core/v1/namespace.js';

const ns = (o: Partial<Namespace> = {}): Namespace => ({ metadata: { name: 'team-a' }, ...o });
const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);

describe('namespaces', () => {
  test('discovery facts as upstream', () => {
    assert.deepEqual(
      [def.group, def.version, def.plural, def.singular, def.namespaced, def.shortNames, def.nameValidation, def.subresources],
      ['', 'v1', 'namespaces', 'namespace', false, ['ns'], 'dns1123Label', { status: true }],
    );
    assert.ok(!def.verbs!.includes('deletecollection'), 'upstream namespaces have no deletecollection');
  });

  test('defaults: the metadata.name label (overriding a stale one) and the Active phase', () => {
    const cases: [Namespace, Record<string, string> | undefined, string][] = [
      [ns(), { 'kubernetes.io/metadata.name': 'team-a' }, 'Active'],
      [ns({ metadata: { name: 'b', labels: { x: 'y', 'kubernetes.io/metadata.name': 'old' } } }), { x: 'y', 'kubernetes.io/metadata.name': 'b' }, 'Active'],
      [ns({ metadata: { generateName: 'gen-' } }), undefined, 'Active'],
      [ns({ status: { phase: 'Terminating' } }), { 'kubernetes.io/metadata.name': 'team-a' }, 'Terminating'],
    ];
    for (const [obj, labels, phase] of cases) {
      def.defaults!(obj);
      assert.deepEqual(obj.metadata?.labels, labels);
      assert.equal(obj.status?.phase, phase);
    }
  });

  test('create adds the kubernetes finalizer once and resets status', () => {
    const cases: [string[] | undefined, string[]][] = [
      [undefined, ['kubernetes']],
      [['example.com/x'], ['example.com/x', 'kubernetes']],
      [['kubernetes'], ['kubernetes']],
    ];
    for (const [given, want] of cases) {
      const obj = ns({ spec: given ? { finalizers: given } : undefined, status: { phase: 'Terminating' } });
      def.prepareForCreate!(obj);
      assert.deepEqual(obj.spec?.finalizers, want);
      assert.deepEqual(obj.status, { phase: 'Active' });
    }
  });

  test('updates keep spec.finalizers; the finalize subresource changes them', () => {
    const old = ns({ spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    const upd = ns({ spec: { finalizers: [] } });
    def.prepareForUpdate!(upd, old);
    assert.deepEqual(upd.spec?.finalizers, ['kubernetes']);
    const fin = ns({ spec: { finalizers: [] }, status: { phase: 'Terminating' } });
    namespaceFinalize.prepareForUpdate(fin, old);
    assert.deepEqual(fin.spec?.finalizers, []);
    assert.deepEqual(fin.status, { phase: 'Active' });
  });

  test('finalizer names: qualified, or one of the standard bare names', () => {
    const cases: [string[], string[]][] = [
      [['kubernetes', 'example.com/cleanup'], []],
      [['custom'], ['FieldValueInvalid spec.finalizers']],
      [['a/b/c'], ['FieldValueInvalid spec.finalizers']],
    ];
    for (const [finalizers, want] of cases) assert.deepEqual(summary(def.validate!(ns({ spec: { finalizers } }))), want, finalizers.join());
    assert.match(def.validate!(ns({ spec: { finalizers: ['custom'] } }))[0]!.message, /neither a standard finalizer name nor is it fully qualified/);
    // The finalize subresource indexes the path.
    assert.deepEqual(summary(namespaceFinalize.validateUpdate(ns({ spec: { finalizers: ['ok', 'custom'] } }))), [
      'FieldValueInvalid spec.finalizers[0]',
      'FieldValueInvalid spec.finalizers[1]',
    ]);
  });

  test('status updates: Active without deletionTimestamp, Terminating with one', () => {
    const cases: [string | undefined, string, boolean][] = [
      [undefined, 'Active', true],
      [undefined, 'Terminating', false],
      ['2024-01-01T00:00:00Z', 'Terminating', true],
      ['2024-01-01T00:00:00Z', 'Active', false],
    ];
    for (const [deletionTimestamp, phase, ok] of cases) {
      const errs = def.validateStatusUpdate!(ns({ metadata: { name: 'a', deletionTimestamp }, status: { phase } }), ns());
      assert.equal(errs.length === 0, ok, `${deletionTimestamp} ${phase}`);
      if (!ok) assert.equal(errs[0]!.field, 'status.Phase');
    }
  });

  test('field selector and table row', () => {
    const obj = ns({ metadata: { name: 'team-a', creationTimestamp: '2024-01-01T00:00:00Z' }, status: { phase: 'Active' } });
    assert.deepEqual(def.selectableFields!(obj), { 'status.phase': 'Active' });
    assert.deepEqual(def.table!.columns.map((c) => c.name), ['Name', 'Status', 'Age']);
    assert.deepEqual(def.table!.cells(obj, new Date('2024-01-01T00:05:00Z')), ['team-a', 'Active', '5m']);
  });
});
