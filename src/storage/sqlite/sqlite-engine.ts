import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import type { Engine, EngineState, LogEntry, StoredRow } from '../engine.js';
import { StoreOpenError } from '../errors.js';
import { checkFileHeader, ensureSchema, oneLine } from './schema.js';

export interface SqliteEngineOptions {
  /** The database file; created with its folder when absent. */
  file: string;
  /**
   * SQLite's synchronous setting in WAL mode. 'full' (default) syncs the log on every commit, so an
   * acknowledged write survives power loss; 'normal' survives a process crash but not power loss.
   */
  sync?: 'full' | 'normal';
}

type Row = [key: string, createRevision: number, modRevision: number, value: Buffer];
type LogRow = [
  revision: number,
  key: string,
  deleted: number,
  createRevision: number,
  value: Buffer,
  prevCreateRevision: number | null,
  prevModRevision: number | null,
  prevValue: Buffer | null,
];

/** The embedded default: one SQLite database file in WAL mode, written through group commits. */
export class SqliteEngine implements Engine {
  private readonly db: BetterSqlite3.Database;
  private readonly stmt;
  private readonly inTransaction: (fn: () => void) => void;

  constructor(options: SqliteEngineOptions) {
    const { file } = options;
    checkFileHeader(file);
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (e) {
      throw new StoreOpenError(file, `cannot create its folder ${dirname(file)}: ${oneLine(e)}`);
    }
    try {
      this.db = new Database(file);
    } catch (e) {
      throw new StoreOpenError(file, oneLine(e));
    }
    try {
      ensureSchema(this.db, file);
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${options.sync === 'normal' ? 'NORMAL' : 'FULL'}`);
      this.db.pragma('cache_size = -65536');
      // Keep the write-ahead log from staying large after a burst of writes.
      this.db.pragma('journal_size_limit = 67108864');
    } catch (e) {
      this.db.close();
      throw e instanceof StoreOpenError ? e : new StoreOpenError(file, oneLine(e));
    }
    const db = this.db;
    this.stmt = {
      maxRevision: db.prepare('SELECT MAX(revision) AS r FROM kv_log'),
      meta: db.prepare('SELECT value FROM kubets_meta WHERE name = ?').pluck(),
      setMeta: db.prepare('INSERT OR REPLACE INTO kubets_meta (name, value) VALUES (?, ?)'),
      get: db.prepare('SELECT key, create_revision, mod_revision, value FROM kv_current WHERE key = ?').raw(),
      scan: db
        .prepare('SELECT key, create_revision, mod_revision, value FROM kv_current WHERE key >= ? AND key < ? ORDER BY key')
        .raw(),
      // SQLite takes the bare columns from the row that has the MIN().
      firstChanges: db
        .prepare(
          `SELECT key, MIN(revision), prev_create_revision, prev_mod_revision, prev_value FROM kv_log
           WHERE revision > ? AND key >= ? AND key < ? GROUP BY key`,
        )
        .raw(),
      readLog: db
        .prepare(
          `SELECT revision, key, deleted, create_revision, value, prev_create_revision, prev_mod_revision, prev_value
           FROM kv_log WHERE revision >= ? AND revision <= ? AND key >= ? AND key < ? ORDER BY revision LIMIT ?`,
        )
        .raw(),
      insertLog: db.prepare(
        `INSERT INTO kv_log (revision, key, deleted, create_revision, value, prev_create_revision, prev_mod_revision, prev_value)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      putCurrent: db.prepare(
        'INSERT OR REPLACE INTO kv_current (key, create_revision, mod_revision, value) VALUES (?, ?, ?, ?)',
      ),
      deleteCurrent: db.prepare('DELETE FROM kv_current WHERE key = ?'),
      deleteLog: db.prepare(
        'DELETE FROM kv_log WHERE revision < ? AND revision < (SELECT MIN(revision) FROM kv_log) + ?',
      ),
    };
    this.inTransaction = db.transaction((fn: () => void) => fn());
  }

  loadState(): EngineState {
    const { r } = this.stmt.maxRevision.get() as { r: number | null };
    return { revision: r ?? 0, compactRevision: (this.stmt.meta.get('compact_revision') as number | undefined) ?? 0 };
  }

  getCurrent(key: string): StoredRow | undefined {
    const row = this.stmt.get.get(key) as Row | undefined;
    return row && toStoredRow(row);
  }

  *scanCurrent(start: string, end: string): Iterable<StoredRow> {
    for (const row of this.stmt.scan.iterate(start, end) as IterableIterator<Row>) yield toStoredRow(row);
  }

  stateAtForChangedKeys(revision: number, start: string, end: string): Map<string, StoredRow | undefined> {
    const states = new Map<string, StoredRow | undefined>();
    for (const [key, , prevCreate, prevMod, prevValue] of this.stmt.firstChanges.all(revision, start, end) as [
      string,
      number,
      number | null,
      number | null,
      Buffer | null,
    ][]) {
      states.set(key, prevMod === null ? undefined : { key, createRevision: prevCreate!, modRevision: prevMod, value: prevValue! });
    }
    return states;
  }

  readLog(from: number, to: number, start: string, end: string, limit: number): LogEntry[] {
    return (this.stmt.readLog.all(from, to, start, end, limit) as LogRow[]).map(toLogEntry);
  }

  transaction(fn: () => void): void {
    this.inTransaction(fn);
  }

  append(e: LogEntry): void {
    const p = e.prev;
    this.stmt.insertLog.run(
      e.revision,
      e.key,
      e.deleted ? 1 : 0,
      e.createRevision,
      e.deleted ? EMPTY : e.value,
      p ? p.createRevision : null,
      p ? p.modRevision : null,
      p ? p.value : null,
    );
    if (e.deleted) this.stmt.deleteCurrent.run(e.key);
    else this.stmt.putCurrent.run(e.key, e.createRevision, e.revision, e.value);
  }

  setCompactRevision(revision: number): void {
    this.stmt.setMeta.run('compact_revision', revision);
  }

  deleteLogBefore(revision: number, maxEntries: number): number {
    return this.stmt.deleteLog.run(revision, maxEntries).changes;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

const EMPTY = Buffer.alloc(0);

function toStoredRow([key, createRevision, modRevision, value]: Row): StoredRow {
  return { key, createRevision, modRevision, value };
}

function toLogEntry(r: LogRow): LogEntry {
  const [revision, key, deleted, createRevision, value, prevCreate, prevMod, prevValue] = r;
  const prev = prevMod === null ? undefined : { key, createRevision: prevCreate!, modRevision: prevMod, value: prevValue! };
  const entry: LogEntry = { revision, key, deleted: deleted === 1, value: deleted === 1 ? prev!.value : value, createRevision };
  if (prev) entry.prev = prev;
  return entry;
}
