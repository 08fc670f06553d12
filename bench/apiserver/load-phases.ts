// The measurements the load process makes: closed-loop and open-loop creates, a fill with
// progress, closed-loop gets and timed lists. (Watch fan-out is in load-watch.ts.)

import type { Agent } from 'node:https';
import { Progress, collectGarbage, now, randomInts } from '../storage/measure.js';
import { send } from './client.js';
import { fill } from './objects.js';
import {
  type CreatesClosedTask,
  type CreatesOpenTask,
  type FillTask,
  type GetsTask,
  type Latency,
  type ListResult,
  type ListTask,
  type RateResult,
  pad,
} from './protocol.js';

/** The load process's pooled agents: one per server and pool size, so warm sockets are reused. */
export interface LoadContext {
  base: URL;
  agent(maxSockets: number): Agent;
}

export class Recorder {
  private values: number[] = [];

  add(ms: number): void {
    this.values.push(ms);
  }

  get count(): number {
    return this.values.length;
  }

  /** Nearest-rank percentiles. */
  latency(): Latency {
    const s = Float64Array.from(this.values).sort();
    const at = (p: number): number => (s.length === 0 ? NaN : s[Math.max(0, Math.ceil(p * s.length) - 1)]!);
    return { p50: at(0.5), p99: at(0.99), max: at(1) };
  }
}

function expectStatus(status: number, want: number, what: string): void {
  if (status !== want) throw new Error(`${what} answered ${status}, expected ${want}`);
}

/**
 * `concurrency` loops, each awaiting one `op` at a time until `durationMs` has passed; calls that
 * started before the deadline are waited for and counted.
 */
async function closedLoop(concurrency: number, durationMs: number, op: () => Promise<void>): Promise<RateResult> {
  const rec = new Recorder();
  const start = now();
  const deadline = start + durationMs;
  const worker = async (): Promise<void> => {
    while (now() < deadline) {
      const t0 = now();
      await op();
      rec.add(now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = now() - start;
  return { ops: rec.count, ms, perSec: (rec.count * 1000) / ms, latency: rec.latency() };
}

function creator(ctx: LoadContext, agent: Agent, t: { path: string; body: CreatesClosedTask['body'] }) {
  return async (name: string): Promise<void> => {
    const res = await send(agent, ctx.base, t.path, { method: 'POST', body: fill(t.body, name) });
    expectStatus(res.status, 201, `POST ${t.path} (${name})`);
  };
}

export async function createsClosed(ctx: LoadContext, t: CreatesClosedTask): Promise<RateResult> {
  const create = creator(ctx, ctx.agent(t.concurrency), t);
  let warm = 0;
  if (t.warmupMs > 0) await closedLoop(t.concurrency, t.warmupMs, () => create(`${t.namePrefix}warm-${pad(warm++)}`));
  collectGarbage();
  let seq = 0;
  return closedLoop(t.concurrency, t.durationMs, () => create(t.namePrefix + pad(seq++)));
}

/**
 * Creates sent at a fixed rate whatever the answers do (open loop). Latency is measured from the
 * moment each request was due, so time spent waiting for a pooled socket counts, and a server that
 * falls behind shows it in p99 instead of quietly lowering the offered rate.
 */
export async function createsOpen(ctx: LoadContext, t: CreatesOpenTask): Promise<RateResult> {
  const create = creator(ctx, ctx.agent(t.maxSockets), t);
  const interval = 1000 / t.ratePerSec;
  const total = Math.max(1, Math.round((t.ratePerSec * t.durationMs) / 1000));
  const rec = new Recorder();
  const pending: Promise<void>[] = [];
  let lastDone = 0;
  collectGarbage();
  const start = now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor((now() - start) / interval) + 1);
    for (; sent < due; sent++) {
      const dueAt = start + sent * interval;
      pending.push(
        create(t.namePrefix + pad(sent)).then(() => {
          lastDone = now();
          rec.add(lastDone - dueAt);
        }),
      );
    }
    if (sent < total) await new Promise((r) => setTimeout(r, Math.max(0, start + sent * interval - now())));
  }
  await Promise.all(pending);
  const ms = lastDone - start;
  return { ops: total, ms, perSec: (total * 1000) / ms, latency: rec.latency() };
}

/** Creates exactly t.count objects with t.concurrency requests in flight, with progress on stderr. */
export async function fillObjects(ctx: LoadContext, t: FillTask): Promise<RateResult> {
  const create = creator(ctx, ctx.agent(t.concurrency), t);
  const progress = new Progress(t.label, t.count);
  const rec = new Recorder();
  let next = 0;
  let done = 0;
  const start = now();
  const worker = async (): Promise<void> => {
    for (let i = next++; i < t.count; i = next++) {
      const t0 = now();
      await create(t.namePrefix + pad(i));
      rec.add(now() - t0);
      progress.update(++done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(t.concurrency, t.count) }, worker));
  progress.done();
  const ms = now() - start;
  return { ops: t.count, ms, perSec: (t.count * 1000) / ms, latency: rec.latency() };
}

export async function gets(ctx: LoadContext, t: GetsTask): Promise<RateResult> {
  const agent = ctx.agent(t.concurrency);
  const pick = randomInts(4242);
  const get = async (): Promise<void> => {
    const path = t.path + t.namePrefix + pad(pick(t.count));
    const res = await send(agent, ctx.base, path);
    expectStatus(res.status, 200, `GET ${path}`);
  };
  if (t.warmupMs > 0) await closedLoop(t.concurrency, t.warmupMs, get);
  collectGarbage();
  return closedLoop(t.concurrency, t.durationMs, get);
}

/** One untimed list that is checked (status, item count), then t.runs timed ones, one at a time. */
export async function lists(ctx: LoadContext, t: ListTask): Promise<ListResult> {
  const agent = ctx.agent(1);
  const first = await send(agent, ctx.base, t.path, { accept: t.accept, keepBody: true });
  expectStatus(first.status, 200, `GET ${t.path}`);
  const parsed = JSON.parse(first.body!.toString('utf8')) as { items?: unknown[]; rows?: unknown[] };
  const items = (parsed.items ?? parsed.rows ?? []).length;
  if (items !== t.expectItems) throw new Error(`GET ${t.path} returned ${items} items, expected ${t.expectItems}`);
  const runsMs: number[] = [];
  let bytes = first.bytes;
  for (let run = 0; run < t.runs; run++) {
    collectGarbage();
    const t0 = now();
    const res = await send(agent, ctx.base, t.path, { accept: t.accept });
    runsMs.push(now() - t0);
    expectStatus(res.status, 200, `GET ${t.path}`);
    bytes = res.bytes;
  }
  return { runsMs, bytes, items };
}
