// The measurements made through the Backend interface: acknowledged writes, reads, a full list,
// and watch fan-out. Each is the same for every backend.

import type { Backend } from '../../src/storage/index.js';
import type { BenchConfig } from './config.js';
import { Progress, collectGarbage, makeValue, median, now, pad, randomInts, runFor, type Rate } from './measure.js';

export const VALUE_VARIANTS = 16;

export function values(bytes: number): Buffer[] {
  return Array.from({ length: VALUE_VARIANTS }, (_, i) => makeValue(bytes, i + 1));
}

/** The key a write measurement's writer `w` (of `writers`) creates on its `seq`-th call. */
export function writeKey(writers: number, w: number, seq: number, warmup = false): string {
  return `/registry/bench-writes/c${writers}${warmup ? '-warmup' : ''}/w${w}/${pad(seq)}`;
}

export interface WriteResult {
  rate: Rate;
  /** Keys the timed run created (read back by the read measurement). */
  keys: string[];
}

/** Acknowledged creates/s with `writers` concurrent writers, each awaiting one create at a time. */
export async function measureWrites(backend: Backend, cfg: BenchConfig, writers: number): Promise<WriteResult> {
  const vals = values(cfg.writeValueBytes);
  if (cfg.warmupMs > 0) {
    await runFor(writers, cfg.warmupMs, (w, seq) => backend.create(writeKey(writers, w, seq, true), vals[(w + seq) % VALUE_VARIANTS]!));
  }
  collectGarbage();
  const keys: string[] = [];
  const rate = await runFor(writers, cfg.durationMs, async (w, seq) => {
    const key = writeKey(writers, w, seq);
    await backend.create(key, vals[(w + seq) % VALUE_VARIANTS]!);
    keys.push(key);
  });
  return { rate, keys };
}

/** gets/s of existing keys with `cfg.readers` concurrent readers. */
export async function measureReads(backend: Backend, cfg: BenchConfig, keys: readonly string[]): Promise<Rate> {
  if (keys.length === 0) throw new Error('no keys to read');
  const pick = randomInts(12345);
  const read = async (): Promise<void> => {
    const kv = await backend.get(keys[pick(keys.length)]!);
    if (kv === undefined) throw new Error('a key written before was not found');
  };
  if (cfg.warmupMs > 0) await runFor(cfg.readers, cfg.warmupMs, read);
  collectGarbage();
  return runFor(cfg.readers, cfg.durationMs, read);
}

export interface ListResultFigures {
  keys: number;
  loadMs: number;
  runsMs: number[];
  bestMs: number;
  medianMs: number;
}

/** Creates cfg.listKeys keys under one prefix, then times list(prefix) of all of them. */
export async function measureList(backend: Backend, cfg: BenchConfig, label: string): Promise<ListResultFigures> {
  const prefix = '/registry/pods/bench-list/';
  const vals = values(cfg.listValueBytes);
  const chunk = 1000;
  const progress = new Progress(`${label}: loading keys for the list`, cfg.listKeys);
  const loadStart = now();
  for (let done = 0; done < cfg.listKeys; ) {
    const n = Math.min(chunk, cfg.listKeys - done);
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < n; i++) writes.push(backend.create(prefix + 'pod-' + pad(done + i), vals[(done + i) % VALUE_VARIANTS]!));
    await Promise.all(writes);
    done += n;
    progress.update(done);
  }
  progress.done();
  const loadMs = now() - loadStart;
  const runsMs: number[] = [];
  for (let run = 0; run < cfg.listRuns; run++) {
    collectGarbage();
    const start = now();
    const result = await backend.list(prefix);
    const ms = now() - start;
    if (result.items.length !== cfg.listKeys) {
      throw new Error(`list returned ${result.items.length} items, expected ${cfg.listKeys}`);
    }
    runsMs.push(ms);
  }
  return { keys: cfg.listKeys, loadMs, runsMs, bestMs: Math.min(...runsMs), medianMs: median(runsMs) };
}

export interface WatchFigures {
  watchers: number;
  events: number;
  deliveries: number;
  /** From the first write to the moment every watcher had every event. */
  ms: number;
  /** From the first write until the last one was acknowledged. */
  writesMs: number;
  perSec: number;
}

/**
 * cfg.watchers watches on one prefix, each consumed with `for await`; then cfg.watchEvents
 * creates under the prefix by cfg.writers concurrent writers. Counts every delivery.
 */
export async function measureWatch(backend: Backend, cfg: BenchConfig): Promise<WatchFigures> {
  const prefix = '/registry/configmaps/bench-watch/';
  const target = cfg.watchEvents;
  let deliveries = 0;
  const consumers: Promise<void>[] = [];
  for (let i = 0; i < cfg.watchers; i++) {
    const watch = backend.watch(prefix, undefined, { maxBufferedEvents: target + 1000 });
    consumers.push(
      (async () => {
        let got = 0;
        for await (const ev of watch) {
          if (ev.type !== 'PUT') throw new Error(`unexpected ${ev.type} event`);
          deliveries++;
          if (++got === target) break;
        }
        if (got !== target) throw new Error(`a watcher ended after ${got} of ${target} events`);
      })(),
    );
  }
  const vals = values(cfg.writeValueBytes);
  collectGarbage();
  const start = now();
  let next = 0;
  const writer = async (): Promise<void> => {
    for (let i = next++; i < target; i = next++) await backend.create(prefix + 'cm-' + pad(i), vals[i % VALUE_VARIANTS]!);
  };
  const writes = Promise.all(Array.from({ length: Math.min(cfg.writers, target) }, writer)).then(() => now() - start);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`watch: only ${deliveries} of ${target * cfg.watchers} deliveries after 120 s`)),
      120_000,
    );
  });
  try {
    await Promise.race([Promise.all(consumers), timeout]);
  } finally {
    clearTimeout(timer);
  }
  const ms = now() - start;
  const writesMs = await writes;
  if (deliveries !== target * cfg.watchers) throw new Error(`watch: ${deliveries} deliveries, expected ${target * cfg.watchers}`);
  return { watchers: cfg.watchers, events: target, deliveries, ms, writesMs, perSec: (deliveries * 1000) / ms };
}
