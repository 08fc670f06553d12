// The shared informer against a real API server: list then watch, handlers for every change,
// indexes kept current, late handlers, resuming a watch from the last resourceVersion when the
// connection ends (no events lost, no relist), and paged initial lists.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { indexByOwnerUid, keyOf, OWNER_UID_INDEX } from '../../../src/client/cache/indexes.js';
import { Informer } from '../../../src/client/cache/shared-informer.js';
import { NAMESPACE_INDEX, type EventHandler } from '../../../src/client/cache/types.js';
import { CONFIG_MAPS, NAMESPACES } from '../../../src/client/resources.js';
import type { ResourceClient } from '../../../src/client/types.js';
import { silentLogger } from '../../../src/logging/index.js';
import { startControlPlane, waitFor, type ControlPlane } from '../../controllers/harness.js';
import { ObservedResource } from '../fixtures.js';

let cp: ControlPlane;
let cms: ResourceClient<ConfigMap>;
before(async () => {
  cp = await startControlPlane();
  cms = cp.client.resource<ConfigMap>(CONFIG_MAPS);
});
after(async () => {
  await cp.stop();
});

async function namespace(name: string): Promise<void> {
  await cp.client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

const cm = (ns: string, name: string, extra: { labels?: Record<string, string>; owner?: string; data?: Record<string, string> } = {}): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name,
    namespace: ns,
    ...(extra.labels ? { labels: extra.labels } : {}),
    ...(extra.owner ? { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: extra.owner }] } : {}),
  },
  data: extra.data ?? {},
});

/** Handler calls about objects of one namespace, as `verb key` strings. */
function recorder(ns: string): { log: string[]; handler: EventHandler<ConfigMap> } {
  const log: string[] = [];
  const mine = (o: ConfigMap) => o.metadata?.namespace === ns;
  return {
    log,
    handler: {
      onAdd: (o) => void (mine(o) && log.push(`add ${o.metadata?.name}`)),
      onUpdate: (old, o) => void (mine(o) && log.push(`update ${o.metadata?.name} ${JSON.stringify(old.data)}->${JSON.stringify(o.data)}`)),
      onDelete: (o) => void (mine(o) && log.push(`delete ${o.metadata?.name}`)),
    },
  };
}

/** Starts an informer on observed configmaps; returns it with a stop function. */
function run(observed: ObservedResource<ConfigMap>, setup: (inf: Informer<ConfigMap>) => void = () => {}) {
  const inf = new Informer(observed.client, silentLogger);
  setup(inf);
  const ac = new AbortController();
  const done = inf.run(ac.signal);
  return {
    inf,
    async stop() {
      ac.abort();
      await done;
    },
  };
}

describe('Informer', () => {
  test('the initial list fires onAdd; later changes fire onUpdate and onDelete with the last state', async () => {
    await namespace('inf-basic');
    await cms.create(cm('inf-basic', 'before-1'));
    await cms.create(cm('inf-basic', 'before-2'));
    const { log, handler } = recorder('inf-basic');
    const observed = new ObservedResource(cms);
    const { inf, stop } = run(observed, (i) => i.addEventHandler(handler));
    try {
      await waitFor(() => inf.hasSynced(), 3000, 'sync');
      assert.deepEqual(log.sort(), ['add before-1', 'add before-2']);
      assert.ok(Number(inf.lastSyncResourceVersion()) > 0);
      const obj = inf.store.get('inf-basic/before-1');
      assert.equal(obj?.kind, 'ConfigMap');
      assert.equal(obj?.apiVersion, 'v1');

      log.length = 0;
      const created = await cms.create(cm('inf-basic', 'later', { data: { v: '1' } }));
      await cms.update({ ...created, data: { v: '2' } });
      await cms.delete('inf-basic', 'before-2');
      await waitFor(() => log.length === 3, 3000, 'three events');
      assert.deepEqual(log, ['add later', 'update later {"v":"1"}->{"v":"2"}', 'delete before-2']);
      assert.equal(inf.store.get('inf-basic/before-2'), undefined);
      assert.deepEqual(inf.store.get('inf-basic/later')?.data, { v: '2' });
      assert.equal(observed.lists.length, 1, 'no relist');
    } finally {
      await stop();
    }
  });

  test('indexes (namespace, owner uid, custom) follow updates that change indexed values', async () => {
    await namespace('inf-idx');
    const observed = new ObservedResource(cms);
    const { inf, stop } = run(observed, (i) =>
      i.addIndexers({ [OWNER_UID_INDEX]: indexByOwnerUid, team: (o) => (o.metadata?.labels?.team ? [o.metadata.labels.team] : []) }),
    );
    const names = (objs: ConfigMap[]) => objs.map((o) => o.metadata?.name).sort();
    try {
      await waitFor(() => inf.hasSynced(), 3000, 'sync');
      const a = await cms.create(cm('inf-idx', 'a', { labels: { team: 'red' }, owner: 'uid-1' }));
      await cms.create(cm('inf-idx', 'b', { labels: { team: 'red' } }));
      await waitFor(() => inf.store.byIndex(NAMESPACE_INDEX, 'inf-idx').length === 2, 3000, 'two cached');
      assert.deepEqual(names(inf.store.byIndex('team', 'red')), ['a', 'b']);
      assert.deepEqual(names(inf.store.byIndex(OWNER_UID_INDEX, 'uid-1')), ['a']);

      await cms.update({ ...a, metadata: { ...a.metadata, labels: { team: 'blue' }, ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'o2', uid: 'uid-2' }] } });
      await waitFor(() => inf.store.byIndex('team', 'blue').length === 1, 3000, 'a moved to blue');
      assert.deepEqual(names(inf.store.byIndex('team', 'red')), ['b']);
      assert.deepEqual(inf.store.byIndex(OWNER_UID_INDEX, 'uid-1'), []);
      assert.deepEqual(names(inf.store.byIndex(OWNER_UID_INDEX, 'uid-2')), ['a']);

      await cms.delete('inf-idx', 'b');
      await waitFor(() => inf.store.byIndex('team', 'red').length === 0, 3000, 'b gone from the index');
      assert.deepEqual(names(inf.store.byIndex(NAMESPACE_INDEX, 'inf-idx')), ['a']);
    } finally {
      await stop();
    }
  });

  test('a handler added after sync gets onAdd for every cached object, then the changes', async () => {
    await namespace('inf-late');
    for (const n of ['x', 'y', 'z']) await cms.create(cm('inf-late', n));
    const { inf, stop } = run(new ObservedResource(cms));
    try {
      await waitFor(() => inf.hasSynced(), 3000, 'sync');
      const all: string[] = [];
      inf.addEventHandler({ onAdd: (o) => void all.push(keyOf(o)) });
      assert.equal(all.length, inf.store.size, 'one onAdd per cached object, at once');
      assert.deepEqual(new Set(all), new Set(inf.store.keys()));
      const { log, handler } = recorder('inf-late');
      inf.addEventHandler(handler);
      assert.deepEqual(log.sort(), ['add x', 'add y', 'add z']);
      await cms.create(cm('inf-late', 'w'));
      await waitFor(() => log.includes('add w'), 3000, 'the late handler sees new objects');
    } finally {
      await stop();
    }
  });

  test('a watch the server ends is resumed from the last resourceVersion, missing nothing', async () => {
    await namespace('inf-resume');
    const observed = new ObservedResource(cms);
    observed.timeoutSeconds = 1; // the server ends every watch after a second
    const { log, handler } = recorder('inf-resume');
    const { inf, stop } = run(observed, (i) => i.addEventHandler(handler));
    try {
      await waitFor(() => inf.hasSynced(), 3000, 'sync');
      // Keep writing across a watch ending.
      const deadline = Date.now() + 1400;
      let n = 0;
      while (Date.now() < deadline) {
        await cms.create(cm('inf-resume', `o-${n++}`));
        await new Promise((r) => setTimeout(r, 15));
      }
      await waitFor(() => log.length === n, 3000, `${n} adds`);
      assert.deepEqual(log, Array.from({ length: n }, (_, i) => `add o-${i}`), 'each object added once, in order');
      assert.ok(observed.watches.length >= 2, `watched ${observed.watches.length} times`);
      assert.equal(observed.lists.length, 1, 'resumed by watching, not by relisting');
      const rvs = observed.watches.map((w) => Number(w.resourceVersion));
      for (let i = 1; i < rvs.length; i++) assert.ok(rvs[i]! > rvs[i - 1]!, `watch ${i} resumes past the previous one: ${rvs}`);
    } finally {
      await stop();
    }
  });

  test('changes made while disconnected arrive through the resumed watch', async () => {
    await namespace('inf-away');
    const keep = await cms.create(cm('inf-away', 'keep', { data: { v: '1' } }));
    await cms.create(cm('inf-away', 'drop'));
    const observed = new ObservedResource(cms);
    const { log, handler } = recorder('inf-away');
    const { inf, stop } = run(observed, (i) => i.addEventHandler(handler));
    try {
      await waitFor(() => inf.hasSynced(), 3000, 'sync');
      await waitFor(() => observed.watches.length === 1, 3000, 'watching');
      log.length = 0;
      observed.disconnect();
      const rvAtDisconnect = inf.lastSyncResourceVersion();
      await cms.update({ ...keep, data: { v: '2' } });
      await cms.delete('inf-away', 'drop');
      await cms.create(cm('inf-away', 'new'));
      observed.release();
      await waitFor(() => log.length === 3, 3000, 'three events');
      assert.deepEqual(log, ['update keep {"v":"1"}->{"v":"2"}', 'delete drop', 'add new']);
      assert.equal(observed.watches[1]?.resourceVersion, rvAtDisconnect);
      assert.equal(observed.lists.length, 1);
    } finally {
      await stop();
    }
  });

  test('an initial list of more than 500 objects is read in pages', async () => {
    await namespace('inf-many');
    const total = 520;
    for (let i = 0; i < total; i += 40) {
      await Promise.all(Array.from({ length: Math.min(40, total - i) }, (_, j) => cms.create(cm('inf-many', `m-${i + j}`))));
    }
    const observed = new ObservedResource(cms);
    const { log, handler } = recorder('inf-many');
    const { inf, stop } = run(observed, (i) => i.addEventHandler(handler));
    try {
      await waitFor(() => inf.hasSynced(), 5000, 'sync');
      assert.ok(observed.lists.length >= 2, `listed in ${observed.lists.length} page(s)`);
      assert.deepEqual(
        observed.lists.map((l) => [l.limit, Boolean(l.continue)]),
        [[500, false], ...observed.lists.slice(1).map(() => [500, true])],
      );
      assert.equal(inf.store.byIndex(NAMESPACE_INDEX, 'inf-many').length, total);
      assert.equal(log.length, total);
      assert.equal(new Set(log).size, total);
    } finally {
      await stop();
    }
  });
});
