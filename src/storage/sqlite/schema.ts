import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { StoreOpenError } from '../errors.js';

/** The schema this build writes; files with a newer one are refused, never rewritten. */
export const SCHEMA_VERSION = 1;

const SQLITE_MAGIC = 'SQLite format 3\0';

const CREATE_SCHEMA = `
CREATE TABLE kubets_meta (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
-- One entry per revision. prev_revision is the entry this one replaced (NULL: the key did not
-- exist before). A deletion stores an empty value; the deleted value is its prev entry's.
-- Compaction keeps every key's newest entry, so the current state is rebuilt from this table.
CREATE TABLE kv_log (
  revision        INTEGER PRIMARY KEY,
  key             TEXT NOT NULL,
  deleted         INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision   INTEGER,
  value           BLOB NOT NULL
);
`;

/** Refuses, before SQLite touches it, a file that is not an SQLite database at all. */
export function checkFileHeader(file: string): void {
  if (!existsSync(file)) return;
  const header = Buffer.alloc(16);
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new StoreOpenError(file, 'not a regular file');
    // SQLite itself starts an empty file as a new database: that is how a fresh store begins.
    if (stat.size === 0) return;
    const fd = openSync(file, 'r');
    try {
      readSync(fd, header, 0, 16, 0);
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw e instanceof StoreOpenError ? e : new StoreOpenError(file, oneLine(e));
  }
  if (header.toString('latin1') !== SQLITE_MAGIC) {
    throw new StoreOpenError(file, 'not an SQLite database (corrupt, or a file of another kind); nothing was changed');
  }
}

/**
 * Creates the schema in an empty database, or checks that an existing one is a kubets store this
 * build can read. Nothing is written to a database that fails the check.
 */
export function ensureSchema(db: BetterSqlite3.Database, file: string): void {
  let tables: string[];
  try {
    tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map(
      (t) => t.name,
    );
  } catch (e) {
    throw new StoreOpenError(file, `database is corrupt (${oneLine(e)}); nothing was changed`);
  }
  if (tables.length === 0) {
    db.transaction(() => {
      db.exec(CREATE_SCHEMA);
      db.prepare(`INSERT INTO kubets_meta (name, value) VALUES ('schema_version', ?), ('compact_revision', 0), ('compacted_through', 0)`).run(
        SCHEMA_VERSION,
      );
    })();
    return;
  }
  if (!tables.includes('kubets_meta')) {
    const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', ...' : '');
    throw new StoreOpenError(file, `not a kubets database (it holds tables ${shown}); nothing was changed`);
  }
  let version: number | undefined;
  try {
    const row = db.prepare(`SELECT value FROM kubets_meta WHERE name = 'schema_version'`).get() as
      | { value: number }
      | undefined;
    version = row?.value;
  } catch (e) {
    throw new StoreOpenError(file, `database is corrupt (${oneLine(e)}); nothing was changed`);
  }
  if (version === undefined) throw new StoreOpenError(file, 'kubets database without a schema version; nothing was changed');
  if (version > SCHEMA_VERSION) {
    throw new StoreOpenError(
      file,
      `written by a newer kubets (schema version ${version}; this build reads up to ${SCHEMA_VERSION}); nothing was changed`,
    );
  }
  for (const t of ['kv_log']) {
    if (!tables.includes(t)) throw new StoreOpenError(file, `database is corrupt (table ${t} is missing); nothing was changed`);
  }
}

export function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}
