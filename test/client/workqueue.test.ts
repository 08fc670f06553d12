// WorkQueue: client-go's rate-limited work queue semantics (dedup, one worker per key, dirty
// re-adds, per-key exponential backoff with forget, a global token bucket, shutdown) and the
// queue-latency statistics.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from '../../src/client/workqueue.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the value, or with 'pending' if it is not there within `ms`. */
const within = <T>(p: Promise<T>, ms: number): Promise<T | 'pending'> => Promise.race([p, sleep(ms).then(() => 'pending' as const)]);

describe('WorkQueue', () => {
  test('a key added many times is queued once, in first-added order', async () => {
    const q = new WorkQueue();
    for (const k of ['a', 'b', 'a', 'c', 'b', 'a']) q.add(k);
    assert.equal(q.length, 3);
    assert.deepEqual([await q.get(), await q.get(), await q.get()], ['a', 'b', 'c']);
    assert.equal(q.length, 0);
  });

  test('a key being processed is not handed to another worker; re-added, it comes back after done', async () => {
    const q = new WorkQueue();
    q.add('k');
    assert.equal(await q.get(), 'k');
    q.add('k'); // changed while a worker holds it
    q.add('k');
    const second = q.get();
    assert.equal(await within(second, 30), 'pending', 'no second worker gets k while it is processed');
    assert.equal(q.length, 0);
    q.done('k');
    assert.equal(await within(second, 30), 'k', 'k comes back once, after done');
    q.done('k');
    assert.equal(await within(q.get(), 30), 'pending', 'and only once');
  });

  test('done without a re-add does not bring the key back', async () => {
    const q = new WorkQueue();
    q.add('k');
    await q.get();
    q.done('k');
    assert.equal(q.length, 0);
    assert.equal(await within(q.get(), 20), 'pending');
    q.shutDown();
  });

  test('many workers, many adds: never two workers on one key, every add after the last processing is seen', async () => {
    const q = new WorkQueue();
    const busy = new Set<string>();
    const lastAdd = new Map<string, number>();
    const lastStart = new Map<string, number>();
    let clock = 0;
    let overlaps = 0;
    const worker = async () => {
      for (;;) {
        const k = await q.get();
        if (k === undefined) return;
        if (busy.has(k)) overlaps++;
        busy.add(k);
        lastStart.set(k, ++clock);
        await sleep(Math.random() * 3);
        busy.delete(k);
        q.done(k);
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    for (let i = 0; i < 400; i++) {
      const k = `k${i % 7}`;
      lastAdd.set(k, ++clock);
      q.add(k);
      if (i % 10 === 0) await sleep(1);
    }
    // Level-triggered guarantee: each key is processed at least once after its last add.
    const settled = () => [...lastAdd].every(([k, at]) => (lastStart.get(k) ?? 0) > at) && busy.size === 0 && q.length === 0;
    for (let i = 0; i < 200 && !settled(); i++) await sleep(5);
    q.shutDown();
    await Promise.all(workers);
    assert.equal(overlaps, 0);
    assert.ok(settled(), 'every key processed after its last add');
  });

  test('addRateLimited waits base * 2^failures; forget resets it', async () => {
    const q = new WorkQueue({ baseDelayMs: 50, qps: 1e6, burst: 1e6 });
    const delays: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      q.addRateLimited('k');
      assert.equal(await q.get(), 'k');
      delays.push(performance.now() - t0);
      q.done('k');
    }
    assert.equal(q.numRequeues('k'), 3);
    // Lower bounds prove the doubling (timers never fire early); upper bounds only catch runaways.
    const expected = [50, 100, 200];
    delays.forEach((d, i) => assert.ok(d >= expected[i]! - 2 && d < expected[i]! + 90, `delay ${i}: ${d.toFixed(1)} ms, expected ~${expected[i]}`));
    q.forget('k');
    assert.equal(q.numRequeues('k'), 0);
    const t0 = performance.now();
    q.addRateLimited('k');
    await q.get();
    const reset = performance.now() - t0;
    assert.ok(reset < 300, `after forget the delay is the base again, not 400 ms: ${reset.toFixed(1)} ms`);
  });

  test('per-key delays are capped at maxDelayMs and independent between keys', async () => {
    const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 30, qps: 1e6, burst: 1e6 });
    for (let i = 0; i < 3; i++) {
      q.addRateLimited('hot');
      await q.get();
      q.done('hot');
    }
    // Three failures: uncapped the next delay would be 80 ms.
    const t0 = performance.now();
    q.addRateLimited('hot');
    q.addRateLimited('cold');
    assert.equal(await q.get(), 'cold', 'a fresh key waits only the base delay');
    q.done('cold');
    assert.equal(await q.get(), 'hot');
    const d = performance.now() - t0;
    assert.ok(d >= 28 && d < 70, `capped at 30 ms: ${d.toFixed(1)} ms`);
  });

  test('the global token bucket delays rate-limited adds after a burst', async () => {
    const q = new WorkQueue({ baseDelayMs: 1, qps: 10, burst: 3 });
    const t0 = performance.now();
    for (let i = 0; i < 5; i++) q.addRateLimited(`k${i}`); // distinct keys: only the bucket limits
    const at: Record<string, number> = {};
    for (let i = 0; i < 5; i++) {
      const k = (await q.get())!;
      at[k] = performance.now() - t0;
      q.done(k);
    }
    for (const k of ['k0', 'k1', 'k2']) assert.ok(at[k]! < 80, `${k} is within the burst: ${at[k]!.toFixed(1)} ms`);
    // 10/s: one token every 100 ms once the burst is spent.
    assert.ok(at['k3']! >= 95 && at['k3']! < 190, `k3 at ${at['k3']!.toFixed(1)} ms`);
    assert.ok(at['k4']! >= 195 && at['k4']! < 290, `k4 at ${at['k4']!.toFixed(1)} ms`);
  });

  test('addAfter queues a key later, deduplicated with what is queued then', async () => {
    const q = new WorkQueue();
    const t0 = performance.now();
    q.addAfter('k', 40);
    q.add('other');
    assert.equal(await q.get(), 'other');
    assert.equal(await q.get(), 'k');
    assert.ok(performance.now() - t0 >= 38);
    q.done('k');
    q.add('dup');
    q.addAfter('dup', 10);
    await sleep(30);
    assert.equal(q.length, 1, 'the delayed add found dup still queued');
  });

  test('shutDown releases waiting workers and ignores later adds', async () => {
    const q = new WorkQueue();
    const waiting = [q.get(), q.get()];
    q.addAfter('late', 10);
    q.shutDown();
    assert.deepEqual(await Promise.all(waiting), [undefined, undefined]);
    q.add('x');
    assert.equal(await q.get(), undefined);
    await sleep(20);
    assert.equal(q.length, 0, 'a pending addAfter was cancelled');
  });

  test('latency: how long keys waited between add and get', async () => {
    const q = new WorkQueue();
    assert.deepEqual(q.latency(), { count: 0, p50Ms: 0, p99Ms: 0 });
    q.add('slow');
    await sleep(50);
    await q.get();
    for (const k of ['fast-1', 'fast-2']) {
      const waiting = q.get();
      q.add(k); // handed straight to the waiting worker
      await waiting;
    }
    const l = q.latency();
    assert.equal(l.count, 3);
    assert.ok(l.p50Ms < 5, `p50 ${l.p50Ms}`);
    assert.ok(l.p99Ms >= 48 && l.p99Ms < 150, `p99 ${l.p99Ms}`);
  });
});
