import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { semanticEqual } from '../../../../src/api/core/v1/semantic-equal.js';

describe('semanticEqual', () => {
  const cases: [string, unknown, unknown, boolean][] = [
    ['same scalars', 1, 1, true],
    ['different strings', 'a', 'b', false],
    ['empty list and absent', { a: [] }, {}, true],
    ['empty map and absent', { labels: {} }, {}, true],
    ['null and absent', { a: null }, {}, true],
    ['nested difference', { a: { b: [1, 2] } }, { a: { b: [1, 3] } }, false],
    ['list order matters', [1, 2], [2, 1], false],
    ['quantities by value', { limits: { cpu: '1' } }, { limits: { cpu: '1000m' } }, true],
    ['different quantities', { requests: { memory: '1Gi' } }, { requests: { memory: '1G' } }, false],
    ['strings outside resource lists are strings', { image: '1' }, { image: '1000m' }, false],
    ['number and string differ', { a: 1 }, { a: '1' }, false],
  ];
  for (const [name, a, b, equal] of cases) it(name, () => assert.equal(semanticEqual(a, b), equal));
});
