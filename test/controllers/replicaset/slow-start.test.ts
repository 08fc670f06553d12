import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slowStartBatch } from '../../../src/controllers/replicaset/slow-start.js';

/** Runs slowStartBatch with calls failing from call number `failFrom` (1-based) on; records batch sizes. */
async function run(count: number, failFrom = Infinity) {
  let calls = 0;
  let inFlight = 0;
  const batches: number[] = [];
  let current = 0;
  const result = await slowStartBatch(count, 1, async () => {
    const n = ++calls;
    if (inFlight === 0) {
      if (current) batches.push(current);
      current = 0;
    }
    inFlight++;
    current++;
    await new Promise((r) => setImmediate(r));
    inFlight--;
    if (n >= failFrom) throw new Error(`call ${n} failed`);
  });
  if (current) batches.push(current);
  return { result, calls, batches };
}

const cases: { name: string; count: number; failFrom?: number; batches: number[]; successes: number; error?: string }[] = [
  { name: 'nothing to do', count: 0, batches: [], successes: 0 },
  { name: 'one', count: 1, batches: [1], successes: 1 },
  { name: 'doubling, last batch trimmed', count: 10, batches: [1, 2, 4, 3], successes: 10 },
  { name: 'first call fails: nothing more is tried', count: 10, failFrom: 1, batches: [1], successes: 0, error: 'call 1 failed' },
  { name: 'failure in the third batch ends the run after it', count: 20, failFrom: 5, batches: [1, 2, 4], successes: 4, error: 'call 5 failed' },
];

for (const c of cases) {
  test(`slowStartBatch: ${c.name}`, async () => {
    const { result, batches } = await run(c.count, c.failFrom);
    assert.deepEqual(batches, c.batches);
    assert.equal(result.successes, c.successes);
    assert.equal(result.error instanceof Error ? result.error.message : result.error, c.error);
  });
}
