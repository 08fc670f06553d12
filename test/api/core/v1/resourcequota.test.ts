import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ResourceQuota, ResourceQuotaSpec } from 'kubernetes-types/core/v1.js';
import { quotaColumns, resourceQuotaResource as def } from '../../../../src/api/core/v1/resourcequota.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const rq = (spec: ResourceQuotaSpec, o: Partial<ResourceQuota> = {}): ResourceQuota => ({ metadata: { name: 'q', namespace: 'default' }, spec, ...o });

describe('resourcequotas', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.plural, def.shortNames, def.namespaced, def.subresources], ['resourcequotas', ['quota'], true, { status: true }]);
  });

  test('create clears status', () => {
    const q = rq({}, { status: { hard: { pods: '1' } } });
    def.prepareForCreate!(q);
    assert.deepEqual(q.status, {});
  });

  test('validation', () => {
    const cases: [string, ResourceQuotaSpec, string[]][] = [
      ['valid', { hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '4Gi', 'count/deployments.apps': '3', 'requests.nvidia.com/gpu': '1' } }, []],
      ['unknown bare name', { hard: { widgets: '1' } }, ['FieldValueInvalid spec.hard[widgets]', 'FieldValueInvalid spec.hard[widgets]']],
      ['negative', { hard: { 'requests.cpu': '-1' } }, ['FieldValueInvalid spec.hard[requests.cpu]']],
      ['fractional count', { hard: { pods: '1500m' } }, ['FieldValueInvalid spec.hard[pods]']],
      ['unparsable', { hard: { memory: '1 Gi' } }, ['FieldValueInvalid spec.hard[memory]']],
      ['scope for pod resources', { hard: { pods: '1' }, scopes: ['BestEffort'] }, []],
      ['unknown scope', { hard: { pods: '1' }, scopes: ['Sometimes'] }, ['FieldValueInvalid spec.scopes']],
      ['scope that does not fit', { hard: { services: '1' }, scopes: ['Terminating'] }, ['FieldValueInvalid spec.scopes']],
      ['conflicting scopes', { hard: { pods: '1' }, scopes: ['BestEffort', 'NotBestEffort'] }, ['FieldValueInvalid spec.scopes']],
      ['scope selector operator', { scopeSelector: { matchExpressions: [{ scopeName: 'BestEffort', operator: 'In', values: ['x'] }] } },
        ['FieldValueInvalid spec.scopeSelector.matchExpressions.operator']],
      ['priority class values', { scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In' }] } },
        ['FieldValueRequired spec.scopeSelector.matchExpressions.values']],
    ];
    for (const [name, s, want] of cases) assert.deepEqual(summary(def.validate!(rq(s))), want, name);
    const msgs = def.validate!(rq({ hard: { widgets: '1' } })).map((e) => e.message);
    assert.deepEqual(msgs, [
      'Invalid value: "widgets": must be a standard resource type or fully qualified',
      'Invalid value: "widgets": must be a standard resource for quota',
    ]);
    assert.equal(def.validate!(rq({ hard: { pods: '1500m' } }))[0]!.message, 'Invalid value: "1500m": must be an integer');
  });

  test('scopes may not change; status is validated on status updates', () => {
    const old = rq({ hard: { pods: '1' }, scopes: ['BestEffort'] });
    assert.deepEqual(def.validateUpdate!(rq({ hard: { pods: '2' }, scopes: ['BestEffort'] }), old), []);
    assert.deepEqual(summary(def.validateUpdate!(rq({ hard: { pods: '1' } }), old)), ['FieldValueInvalid spec.scopes']);
    assert.deepEqual(summary(def.validateStatusUpdate!(rq({}, { status: { used: { pods: '-1' } } }), old)), ['FieldValueInvalid status.used[pods]']);
  });

  test('NAME AGE REQUEST LIMIT', () => {
    assert.deepEqual(def.table!.columns.map((c) => c.name), ['Name', 'Age', 'Request', 'Limit']);
    const q = rq({}, {
      metadata: { name: 'compute', creationTimestamp: '2024-01-01T00:00:00Z' },
      status: { hard: { 'limits.cpu': '2', pods: '10', 'requests.memory': '1Gi', 'requests.cpu': '1000m' }, used: { pods: '3', 'requests.cpu': '500m' } },
    });
    assert.deepEqual(def.table!.cells(q, new Date('2024-01-01T00:00:09Z')), ['compute', '9s', 'pods: 3/10, requests.cpu: 500m/1, requests.memory: 0/1Gi', 'limits.cpu: 0/2']);
    assert.deepEqual(quotaColumns(rq({})), ['', '']);
  });
});
