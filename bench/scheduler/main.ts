// Scheduler benchmark, after upstream's scheduler_perf: per case, an API server (in-memory storage)
// and kubets' scheduler in this process with Node objects only; existing pods are scheduled first,
// then the measured pods are created through the API while their binds are sampled each second.
// Prints pods/s (average and percentiles of the 1 s windows) beside upstream's threshold, and the
// pods' scheduling latency. Not a test: it prints figures. `npm run bench:scheduler`; `--help`.
// The API server and scheduler run in this process, tuned as `kubets server` tunes itself.
import '../../src/cli/v8-tuning.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CASES, type BenchCase, scaled, selectCases } from './cases.js';
import { caseHeading, caseReport, summary } from './report.js';
import { type CaseResult, runCase } from './run.js';

const USAGE = `Usage: node dist/bench/scheduler/main.js [--case NAME]... [--scale X] [--stall-seconds N] [--tmp-dir DIR]
  Runs each case (default: all) in a fresh in-process API server and scheduler.
  --case NAME        upstream's name (e.g. SchedulingBasic/5000Nodes_10000Pods), its test case
                     (SchedulingBasic: both of its workloads) or a short name; repeatable
  --scale X          multiplies every count (e.g. 0.1 for a quick run; default 1)
  --stall-seconds N  give up on a case when no pod is bound for N seconds (default 30)
Cases:
${CASES.map((c) => `  ${c.name}${c.alias ? ` (${c.alias})` : ''}`).join('\n')}`;

interface Options {
  cases: BenchCase[];
  scale: number;
  stallMs: number;
  sampleIntervalMs: number;
  tmpDir?: string;
}

/** Accepts `--flag value` and `--flag=value`; throws on anything else. */
function parseArgs(argv: string[]): Options | 'help' {
  const wanted: string[] = [];
  let scale = 1;
  let stallSeconds = 30;
  let sampleIntervalMs = 1000;
  let tmpDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unknown argument ${arg}`);
    const value = (): string => {
      const v = m[2] ?? argv[++i];
      if (v === undefined) throw new Error(`--${m[1]} wants a value`);
      return v;
    };
    const positive = (v: string): number => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`--${m[1]} wants a positive number, not ${v}`);
      return n;
    };
    switch (m[1]) {
      case 'case':
        wanted.push(value());
        break;
      case 'scale':
        scale = positive(value());
        break;
      case 'stall-seconds':
        stallSeconds = positive(value());
        break;
      // For the smoke test: windows shorter than upstream's 1 s, so a tiny run still has some.
      case 'sample-interval-ms':
        sampleIntervalMs = positive(value());
        break;
      case 'tmp-dir':
        tmpDir = value();
        break;
      default:
        throw new Error(`unknown option --${m[1]}`);
    }
  }
  return { cases: selectCases(wanted), scale, stallMs: stallSeconds * 1000, sampleIntervalMs, tmpDir };
}

async function main(): Promise<number> {
  let opts: Options | 'help';
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const root = mkdtempSync(join(opts.tmpDir ?? tmpdir(), 'kubets-bench-scheduler-'));
  const results: CaseResult[] = [];
  const started = performance.now();
  let failed = false;
  try {
    for (const bc of opts.cases) {
      process.stdout.write(caseHeading({ case: bc, counts: scaled(bc.counts, opts.scale) }, opts.scale));
      try {
        const r = await runCase(bc, { scale: opts.scale, tmpRoot: root, stallMs: opts.stallMs, sampleIntervalMs: opts.sampleIntervalMs });
        results.push(r);
        failed ||= r.stalled;
        process.stdout.write(caseReport(r));
      } catch (e) {
        failed = true;
        process.stdout.write(`  FAILED: ${(e as Error).message}\n`);
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  process.stdout.write(summary(results));
  process.stdout.write(`  whole run: ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  return failed ? 1 : 0;
}

process.exitCode = await main();
