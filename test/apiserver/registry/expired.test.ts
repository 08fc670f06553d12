// resourceVersions older than the compacted history: lists with resourceVersionMatch=Exact,
// continue tokens and watches get 410 Expired, as upstream.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configMapResource } from '../../../src/api/core/v1/configmap.js';
import type { KubeObject } from '../../../src/api/types.js';
import { isStatusError } from '../../../src/apimachinery/errors.js';
import { listObjects } from '../../../src/apiserver/registry/list.js';
import { EVERYTHING } from '../../../src/apiserver/registry/selection.js';
import { ResourceStore } from '../../../src/apiserver/registry/store.js';
import { watchObjects } from '../../../src/apiserver/registry/watch.js';
import { openBackend } from '../../../src/storage/index.js';

describe('expired resourceVersions', () => {
  it('answers 410 Expired for lists, continue tokens and watches older than compaction', async () => {
    const storage = openBackend({ datastore: 'memory' });
    const store = new ResourceStore(configMapResource as never, { storage, keyRoot: '/registry/configmaps/' });
    const first = await store.create('default', { metadata: { name: 'a' } } as KubeObject);
    await store.create('default', { metadata: { name: 'b' } } as KubeObject);
    const page = await listObjects(store, { namespace: 'default', predicate: EVERYTHING, limit: 1 });
    assert.ok(page.continue);
    await store.create('default', { metadata: { name: 'c' } } as KubeObject);
    await storage.compact(await storage.currentRevision());

    const exact = await listObjects(store, {
      namespace: 'default',
      predicate: EVERYTHING,
      resourceVersion: first.metadata!.resourceVersion,
      resourceVersionMatch: 'Exact',
    }).catch((e) => e);
    assert.ok(isStatusError(exact, 'Expired'), String(exact));
    assert.equal(exact.code, 410);
    const cont = await listObjects(store, { namespace: 'default', predicate: EVERYTHING, continue: page.continue }).catch((e) => e);
    assert.ok(isStatusError(cont, 'Expired'), String(cont));

    const ac = new AbortController();
    const events = [];
    for await (const ev of watchObjects(store, { namespace: 'default', predicate: EVERYTHING, resourceVersion: first.metadata!.resourceVersion, signal: ac.signal })) {
      events.push(ev);
    }
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, 'ERROR');
    const status = events[0]!.object as { code: number; reason: string; message: string };
    assert.equal(status.code, 410);
    assert.equal(status.reason, 'Expired');
    assert.match(status.message, /too old resource version/);
    await storage.close();
  });
});
