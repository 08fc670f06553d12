import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { roleResource as def } from '../../../../src/api/rbac/v1/role.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);

describe('roles', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.group, def.plural, def.namespaced, def.nameValidation, def.shortNames], ['rbac.authorization.k8s.io', 'roles', true, 'pathSegment', undefined]);
  });

  test('rules', () => {
    const cases: [string, PolicyRule[], string[]][] = [
      ['valid', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }], []],
      ['verbs required', [{ apiGroups: [''], resources: ['pods'], verbs: [] }], ['FieldValueRequired rules[0].verbs']],
      ['groups and resources required', [{ verbs: ['get'] }], ['FieldValueRequired rules[0].apiGroups', 'FieldValueRequired rules[0].resources']],
      ['no non-resource URLs in roles', [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }], ['FieldValueInvalid rules[0].nonResourceURLs']],
    ];
    for (const [name, rules, want] of cases) {
      assert.deepEqual(summary(def.validate!({ metadata: { name: 'r' }, rules })), want, name);
      assert.deepEqual(summary(def.validateUpdate!({ rules }, { rules: [] })), want, name);
    }
    assert.equal(def.validate!({ rules: [{ verbs: [], apiGroups: [''], resources: ['x'] }] })[0]!.message, 'Required value: verbs must contain at least one value');
  });

  test('NAME CREATED AT', () => {
    assert.deepEqual(def.table!.columns.map((c) => c.name), ['Name', 'Created At']);
    assert.deepEqual(def.table!.cells({ metadata: { name: 'r', creationTimestamp: '2024-05-01T10:00:00Z' } }, new Date()), ['r', '2024-05-01T10:00:00Z']);
  });
});
