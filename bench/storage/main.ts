// Storage benchmark: acknowledged writes, reads, a 100k-key list and watch fan-out for every
// backend, plus, for SQLite, the raw better-sqlite3 rate the backend could at best reach.
// Not a test: it prints figures. `npm run bench:storage`; `--quick` for a smoke run; `--help`.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Backend, type DatastoreKind, openBackend } from '../../src/storage/index.js';
import { measureCeiling } from './ceiling.js';
import { type BenchConfig, USAGE, parseConfig } from './config.js';
import { collectGarbage, fmtInt, now } from './measure.js';
import { measureList, measureReads, measureWatch, measureWrites } from './phases.js';
import { type BackendFigures, backendTable, targetLines } from './report.js';

const SQLITE_SYNC = 'full';

function status(message: string): void {
  process.stderr.write(`  ${message}\n`);
}

/** Opens a fresh, empty backend of `kind` (SQLite: in its own directory under `root`). */
function freshBackend(kind: DatastoreKind, root: string, name: string): { backend: Backend; dir?: string } {
  if (kind === 'memory') return { backend: openBackend({ datastore: 'memory' }) };
  const dir = join(root, `${kind}-${name}`);
  mkdirSync(dir);
  return { backend: openBackend({ datastore: 'sqlite', dataDir: dir, sync: SQLITE_SYNC }), dir };
}

async function withBackend<T>(
  kind: DatastoreKind,
  root: string,
  name: string,
  fn: (b: Backend, dir?: string) => Promise<T>,
): Promise<T> {
  const { backend, dir } = freshBackend(kind, root, name);
  try {
    return await fn(backend, dir);
  } finally {
    await backend.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    collectGarbage();
  }
}

async function benchBackend(kind: DatastoreKind, root: string, cfg: BenchConfig): Promise<BackendFigures> {
  const { write1, writeMany, read } = await withBackend(kind, root, 'rw', async (backend) => {
    status(`${kind}: acknowledged writes, 1 writer (${cfg.durationMs} ms)`);
    const write1 = (await measureWrites(backend, cfg, 1)).rate;
    status(`${kind}: acknowledged writes, ${cfg.writers} writers (${cfg.durationMs} ms)`);
    const many = await measureWrites(backend, cfg, cfg.writers);
    status(`${kind}: reads, ${cfg.readers} readers over ${fmtInt(many.keys.length)} keys (${cfg.durationMs} ms)`);
    const read = await measureReads(backend, cfg, many.keys);
    return { write1, writeMany: many.rate, read };
  });
  let reopenMs: number | undefined;
  const list = await withBackend(kind, root, 'list', async (backend, dir) => {
    status(`${kind}: list of ${fmtInt(cfg.listKeys)} keys`);
    const figures = await measureList(backend, cfg, kind);
    if (dir) {
      // A restart reads every live key back into memory: time it on the listed store.
      await backend.close();
      collectGarbage();
      const t0 = now();
      const reopened = openBackend({ datastore: 'sqlite', dataDir: dir, sync: SQLITE_SYNC });
      reopenMs = now() - t0;
      await reopened.close();
    }
    return figures;
  });
  const watch = await withBackend(kind, root, 'watch', async (backend) => {
    status(`${kind}: watch fan-out, ${cfg.watchers} watchers x ${cfg.watchEvents} writes`);
    return measureWatch(backend, cfg);
  });
  const figures: BackendFigures = {
    kind,
    setup: kind === 'sqlite' ? `sync=${SQLITE_SYNC}, fresh file under ${root}` : 'in process memory',
    write1,
    writeMany,
    read,
    list,
    watch,
    reopenMs,
  };
  if (kind === 'sqlite') {
    status(`sqlite: ceiling, raw better-sqlite3 inserts (2 x ${cfg.durationMs} ms)`);
    const dir = join(root, 'ceiling');
    mkdirSync(dir);
    try {
      figures.ceiling = measureCeiling(dir, cfg);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return figures;
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
  const root = mkdtempSync(join(cfg.tmpDir ?? tmpdir(), 'kubets-bench-storage-'));
  const cleanup = (): void => rmSync(root, { recursive: true, force: true });
  const onSignal = (): void => {
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = now();
  try {
    console.log(
      `kubets storage benchmark (${cfg.quick ? 'quick' : 'full'} run): node ${process.version}, ` +
        `${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), ${process.platform}`,
    );
    console.log(
      `  ${cfg.durationMs} ms per write/read run (after ${cfg.warmupMs} ms warm-up), ${cfg.writers} writers, ` +
        `${cfg.readers} readers, list of ${fmtInt(cfg.listKeys)} keys x ${cfg.listRuns} runs, ` +
        `${cfg.watchers} watchers x ${cfg.watchEvents} writes`,
    );
    const all: BackendFigures[] = [];
    for (const kind of cfg.backends) {
      const figures = await benchBackend(kind, root, cfg);
      all.push(figures);
      console.log('');
      console.log(backendTable(figures, cfg));
    }
    console.log('');
    console.log(targetLines(all, cfg));
    console.log('');
    console.log(`benchmark finished in ${((now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } catch (e) {
    process.stderr.write(`storage benchmark failed: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  } finally {
    cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

process.exitCode = await main();
