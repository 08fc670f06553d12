import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RoleBinding } from 'kubernetes-types/rbac/v1.js';
import { roleBindingResource as def } from '../../../../src/api/rbac/v1/rolebinding.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const rb = (o: Partial<RoleBinding> = {}): RoleBinding => ({
  metadata: { name: 'rb', namespace: 'dev' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
  ...o,
});

describe('rolebindings', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.plural, def.namespaced, def.nameValidation], ['rolebindings', true, 'pathSegment']);
  });

  test('defaults fill the RBAC API group of roleRef, users and groups', () => {
    const b = rb({ roleRef: { apiGroup: '', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'jane' }, { kind: 'Group', name: 'devs' }, { kind: 'ServiceAccount', name: 'ci', namespace: 'dev' }] });
    def.defaults!(b);
    assert.equal(b.roleRef.apiGroup, 'rbac.authorization.k8s.io');
    assert.deepEqual(b.subjects!.map((s) => s.apiGroup), ['rbac.authorization.k8s.io', 'rbac.authorization.k8s.io', undefined]);
  });

  test('validation', () => {
    const cases: [string, Partial<RoleBinding>, string[]][] = [
      ['valid', { subjects: [{ kind: 'ServiceAccount', name: 'ci' }, { kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' }] }, []],
      ['roleRef kind', { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Pod', name: 'x' } }, ['FieldValueNotSupported roleRef.kind']],
      ['roleRef group', { roleRef: { apiGroup: 'example.com', kind: 'Role', name: 'x' } }, ['FieldValueNotSupported roleRef.apiGroup']],
      ['roleRef name', { roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: '' } }, ['FieldValueRequired roleRef.name']],
      ['subject kind', { subjects: [{ kind: 'Robot', name: 'r2' }] }, ['FieldValueNotSupported subjects[0].kind']],
      ['subject name', { subjects: [{ kind: 'User', name: '', apiGroup: 'rbac.authorization.k8s.io' }] }, ['FieldValueRequired subjects[0].name']],
      ['service accounts have no group', { subjects: [{ kind: 'ServiceAccount', name: 'ci', apiGroup: 'x' }] }, ['FieldValueNotSupported subjects[0].apiGroup']],
    ];
    for (const [name, o, want] of cases) assert.deepEqual(summary(def.validate!(rb(o))), want, name);
  });

  test('roleRef cannot change', () => {
    const old = rb();
    assert.deepEqual(def.validateUpdate!(rb({ subjects: [{ kind: 'User', name: 'x', apiGroup: 'rbac.authorization.k8s.io' }] }), old), []);
    const errs = def.validateUpdate!(rb({ roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'writer' } }), old);
    assert.deepEqual(summary(errs), ['FieldValueInvalid roleRef']);
    assert.match(errs[0]!.message, /: cannot change roleRef$/);
  });

  test('golden rows', () => {
    assert.deepEqual(def.table!.columns.map((c) => [c.name, c.priority]), [['Name', 0], ['Role', 0], ['Age', 0], ['Users', 1], ['Groups', 1], ['ServiceAccounts', 1]]);
    const b = rb({
      metadata: { name: 'rb', creationTimestamp: '2024-01-01T00:00:00Z' },
      subjects: [{ kind: 'User', name: 'a' }, { kind: 'User', name: 'b' }, { kind: 'Group', name: 'g' }, { kind: 'ServiceAccount', name: 'ci', namespace: 'dev' }],
    });
    assert.deepEqual(def.table!.cells(b, new Date('2024-01-01T00:00:08Z')), ['rb', 'Role/reader', '8s', 'a, b', 'g', 'dev/ci']);
  });
});
