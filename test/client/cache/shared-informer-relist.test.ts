// The informer after its resourceVersion was compacted away while it was disconnected: the watch
// answers 410 Expired, the informer relists and reconciles its cache with the list, telling
// handlers of what it missed (deletions included), as client-go's Reflector does.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { Informer } from '../../../src/client/cache/shared-informer.js';
import { CONFIG_MAPS } from '../../../src/client/resources.js';
import type { ResourceClient } from '../../../src/client/types.js';
import { silentLogger } from '../../../src/logging/index.js';
import { waitFor } from '../../controllers/harness.js';
import { ObservedResource, startMiniServer, type MiniServer } from '../fixtures.js';

let srv: MiniServer;
let cms: ResourceClient<ConfigMap>;
before(async () => {
  srv = await startMiniServer();
  cms = srv.client.resource<ConfigMap>(CONFIG_MAPS);
});
after(async () => {
  await srv.stop();
});

const cm = (name: string, v = '1'): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { v } });

test('410 Expired after compaction: relist reports updates, additions and missed deletions', async () => {
  const a = await cms.create(cm('a'));
  await cms.create(cm('b'));
  await cms.create(cm('c'));
  const observed = new ObservedResource(cms);
  const inf = new Informer(observed.client, silentLogger);
  const log: string[] = [];
  inf.addEventHandler({
    onAdd: (o) => void log.push(`add ${o.metadata?.name}`),
    onUpdate: (old, o) => void log.push(`update ${o.metadata?.name} ${old.data?.v}->${o.data?.v}`),
    onDelete: (o) => void log.push(`delete ${o.metadata?.name} ${o.data?.v}`),
  });
  const ac = new AbortController();
  const running = inf.run(ac.signal);
  try {
    await waitFor(() => inf.hasSynced() && observed.watches.length === 1, 3000, 'sync and watch');
    assert.deepEqual(log.sort(), ['add a', 'add b', 'add c']);
    log.length = 0;
    const staleRv = inf.lastSyncResourceVersion();

    observed.disconnect();
    await cms.update({ ...a, data: { v: '2' } });
    await cms.delete('default', 'b');
    await cms.create(cm('d'));
    // Nothing older than now is kept: the informer's resourceVersion can no longer be watched from.
    await srv.storage.compact(await srv.storage.currentRevision());
    observed.release();

    await waitFor(() => observed.lists.length === 2 && log.length === 3, 3000, 'relist');
    assert.deepEqual(log.sort(), ['add d', 'delete b 1', 'update a 1->2']);
    assert.equal(observed.watches[1]?.resourceVersion, staleRv, 'it first tried to resume');
    assert.deepEqual(inf.store.keys().sort(), ['default/a', 'default/c', 'default/d']);
    assert.ok(Number(inf.lastSyncResourceVersion()) > Number(staleRv));

    // After the relist the informer watches from the new list's version and keeps going.
    await waitFor(() => observed.watches.length === 3, 3000, 'watching again');
    assert.equal(observed.watches[2]?.resourceVersion, inf.lastSyncResourceVersion());
    await cms.delete('default', 'c');
    await waitFor(() => log.includes('delete c 1'), 3000, 'delete after relist');
    assert.equal(observed.lists.length, 2);
  } finally {
    ac.abort();
    await running;
  }
});
