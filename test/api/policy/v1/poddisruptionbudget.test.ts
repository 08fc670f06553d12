import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PodDisruptionBudget, PodDisruptionBudgetSpec } from 'kubernetes-types/policy/v1.js';
import { podDisruptionBudgetResource as def } from '../../../../src/api/policy/v1/poddisruptionbudget.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const pdb = (spec: PodDisruptionBudgetSpec, o: Partial<PodDisruptionBudget> = {}): PodDisruptionBudget => ({ metadata: { name: 'web', namespace: 'default' }, spec, ...o });
const selector = { matchLabels: { app: 'web' } };

describe('poddisruptionbudgets', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.group, def.version, def.shortNames, def.subresources, def.tracksGeneration], ['policy', 'v1', ['pdb'], { status: true }, true]);
  });

  test('create resets status to zero counters', () => {
    const p = pdb({ minAvailable: 1 }, { status: { disruptionsAllowed: 5, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 } });
    def.prepareForCreate!(p);
    assert.deepEqual(p.status, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
  });

  test('validation', () => {
    const cases: [string, PodDisruptionBudgetSpec, string[]][] = [
      ['minAvailable number', { minAvailable: 2, selector }, []],
      ['maxUnavailable percent', { maxUnavailable: '25%', selector }, []],
      ['not both', { minAvailable: 1, maxUnavailable: 1, selector }, ['FieldValueInvalid spec']],
      ['non-negative', { minAvailable: -1 }, ['FieldValueInvalid spec.minAvailable']],
      ['percent syntax', { maxUnavailable: 'half' }, ['FieldValueInvalid spec.maxUnavailable']],
      ['at most 100%', { minAvailable: '150%' }, ['FieldValueInvalid spec.minAvailable']],
      ['selector', { minAvailable: 1, selector: { matchLabels: { 'bad key!': 'x' } } }, ['FieldValueInvalid spec.selector.matchLabels']],
      ['eviction policy', { minAvailable: 1, unhealthyPodEvictionPolicy: 'Sometimes' }, ['FieldValueNotSupported spec.unhealthyPodEvictionPolicy']],
    ];
    for (const [name, s, want] of cases) assert.deepEqual(summary(def.validate!(pdb(s))), want, name);
    assert.equal(def.validate!(pdb({ minAvailable: 1, maxUnavailable: 1 }))[0]!.message.endsWith(': minAvailable and maxUnavailable cannot be both set'), true);
    assert.deepEqual(def.validateUpdate!(pdb({ minAvailable: 3, selector }), pdb({ minAvailable: 1, selector })), [], 'policy/v1 budgets are mutable');
    assert.deepEqual(summary(def.validateStatusUpdate!(pdb({}, { status: { disruptionsAllowed: -1, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 } }), pdb({}))), [
      'FieldValueInvalid status.disruptionsAllowed',
    ]);
  });

  test('golden rows', () => {
    const now = new Date('2024-01-01T00:00:06Z');
    const meta = { name: 'web', creationTimestamp: '2024-01-01T00:00:00Z' };
    assert.deepEqual(def.table!.columns.map((c) => [c.name, c.type]), [['Name', 'string'], ['Min Available', 'string'], ['Max Unavailable', 'string'], ['Allowed Disruptions', 'integer'], ['Age', 'string']]);
    assert.deepEqual(def.table!.cells(pdb({ minAvailable: 2 }, { metadata: meta, status: { disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3 } }), now), ['web', '2', 'N/A', 1, '6s']);
    assert.deepEqual(def.table!.cells(pdb({ maxUnavailable: '10%' }, { metadata: meta }), now), ['web', 'N/A', '10%', 0, '6s']);
  });
});
