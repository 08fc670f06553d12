// Timing, concurrency and formatting helpers of the storage benchmark.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export const now = (): number => performance.now();

/** Collects garbage before a timed section so one section's garbage is not billed to the next. */
export const collectGarbage: () => void = (() => {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (() => void) | undefined;
    if (typeof gc === 'function') return gc;
  } catch {
    // Not available: run without it.
  }
  return () => {};
})();

export interface Rate {
  ops: number;
  ms: number;
  perSec: number;
}

/**
 * Runs `workers` concurrent loops, each awaiting `op` one call at a time, until `durationMs` has
 * passed; calls that started before the deadline are waited for and counted.
 */
export async function runFor(
  workers: number,
  durationMs: number,
  op: (worker: number, seq: number) => Promise<unknown>,
): Promise<Rate> {
  const start = now();
  const deadline = start + durationMs;
  let ops = 0;
  const loop = async (worker: number): Promise<void> => {
    for (let seq = 0; now() < deadline; seq++) {
      await op(worker, seq);
      ops++;
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => loop(w)));
  const ms = now() - start;
  return { ops, ms, perSec: (ops * 1000) / ms };
}

/** Runs a synchronous `step` (which does `perStep` operations) until `durationMs` has passed. */
export function runSyncFor(durationMs: number, perStep: number, step: (seq: number) => void): Rate {
  const start = now();
  const deadline = start + durationMs;
  let steps = 0;
  while (now() < deadline) step(steps++);
  const ms = now() - start;
  const ops = steps * perStep;
  return { ops, ms, perSec: (ops * 1000) / ms };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** A value of `bytes` printable bytes, different for each `seed`, shaped a little like JSON. */
export function makeValue(bytes: number, seed: number): Buffer {
  const head = Buffer.from(`{"kind":"Bench","seed":${seed},"data":"`);
  const buf = Buffer.alloc(Math.max(bytes, head.length + 2), 0x61);
  head.copy(buf);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = head.length; i < buf.length - 2; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[i] = 0x61 + ((x >>> 0) % 26);
  }
  buf.write('"}', buf.length - 2);
  return buf;
}

/** xorshift32: cheap reproducible random integers in [0, n). */
export function randomInts(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

export function pad(n: number, width = 8): string {
  return String(n).padStart(width, '0');
}

export const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const fmtMs = (ms: number): string => `${ms.toFixed(1)} ms`;
export const fmtRate = (perSec: number): string => `${fmtInt(perSec)} /s`;

/** Progress on stderr: rewritten in place on a terminal, at most every ~10% otherwise. */
export class Progress {
  private readonly tty = process.stderr.isTTY === true;
  private lastShown = -1;
  private readonly start = now();

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {}

  update(done: number): void {
    const tenth = Math.floor((done * 10) / this.total);
    if (!this.tty && tenth === this.lastShown) return;
    this.lastShown = tenth;
    const rate = (done * 1000) / Math.max(1, now() - this.start);
    const line = `  ${this.label}: ${fmtInt(done)}/${fmtInt(this.total)} (${fmtInt(rate)}/s)`;
    process.stderr.write(this.tty ? `\r${line}\x1b[K` : `${line}\n`);
  }

  done(): void {
    if (this.tty) process.stderr.write('\n');
  }
}
