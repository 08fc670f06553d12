// Crash durability of the sqlite datastore: a child process writes with many concurrent writers
// and is killed with SIGKILL at a random moment, several times over the same data directory.
// After every crash the store must hold every write the child acknowledged, no half-applied
// write, and revisions that go on increasing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { type Backend, type KeyValue, openBackend } from '../../src/storage/index.js';

const WRITER_SCRIPT = fileURLToPath(new URL('./fixtures/crash-writer.js', import.meta.url));
const HOT_PREFIX = '/registry/hot/';
const CYCLES = 5;
const WRITERS = 32;

interface Ack {
  key: string;
  modRevision: number;
  createRevision: number;
  hash: string;
}

const hash = (v: Uint8Array) => createHash('sha256').update(v).digest('hex');

interface RunResult {
  acks: Ack[];
  readyRevision: number;
  ranMs: number;
}

/** Starts the writer, kills it with SIGKILL 100-800 ms after it is ready, returns what it acknowledged. */
function runAndKill(dataDir: string, cycle: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER_SCRIPT, dataDir, String(cycle), String(WRITERS)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let readyRevision = -1;
    let killedAt = 0;
    let readyAt = 0;
    const timeout = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`writer did not become ready in time; stderr: ${err}`));
    }, 10_000);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (readyRevision < 0) {
        const m = /^ready (\d+)$/m.exec(out);
        if (m) {
          readyRevision = Number(m[1]);
          readyAt = Date.now();
          clearTimeout(timeout);
          setTimeout(
            () => {
              killedAt = Date.now();
              child.kill('SIGKILL');
            },
            100 + Math.floor(Math.random() * 700),
          );
        }
      }
    });
    child.stderr.on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timeout);
      if (signal !== 'SIGKILL' || killedAt === 0) {
        reject(new Error(`writer exited on its own (code ${code}, signal ${signal}); stderr: ${err}`));
        return;
      }
      // Only complete lines count: the last one may have been cut by the kill.
      const lines = out.split('\n');
      lines.pop();
      const acks: Ack[] = [];
      for (const line of lines) {
        const parts = line.split(' ');
        if (parts[0] !== 'ack') continue;
        assert.equal(parts.length, 5, `malformed ack line: ${line}`);
        acks.push({ key: parts[1]!, modRevision: Number(parts[2]), createRevision: Number(parts[3]), hash: parts[4]! });
      }
      resolve({ acks, readyRevision, ranMs: killedAt - readyAt });
    });
  });
}

interface Row {
  hash: string;
  createRevision: number;
  modRevision: number;
}

const toRow = (kv: { value: Uint8Array; createRevision: number; modRevision: number }): Row => ({
  hash: hash(kv.value),
  createRevision: kv.createRevision,
  modRevision: kv.modRevision,
});

/**
 * Checks that the current rows are exactly what the history folds to: the state listed at the
 * compacted revision (or nothing, when nothing was compacted) plus every later event replayed
 * by a watch. A row that does not match its newest log entry (a half-applied write) shows here.
 */
async function checkCurrentMatchesLog(s: Backend): Promise<{ current: number; keys: number }> {
  const current = await s.currentRevision();
  const compacted = await s.compactedRevision();
  const listed = await s.list('/registry/', { revision: current });
  assert.equal(listed.continue, undefined);
  const state = new Map<string, Row>();
  let from = 1;
  if (compacted > 0) {
    for (const kv of (await s.list('/registry/', { revision: compacted })).items) state.set(kv.key, toRow(kv));
    from = compacted + 1;
  }
  if (current >= from) {
    const w = s.watch('/registry/', from);
    let expected = from;
    for await (const ev of w) {
      // Every revision is one write: the replay has no gaps and no repeats.
      assert.equal(ev.modRevision, expected, 'history replay skipped or repeated a revision');
      expected++;
      if (ev.type === 'PUT') {
        const before = state.get(ev.key);
        if (before) assert.equal(ev.createRevision, before.createRevision, `create revision of ${ev.key} changed`);
        else assert.equal(ev.createRevision, ev.modRevision, `${ev.key} created without its create revision`);
        state.set(ev.key, { hash: hash(ev.value), createRevision: ev.createRevision, modRevision: ev.modRevision });
      } else {
        state.delete(ev.key);
      }
      if (ev.modRevision === current) break;
    }
    w.close();
    assert.equal(expected, current + 1, 'history replay ended before the current revision');
  }
  const fromList = new Map(listed.items.map((kv: KeyValue) => [kv.key, toRow(kv)]));
  assert.equal(fromList.size, state.size, 'current rows and folded history hold different numbers of keys');
  for (const [key, row] of state) assert.deepEqual(fromList.get(key), row, `current row of ${key} differs from its newest log entry`);
  return { current, keys: state.size };
}

describe('sqlite datastore: crash durability under SIGKILL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubets-crash-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it(`keeps every acknowledged write across ${CYCLES} kill/restart cycles`, { timeout: 30_000 }, async (t) => {
    /** Every create-once key acknowledged so far. */
    const once = new Map<string, Ack>();
    /** The newest acknowledged modRevision (and its value) of each hot key. */
    const hot = new Map<string, Ack>();
    let maxAckedBefore = 0;
    let revisionAfterLastCrash = 0;
    let totalAcks = 0;

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const { acks, readyRevision, ranMs } = await runAndKill(dataDir, cycle);
      totalAcks += acks.length;
      assert.ok(acks.length > 0, `cycle ${cycle}: the writer acknowledged nothing in ${ranMs} ms`);

      // The writer started from where the store was after the last crash...
      assert.ok(readyRevision >= revisionAfterLastCrash, `cycle ${cycle}: store went back from ${revisionAfterLastCrash} to ${readyRevision}`);
      // ...and every revision it handed out is new: above every revision acknowledged before,
      // and above every revision the store held when it was reopened.
      const minAcked = Math.min(...acks.map((a) => a.modRevision));
      assert.ok(minAcked > maxAckedBefore, `cycle ${cycle}: revision ${minAcked} acknowledged again after restart (had ${maxAckedBefore})`);
      assert.ok(minAcked > revisionAfterLastCrash, `cycle ${cycle}: revision ${minAcked} reused (store was at ${revisionAfterLastCrash})`);
      const seen = new Set<number>();
      for (const a of acks) {
        assert.ok(!seen.has(a.modRevision), `cycle ${cycle}: revision ${a.modRevision} acknowledged twice`);
        seen.add(a.modRevision);
        if (a.key.startsWith(HOT_PREFIX)) {
          const prev = hot.get(a.key);
          if (!prev || a.modRevision > prev.modRevision) hot.set(a.key, a);
        } else {
          assert.ok(!once.has(a.key), `key ${a.key} acknowledged as created twice`);
          assert.equal(a.createRevision, a.modRevision);
          once.set(a.key, a);
        }
      }
      maxAckedBefore = Math.max(maxAckedBefore, ...acks.map((a) => a.modRevision));

      const s = openBackend({ datastore: 'sqlite', dataDir });
      try {
        const current = await s.currentRevision();
        assert.ok(current >= maxAckedBefore, `cycle ${cycle}: store is at ${current}, below acknowledged revision ${maxAckedBefore}`);
        for (const a of once.values()) {
          const kv = await s.get(a.key);
          assert.ok(kv, `acknowledged key ${a.key} (revision ${a.modRevision}) is missing after crash ${cycle}`);
          assert.deepEqual(toRow(kv), { hash: a.hash, createRevision: a.createRevision, modRevision: a.modRevision }, `acknowledged key ${a.key} changed after crash ${cycle}`);
        }
        for (const a of hot.values()) {
          const kv = await s.get(a.key);
          assert.ok(kv, `hot key ${a.key} is missing after crash ${cycle}`);
          assert.ok(kv.modRevision >= a.modRevision, `hot key ${a.key} went back from acknowledged ${a.modRevision} to ${kv.modRevision}`);
          if (kv.modRevision === a.modRevision) assert.equal(hash(kv.value), a.hash, `hot key ${a.key} holds another value at ${a.modRevision}`);
        }
        const { keys } = await checkCurrentMatchesLog(s);
        revisionAfterLastCrash = current;
        t.diagnostic(`cycle ${cycle}: ran ${ranMs} ms, ${acks.length} acks, store at revision ${current} with ${keys} keys`);
      } finally {
        await s.close();
      }
    }
    t.diagnostic(`${totalAcks} acknowledged writes checked over ${CYCLES} crashes`);
  });
});
