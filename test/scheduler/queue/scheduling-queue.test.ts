import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { KeyedHeap } from '../../../src/scheduler/queue/heap.js';
import { SchedulingQueue } from '../../../src/scheduler/queue/scheduling-queue.js';

const pod = (name: string, priority = 0): Pod => ({ metadata: { name, namespace: 'ns', uid: name }, spec: { containers: [], priority } });

function clock(start = 1000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe('KeyedHeap', () => {
  it('pops in order through sets, replacements and deletions', () => {
    const h = new KeyedHeap<number>((a, b) => a < b);
    const values = [5, 3, 9, 1, 7, 2, 8, 6, 4, 0];
    values.forEach((v) => h.set(`k${v}`, v));
    h.set('k9', -1); // replaced: now the smallest
    h.delete('k5');
    assert.equal(h.has('k5'), false);
    const out: number[] = [];
    for (let v = h.pop(); v !== undefined; v = h.pop()) out.push(v);
    assert.deepEqual(out, [-1, 0, 1, 2, 3, 4, 6, 7, 8]);
  });
});

describe('SchedulingQueue', () => {
  it('hands out higher priority first, then older', async () => {
    const c = clock();
    const q = new SchedulingQueue({ now: c.now });
    q.add(pod('low-old', 0));
    c.t++;
    q.add(pod('high', 10));
    c.t++;
    q.add(pod('low-new', 0));
    const names = [];
    for (let i = 0; i < 3; i++) names.push((await q.pop())!.pod.metadata!.name);
    assert.deepEqual(names, ['high', 'low-old', 'low-new']);
  });

  it('adds of a queued pod do not duplicate it; a waiting pop gets the next add', async () => {
    const q = new SchedulingQueue();
    const waiting = q.pop();
    q.add(pod('a'));
    assert.equal((await waiting)!.pod.metadata!.name, 'a');
    q.add(pod('b'));
    q.add(pod('b'));
    assert.deepEqual(q.counts(), { active: 1, backoff: 0, unschedulable: 0 });
  });

  it('parks unschedulable pods until an event moves them, to back-off while backing off', async () => {
    const c = clock();
    const q = new SchedulingQueue({ now: c.now, initialBackoffMs: 1000 });
    q.add(pod('a'));
    const qp = (await q.pop())!;
    q.addUnschedulable(qp, q.currentSchedulingCycle);
    assert.deepEqual(q.counts(), { active: 0, backoff: 0, unschedulable: 1 });
    q.moveAllToActiveOrBackoff();
    assert.deepEqual(q.counts(), { active: 0, backoff: 1, unschedulable: 0 }, 'still within its 1 s back-off');
    c.t += 1000;
    const again = (await q.pop())!;
    assert.equal(again.pod.metadata!.name, 'a');
    assert.equal(again.attempts, 2);
    q.close();
  });

  it('a pod whose attempt overlapped a move event goes to back-off, not to the parked set', async () => {
    const c = clock();
    const q = new SchedulingQueue({ now: c.now });
    q.add(pod('a'));
    const qp = (await q.pop())!;
    const cycle = q.currentSchedulingCycle;
    q.moveAllToActiveOrBackoff(); // e.g. a node was added while `a` was being scheduled
    q.addUnschedulable(qp, cycle);
    assert.deepEqual(q.counts(), { active: 0, backoff: 1, unschedulable: 0 });
    q.close();
  });

  it('back-off doubles per attempt up to the maximum, and waiting pops wake when it ends', async () => {
    const q = new SchedulingQueue({ initialBackoffMs: 20, maxBackoffMs: 40 });
    q.add(pod('a'));
    let qp = (await q.pop())!;
    const started = Date.now();
    q.addBackoff(qp); // attempt 1: 20 ms
    qp = (await q.pop())!;
    q.addBackoff(qp); // attempt 2: 40 ms
    qp = (await q.pop())!;
    q.addBackoff(qp); // attempt 3: capped at 40 ms
    qp = (await q.pop())!;
    const waited = Date.now() - started;
    assert.ok(waited >= 95, `waited ${waited} ms for 20 + 40 + 40`);
    assert.equal(qp.attempts, 4);
    q.close();
  });

  it('flushes pods parked too long; deletes remove pods wherever they are; close ends pops', async () => {
    const c = clock();
    const q = new SchedulingQueue({ now: c.now, maxUnschedulableMs: 60_000, initialBackoffMs: 1 });
    q.add(pod('a'));
    q.addUnschedulable((await q.pop())!, q.currentSchedulingCycle);
    c.t += 59_999;
    q.flushUnschedulable();
    assert.equal(q.counts().unschedulable, 1);
    c.t += 1;
    q.flushUnschedulable();
    assert.deepEqual(q.counts(), { active: 1, backoff: 0, unschedulable: 0 });
    q.delete(pod('a'));
    assert.deepEqual(q.counts(), { active: 0, backoff: 0, unschedulable: 0 });
    const waiting = q.pop();
    q.close();
    assert.equal(await waiting, undefined);
  });
});
