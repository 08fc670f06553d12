// Sizes of the storage benchmark: full by default, scaled down by --quick, each overridable by a
// flag (--name=value) or an environment variable (BENCH_NAME=value).

import { parseBenchOptions } from '../common/options.js';
import type { DatastoreKind } from '../../src/storage/index.js';

export interface BenchConfig {
  quick: boolean;
  backends: DatastoreKind[];
  /** How long each timed write/read loop runs. */
  durationMs: number;
  /** Untimed run before each timed loop (JIT, page cache, WAL file growth). */
  warmupMs: number;
  /** Concurrent writers of the "many writers" measurement (also the ceiling's rows per transaction). */
  writers: number;
  readers: number;
  /** Size of the values written by the write measurements. */
  writeValueBytes: number;
  listKeys: number;
  listValueBytes: number;
  listRuns: number;
  watchers: number;
  /** Writes made while the watchers listen (each one is delivered to every watcher). */
  watchEvents: number;
  /** Parent of the temporary data directories (default: the OS temp dir). */
  tmpDir?: string;
}

const FULL: Omit<BenchConfig, 'quick' | 'backends' | 'tmpDir'> = {
  durationMs: 2000,
  warmupMs: 300,
  writers: 64,
  readers: 64,
  writeValueBytes: 1024,
  listKeys: 100_000,
  listValueBytes: 500,
  listRuns: 5,
  watchers: 1000,
  watchEvents: 2000,
};

const QUICK: typeof FULL = {
  ...FULL,
  durationMs: 250,
  warmupMs: 50,
  listKeys: 5000,
  listRuns: 3,
  watchers: 100,
  watchEvents: 200,
};

const NUMERIC: Record<string, keyof typeof FULL> = {
  'duration-ms': 'durationMs',
  'warmup-ms': 'warmupMs',
  writers: 'writers',
  readers: 'readers',
  'write-value-bytes': 'writeValueBytes',
  'list-keys': 'listKeys',
  'list-value-bytes': 'listValueBytes',
  'list-runs': 'listRuns',
  watchers: 'watchers',
  'watch-events': 'watchEvents',
};

export const USAGE = `usage: node dist/bench/storage/main.js [--quick] [--backends=sqlite,memory] [--tmp-dir=DIR]
       [--duration-ms=N] [--warmup-ms=N] [--writers=N] [--readers=N] [--write-value-bytes=N]
       [--list-keys=N] [--list-value-bytes=N] [--list-runs=N] [--watchers=N] [--watch-events=N]
Every option can also be given as an environment variable: BENCH_QUICK=1, BENCH_LIST_KEYS=20000, ...
Flags win over environment variables; --quick (or BENCH_QUICK=1) picks the small defaults.`;

/** Parses argv (without node and the script) and the environment; throws on a bad option. */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchConfig | 'help' {
  const o = parseBenchOptions(argv, env, { usage: USAGE, full: FULL, quick: QUICK, numeric: NUMERIC, listOption: 'backends', listNoun: 'backend' });
  if (o === 'help') return o;
  return { quick: o.quick, backends: o.datastores, tmpDir: o.tmpDir, ...o.sizes };
}
