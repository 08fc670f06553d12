import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultNormalizeScore } from '../../../../src/scheduler/plugins/helper/normalize.js';

const cases: { name: string; reverse: boolean; scores: number[]; want: number[] }[] = [
  { name: 'scaled to the maximum', reverse: false, scores: [10, 20, 30, 40, 50], want: [20, 40, 60, 80, 100] },
  { name: 'scaled and reversed', reverse: true, scores: [10, 20, 30, 40, 50], want: [80, 60, 40, 20, 0] },
  { name: 'all zero stays zero', reverse: false, scores: [0, 0, 0], want: [0, 0, 0] },
  { name: 'all zero reversed is all best', reverse: true, scores: [0, 0, 0], want: [100, 100, 100] },
  { name: 'one outlier', reverse: false, scores: [1000, 10, 20, 30, 40, 50], want: [100, 1, 2, 3, 4, 5] },
  { name: 'one outlier reversed', reverse: true, scores: [1000, 10, 20, 30, 40, 50], want: [0, 99, 98, 97, 96, 95] },
  { name: 'equal scores', reverse: false, scores: [1, 1, 1], want: [100, 100, 100] },
  { name: 'equal scores reversed', reverse: true, scores: [1, 1, 1], want: [0, 0, 0] },
  { name: 'integer division truncates', reverse: false, scores: [3, 7, 0], want: [42, 100, 0] },
  { name: 'reverse after truncation', reverse: true, scores: [3, 7, 0], want: [58, 0, 100] },
  { name: 'empty list', reverse: true, scores: [], want: [] },
];

for (const c of cases) {
  test(`defaultNormalizeScore: ${c.name}`, () => {
    const list = c.scores.map((score, i) => ({ name: `n${i}`, score }));
    defaultNormalizeScore(100, c.reverse, list);
    assert.deepEqual(list.map((s) => s.score), c.want);
    assert.deepEqual(list.map((s) => s.name), c.scores.map((_, i) => `n${i}`));
  });
}

test('defaultNormalizeScore honours maxPriority', () => {
  const list = [{ name: 'a', score: 5 }, { name: 'b', score: 10 }];
  defaultNormalizeScore(10, false, list);
  assert.deepEqual(list.map((s) => s.score), [5, 10]);
});
