// Sizes of the storage benchmark: full by default, scaled down by --quick, each overridable by a
// flag (--name=value) or an environment variable (BENCH_NAME=value).

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

function envName(option: string): string {
  return 'BENCH_' + option.toUpperCase().replace(/-/g, '_');
}

/** Parses argv (without node and the script) and the environment; throws on a bad option. */
export function parseConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchConfig | 'help' {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') return 'help';
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unknown argument ${arg}\n${USAGE}`);
    flags.set(m[1]!, m[2] ?? 'true');
  }
  const get = (option: string): string | undefined => flags.get(option) ?? env[envName(option)];
  for (const option of flags.keys()) {
    if (!(option in NUMERIC) && !['quick', 'backends', 'tmp-dir'].includes(option)) {
      throw new Error(`unknown option --${option}\n${USAGE}`);
    }
  }
  const quickRaw = get('quick');
  const quick = quickRaw !== undefined && quickRaw !== '0' && quickRaw !== 'false';
  const sizes = { ...(quick ? QUICK : FULL) };
  for (const [option, field] of Object.entries(NUMERIC)) {
    const raw = get(option);
    if (raw === undefined) continue;
    const n = Number(raw);
    const min = field === 'warmupMs' ? 0 : 1;
    if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${option} wants an integer >= ${min}, not ${raw}`);
    sizes[field] = n;
  }
  const backends = (get('backends') ?? 'sqlite,memory').split(',').map((b) => b.trim()).filter(Boolean);
  for (const b of backends) {
    if (b !== 'sqlite' && b !== 'memory') throw new Error(`unknown backend ${b} (sqlite or memory)`);
  }
  if (backends.length === 0) throw new Error('--backends names no backend');
  return { quick, backends: backends as DatastoreKind[], tmpDir: get('tmp-dir'), ...sizes };
}
