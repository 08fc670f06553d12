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

// Rows are read with .raw(): arrays are cheaper to build than objects.
type EntryRow = [
  revision: number,
  key: string,
  deleted: number,
  createRevision: number,
  value: Buffer,
  prevRevision: number | null,
  prevCreateRevision: number | null,
  prevValue: Buffer | null,
];

const WITH_PREV = `SELECT l.revision, l.key, l.deleted, l.create_revision, l.value, p.revision, p.create_revision, p.value
  FROM kv_log l LEFT JOIN kv_log p ON p.revision = l.prev_revision`;

/**
 * The embedded default: one SQLite database file in WAL mode holding the revision log, written
 * through group commits. Appends are sequential, which keeps the pages written per commit few.
 */
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
      maxRevision: db.prepare('SELECT MAX(revision) FROM kv_log').pluck(),
      meta: db.prepare('SELECT value FROM kubets_meta WHERE name = ?').pluck(),
      setMeta: db.prepare('INSERT OR REPLACE INTO kubets_meta (name, value) VALUES (?, ?)'),
      all: db.prepare('SELECT key, deleted, create_revision, revision, value FROM kv_log ORDER BY revision').raw(),
      // SQLite takes the bare columns from the row that has the MIN().
      firstChanges: db
        .prepare(
          `SELECT l.key, MIN(l.revision), p.revision, p.create_revision, p.value
           FROM kv_log l LEFT JOIN kv_log p ON p.revision = l.prev_revision
           WHERE l.revision > ? AND l.key >= ? AND l.key < ? GROUP BY l.key`,
        )
        .raw(),
      readLog: db
        .prepare(
          `${WITH_PREV} WHERE l.revision >= ? AND l.revision <= ? AND l.key >= ? AND l.key < ?
           ORDER BY l.revision LIMIT ?`,
        )
        .raw(),
      append: db.prepare(
        `INSERT INTO kv_log (revision, key, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      // Compaction: an entry replaced by a later one before the compacted revision is history;
      // so is a deletion before it. A key's newest entry always stays.
      deleteReplaced: db.prepare(
        `DELETE FROM kv_log WHERE revision IN
           (SELECT prev_revision FROM kv_log WHERE revision >= ? AND revision < ? AND prev_revision IS NOT NULL)`,
      ),
      deleteTombstones: db.prepare('DELETE FROM kv_log WHERE revision >= ? AND revision < ? AND deleted = 1'),
    };
    this.inTransaction = db.transaction((fn: () => void) => fn());
  }

  loadState(): EngineState {
    return {
      revision: (this.stmt.maxRevision.get() as number | null) ?? 0,
      compactRevision: this.metaValue('compact_revision'),
    };
  }

  *loadCurrent(): Iterable<StoredRow> {
    const live = new Map<string, StoredRow>();
    for (const [key, deleted, createRevision, modRevision, value] of this.stmt.all.iterate() as IterableIterator<
      [string, number, number, number, Buffer]
    >) {
      if (deleted) live.delete(key);
      else live.set(key, { key, value, createRevision, modRevision });
    }
    yield* live.values();
  }

  stateAtForChangedKeys(revision: number, start: string, end: string): Map<string, StoredRow | undefined> {
    const states = new Map<string, StoredRow | undefined>();
    const rows = this.stmt.firstChanges.all(revision, start, end) as [
      string,
      number,
      number | null,
      number | null,
      Buffer | null,
    ][];
    for (const [key, , prevRevision, prevCreate, prevValue] of rows) {
      states.set(
        key,
        prevRevision === null ? undefined : { key, createRevision: prevCreate!, modRevision: prevRevision, value: prevValue! },
      );
    }
    return states;
  }

  readLog(from: number, to: number, start: string, end: string, limit: number): LogEntry[] {
    return (this.stmt.readLog.all(from, to, start, end, limit) as EntryRow[]).map(toLogEntry);
  }

  transaction(fn: () => void): void {
    this.inTransaction(fn);
  }

  append(e: LogEntry): void {
    this.stmt.append.run(
      e.revision,
      e.key,
      e.deleted ? 1 : 0,
      e.createRevision,
      e.prev ? e.prev.modRevision : null,
      e.deleted ? EMPTY : e.value,
    );
  }

  setCompactRevision(revision: number): void {
    this.stmt.setMeta.run('compact_revision', revision);
  }

  compactStep(revision: number, maxRevisions: number): number {
    const from = this.metaValue('compacted_through');
    const to = Math.min(from + maxRevisions, revision);
    if (to <= from) return 0;
    this.inTransaction(() => {
      this.stmt.deleteReplaced.run(from, to);
      this.stmt.deleteTombstones.run(from, to);
      this.stmt.setMeta.run('compacted_through', to);
    });
    return to - from;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private metaValue(name: string): number {
    return (this.stmt.meta.get(name) as number | undefined) ?? 0;
  }
}

const EMPTY = Buffer.alloc(0);

function toLogEntry(r: EntryRow): LogEntry {
  const [revision, key, deleted, createRevision, value, prevRevision, prevCreate, prevValue] = r;
  const prev =
    prevRevision === null ? undefined : { key, createRevision: prevCreate!, modRevision: prevRevision, value: prevValue! };
  const entry: LogEntry = { revision, key, deleted: deleted === 1, value: deleted === 1 ? prev!.value : value, createRevision };
  if (prev) entry.prev = prev;
  return entry;
}
