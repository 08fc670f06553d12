// ControllerManager: controllers run over one shared informer set, only while this manager holds
// the kube-controller-manager Lease; two managers on one server never run controllers at once,
// and stopping the leader hands the controllers over.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { CONTROLLER_MANAGER_LEASE, ControllerManager, type ControllerFactory } from '../../src/controller-manager/controller-manager.js';
import { CONFIG_MAPS, LEASES } from '../../src/client/resources.js';
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

/** Counts, across managers, how many copies of the test controller run and what they saw. */
class Tally {
  running = new Map<string, number>();
  maxConcurrent = 0;
  starts: string[] = [];
  synced: string[] = [];

  factory(manager: string, name = 'test'): ControllerFactory {
    return {
      name,
      create: (ctx) => {
        const informer = ctx.informers.for(CONFIG_MAPS);
        return {
          name: `${name}-controller`,
          start: async (signal) => {
            this.starts.push(manager);
            this.running.set(manager, (this.running.get(manager) ?? 0) + 1);
            this.maxConcurrent = Math.max(this.maxConcurrent, this.total());
            try {
              if (await ctx.informers.waitForCacheSync(signal)) this.synced.push(`${manager}:${informer.hasSynced()}`);
              await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
            } finally {
              this.running.set(manager, this.running.get(manager)! - 1);
            }
          },
        };
      },
    };
  }

  total(): number {
    return [...this.running.values()].reduce((a, b) => a + b, 0);
  }

  runningIn(): string[] {
    return [...this.running].filter(([, n]) => n > 0).map(([m]) => m);
  }
}

function startManager(tally: Tally, id: string | undefined, label: string) {
  const cm = new ControllerManager({
    client: cp.client,
    logger: silentLogger,
    controllers: [tally.factory(label)],
    // identity as a config built from flags carries it: possibly present but undefined.
    leaderElection: { ...TIMINGS, identity: id },
  });
  const ac = new AbortController();
  const done = cm.start(ac.signal);
  return { cm, label, stop: async () => (ac.abort(), await done) };
}

describe('ControllerManager', () => {
  test('without leader election the controllers run at once, with synced informers', async () => {
    const tally = new Tally();
    const cm = new ControllerManager({ client: cp.client, logger: silentLogger, controllers: [tally.factory('solo')], leaderElection: false });
    const ac = new AbortController();
    const done = cm.start(ac.signal);
    await waitFor(() => tally.synced.length === 1, 3000, 'controller synced');
    assert.deepEqual(tally.synced, ['solo:true']);
    assert.equal(cm.isLeader(), true);
    ac.abort();
    await done;
    assert.equal(tally.total(), 0, 'controllers stopped with the manager');
  });

  test('two managers: only the leader runs controllers; stopping it hands them over', async () => {
    const tally = new Tally();
    const a = startManager(tally, 'manager-a', 'a');
    const b = startManager(tally, 'manager-b', 'b');
    try {
      await waitFor(() => tally.total() === 1, 3000, 'one manager running controllers');
      await new Promise((r) => setTimeout(r, 1200)); // past a lease duration: still only one
      assert.equal(tally.total(), 1);
      const [first] = tally.runningIn();
      const leader = first === 'a' ? a : b;
      const follower = first === 'a' ? b : a;
      assert.equal(leader.cm.isLeader(), true);
      assert.equal(follower.cm.isLeader(), false);
      const held = await cp.client.resource<Lease>(LEASES).get(CONTROLLER_MANAGER_LEASE.namespace, CONTROLLER_MANAGER_LEASE.name);
      assert.equal(held.spec?.holderIdentity, `manager-${first}`);

      await leader.stop();
      assert.equal(tally.running.get(first!), 0, "the leader's controllers stopped with it");
      await waitFor(() => tally.runningIn().join() === follower.label, 1000, 'hand-over');
      assert.equal(follower.cm.isLeader(), true);
      await waitFor(() => tally.synced.length === 2, 3000, 'the new leader synced its own informers');
      assert.equal(tally.maxConcurrent, 1, 'never two managers running controllers');
      assert.deepEqual(tally.starts, [first, follower.label]);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  test('a manager that loses its lease stops its controllers, and starts them afresh when it wins it back', async () => {
    const tally = new Tally();
    const m = startManager(tally, 'manager-m', 'm');
    const leases = cp.client.resource<Lease>(LEASES);
    try {
      await waitFor(() => tally.synced.length === 1, 3000, 'leading with synced controllers');
      // Another holder takes the lease over (as if this manager had been partitioned away).
      const held = await leases.get(CONTROLLER_MANAGER_LEASE.namespace, CONTROLLER_MANAGER_LEASE.name);
      const now = new Date().toISOString().replace('Z', '000Z');
      await leases.update({ ...held, spec: { ...held.spec, holderIdentity: 'intruder', leaseDurationSeconds: 1, renewTime: now, acquireTime: now } });
      const hijacked = Date.now();
      await waitFor(() => tally.total() === 0, 2000, 'controllers stopped on losing the lease');
      assert.equal(m.cm.isLeader(), false);
      assert.ok(Date.now() - hijacked < 1000, 'stepped down within the renew deadline');
      // The intruder never renews: once its lease ran out the manager takes it back.
      await waitFor(() => tally.total() === 1 && tally.synced.length === 2, 3000, 'controllers running again');
      assert.ok(Date.now() - hijacked >= 900, 'not before the lease of the intruder ran out');
      assert.deepEqual(tally.starts, ['m', 'm']);
      assert.equal(tally.maxConcurrent, 1);
    } finally {
      await m.stop();
    }
  });

  test('managers without an explicit identity still elect exactly one leader', async () => {
    const tally = new Tally();
    const a = startManager(tally, undefined, 'a');
    const b = startManager(tally, undefined, 'b');
    try {
      await waitFor(() => tally.total() >= 1, 3000, 'a manager running controllers');
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(tally.maxConcurrent, 1);
      const held = await cp.client.resource<Lease>(LEASES).get(CONTROLLER_MANAGER_LEASE.namespace, CONTROLLER_MANAGER_LEASE.name);
      assert.match(held.spec?.holderIdentity ?? '', /_[0-9a-f-]{36}$/, 'a generated hostname_uuid identity');
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  test('one controller failing does not stop the others', async () => {
    const tally = new Tally();
    const failing: ControllerFactory = {
      name: 'broken',
      create: () => ({ name: 'broken', start: () => Promise.reject(new Error('boom')) }),
    };
    const cm = new ControllerManager({ client: cp.client, logger: silentLogger, controllers: [failing, tally.factory('ok')], leaderElection: false });
    const ac = new AbortController();
    const done = cm.start(ac.signal);
    await waitFor(() => tally.synced.length === 1, 3000, 'the healthy controller runs');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(tally.total(), 1);
    ac.abort();
    await done;
  });
});
