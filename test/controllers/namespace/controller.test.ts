// The namespace and service account controllers against a real API server: a deleted namespace
// is emptied of every kind of object (custom resources included), then goes; creates in it are
// refused meanwhile; every active namespace gets its `default` service account back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConfigMap, Namespace, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { isNotFound, isStatusError } from '../../../src/apimachinery/errors.js';
import { CONFIG_MAPS, NAMESPACES, SERVICE_ACCOUNTS } from '../../../src/client/resources.js';
import type { ResourceType } from '../../../src/client/types.js';
import { NamespaceController } from '../../../src/controllers/namespace/controller.js';
import { ServiceAccountController } from '../../../src/controllers/serviceaccount/controller.js';
import { createCrd, startControlPlane, waitFor, type ControlPlane } from '../harness.js';

const GADGETS: ResourceType = { group: 'ns.example.com', version: 'v1', resource: 'gadgets', kind: 'Gadget', namespaced: true };

describe('namespace and service account controllers', () => {
  let cp: ControlPlane;
  const ac = new AbortController();
  let running: Promise<unknown>;

  before(async () => {
    cp = await startControlPlane();
    const ctx = cp.newContext();
    const controllers = [new NamespaceController(ctx), new ServiceAccountController(ctx)];
    ctx.informers.start(ac.signal);
    running = Promise.all(controllers.map((c) => c.start(ac.signal)));
  });

  after(async () => {
    ac.abort();
    await running;
    await cp.stop();
  });

  it('gives every new namespace a default service account, and brings a deleted one back', async () => {
    const accounts = cp.client.resource<ServiceAccount>(SERVICE_ACCOUNTS);
    await cp.client.resource<Namespace>(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sa-test' } });
    const first = await waitFor(() => accounts.get('sa-test', 'default').catch(() => undefined), 5000, 'default account');
    await accounts.delete('sa-test', 'default');
    const again = await waitFor(
      () => accounts.get('sa-test', 'default').then((sa) => (sa.metadata?.uid !== first.metadata?.uid ? sa : undefined)).catch(() => undefined),
      5000,
      'default account recreated',
    );
    assert.notEqual(again.metadata?.uid, first.metadata?.uid);
  });

  it('empties a deleted namespace of built-in and custom objects, refuses creates meanwhile, then removes it', async () => {
    const namespaces = cp.client.resource<Namespace>(NAMESPACES);
    await namespaces.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
    await createCrd(cp.client, GADGETS, 'doomed');
    const gadgets = cp.client.resource(GADGETS);
    // A finalizer on the custom object holds the namespace until someone removes it.
    await gadgets.create({ apiVersion: 'ns.example.com/v1', kind: 'Gadget', metadata: { name: 'g1', namespace: 'doomed', finalizers: ['example.com/hold'] } });
    const cms = cp.client.resource<ConfigMap>(CONFIG_MAPS);
    for (let i = 0; i < 3; i++) await cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'doomed' } });

    await namespaces.delete('', 'doomed');
    await waitFor(async () => (await cms.list('doomed')).items.length === 0, 5000, 'config maps deleted');
    const held = await namespaces.get('', 'doomed');
    assert.equal(held.status?.phase, 'Terminating');
    await assert.rejects(
      cms.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: 'doomed' } }),
      (e) => isStatusError(e, 'Forbidden') && /being terminated/.test((e as Error).message),
    );
    await waitFor(async () => (await gadgets.get('doomed', 'g1')).metadata?.deletionTimestamp, 5000, 'the custom object being deleted');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await namespaces.get('', 'doomed')).status?.phase, 'Terminating', 'held while the custom object remains');

    await gadgets.patch('doomed', 'g1', 'merge', { metadata: { finalizers: null } });
    await waitFor(() => namespaces.get('', 'doomed').then(() => false, (e) => isNotFound(e)), 5000, 'namespace gone');
  });
});
