// The storage contract: every Backend implementation runs this same suite (memory, sqlite, and
// later etcd). A new backend is done when it passes all of it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type Backend,
  CompactedError,
  ConflictError,
  FutureRevisionError,
  InvalidContinueError,
  KeyExistsError,
  KeyNotFoundError,
  StoreClosedError,
  type WatchEvent,
  WatchOverflowError,
} from '../../src/storage/index.js';

export type BackendFactory = () => Promise<Backend> | Backend;

const enc = (s: string) => Buffer.from(s);
const dec = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString());

async function take(iter: AsyncIterator<WatchEvent>, n: number): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  while (out.length < n) {
    const r = await iter.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

const brief = (e: WatchEvent) => `${e.type} ${e.key}=${dec(e.value)}@${e.modRevision}`;

export function runConformance(name: string, open: BackendFactory): void {
  describe(`storage conformance: ${name}`, () => {
    let s: Backend;
    let n = 0;
    // Every test works under its own prefix so they do not see each other's keys.
    const ns = () => `/registry/t${++n}/`;
    before(async () => {
      s = await open();
    });
    after(async () => {
      await s.close();
    });

    it('creates a key at a new global revision and reads it back', async () => {
      const p = ns();
      const before = await s.currentRevision();
      const kv = await s.create(p + 'a', enc('1'));
      assert.equal(kv.modRevision, before + 1);
      assert.equal(kv.createRevision, kv.modRevision);
      assert.equal(await s.currentRevision(), before + 1);
      const got = await s.get(p + 'a');
      assert.equal(dec(got?.value), '1');
      assert.equal(got?.modRevision, kv.modRevision);
      assert.equal(await s.get(p + 'missing'), undefined);
    });

    it('refuses to create a key that exists', async () => {
      const p = ns();
      await s.create(p + 'a', enc('1'));
      await assert.rejects(s.create(p + 'a', enc('2')), KeyExistsError);
      assert.equal(dec((await s.get(p + 'a'))?.value), '1');
    });

    it('updates only at the expected revision and keeps the create revision', async () => {
      const p = ns();
      const c = await s.create(p + 'a', enc('1'));
      const u = await s.update(p + 'a', enc('2'), c.modRevision);
      assert.ok(u.modRevision > c.modRevision);
      assert.equal(u.createRevision, c.createRevision);
      const err = await s.update(p + 'a', enc('3'), c.modRevision).catch((e) => e);
      assert.ok(err instanceof ConflictError);
      assert.equal(err.actualModRevision, u.modRevision);
      assert.equal(dec((await s.get(p + 'a'))?.value), '2');
      await assert.rejects(s.update(p + 'nope', enc('x'), 1), KeyNotFoundError);
    });

    it('deletes, with and without a revision precondition', async () => {
      const p = ns();
      const a = await s.create(p + 'a', enc('1'));
      await assert.rejects(s.delete(p + 'a', a.modRevision - 1), ConflictError);
      const d = await s.delete(p + 'a', a.modRevision);
      assert.equal(dec(d.deleted.value), '1');
      assert.ok(d.revision > a.modRevision);
      assert.equal(await s.get(p + 'a'), undefined);
      await assert.rejects(s.delete(p + 'a'), KeyNotFoundError);
      const again = await s.create(p + 'a', enc('2'));
      assert.ok(again.createRevision > d.revision, 'a re-created key has a new create revision');
      await s.delete(p + 'a');
    });

    it('numbers concurrent writes with distinct, increasing revisions (group commit)', async () => {
      const p = ns();
      const before = await s.currentRevision();
      const kvs = await Promise.all(Array.from({ length: 200 }, (_, i) => s.create(`${p}k${i}`, enc(String(i)))));
      const revs = kvs.map((k) => k.modRevision).sort((x, y) => x - y);
      assert.equal(new Set(revs).size, 200);
      assert.equal(revs[0], before + 1);
      assert.equal(revs[199], before + 200);
      assert.equal(await s.currentRevision(), before + 200);
    });

    it('lets exactly one of several racing updates of one revision win', async () => {
      const p = ns();
      const c = await s.create(p + 'a', enc('0'));
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => s.update(p + 'a', enc(String(i + 1)), c.modRevision)),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof ConflictError);
    });

    it('fails a batch-mate on its own without failing the rest of the batch', async () => {
      const p = ns();
      await s.create(p + 'dup', enc('x'));
      const [ok1, bad, ok2] = await Promise.allSettled([
        s.create(p + 'a', enc('1')),
        s.create(p + 'dup', enc('y')),
        s.create(p + 'b', enc('2')),
      ]);
      assert.equal(ok1.status, 'fulfilled');
      assert.equal(bad.status, 'rejected');
      assert.equal(ok2.status, 'fulfilled');
      if (ok1.status === 'fulfilled' && ok2.status === 'fulfilled') {
        assert.equal(ok2.value.modRevision, ok1.value.modRevision + 1, 'a failed write takes no revision');
      }
    });

    it('lists a prefix in key order and nothing outside it', async () => {
      const p = ns();
      for (const k of ['b', 'a', 'c/x', 'c']) await s.create(p + k, enc(k));
      await s.create(p.slice(0, -1) + 'x/z', enc('outside')); // shares the prefix minus its slash
      const res = await s.list(p);
      assert.deepEqual(
        res.items.map((i) => i.key),
        ['a', 'b', 'c', 'c/x'].map((k) => p + k),
      );
      assert.equal(res.revision, await s.currentRevision());
      assert.equal(res.continue, undefined);
      assert.deepEqual((await s.list(p + 'zz/')).items, []);
    });

    it('pages with limit and continue through a consistent snapshot', async () => {
      const p = ns();
      for (let i = 0; i < 10; i++) await s.create(`${p}k${i}`, enc(`v${i}`));
      const first = await s.list(p, { limit: 4 });
      assert.equal(first.items.length, 4);
      assert.ok(first.continue);
      // Change the range between pages: later pages must still show the first page's revision.
      await s.delete(`${p}k5`);
      await s.create(`${p}k45`, enc('new'));
      const k7 = await s.get(`${p}k7`);
      await s.update(`${p}k7`, enc('changed'), k7!.modRevision);
      const seen = [...first.items];
      let token: string | undefined = first.continue;
      while (token) {
        const page = await s.list(p, { limit: 4, continue: token });
        assert.equal(page.revision, first.revision);
        seen.push(...page.items);
        token = page.continue;
      }
      assert.deepEqual(
        seen.map((i) => `${i.key.slice(p.length)}=${dec(i.value)}`),
        Array.from({ length: 10 }, (_, i) => `k${i}=v${i}`),
      );
    });

    it('lists the state at an older revision', async () => {
      const p = ns();
      const a = await s.create(p + 'a', enc('a1'));
      await s.create(p + 'b', enc('b1'));
      const at = await s.currentRevision();
      await s.update(p + 'a', enc('a2'), a.modRevision);
      await s.delete(p + 'b');
      await s.create(p + 'c', enc('c1'));
      const then = await s.list(p, { revision: at });
      assert.equal(then.revision, at);
      assert.deepEqual(
        then.items.map((i) => `${i.key.slice(p.length)}=${dec(i.value)}@${i.modRevision}`),
        [`a=a1@${a.modRevision}`, `b=b1@${at}`],
      );
      const now = await s.list(p);
      assert.deepEqual(
        now.items.map((i) => `${i.key.slice(p.length)}=${dec(i.value)}`),
        ['a=a2', 'c=c1'],
      );
      // Paging in the past merges restored keys into the scan in key order.
      const paged = [];
      let token: string | undefined;
      do {
        const page = await s.list(p, { revision: at, limit: 1, continue: token });
        paged.push(...page.items.map((i) => i.key.slice(p.length)));
        token = page.continue;
      } while (token);
      assert.deepEqual(paged, ['a', 'b']);
    });

    it('refuses future revisions and malformed continue tokens', async () => {
      const p = ns();
      const cur = await s.currentRevision();
      await assert.rejects(s.list(p, { revision: cur + 10 }), FutureRevisionError);
      await assert.rejects(s.list(p, { continue: 'not-a-token' }), InvalidContinueError);
      const forged = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 1, start: '../../etc' })).toString(
        'base64url',
      );
      await assert.rejects(s.list(p, { continue: forged }), InvalidContinueError);
    });

    it('watches creates, updates and deletes under a prefix from now on', async () => {
      const p = ns();
      const w = s.watch(p);
      const it = w[Symbol.asyncIterator]();
      const c = await s.create(p + 'a', enc('1'));
      await s.create(ns() + 'other', enc('not mine'));
      const u = await s.update(p + 'a', enc('2'), c.modRevision);
      const d = await s.delete(p + 'a');
      const evs = await take(it, 3);
      w.close();
      assert.deepEqual(evs.map(brief), [
        `PUT ${p}a=1@${c.modRevision}`,
        `PUT ${p}a=2@${u.modRevision}`,
        `DELETE ${p}a=@${d.revision}`,
      ]);
      assert.equal(evs[0]!.prevValue, undefined);
      assert.equal(evs[0]!.createRevision, c.modRevision);
      assert.equal(dec(evs[1]!.prevValue), '1');
      assert.equal(dec(evs[2]!.prevValue), '2');
      assert.equal((await it.next()).done, true, 'a closed watch ends');
    });

    it('replays history from a past revision, then goes on live without gaps or repeats', async () => {
      const p = ns();
      const first = await s.create(p + 'k0', enc('0'));
      for (let i = 1; i < 2500; i++) await s.create(`${p}k${i}`, enc(String(i))); // several history pages
      const w = s.watch(p, first.modRevision);
      const it = w[Symbol.asyncIterator]();
      const history = await take(it, 2500);
      const live = s.create(p + 'live', enc('L'));
      const [ev] = await take(it, 1);
      w.close();
      assert.deepEqual(
        history.map((e) => dec(e.value)),
        Array.from({ length: 2500 }, (_, i) => String(i)),
      );
      for (let i = 1; i < history.length; i++) assert.ok(history[i]!.modRevision > history[i - 1]!.modRevision);
      assert.equal(ev!.key, p + 'live');
      assert.equal(ev!.modRevision, (await live).modRevision);
    });

    it('starts a watch at a future revision without the events before it', async () => {
      const p = ns();
      const from = (await s.currentRevision()) + 3;
      const w = s.watch(p, from);
      const kvs = [];
      for (let i = 0; i < 4; i++) kvs.push(await s.create(`${p}k${i}`, enc(String(i))));
      const evs = await take(w[Symbol.asyncIterator](), 2);
      w.close();
      assert.deepEqual(
        evs.map((e) => e.modRevision),
        [from, from + 1],
      );
      assert.equal(evs[0]!.key, kvs[2]!.key);
    });

    it('reports progress behind every change delivered so far', async () => {
      const p = ns();
      const w = s.watch(p);
      const it = w[Symbol.asyncIterator]();
      const idle = it.next();
      w.requestProgress();
      const first = (await idle).value!;
      assert.equal(first.type, 'PROGRESS');
      assert.equal(first.modRevision, await s.currentRevision());
      const a = await s.create(p + 'a', enc('1'));
      await s.create(ns() + 'elsewhere', enc('2'));
      w.requestProgress();
      const evs = await take(it, 2);
      w.close();
      assert.deepEqual(
        evs.map((e) => `${e.type}@${e.modRevision}`),
        [`PUT@${a.modRevision}`, `PROGRESS@${a.modRevision + 1}`],
      );
    });

    it('ends a watch when its signal aborts', async () => {
      const ac = new AbortController();
      const w = s.watch(ns(), undefined, { signal: ac.signal });
      const pending = w[Symbol.asyncIterator]().next();
      ac.abort();
      assert.equal((await pending).done, true);
    });

    it('cuts off a watcher that falls behind, with a revision it can resume from', async () => {
      const p = ns();
      const w = s.watch(p, undefined, { maxBufferedEvents: 50 });
      const it = w[Symbol.asyncIterator]();
      const kvs = [];
      for (let i = 0; i < 10; i++) kvs.push(await s.create(`${p}k${i}`, enc(String(i))));
      const read = await take(it, 3); // the reader takes 3 events, then stalls
      for (let i = 10; i < 100; i++) kvs.push(await s.create(`${p}k${i}`, enc(String(i))));
      const err = await take(it, 200).catch((e) => e);
      assert.ok(err instanceof WatchOverflowError, `expected WatchOverflowError, got ${err}`);
      assert.equal(err.resumeRevision, read[2]!.modRevision + 1);
      // Resuming there loses nothing: every event after the last one read comes again.
      const again = s.watch(p, err.resumeRevision);
      const rest = await take(again[Symbol.asyncIterator](), 97);
      again.close();
      assert.deepEqual(
        rest.map((e) => e.modRevision),
        kvs.slice(3).map((k) => k.modRevision),
      );
    });

    it('compacts history: older reads and watches fail as expired, current data stays', async () => {
      const p = ns();
      const a = await s.create(p + 'a', enc('1'));
      const mid = (await s.update(p + 'a', enc('2'), a.modRevision)).modRevision;
      await s.create(p + 'b', enc('3'));
      await s.compact(mid);
      assert.equal(await s.compactedRevision(), mid);
      const err = await s.list(p, { revision: mid - 1 }).catch((e) => e);
      assert.ok(err instanceof CompactedError);
      assert.equal(err.compactedRevision, mid);
      assert.throws(() => s.watch(p, mid - 1), CompactedError);
      const atMid = await s.list(p, { revision: mid });
      assert.deepEqual(
        atMid.items.map((i) => dec(i.value)),
        ['2'],
      );
      const w = s.watch(p, mid);
      const evs = await take(w[Symbol.asyncIterator](), 2);
      w.close();
      assert.deepEqual(
        evs.map((e) => dec(e.value)),
        ['2', '3'],
      );
      assert.deepEqual(
        (await s.list(p)).items.map((i) => dec(i.value)),
        ['2', '3'],
      );
      await assert.rejects(s.compact((await s.currentRevision()) + 5), FutureRevisionError);
      await s.compact(mid - 1); // older than what is compacted: nothing to do
      assert.equal(await s.compactedRevision(), mid);
    });

    it('expires a continue token whose revision was compacted', async () => {
      const p = ns();
      for (let i = 0; i < 3; i++) await s.create(`${p}k${i}`, enc('x'));
      const page = await s.list(p, { limit: 1 });
      await s.create(p + 'later', enc('y'));
      await s.compact(await s.currentRevision());
      await assert.rejects(s.list(p, { limit: 1, continue: page.continue }), CompactedError);
    });

    it('acknowledges pending writes on close and refuses work after', async () => {
      const other = await open();
      const p = ns();
      const pending = other.create(p + 'a', enc('1'));
      await other.close();
      assert.equal((await pending).key, p + 'a');
      await assert.rejects(other.create(p + 'b', enc('2')), StoreClosedError);
      await assert.rejects(other.get(p + 'a'), StoreClosedError);
    });
  });
}
