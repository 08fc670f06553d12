// The SQLite "ceiling": how fast better-sqlite3 itself inserts the rows the SQLite backend
// writes for a create (one kv_log row), in a fresh file with the
// engine's settings (WAL, synchronous=FULL), with the rows grouped into transactions the way the
// backend's group commit groups concurrent writers. No validation, no promises, no watch fan-out.

import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ensureSchema } from '../../src/storage/sqlite/schema.js';
import type { BenchConfig } from './config.js';
import { collectGarbage, runSyncFor, type Rate } from './measure.js';
import { VALUE_VARIANTS, values, writeKey } from './phases.js';

export interface CeilingFigures {
  /** Rows/s with cfg.writers rows per transaction. */
  grouped: Rate;
  /** Rows/s with one row per transaction (what one writer at a time gets). */
  single: Rate;
  rowsPerTransaction: number;
}

export function measureCeiling(dir: string, cfg: BenchConfig): CeilingFigures {
  const file = join(dir, 'ceiling.db');
  const db = new Database(file);
  try {
    ensureSchema(db, file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('cache_size = -65536');
    db.pragma('journal_size_limit = 67108864');
    const insertLog = db.prepare(
      `INSERT INTO kv_log (revision, key, deleted, create_revision, prev_revision, value) VALUES (?, ?, 0, ?, NULL, ?)`,
    );
    const vals = values(cfg.writeValueBytes);
    let revision = 0;
    // Transaction `seq` of a run with `writers` rows per transaction holds the rows that the
    // backend's writers 0..writers-1 create on their seq-th call: the same keys and values, in
    // the same order, as one group commit of the write measurement.
    const insertRows = db.transaction((writers: number, seq: number, warmup: boolean) => {
      for (let w = 0; w < writers; w++) {
        const rev = ++revision;
        const key = writeKey(writers, w, seq, warmup);
        const value = vals[(w + seq) % VALUE_VARIANTS]!;
        insertLog.run(rev, key, rev, value);
      }
    });
    const run = (writers: number): Rate => {
      if (cfg.warmupMs > 0) runSyncFor(cfg.warmupMs, writers, (seq) => insertRows(writers, seq, true));
      collectGarbage();
      return runSyncFor(cfg.durationMs, writers, (seq) => insertRows(writers, seq, false));
    };
    // In the order the backend measurement writes them (1 writer, then many) into one file.
    const single = run(1);
    const grouped = run(cfg.writers);
    return { grouped, single, rowsPerTransaction: cfg.writers };
  } finally {
    db.close();
  }
}
