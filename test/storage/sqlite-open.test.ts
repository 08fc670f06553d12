// Opening the sqlite datastore over files it can not use must fail with one clear line that
// names the file, and must leave the file exactly as it was. A healthy file must come back with
// its data, revision and compacted revision.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import {
  CompactedError,
  KeyNotFoundError,
  StoreOpenError,
  isStorageError,
  openBackend,
  sqliteFile,
} from '../../src/storage/index.js';

const enc = (s: string) => Buffer.from(s);
const dec = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString());
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

const dirs: string[] = [];
function tempDataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kubets-open-'));
  dirs.push(d);
  return d;
}

/** A data directory whose state.db is a closed kubets database holding some keys. */
async function realDatabase(keys = 200): Promise<string> {
  const dataDir = tempDataDir();
  const s = openBackend({ datastore: 'sqlite', dataDir });
  const writes = [];
  for (let i = 0; i < keys; i++) writes.push(s.create(`/registry/pods/default/p${i}`, randomBytes(400)));
  await Promise.all(writes);
  await s.close();
  return dataDir;
}

/** A data directory whose state.db is written by `make` (given the file's path). */
function dataDirWith(make: (file: string) => void): { dataDir: string; file: string } {
  const dataDir = tempDataDir();
  const file = sqliteFile(dataDir);
  mkdirSync(dirname(file), { recursive: true });
  make(file);
  return { dataDir, file };
}

function expectOpenError(dataDir: string, file: string, reason: RegExp): void {
  const before = sha256(file);
  let error: unknown;
  try {
    const s = openBackend({ datastore: 'sqlite', dataDir });
    void s.close();
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof StoreOpenError, `expected StoreOpenError, got ${String(error)}`);
  assert.ok(isStorageError(error, 'Open'));
  const message = error.message;
  assert.ok(!/[\r\n]/.test(message), `message is not one line: ${JSON.stringify(message)}`);
  assert.ok(message.includes(file), `message does not name ${file}: ${message}`);
  assert.equal(error.file, file);
  assert.match(message, reason);
  assert.equal(sha256(file), before, `the file was changed by the failed open (${message})`);
}

after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('sqlite datastore: opening bad data files', () => {
  it('refuses a file of random bytes', () => {
    const { dataDir, file } = dataDirWith((f) => writeFileSync(f, randomBytes(16_384)));
    expectOpenError(dataDir, file, /not an SQLite database/);
  });

  it('refuses a truncated copy of a kubets database', async () => {
    const source = sqliteFile(await realDatabase());
    const { dataDir, file } = dataDirWith((f) => writeFileSync(f, readFileSync(source).subarray(0, 3000)));
    expectOpenError(dataDir, file, /corrupt|malformed/i);
  });

  it('refuses a kubets database cut at a page boundary', async () => {
    const source = sqliteFile(await realDatabase(500));
    const bytes = readFileSync(source);
    const pageSize = bytes.readUInt16BE(16) === 1 ? 65536 : bytes.readUInt16BE(16);
    assert.ok(bytes.length >= 4 * pageSize, 'the source database should span several pages');
    const { dataDir, file } = dataDirWith((f) => writeFileSync(f, bytes.subarray(0, 2 * pageSize)));
    expectOpenError(dataDir, file, /corrupt|malformed/i);
  });

  it("refuses another application's SQLite database", () => {
    const { dataDir, file } = dataDirWith((f) => {
      const db = new Database(f);
      db.exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)`);
      db.prepare(`INSERT INTO users (name) VALUES (?), (?)`).run('alice', 'bob');
      db.close();
    });
    expectOpenError(dataDir, file, /not a kubets database.*users/);
  });

  it('refuses a kubets database of a newer schema version', async () => {
    const dataDir = await realDatabase(20);
    const file = sqliteFile(dataDir);
    const db = new Database(file);
    db.prepare(`UPDATE kubets_meta SET value = 999 WHERE name = 'schema_version'`).run();
    db.close();
    expectOpenError(dataDir, file, /newer.*999/);
  });
  it('refuses a directory where the database file should be', () => {
    const dataDir = tempDataDir();
    const file = sqliteFile(dataDir);
    mkdirSync(file, { recursive: true });
    let error: unknown;
    try {
      void openBackend({ datastore: 'sqlite', dataDir }).close();
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof StoreOpenError, `expected StoreOpenError, got ${String(error)}`);
    assert.ok(!/[\r\n]/.test(error.message), `message is not one line: ${JSON.stringify(error.message)}`);
    assert.ok(error.message.includes(file), `message does not name ${file}: ${error.message}`);
    assert.ok(statSync(file).isDirectory());
    assert.deepEqual(readdirSync(file), []);
  });
});

describe('sqlite datastore: reopening a healthy database', () => {
  it('keeps data, revision and compacted revision, and continues the revisions', async () => {
    const dataDir = tempDataDir();
    let s = openBackend({ datastore: 'sqlite', dataDir });
    const a = await s.create('/registry/cm/a', enc('a1'));
    const b = await s.create('/registry/cm/b', enc('b1'));
    const c = await s.create('/registry/cm/c', enc('c1'));
    const a2 = await s.update('/registry/cm/a', enc('a2'), a.modRevision);
    await s.compact(a2.modRevision);
    const del = await s.delete('/registry/cm/b');
    const c2 = await s.update('/registry/cm/c', enc('c2'), c.modRevision);
    const revision = await s.currentRevision();
    assert.equal(revision, c2.modRevision);
    await s.close();

    s = openBackend({ datastore: 'sqlite', dataDir });
    try {
      assert.equal(await s.currentRevision(), revision);
      assert.equal(await s.compactedRevision(), a2.modRevision);
      assert.deepEqual(
        (await s.list('/registry/cm/')).items.map((kv) => [kv.key, dec(kv.value), kv.createRevision, kv.modRevision]),
        [
          ['/registry/cm/a', 'a2', a.createRevision, a2.modRevision],
          ['/registry/cm/c', 'c2', c.createRevision, c2.modRevision],
        ],
      );
      // History after the compacted revision is still there; before it, it is gone.
      const old = await s.list('/registry/cm/', { revision: a2.modRevision });
      assert.deepEqual(
        old.items.map((kv) => [kv.key, dec(kv.value)]),
        [
          ['/registry/cm/a', 'a2'],
          ['/registry/cm/b', 'b1'],
          ['/registry/cm/c', 'c1'],
        ],
      );
      await assert.rejects(s.list('/registry/cm/', { revision: b.modRevision }), CompactedError);
      assert.throws(() => s.watch('/registry/cm/', b.modRevision), CompactedError);
      const w = s.watch('/registry/cm/', a2.modRevision + 1);
      const it = w[Symbol.asyncIterator]();
      const e1 = (await it.next()).value;
      const e2 = (await it.next()).value;
      w.close();
      assert.deepEqual([e1.type, e1.key, e1.modRevision], ['DELETE', '/registry/cm/b', del.revision]);
      assert.deepEqual([e2.type, e2.key, dec(e2.value), e2.modRevision], ['PUT', '/registry/cm/c', 'c2', c2.modRevision]);

      // Writing goes on from the stored revision.
      const d = await s.create('/registry/cm/d', enc('d1'));
      assert.equal(d.modRevision, revision + 1);
      const a3 = await s.update('/registry/cm/a', enc('a3'), a2.modRevision);
      assert.equal(a3.modRevision, revision + 2);
      assert.equal(a3.createRevision, a.createRevision);
      await assert.rejects(s.update('/registry/cm/b', enc('x'), b.modRevision), KeyNotFoundError);
      // A key deleted before the restart can be created again, at a new revision.
      const b2 = await s.create('/registry/cm/b', enc('b2'));
      assert.equal(b2.createRevision, revision + 3);
      assert.equal(await s.currentRevision(), revision + 3);
    } finally {
      await s.close();
    }

    // Compacting everything away, then reopening, still keeps the revision.
    s = openBackend({ datastore: 'sqlite', dataDir });
    const top = await s.currentRevision();
    assert.equal(top, revision + 3);
    await s.compact(top);
    await s.close();
    s = openBackend({ datastore: 'sqlite', dataDir });
    try {
      assert.equal(await s.currentRevision(), top);
      assert.equal(await s.compactedRevision(), top);
      assert.equal((await s.list('/registry/cm/')).items.length, 4);
      const e = await s.create('/registry/cm/e', enc('e1'));
      assert.equal(e.modRevision, top + 1);
    } finally {
      await s.close();
    }
  });

  it('reopens a copy taken while the store was closed', async () => {
    // The closed store must be whole in state.db alone (its write-ahead log checkpointed).
    const source = await realDatabase(50);
    const dataDir = tempDataDir();
    mkdirSync(dirname(sqliteFile(dataDir)), { recursive: true });
    copyFileSync(sqliteFile(source), sqliteFile(dataDir));
    const s = openBackend({ datastore: 'sqlite', dataDir });
    try {
      assert.equal(await s.currentRevision(), 50);
      assert.equal((await s.list('/registry/pods/')).items.length, 50);
    } finally {
      await s.close();
    }
  });
});
