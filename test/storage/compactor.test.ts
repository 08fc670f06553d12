// Compactor policy over the memory backend, with a clock the test moves by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Backend, Compactor, openBackend } from '../../src/storage/index.js';

async function write(s: Backend, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await s.currentRevision();
    await s.create(`/registry/c/k${r + 1}`, Buffer.from('v'));
  }
}

function setup(policy: { retainMs: number; retainRevisions: number }) {
  const backend = openBackend({ datastore: 'memory' });
  const clock = { now: 1_000_000 };
  const compactor = new Compactor({ backend, policy: { intervalMs: 1_000, ...policy }, now: () => clock.now });
  return { backend, clock, compactor };
}

describe('Compactor.compactOnce', () => {
  it('does nothing on an empty store', async () => {
    const { backend, clock, compactor } = setup({ retainMs: 0, retainRevisions: 0 });
    assert.equal(await compactor.compactOnce(), undefined);
    clock.now += 10_000;
    assert.equal(await compactor.compactOnce(), undefined);
    assert.equal(await backend.compactedRevision(), 0);
    await backend.close();
  });

  it('compacts nothing before retainMs has passed, then to the revision sampled retainMs ago', async () => {
    const { backend, clock, compactor } = setup({ retainMs: 60_000, retainRevisions: 1_000_000 });
    await write(backend, 10); // revision 10 at t=0
    assert.equal(await compactor.compactOnce(), undefined);
    clock.now += 30_000;
    await write(backend, 10); // revision 20 at t=30s
    assert.equal(await compactor.compactOnce(), undefined);
    clock.now += 29_999;
    await write(backend, 10); // revision 30 at t=59.999s
    assert.equal(await compactor.compactOnce(), undefined, 'compacted before retainMs had passed');
    assert.equal(await backend.compactedRevision(), 0);

    clock.now += 1; // t=60s: the sample of t=0 (revision 10) is now old enough
    await write(backend, 10); // revision 40
    assert.equal(await compactor.compactOnce(), 10);
    assert.equal(await backend.compactedRevision(), 10);

    clock.now += 15_000; // t=75s: nothing sampled in (0s, 15s], still revision 10
    await write(backend, 5); // revision 45
    assert.equal(await compactor.compactOnce(), undefined);
    assert.equal(await backend.compactedRevision(), 10);

    clock.now += 15_000; // t=90s: the sample of t=30s (revision 20)
    assert.equal(await compactor.compactOnce(), 20);
    clock.now += 60_000; // t=150s: every sample up to t=90s (revision 45) is old enough
    assert.equal(await compactor.compactOnce(), 45);
    assert.equal(await backend.compactedRevision(), 45);
    assert.equal(await backend.currentRevision(), 45);
    await backend.close();
  });

  it('compacts to current - retainRevisions, even inside the time window', async () => {
    const { backend, clock, compactor } = setup({ retainMs: 3_600_000, retainRevisions: 25 });
    await write(backend, 20);
    assert.equal(await compactor.compactOnce(), undefined, 'fewer revisions than retainRevisions');
    await write(backend, 30); // revision 50
    assert.equal(await compactor.compactOnce(), 25);
    clock.now += 1_000;
    await write(backend, 10); // revision 60
    assert.equal(await compactor.compactOnce(), 35);
    assert.equal(await compactor.compactOnce(), undefined, 'nothing new to forget');
    assert.equal(await backend.compactedRevision(), 35);
    await backend.close();
  });

  it('takes whichever of time and count forgets more', async () => {
    const { backend, clock, compactor } = setup({ retainMs: 10_000, retainRevisions: 100 });
    await write(backend, 50); // revision 50 at t=0
    assert.equal(await compactor.compactOnce(), undefined);
    clock.now += 10_000;
    await write(backend, 20); // revision 70 at t=10s: time says 50, count says -30
    assert.equal(await compactor.compactOnce(), 50);
    clock.now += 1_000;
    await write(backend, 130); // revision 200 at t=11s: time says 50 still, count says 100
    assert.equal(await compactor.compactOnce(), 100);
    clock.now += 9_000;
    await write(backend, 10); // revision 210 at t=20s: time says 70 (t=10s), count says 110
    assert.equal(await compactor.compactOnce(), 110);
    clock.now += 1_000; // t=21s: time says 200 (t=11s), count says 110
    assert.equal(await compactor.compactOnce(), 200);
    assert.equal(await backend.compactedRevision(), 200);
    await backend.close();
  });

  it('with retainMs 0 compacts everything but the current revision', async () => {
    const { backend, compactor } = setup({ retainMs: 0, retainRevisions: 1_000 });
    await write(backend, 7);
    assert.equal(await compactor.compactOnce(), 7);
    assert.equal((await backend.list('/registry/c/')).items.length, 7);
    await backend.close();
  });
});

describe('Compactor.start', () => {
  it('compacts every interval until its signal aborts, then stops', async () => {
    const backend = openBackend({ datastore: 'memory' });
    const compactor = new Compactor({ backend, policy: { intervalMs: 5, retainMs: 0, retainRevisions: 1_000 } });
    const aborter = new AbortController();
    await write(backend, 3);
    const running = compactor.start(aborter.signal);
    const deadline = Date.now() + 2_000;
    while ((await backend.compactedRevision()) < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(await backend.compactedRevision(), 3);

    await write(backend, 2);
    while ((await backend.compactedRevision()) < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(await backend.compactedRevision(), 5, 'the compactor did not run again');

    aborter.abort();
    let timer: NodeJS.Timeout | undefined;
    const stopped = await Promise.race([
      running.then(() => true),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(false), 1_000))),
    ]);
    clearTimeout(timer);
    assert.ok(stopped, 'start() did not return after abort');
    await write(backend, 3);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await backend.compactedRevision(), 5, 'the compactor ran after it was aborted');
    await backend.close();
  });

  it('returns at once when aborted in the middle of a long interval', async () => {
    const backend = openBackend({ datastore: 'memory' });
    const compactor = new Compactor({ backend, policy: { intervalMs: 60_000 } });
    const aborter = new AbortController();
    const t0 = Date.now();
    const running = compactor.start(aborter.signal);
    setTimeout(() => aborter.abort(), 20);
    await running;
    assert.ok(Date.now() - t0 < 1_000, `start() took ${Date.now() - t0} ms to stop`);
    await backend.close();
  });

  it('returns at once when started with an aborted signal', async () => {
    const backend = openBackend({ datastore: 'memory' });
    const compactor = new Compactor({ backend, policy: { intervalMs: 60_000 } });
    await compactor.start(AbortSignal.abort());
    await backend.close();
  });

  it('keeps going after a failed round', async () => {
    const backend = openBackend({ datastore: 'memory' });
    let failures = 0;
    // A backend whose currentRevision fails twice, then works.
    const flaky: Backend = {
      get: (k) => backend.get(k),
      list: (p, o) => backend.list(p, o),
      create: (k, v) => backend.create(k, v),
      update: (k, v, r) => backend.update(k, v, r),
      delete: (k, r) => backend.delete(k, r),
      watch: (p, r, o) => backend.watch(p, r, o),
      compact: (r) => backend.compact(r),
      compactedRevision: () => backend.compactedRevision(),
      close: () => backend.close(),
      currentRevision: async () => {
        if (failures < 2) {
          failures++;
          throw new Error('injected failure');
        }
        return backend.currentRevision();
      },
    };
    await write(backend, 4);
    const compactor = new Compactor({ backend: flaky, policy: { intervalMs: 5, retainMs: 0, retainRevisions: 1_000 } });
    const aborter = new AbortController();
    const running = compactor.start(aborter.signal);
    const deadline = Date.now() + 2_000;
    while ((await backend.compactedRevision()) < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    aborter.abort();
    await running;
    assert.equal(failures, 2);
    assert.equal(await backend.compactedRevision(), 4);
    await backend.close();
  });
});
