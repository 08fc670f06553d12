import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StatefulSet, StatefulSetSpec } from 'kubernetes-types/apps/v1.js';
import { statefulSetResource as statefulSets } from '../../../../src/api/apps/v1/statefulset.js';
import { created, createErrors, only, podTemplate, summary, updateErrors } from '../../workload-fixtures.js';

const sts = (spec: Partial<StatefulSetSpec> = {}): StatefulSet => ({
  metadata: { name: 'db', namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: podTemplate(), serviceName: 'db', ...spec },
});

describe('statefulSetResource', () => {
  it('is discovered as upstream serves it, with DNS-label names', () => {
    assert.deepEqual([statefulSets.plural, statefulSets.shortNames, statefulSets.categories, statefulSets.nameValidation], ['statefulsets', ['sts'], ['all'], 'dns1123Label']);
  });

  it('defaults policy, strategy, retention, replicas and history', () => {
    const s = created(statefulSets, sts()).spec!;
    const { podManagementPolicy, updateStrategy, persistentVolumeClaimRetentionPolicy, replicas, revisionHistoryLimit } = s;
    assert.deepEqual(
      { podManagementPolicy, updateStrategy, persistentVolumeClaimRetentionPolicy, replicas, revisionHistoryLimit },
      {
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        replicas: 1,
        revisionHistoryLimit: 10,
      },
    );
  });

  it('leaves an explicit RollingUpdate without rollingUpdate alone, as upstream does', () => {
    assert.deepEqual(created(statefulSets, sts({ updateStrategy: { type: 'RollingUpdate' } })).spec!.updateStrategy, { type: 'RollingUpdate' });
  });

  it('defaults claim templates like claims', () => {
    const s = created(statefulSets, sts({ volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }] }));
    assert.deepEqual(s.spec!.volumeClaimTemplates![0], {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem' },
      status: { phase: 'Pending' },
    });
  });

  const cases: [string, Partial<StatefulSetSpec>, string[]][] = [
    ['valid', {}, []],
    ['bad pod management policy', { podManagementPolicy: 'Random' }, ['FieldValueInvalid spec.podManagementPolicy']],
    ['bad update strategy', { updateStrategy: { type: 'Sometimes' } }, ['FieldValueInvalid spec.updateStrategy']],
    ['OnDelete with rollingUpdate', { updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1 } } }, ['FieldValueInvalid spec.updateStrategy.rollingUpdate']],
    ['negative partition', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: -1 } } }, ['FieldValueInvalid spec.updateStrategy.rollingUpdate.partition']],
    ['maxUnavailable 0', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } } }, ['FieldValueInvalid spec.updateStrategy.rollingUpdate.maxUnavailable']],
    ['bad retention', { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Keep' } }, ['FieldValueNotSupported spec.persistentVolumeClaimRetentionPolicy.whenDeleted']],
    ['negative ordinal start', { ordinals: { start: -1 } }, ['FieldValueInvalid spec.ordinals.start']],
    ['empty selector', { selector: {} }, ['FieldValueInvalid spec.selector']],
    ['selector not matching', { selector: { matchLabels: { app: 'x' } } }, ['FieldValueInvalid spec.template.metadata.labels']],
    ['restartPolicy Never', { template: { ...podTemplate(), spec: { ...podTemplate().spec!, restartPolicy: 'Never' } } }, ['FieldValueNotSupported spec.template.spec.restartPolicy']],
    // Upstream does not validate a StatefulSet's pod spec beyond labels and annotations.
    ['container without image', { template: podTemplate({ app: 'web' }, { image: '' }) }, []],
  ];
  for (const [name, spec, expected] of cases) it(name, () => assert.deepEqual(summary(createErrors(statefulSets, sts(spec))), expected));

  const updates: [string, (s: StatefulSetSpec) => void, string[]][] = [
    ['replicas', (s) => (s.replicas = 3), []],
    ['template', (s) => (s.template.spec!.containers[0]!.image = 'nginx:2'), []],
    ['update strategy', (s) => (s.updateStrategy = { type: 'OnDelete' }), []],
    ['minReadySeconds', (s) => (s.minReadySeconds = 10), []],
    ['retention', (s) => (s.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Retain' }), []],
    ['service name', (s) => (s.serviceName = 'other'), ['FieldValueForbidden spec']],
    ['pod management policy', (s) => (s.podManagementPolicy = 'Parallel'), ['FieldValueForbidden spec']],
    ['volume claim templates', (s) => (s.volumeClaimTemplates = [{ metadata: { name: 'data' } }]), ['FieldValueForbidden spec']],
  ];
  for (const [name, edit, expected] of updates) {
    it(`update: ${name}`, () => {
      const old = created(statefulSets, sts());
      const next = structuredClone(old);
      edit(next.spec!);
      assert.deepEqual(summary(updateErrors(statefulSets, next, old)), expected);
    });
  }

  it("explains forbidden updates in upstream's words", () => {
    const old = created(statefulSets, sts());
    const next = structuredClone(old);
    next.spec!.serviceName = 'other';
    assert.equal(
      only(updateErrors(statefulSets, next, old), 'spec').message,
      "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    );
  });

  it('prints READY as ready/desired', () => {
    const s = created(statefulSets, sts({ replicas: 3 })) as StatefulSet & { status: object };
    s.status = { replicas: 3, readyReplicas: 2 };
    assert.deepEqual(statefulSets.table!.columns.map((c) => c.name), ['Name', 'Ready', 'Age', 'Containers', 'Images']);
    assert.deepEqual(statefulSets.table!.cells(s, new Date()), ['db', '2/3', '<unknown>', 'app', 'nginx:1.25']);
  });
});
