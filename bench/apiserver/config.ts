// Sizes of the API server benchmark: full by default, scaled down by --quick, each overridable by
// a flag (--name=value) or an environment variable (BENCH_NAME=value), as bench/storage does.

import { type BenchDatastore, parseBenchOptions } from '../common/options.js';

export type Datastore = BenchDatastore;

export interface BenchConfig {
  quick: boolean;
  datastores: Datastore[];
  /** Fixed arrival rate of the open-loop create measurement (the target is stated at 500/s). */
  openRate: number;
  openMs: number;
  /** How long each closed-loop measurement (creates, gets) runs. */
  phaseMs: number;
  /** Untimed run before each closed-loop measurement (JIT, TLS handshakes of the pooled sockets). */
  warmupMs: number;
  createConcurrency: number;
  getConcurrency: number;
  /** Pods in the listed namespace (the target is stated for 10,000). */
  listPods: number;
  listRuns: number;
  watchers: number;
  /** ConfigMap creates made while the watchers listen (each one is delivered to every watcher). */
  watchEvents: number;
  /** Parent of the temporary data directories (default: the OS temp dir). */
  tmpDir?: string;
}

type Sizes = Omit<BenchConfig, 'quick' | 'datastores' | 'tmpDir'>;

const FULL: Sizes = {
  openRate: 500,
  openMs: 5000,
  phaseMs: 3000,
  warmupMs: 1000,
  createConcurrency: 32,
  getConcurrency: 64,
  listPods: 10_000,
  listRuns: 5,
  watchers: 100,
  watchEvents: 2000,
};

const QUICK: Sizes = {
  ...FULL,
  openMs: 500,
  phaseMs: 400,
  warmupMs: 100,
  listPods: 500,
  listRuns: 3,
  watchers: 20,
  watchEvents: 100,
};

const NUMERIC: Record<string, keyof Sizes> = {
  'open-rate': 'openRate',
  'open-ms': 'openMs',
  'phase-ms': 'phaseMs',
  'warmup-ms': 'warmupMs',
  'create-concurrency': 'createConcurrency',
  'get-concurrency': 'getConcurrency',
  'list-pods': 'listPods',
  'list-runs': 'listRuns',
  watchers: 'watchers',
  'watch-events': 'watchEvents',
};

export const USAGE = `usage: node dist/bench/apiserver/main.js [--quick] [--datastores=sqlite,memory] [--tmp-dir=DIR]
       [--open-rate=N] [--open-ms=N] [--phase-ms=N] [--warmup-ms=N] [--create-concurrency=N]
       [--get-concurrency=N] [--list-pods=N] [--list-runs=N] [--watchers=N] [--watch-events=N]
Needs the built tree (npx tsc -p . and dist/generated/openapi). Every option can also be given as an
environment variable: BENCH_QUICK=1, BENCH_LIST_PODS=5000, ...
Flags win over environment variables; --quick (or BENCH_QUICK=1) picks the small defaults.`;

/** Parses argv (without node and the script) and the environment; throws on a bad option. */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchConfig | 'help' {
  const o = parseBenchOptions(argv, env, { usage: USAGE, full: FULL, quick: QUICK, numeric: NUMERIC, listOption: 'datastores', listNoun: 'datastore' });
  if (o === 'help') return o;
  return { quick: o.quick, datastores: o.datastores, tmpDir: o.tmpDir, ...o.sizes };
}
