import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReplicaSet, ReplicaSetSpec } from 'kubernetes-types/apps/v1.js';
import { replicaSetResource as replicaSets } from '../../../../src/api/apps/v1/replicaset.js';
import { created, createErrors, only, podTemplate, summary, updateErrors } from '../../workload-fixtures.js';

const rs = (spec: Partial<ReplicaSetSpec> = {}): ReplicaSet => ({
  metadata: { name: 'web-5d4f', namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: podTemplate(), ...spec },
});

describe('replicaSetResource', () => {
  it('is discovered as upstream serves it', () => {
    assert.deepEqual([replicaSets.plural, replicaSets.shortNames, replicaSets.categories, !!replicaSets.subresources?.scale], ['replicasets', ['rs'], ['all'], true]);
  });

  it('defaults one replica and the template', () => {
    const r = created(replicaSets, rs());
    assert.equal(r.spec!.replicas, 1);
    assert.equal(r.spec!.template!.spec!.schedulerName, 'default-scheduler');
  });

  const cases: [string, Partial<ReplicaSetSpec>, string[]][] = [
    ['valid', {}, []],
    ['empty selector', { selector: {} }, ['FieldValueInvalid spec.selector']],
    ['selector not matching', { selector: { matchLabels: { app: 'x' } } }, ['FieldValueInvalid spec.template.metadata.labels']],
    ['negative minReadySeconds', { minReadySeconds: -5 }, ['FieldValueInvalid spec.minReadySeconds']],
    ['activeDeadlineSeconds', { template: { ...podTemplate(), spec: { ...podTemplate().spec!, activeDeadlineSeconds: 5 } } }, ['FieldValueForbidden spec.template.spec.activeDeadlineSeconds']],
  ];
  for (const [name, spec, expected] of cases) it(name, () => assert.deepEqual(summary(createErrors(replicaSets, rs(spec))), expected));

  it("keeps upstream's message for empty selectors", () => {
    assert.match(only(createErrors(replicaSets, rs({ selector: {} })), 'spec.selector').message, /empty selector is invalid for deployment$/);
  });

  it('forbids changing the selector', () => {
    const old = created(replicaSets, rs());
    const next = structuredClone(old);
    next.spec!.selector = { matchLabels: { app: 'web', v: '2' } };
    next.spec!.template!.metadata!.labels = { app: 'web', v: '2' };
    assert.deepEqual(summary(updateErrors(replicaSets, next, old)), ['FieldValueInvalid spec.selector']);
  });

  it('selects on status.replicas and prints DESIRED CURRENT READY', () => {
    const r = created(replicaSets, rs({ replicas: 3 })) as ReplicaSet & { status: object };
    r.status = { replicas: 3, readyReplicas: 1 };
    assert.deepEqual(replicaSets.selectableFields!(r), { 'status.replicas': '3' });
    assert.deepEqual(replicaSets.table!.cells(r, new Date()), ['web-5d4f', 3, 3, 1, '<unknown>', 'app', 'nginx:1.25', 'app=web']);
  });
});
