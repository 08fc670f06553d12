// LeaderElector on a real API server with short timings (lease 1 s, renew deadline 0.6 s, retry
// 0.1 s): one leader at a time, a fast hand-over on release, a hand-over after the lease runs out
// when the leader can no longer renew, and leaseTransitions counting changes of holder.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { LeaderElector } from '../../src/client/leader-election.js';
import { LEASES } from '../../src/client/resources.js';
import type { Client } from '../../src/client/types.js';
import { silentLogger } from '../../src/logging/index.js';
import { startControlPlane, waitFor, type ControlPlane } from '../controllers/harness.js';

let cp: ControlPlane;
before(async () => {
  cp = await startControlPlane();
});
after(async () => {
  await cp.stop();
});

const TIMINGS = { leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 100 };

/** A client whose every call fails while `partitioned()` says so (a leader cut off from the API). */
function partitionable(inner: Client, partitioned: () => boolean): Client {
  const guard = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(t, prop, recv) {
        const v = Reflect.get(t, prop, recv) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => (partitioned() ? Promise.reject(new Error('connect ECONNREFUSED (simulated)')) : (v as (...a: unknown[]) => unknown).apply(t, args));
      },
    });
  return { ...inner, resource: (t) => guard(inner.resource(t)), metadata: (t) => guard(inner.metadata(t)), request: (r) => inner.request(r), close: () => inner.close() };
}

interface Candidate {
  id: string;
  elector: LeaderElector;
  ac: AbortController;
  running: Promise<void>;
  /** Leadership terms: [started, ended?] in ms since the test's start. */
  terms: [number, number?][];
}

/** Starts candidates for lease `name`; tracks how many lead at once. */
function contend(name: string, ids: string[], clientFor: (id: string) => Client = () => cp.client) {
  const t0 = Date.now();
  let active = 0;
  const state = { maxActive: 0 };
  const candidates = ids.map((id): Candidate => {
    const elector = new LeaderElector({ client: clientFor(id), namespace: 'kube-system', name, identity: id, logger: silentLogger, ...TIMINGS });
    const ac = new AbortController();
    const terms: [number, number?][] = [];
    const running = elector.run(ac.signal, async (term) => {
      active++;
      state.maxActive = Math.max(state.maxActive, active);
      const t: [number, number?] = [Date.now() - t0];
      terms.push(t);
      await new Promise<void>((r) => (term.aborted ? r() : term.addEventListener('abort', () => r(), { once: true })));
      t[1] = Date.now() - t0;
      active--;
    });
    return { id, elector, ac, running, terms };
  });
  return {
    t0,
    state,
    candidates,
    leaders: () => candidates.filter((c) => c.elector.isLeader()),
    async stopAll() {
      for (const c of candidates) c.ac.abort();
      await Promise.all(candidates.map((c) => c.running));
    },
  };
}

const lease = (name: string) => cp.client.resource<Lease>(LEASES).get('kube-system', name);

describe('LeaderElector', () => {
  test('renewDeadline must be shorter than leaseDuration', () => {
    assert.throws(
      () => new LeaderElector({ client: cp.client, namespace: 'kube-system', name: 'x', identity: 'a', logger: silentLogger, leaseDurationMs: 1000, renewDeadlineMs: 1000 }),
      /renewDeadline must be shorter/,
    );
  });

  test('of two candidates exactly one leads, and keeps the lease renewed', async () => {
    const run = contend('one-leader', ['a', 'b']);
    try {
      await waitFor(() => run.leaders().length === 1, 2000, 'a leader');
      const leader = run.leaders()[0]!;
      const first = await lease('one-leader');
      assert.equal(first.spec?.holderIdentity, leader.id);
      assert.equal(first.spec?.leaseDurationSeconds, 1);
      await new Promise((r) => setTimeout(r, 1500)); // longer than the lease: only renewals keep it
      assert.deepEqual(run.leaders().map((c) => c.id), [leader.id]);
      assert.equal(run.state.maxActive, 1);
      const later = await lease('one-leader');
      assert.equal(later.spec?.holderIdentity, leader.id);
      assert.notEqual(later.spec?.renewTime, first.spec?.renewTime, 'renewed');
      assert.equal(later.spec?.acquireTime, first.spec?.acquireTime, 'renewals keep the acquire time');
      assert.equal(later.spec?.leaseTransitions ?? 0, 0);
    } finally {
      await run.stopAll();
    }
  });

  test('a leader whose signal aborts releases the lease and the other takes over at once', async () => {
    const run = contend('release', ['a', 'b']);
    try {
      await waitFor(() => run.leaders().length === 1, 2000, 'a leader');
      const [leader] = run.leaders();
      const other = run.candidates.find((c) => c !== leader)!;
      const abortedAt = Date.now();
      leader!.ac.abort();
      await leader!.running;
      assert.equal(leader!.elector.isLeader(), false);
      assert.ok(leader!.terms[0]![1] !== undefined, "the leader's work was stopped");
      await waitFor(() => other.elector.isLeader(), 2000, 'take-over');
      const took = Date.now() - abortedAt;
      assert.ok(took < 600, `took over after ${took} ms, well before the 1 s lease ran out`);
      const l = await lease('release');
      assert.equal(l.spec?.holderIdentity, other.id);
      assert.equal(l.spec?.leaseTransitions, 1);
      assert.equal(run.state.maxActive, 1);
    } finally {
      await run.stopAll();
    }
  });

  test('a leader that cannot renew steps down; the other takes over once the lease ran out', async () => {
    let cutOff = '';
    const run = contend('partition', ['a', 'b'], (id) => partitionable(cp.client, () => cutOff === id));
    try {
      await waitFor(() => run.leaders().length === 1, 2000, 'a leader');
      const leader = run.leaders()[0]!;
      const other = run.candidates.find((c) => c !== leader)!;
      const lastRenew = Date.parse((await lease('partition')).spec!.renewTime!);
      cutOff = leader.id;
      await waitFor(() => !leader.elector.isLeader(), 2000, 'the cut-off leader steps down');
      const steppedDown = Date.now() - lastRenew;
      assert.ok(steppedDown < 1000, `stepped down ${steppedDown} ms after its last renewal, before its lease ran out`);
      await waitFor(() => other.elector.isLeader(), 3000, 'take-over');
      const tookOver = Date.now() - lastRenew;
      assert.ok(tookOver >= 900, `took over ${tookOver} ms after the last renewal: not before the lease ran out`);
      assert.ok(tookOver < 2000, `took over ${tookOver} ms after the last renewal`);
      assert.equal(run.state.maxActive, 1, 'never two leaders at once');
      const l = await lease('partition');
      assert.equal(l.spec?.holderIdentity, other.id);
      assert.equal(l.spec?.leaseTransitions, 1);
    } finally {
      await run.stopAll();
    }
  });

  test('leaseTransitions counts every change of holder', async () => {
    const run = contend('transitions', ['a', 'b']);
    try {
      const expected: string[] = [];
      for (let round = 0; round < 3; round++) {
        await waitFor(() => run.leaders().length === 1, 2000, `leader ${round}`);
        const leader = run.leaders()[0]!;
        expected.push(leader.id);
        const l = await lease('transitions');
        assert.equal(l.spec?.holderIdentity, leader.id);
        assert.equal(l.spec?.leaseTransitions ?? 0, round, `round ${round}`);
        if (round === 2) break;
        // Restart the leader as a fresh candidate so the other wins the next round.
        leader.ac.abort();
        await leader.running;
        await waitFor(() => run.leaders().length === 1, 2000, 'the other takes over');
        const i = run.candidates.indexOf(leader);
        const fresh = contend('transitions', [leader.id]).candidates[0]!;
        run.candidates[i] = fresh;
      }
      assert.notEqual(expected[0], expected[1]);
      assert.equal(expected[0], expected[2]);
    } finally {
      await run.stopAll();
    }
  });
});
