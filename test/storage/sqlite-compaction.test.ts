// Compaction in the SQLite engine keeps each key's newest entry (the current state is rebuilt from
// the log at start) and forgets everything else before the compacted revision.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openBackend, sqliteFile } from '../../src/storage/index.js';

const enc = (s: string) => Buffer.from(s);
const state = async (s: ReturnType<typeof openBackend>) =>
  (await s.list('/registry/')).items.map((kv) => `${kv.key}=${Buffer.from(kv.value).toString()}@${kv.createRevision}/${kv.modRevision}`);

describe('sqlite compaction', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubets-compact-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps only live entries and later history, and the same state after a restart', async () => {
    let s = openBackend({ datastore: 'sqlite', dataDir });
    for (let i = 0; i < 20; i++) await s.create(`/registry/k${i}`, enc('v0'));
    // Churn: update every key 10 times, delete 5 keys, delete and re-create 5 others.
    for (let round = 1; round <= 10; round++) {
      for (let i = 0; i < 20; i++) {
        const kv = (await s.get(`/registry/k${i}`))!;
        await s.update(kv.key, enc(`v${round}`), kv.modRevision);
      }
    }
    for (let i = 0; i < 5; i++) await s.delete(`/registry/k${i}`);
    for (let i = 5; i < 10; i++) {
      await s.delete(`/registry/k${i}`);
      await s.create(`/registry/k${i}`, enc('again'));
    }
    const compactTo = await s.currentRevision();
    await s.create('/registry/after', enc('x'));
    const before = await state(s);
    await s.compact(compactTo);
    assert.deepEqual(await state(s), before);
    const atCompacted = (await s.list('/registry/', { revision: compactTo })).items.length;
    assert.equal(atCompacted, 15);
    await s.close();

    // 15 live keys from before the compacted revision, plus the one entry written after it.
    const db = new Database(sqliteFile(dataDir), { readonly: true });
    const rows = db.prepare('SELECT COUNT(*) FROM kv_log').pluck().get();
    db.close();
    assert.equal(rows, 16);

    s = openBackend({ datastore: 'sqlite', dataDir });
    try {
      assert.deepEqual(await state(s), before);
      assert.equal((await s.list('/registry/', { revision: compactTo })).items.length, 15);
      for (let i = 0; i < 5; i++) assert.equal(await s.get(`/registry/k${i}`), undefined, 'deleted keys stay deleted');
      const w = s.watch('/registry/', compactTo);
      const it = w[Symbol.asyncIterator]();
      const first = (await it.next()).value!;
      const second = (await it.next()).value!;
      w.close();
      assert.deepEqual([first.type, first.key, first.modRevision], ['PUT', '/registry/k9', compactTo]);
      assert.equal(Buffer.from(first.value).toString(), 'again');
      assert.equal(second.key, '/registry/after');
    } finally {
      await s.close();
    }
  });
});
