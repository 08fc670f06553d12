import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import { replicationControllerResource as rcResource } from '../../../../src/api/core/v1/replicationcontroller.js';
import { created, createErrors, podTemplate, summary, updateErrors } from '../../workload-fixtures.js';

const rc = (spec: Partial<ReplicationController['spec']> = {}): ReplicationController => ({
  metadata: { name: 'web', namespace: 'default' },
  spec: { template: podTemplate(), ...spec },
});

describe('replicationControllerResource', () => {
  it('is discovered with its short name, category and scale subresource', () => {
    assert.deepEqual(
      [rcResource.plural, rcResource.shortNames, rcResource.categories, rcResource.subresources?.scale?.specReplicasPath],
      ['replicationcontrollers', ['rc'], ['all'], '.spec.replicas'],
    );
  });

  it('defaults selector and labels from the template, and one replica', () => {
    const r = created(rcResource, rc());
    assert.deepEqual(r.spec!.selector, { app: 'web' });
    assert.deepEqual(r.metadata!.labels, { app: 'web' });
    assert.equal(r.spec!.replicas, 1);
    assert.equal(r.spec!.template!.spec!.restartPolicy, 'Always');
  });

  it('keeps a selector and labels the user gave', () => {
    const input = rc({ selector: { tier: 'x' } });
    input.metadata!.labels = { owner: 'me' };
    const r = created(rcResource, input);
    assert.deepEqual(r.spec!.selector, { tier: 'x' });
    assert.deepEqual(r.metadata!.labels, { owner: 'me' });
  });

  const cases: [string, ReplicationController, string[]][] = [
    ['valid', rc(), []],
    ['selector not matching the template', rc({ selector: { app: 'other' } }), ['FieldValueInvalid spec.template.metadata.labels']],
    ['no template (and so no selector)', rc({ template: undefined }), ['FieldValueRequired spec.selector', 'FieldValueRequired spec.template']],
    ['negative replicas', rc({ replicas: -1 }), ['FieldValueInvalid spec.replicas']],
    ['restartPolicy Never', rc({ template: { ...podTemplate(), spec: { ...podTemplate().spec!, restartPolicy: 'Never' } } }), ['FieldValueNotSupported spec.template.spec.restartPolicy']],
    [
      'activeDeadlineSeconds',
      rc({ template: { ...podTemplate(), spec: { ...podTemplate().spec!, activeDeadlineSeconds: 10 } } }),
      ['FieldValueForbidden spec.template.spec.activeDeadlineSeconds'],
    ],
  ];
  for (const [name, obj, expected] of cases) it(name, () => assert.deepEqual(summary(createErrors(rcResource, obj)), expected));

  it('lets the selector change (unlike apps/v1 kinds)', () => {
    const old = created(rcResource, rc());
    const next = structuredClone(old);
    next.spec!.selector = { app: 'web', tier: 'front' };
    next.spec!.template!.metadata!.labels = { app: 'web', tier: 'front' };
    assert.deepEqual(updateErrors(rcResource, next, old), []);
  });

  it('checks status counters', () => {
    const r = created(rcResource, rc()) as ReplicationController & { status: object };
    r.status = { replicas: 1, readyReplicas: 2, availableReplicas: -1 };
    assert.deepEqual(summary(rcResource.validateStatusUpdate!(r, r)), [
      'FieldValueInvalid status.availableReplicas',
      'FieldValueInvalid status.readyReplicas',
    ]);
  });

  it('selects on status.replicas and prints a row', () => {
    const r = created(rcResource, rc()) as ReplicationController & { status: object };
    (r.metadata as { creationTimestamp?: string }).creationTimestamp = '2024-05-01T11:00:00Z';
    r.status = { replicas: 3, readyReplicas: 2 };
    assert.deepEqual(rcResource.selectableFields!(r), { 'status.replicas': '3' });
    assert.deepEqual(rcResource.table!.cells(r, new Date('2024-05-01T12:00:00Z')), ['web', 1, 3, 2, '60m', 'app', 'nginx:1.25', 'app=web']);
  });
});
