// API server benchmark: creates/s (open loop at a fixed rate, and closed loop), gets/s, lists of
// 10,000 pods and watch fan-out to 100 watchers, over HTTPS against a real `kubets server` child
// process for each datastore, from a separate load process; each beside a bare Node HTTPS server
// answering the same bytes (the ceiling), measured in the same run.
// Not a test: it prints figures. `npm run bench:apiserver`; `--quick` for a smoke run; `--help`.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fmtInt, now } from '../storage/measure.js';
import { KUBETS_BIN, LoadProcess, killAll } from './children.js';
import { type BenchConfig, USAGE, parseConfig } from './config.js';
import { cpuLine, cpuSnapshot } from './machine.js';
import { type DatastoreFigures, LEGEND, datastoreTable, targetLines } from './report.js';
import { benchDatastore } from './run.js';

/** The server serves the OpenAPI documents generated at build time; without them it cannot start. */
function checkBuilt(): string | undefined {
  const openapi = resolve(KUBETS_BIN, '../../../generated/openapi');
  if (!existsSync(KUBETS_BIN)) return `${KUBETS_BIN} is missing: build with npx tsc -p .`;
  if (!existsSync(openapi)) return `${openapi} is missing: run node dist/scripts/gen-openapi.js`;
  return undefined;
}

function describe(cfg: BenchConfig): string {
  return (
    `  creates: open loop at ${fmtInt(cfg.openRate)}/s for ${cfg.openMs} ms, closed loop ${cfg.createConcurrency} concurrent; ` +
    `gets: ${cfg.getConcurrency} concurrent; ${cfg.phaseMs} ms per closed loop (after ${cfg.warmupMs} ms warm-up)\n` +
    `  list of ${fmtInt(cfg.listPods)} pods x ${cfg.listRuns} runs; ${cfg.watchers} watchers x ${fmtInt(cfg.watchEvents)} creates`
  );
}

async function main(): Promise<number> {
  let cfg: BenchConfig | 'help';
  try {
    cfg = parseConfig(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  if (cfg === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const missing = checkBuilt();
  if (missing) {
    process.stderr.write(`apiserver benchmark: ${missing}\n`);
    return 2;
  }
  const root = mkdtempSync(join(cfg.tmpDir ?? tmpdir(), 'kubets-bench-apiserver-'));
  let interrupted = false;
  const cleanup = async (): Promise<void> => {
    await killAll();
    rmSync(root, { recursive: true, force: true });
  };
  const onSignal = (): void => {
    interrupted = true;
    process.stderr.write('apiserver benchmark interrupted: stopping the servers\n');
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = now();
  const startCpu = cpuSnapshot();
  const load = LoadProcess.start();
  try {
    console.log(
      `kubets API server benchmark (${cfg.quick ? 'quick' : 'full'} run): node ${process.version}, ` +
        `${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${process.platform}`,
    );
    console.log(describe(cfg));
    console.log(LEGEND);
    const all: DatastoreFigures[] = [];
    for (const datastore of cfg.datastores) {
      const { figures, url } = await benchDatastore(datastore, root, cfg, load);
      all.push(figures);
      console.log('');
      console.log(datastoreTable(figures, cfg, url));
    }
    console.log('');
    console.log(targetLines(all, cfg));
    console.log('');
    // Other processes on the machine take CPU from the servers and the load process alike. The
    // load process is stopped first so its CPU time is counted as the benchmark's.
    await load.stop();
    const cpu = cpuLine(startCpu, cpuSnapshot());
    if (cpu) console.log(cpu);
    console.log(`benchmark finished in ${((now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } catch (e) {
    // An interrupt ends the children under the running measurement: that failure is expected.
    if (interrupted) return 130;
    process.stderr.write(`apiserver benchmark failed: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  } finally {
    await load.stop();
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

process.exitCode = await main();
