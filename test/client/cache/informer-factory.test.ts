// InformerFactory: one shared informer per resource (and per metadata-only view), started
// together, late ones started at once, waitForCacheSync and stopped().
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { InformerFactory } from '../../../src/client/cache/informer-factory.js';
import * as R from '../../../src/client/resources.js';
import { CONFIG_MAPS, NAMESPACES, SECRETS } from '../../../src/client/resources.js';
import type { ResourceType } from '../../../src/client/types.js';
import { silentLogger } from '../../../src/logging/index.js';
import { startControlPlane, waitFor, type ControlPlane } from '../../controllers/harness.js';

let cp: ControlPlane;
before(async () => {
  cp = await startControlPlane();
  await cp.client.resource<ConfigMap>(CONFIG_MAPS).create({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'f', namespace: 'default', labels: { l: 'v' } },
    data: { big: 'x'.repeat(100) },
  });
});
after(async () => {
  await cp.stop();
});

test('for() shares one informer per resource; forMetadata() is a separate metadata-only cache', async () => {
  const f = new InformerFactory(cp.client, silentLogger);
  const a = f.for<ConfigMap>(CONFIG_MAPS);
  assert.equal(f.for(CONFIG_MAPS), a);
  const meta = f.forMetadata(CONFIG_MAPS);
  assert.notEqual(meta as unknown, a as unknown);
  assert.equal(f.forMetadata(CONFIG_MAPS), meta);

  const ac = new AbortController();
  f.start(ac.signal);
  try {
    assert.equal(await f.waitForCacheSync(ac.signal), true);
    assert.deepEqual(a.store.get('default/f')?.data, { big: 'x'.repeat(100) });
    const m = meta.store.get('default/f');
    assert.equal(m?.kind, 'PartialObjectMetadata');
    assert.deepEqual(m?.metadata?.labels, { l: 'v' });
    assert.equal((m as ConfigMap | undefined)?.data, undefined);

    // Asked for after start: runs at once.
    const late = f.for(NAMESPACES);
    await waitFor(() => late.hasSynced(), 3000, 'late informer synced');
    assert.ok(late.store.get('default'));
    assert.equal(await f.waitForCacheSync(ac.signal), true);
  } finally {
    ac.abort();
    await f.stopped();
  }
});

test('waitForCacheSync is false when aborted before the caches sync (or before start)', async () => {
  const f = new InformerFactory(cp.client, silentLogger);
  f.for(SECRETS);
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  assert.equal(await f.waitForCacheSync(ac.signal), false, 'never started: never synced');
});

test('many informers on one signal raise no listener-leak warning', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => void warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  const f = new InformerFactory(cp.client, silentLogger);
  const types = Object.values(R).filter((v): v is ResourceType => typeof v === 'object' && v !== null && 'resource' in v);
  assert.ok(types.length > 12, `${types.length} resource types`);
  for (const t of types) f.for(t);
  const ac = new AbortController();
  f.start(ac.signal);
  try {
    assert.equal(await f.waitForCacheSync(ac.signal), true);
    await new Promise((r) => setTimeout(r, 50)); // warnings are emitted on a later tick
    assert.deepEqual(warnings.filter((w) => w.includes('MaxListenersExceeded')), []);
  } finally {
    ac.abort();
    await f.stopped();
    process.off('warning', onWarning);
  }
});
