import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ClusterRoleBinding } from 'kubernetes-types/rbac/v1.js';
import { clusterRoleBindingResource as def } from '../../../../src/api/rbac/v1/clusterrolebinding.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const crb = (o: Partial<ClusterRoleBinding> = {}): ClusterRoleBinding => ({
  metadata: { name: 'crb' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
  ...o,
});

describe('clusterrolebindings', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.plural, def.namespaced, def.nameValidation], ['clusterrolebindings', false, 'pathSegment']);
  });

  test('validation', () => {
    const cases: [string, Partial<ClusterRoleBinding>, string[]][] = [
      ['valid', { subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'dev' }] }, []],
      ['only ClusterRoles', { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' } }, ['FieldValueNotSupported roleRef.kind']],
      ['service accounts need a namespace', { subjects: [{ kind: 'ServiceAccount', name: 'ci' }] }, ['FieldValueRequired subjects[0].namespace']],
    ];
    for (const [name, o, want] of cases) assert.deepEqual(summary(def.validate!(crb(o))), want, name);
    assert.equal(def.validate!(crb({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' } }))[0]!.message, 'Unsupported value: "Role": supported values: "ClusterRole"');
    assert.deepEqual(summary(def.validateUpdate!(crb({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' } }), crb())), ['FieldValueInvalid roleRef']);
  });

  test('golden row', () => {
    const b = crb({ metadata: { name: 'crb', creationTimestamp: '2024-01-01T00:00:00Z' }, subjects: [{ kind: 'Group', name: 'system:masters' }] });
    assert.deepEqual(def.table!.cells(b, new Date('2024-01-01T00:00:01Z')), ['crb', 'ClusterRole/view', '1s', '', 'system:masters', '']);
  });
});
