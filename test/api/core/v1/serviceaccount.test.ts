import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { serviceAccountResource as def } from '../../../../src/api/core/v1/serviceaccount.js';

describe('serviceaccounts', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.plural, def.singular, def.shortNames, def.namespaced], ['serviceaccounts', 'serviceaccount', ['sa'], true]);
  });

  test('NAME SECRETS AGE', () => {
    assert.deepEqual(def.table!.columns.map((c) => c.name), ['Name', 'Secrets', 'Age']);
    const now = new Date('2024-01-01T00:01:00Z');
    assert.deepEqual(def.table!.cells({ metadata: { name: 'default', creationTimestamp: '2024-01-01T00:00:00Z' } }, now), ['default', 0, '60s']);
    assert.deepEqual(def.table!.cells({ metadata: { name: 'ci' }, secrets: [{ name: 'a' }, { name: 'b' }] }, now), ['ci', 2, '<unknown>']);
  });
});
