import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { priorityClassResource as def } from '../../../../src/api/scheduling/v1/priorityclass.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const pc = (o: Partial<PriorityClass> = {}): PriorityClass => ({ metadata: { name: 'high' }, value: 1000, ...o });

describe('priorityclasses', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.group, def.plural, def.shortNames, def.namespaced], ['scheduling.k8s.io', 'priorityclasses', ['pc'], false]);
  });

  test('preemption defaults to PreemptLowerPriority', () => {
    const p = pc();
    def.defaults!(p);
    assert.equal(p.preemptionPolicy, 'PreemptLowerPriority');
    const never = pc({ preemptionPolicy: 'Never' });
    def.defaults!(never);
    assert.equal(never.preemptionPolicy, 'Never');
  });

  test('validation', () => {
    const cases: [string, Partial<PriorityClass>, string[]][] = [
      ['valid', {}, []],
      ['user maximum', { value: 1000000000 }, []],
      ['above the user maximum', { value: 1000000001 }, ['FieldValueForbidden value']],
      ['known system class', { metadata: { name: 'system-node-critical' }, value: 2000001000 }, []],
      ['system class with another value', { metadata: { name: 'system-node-critical' }, value: 5 }, ['FieldValueForbidden metadata.name']],
      ['unknown system- name', { metadata: { name: 'system-mine' } }, ['FieldValueForbidden metadata.name']],
      ['preemption policy', { preemptionPolicy: 'Sometimes' }, ['FieldValueNotSupported preemptionPolicy']],
    ];
    for (const [name, o, want] of cases) assert.deepEqual(summary(def.validate!(pc(o))), want, name);
    assert.equal(def.validate!(pc({ value: 2e9 }))[0]!.message, 'Forbidden: maximum allowed value of a user defined priority is 1000000000');
    assert.equal(
      def.validate!(pc({ metadata: { name: 'system-mine' } }))[0]!.message,
      "Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class",
    );
  });

  test('value and preemption policy are fixed', () => {
    const old = pc({ preemptionPolicy: 'PreemptLowerPriority' });
    assert.deepEqual(def.validateUpdate!(pc({ preemptionPolicy: 'PreemptLowerPriority', description: 'new' }), old), []);
    assert.deepEqual(summary(def.validateUpdate!(pc({ value: 5, preemptionPolicy: 'Never' }), old)), ['FieldValueForbidden value', 'FieldValueInvalid preemptionPolicy']);
    assert.equal(def.validateUpdate!(pc({ value: 5, preemptionPolicy: 'PreemptLowerPriority' }), old)[0]!.message, 'Forbidden: may not be changed in an update.');
  });

  test('golden row', () => {
    assert.deepEqual(def.table!.columns.map((c) => [c.name, c.type, c.priority]), [
      ['Name', 'string', 0], ['Value', 'integer', 0], ['Global-Default', 'boolean', 0], ['Age', 'string', 0], ['PreemptionPolicy', 'string', 0],
    ]);
    const p = pc({ metadata: { name: 'high', creationTimestamp: '2024-01-01T00:00:00Z' }, globalDefault: true, preemptionPolicy: 'Never' });
    assert.deepEqual(def.table!.cells(p, new Date('2024-01-01T00:00:01Z')), ['high', 1000, true, '1s', 'Never']);
  });
});
