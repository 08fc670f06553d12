import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ClusterRole } from 'kubernetes-types/rbac/v1.js';
import { clusterRoleResource as def } from '../../../../src/api/rbac/v1/clusterrole.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);

describe('clusterroles', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.plural, def.namespaced, def.nameValidation], ['clusterroles', false, 'pathSegment']);
  });

  test('rules and aggregation', () => {
    const cases: [string, Partial<ClusterRole>, string[]][] = [
      ['non-resource URLs allowed', { rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }] }, []],
      ['but not mixed', { rules: [{ nonResourceURLs: ['/healthz'], resources: ['pods'], verbs: ['get'] }] }, ['FieldValueInvalid rules[0].nonResourceURLs']],
      ['aggregation needs selectors', { aggregationRule: {} }, ['FieldValueRequired aggregationRule.clusterRoleSelectors']],
      ['aggregation selectors', { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'rbac.example.com/aggregate': 'true' } }] } }, []],
      ['bad selector', { aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'a', operator: 'Near' }] }] } },
        ['FieldValueInvalid aggregationRule.clusterRoleSelectors[0].matchExpressions[0].operator', 'FieldValueInvalid aggregationRule.clusterRoleSelectors[0]']],
    ];
    for (const [name, o, want] of cases) assert.deepEqual(summary(def.validate!({ metadata: { name: 'c' }, ...o })), want, name);
  });

  test('NAME CREATED AT', () => {
    assert.deepEqual(def.table!.cells({ metadata: { name: 'admin', creationTimestamp: '2024-05-01T10:00:00Z' } }, new Date()), ['admin', '2024-05-01T10:00:00Z']);
  });
});
