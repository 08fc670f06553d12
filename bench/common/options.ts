// The option parsing both benchmarks share: sizes full by default, scaled down by --quick, each
// overridable by a flag (--name=value) or an environment variable (BENCH_NAME=value), plus a list
// of datastores and a temporary directory.

export type BenchDatastore = 'sqlite' | 'memory';

export interface BenchOptionSpec<S extends Record<string, number>> {
  usage: string;
  full: S;
  quick: S;
  /** Flag name -> size field. */
  numeric: Record<string, keyof S>;
  /** The flag naming the datastores (`backends`, `datastores`) and its singular for messages. */
  listOption: string;
  listNoun: string;
}

export interface BenchOptions<S> {
  quick: boolean;
  sizes: S;
  datastores: BenchDatastore[];
  tmpDir?: string;
}

export function envName(option: string): string {
  return 'BENCH_' + option.toUpperCase().replace(/-/g, '_');
}

/** Parses argv (without node and the script) and the environment; throws on a bad option. */
export function parseBenchOptions<S extends Record<string, number>>(
  argv: string[],
  env: NodeJS.ProcessEnv,
  spec: BenchOptionSpec<S>,
): BenchOptions<S> | 'help' {
  const flags = new Map<string, string>();
  for (const arg of argv) {
    if (arg === '--help' || arg === '-h') return 'help';
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unknown argument ${arg}\n${spec.usage}`);
    flags.set(m[1]!, m[2] ?? 'true');
  }
  for (const option of flags.keys()) {
    if (!(option in spec.numeric) && !['quick', spec.listOption, 'tmp-dir'].includes(option)) {
      throw new Error(`unknown option --${option}\n${spec.usage}`);
    }
  }
  const get = (option: string): string | undefined => flags.get(option) ?? env[envName(option)];
  const quickRaw = get('quick');
  const quick = quickRaw !== undefined && quickRaw !== '0' && quickRaw !== 'false';
  const sizes = { ...(quick ? spec.quick : spec.full) };
  for (const [option, field] of Object.entries(spec.numeric)) {
    const raw = get(option);
    if (raw === undefined) continue;
    const n = Number(raw);
    const min = field === 'warmupMs' ? 0 : 1;
    if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${option} wants an integer >= ${min}, not ${raw}`);
    (sizes as Record<keyof S, number>)[field] = n;
  }
  const datastores = (get(spec.listOption) ?? 'sqlite,memory').split(',').map((d) => d.trim()).filter(Boolean);
  for (const d of datastores) {
    if (d !== 'sqlite' && d !== 'memory') throw new Error(`unknown ${spec.listNoun} ${d} (sqlite or memory)`);
  }
  if (datastores.length === 0) throw new Error(`--${spec.listOption} names no ${spec.listNoun}`);
  return { quick, sizes, datastores: datastores as BenchDatastore[], tmpDir: get('tmp-dir') };
}
