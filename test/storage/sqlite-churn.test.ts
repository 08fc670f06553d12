// Long churn on the sqlite datastore with the compactor running: 200,000 updates of 100 keys
// must leave the database file (with its write-ahead log) bounded, not growing with the number
// of writes, because compaction keeps forgetting history.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Compactor, type KeyValue, openBackend, sqliteFile } from '../../src/storage/index.js';

const KEYS = 100;
const WRITERS = 64;
const UPDATES = 200_000;
const SAMPLE_EVERY = 10_000;
const REFERENCE_AT = 50_000;
const RETAIN_REVISIONS = 5_000;
const MiB = 1024 * 1024;

function storeSize(file: string): { db: number; wal: number; total: number } {
  const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
  const db = size(file);
  const wal = size(`${file}-wal`);
  return { db, wal, total: db + wal };
}

const mib = (n: number) => (n / MiB).toFixed(1);

describe('sqlite datastore: churn with compaction', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubets-churn-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it(`stays bounded over ${UPDATES} updates of ${KEYS} keys`, { timeout: 120_000 }, async (t) => {
    const started = performance.now();
    const file = sqliteFile(dataDir);
    const backend = openBackend({ datastore: 'sqlite', dataDir });
    const aborter = new AbortController();
    const compactor = new Compactor({
      backend,
      policy: { intervalMs: 50, retainMs: 100, retainRevisions: RETAIN_REVISIONS },
    });
    let compactorDone: Promise<void> | undefined;
    try {
      // A fixed pool of ~200-byte values, so the payload costs nothing to make.
      const values = Array.from({ length: 256 }, () => randomBytes(200));
      const keys: KeyValue[] = [];
      for (let k = 0; k < KEYS; k++) keys.push(await backend.create(`/registry/configmaps/churn/k${k}`, values[k]!));

      compactorDone = compactor.start(aborter.signal);

      const samples: { updates: number; db: number; wal: number; total: number }[] = [];
      let issued = 0;
      let done = 0;
      // Writer w owns the keys k with k % WRITERS === w, so its expected revisions never go stale.
      const latest = [...keys];
      const writer = async (w: number) => {
        const own = latest.map((_, k) => k).filter((k) => k % WRITERS === w);
        for (let i = 0; issued < UPDATES; i++) {
          issued++;
          const k = own[i % own.length]!;
          const kv = latest[k]!;
          latest[k] = await backend.update(kv.key, values[(issued + w) % values.length]!, kv.modRevision);
          done++;
          if (done % SAMPLE_EVERY === 0) {
            samples.push({ updates: done, ...storeSize(file) });
            if (done % 50_000 === 0) {
              const s = samples[samples.length - 1]!;
              t.diagnostic(
                `${done} updates after ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
                  `db ${mib(s.db)} MiB + wal ${mib(s.wal)} MiB, compacted to ${await backend.compactedRevision()}`,
              );
            }
          }
        }
      };
      await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
      assert.equal(done, UPDATES);

      const current = await backend.currentRevision();
      assert.equal(current, KEYS + UPDATES);
      const compacted = await backend.compactedRevision();
      // Let the running compactor catch up with the last writes (bounded wait).
      let finalCompacted = compacted;
      for (let i = 0; i < 40 && finalCompacted < current - RETAIN_REVISIONS; i++) {
        await new Promise((r) => setTimeout(r, 50));
        finalCompacted = await backend.compactedRevision();
      }
      samples.push({ updates: done, ...storeSize(file) });

      const reference = samples.find((s) => s.updates === REFERENCE_AT)!;
      const max = Math.max(...samples.map((s) => s.total));
      const final = samples[samples.length - 1]!;
      t.diagnostic(
        `size at ${REFERENCE_AT}: ${mib(reference.total)} MiB; max: ${mib(max)} MiB; final: db ${mib(final.db)} + wal ${mib(final.wal)} MiB; ` +
          `revision ${current}, compacted to ${finalCompacted}`,
      );
      t.diagnostic(`sizes (MiB) every ${SAMPLE_EVERY}: ${samples.map((s) => mib(s.total)).join(' ')}`);

      // The compactor kept up: history was forgotten up to (nearly) the retained window.
      assert.ok(finalCompacted > 0, 'the compactor never compacted');
      assert.ok(
        finalCompacted >= current - 4 * RETAIN_REVISIONS,
        `compaction fell behind: compacted to ${finalCompacted} at revision ${current}`,
      );
      // Four times the writes after 50k must not make the store grow with them.
      assert.ok(max < 3 * reference.total, `store grew from ${mib(reference.total)} MiB at ${REFERENCE_AT} updates to ${mib(max)} MiB`);
      assert.ok(max < 64 * MiB, `store reached ${mib(max)} MiB`);

      // The data is whole: every key holds its last write.
      const listed = await backend.list('/registry/configmaps/churn/');
      assert.equal(listed.items.length, KEYS);
      const byKey = new Map(listed.items.map((kv) => [kv.key, kv]));
      for (const want of latest) {
        const got = byKey.get(want.key);
        assert.ok(got, `${want.key} is missing`);
        assert.equal(got.modRevision, want.modRevision, `${want.key} is not at its last update`);
        assert.ok(Buffer.from(got.value).equals(Buffer.from(want.value)), `${want.key} holds another value`);
        assert.ok(got.modRevision > KEYS, `${want.key} was never updated`);
      }
    } finally {
      aborter.abort();
      await compactorDone;
      await backend.close();
      t.diagnostic(`duration ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
  });
});
