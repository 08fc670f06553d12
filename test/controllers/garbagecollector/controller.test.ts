// The garbage collector against a real API server: background, foreground and orphan deletion,
// dangling references, several owners, and custom resources on either side of a reference.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isNotFound } from '../../../src/apimachinery/errors.js';
import { CONFIG_MAPS, NODES, PODS } from '../../../src/client/resources.js';
import type { KubeObject, ResourceType } from '../../../src/client/types.js';
import { GarbageCollector } from '../../../src/controllers/garbagecollector/controller.js';
import { type ControlPlane, createCrd, startControlPlane, waitFor } from '../harness.js';

const NS = 'default';
const WIDGETS: ResourceType = { group: 'gc.example.com', version: 'v1', resource: 'widgets', kind: 'Widget', namespaced: true };

let cp: ControlPlane;
let gc: GarbageCollector;
const ac = new AbortController();
let running: Promise<void>;

const cms = () => cp.client.resource<ConfigMap>(CONFIG_MAPS);
const pods = () => cp.client.resource<Pod>(PODS);

function refTo(owner: KubeObject, extra: Partial<OwnerReference> = {}): OwnerReference {
  return { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata!.name!, uid: owner.metadata!.uid!, ...extra };
}

async function configMap(name: string, owners: OwnerReference[] = [], finalizers?: string[]): Promise<ConfigMap> {
  return cms().create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS, ownerReferences: owners, finalizers }, data: { k: name } });
}

async function pod(name: string, owners: OwnerReference[]): Promise<Pod> {
  return pods().create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, ownerReferences: owners },
    spec: { containers: [{ name: 'c', image: 'busybox' }] },
  });
}

/** The object, or undefined once it is gone. */
async function current(type: ResourceType, name: string): Promise<KubeObject | undefined> {
  try {
    return await cp.client.resource(type).get(NS, name);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}
const gone = (type: ResourceType, name: string) => waitFor(async () => (await current(type, name)) === undefined, 5000, `${type.resource} ${name} gone`);

before(async () => {
  cp = await startControlPlane();
  const ctx = cp.newContext();
  gc = new GarbageCollector(ctx, { workers: 4, rediscoverMs: 60_000 });
  ctx.informers.start(ac.signal);
  running = gc.start(ac.signal);
  await waitFor(() => gc.monitoredResources().includes('/configmaps'), 5000, 'discovery');
});

after(async () => {
  ac.abort();
  await running;
  await cp.stop();
});

describe('garbage collector', () => {
  test('background deletion: the dependents go after the owner', async () => {
    const owner = await configMap('bg-owner');
    await configMap('bg-child', [refTo(owner)]);
    await pod('bg-pod', [refTo(owner, { controller: true, blockOwnerDeletion: true })]);
    await cms().delete(NS, 'bg-owner', { propagationPolicy: 'Background' });
    await gone(CONFIG_MAPS, 'bg-child');
    await gone(PODS, 'bg-pod');
  });

  test('foreground deletion: the owner stays until its blocking dependents are gone', async () => {
    const owner = await configMap('fg-owner');
    // A finalizer of someone else holds the dependent, and so the owner.
    await configMap('fg-held', [refTo(owner, { blockOwnerDeletion: true })], ['example.com/hold']);
    await configMap('fg-free', [refTo(owner)]);
    await cms().delete(NS, 'fg-owner', { propagationPolicy: 'Foreground' });
    await gone(CONFIG_MAPS, 'fg-free');
    await waitFor(async () => (await current(CONFIG_MAPS, 'fg-held'))?.metadata?.deletionTimestamp, 5000, 'held dependent deleted');
    await new Promise((r) => setTimeout(r, 200));
    const waiting = await current(CONFIG_MAPS, 'fg-owner');
    assert.ok(waiting?.metadata?.deletionTimestamp, 'the owner is still there, being deleted');
    assert.deepEqual(waiting.metadata.finalizers, ['foregroundDeletion']);
    await cms().patch(NS, 'fg-held', 'merge', { metadata: { finalizers: null } });
    await gone(CONFIG_MAPS, 'fg-held');
    await gone(CONFIG_MAPS, 'fg-owner');
  });

  test('foreground deletion goes down a chain: dependents with dependents go in the foreground too', async () => {
    const top = await configMap('chain-top');
    const mid = await configMap('chain-mid', [refTo(top, { blockOwnerDeletion: true })]);
    await configMap('chain-leaf', [refTo(mid, { blockOwnerDeletion: true })], ['example.com/hold']);
    await cms().delete(NS, 'chain-top', { propagationPolicy: 'Foreground' });
    await waitFor(async () => (await current(CONFIG_MAPS, 'chain-leaf'))?.metadata?.deletionTimestamp, 5000, 'leaf deleted');
    const midNow = await current(CONFIG_MAPS, 'chain-mid');
    assert.deepEqual(midNow?.metadata?.finalizers, ['foregroundDeletion'], 'the middle waits for the leaf');
    assert.ok(await current(CONFIG_MAPS, 'chain-top'));
    await cms().patch(NS, 'chain-leaf', 'merge', { metadata: { finalizers: null } });
    await gone(CONFIG_MAPS, 'chain-mid');
    await gone(CONFIG_MAPS, 'chain-top');
  });

  test('foreground deletion of an object without dependents completes at once', async () => {
    await configMap('fg-alone');
    await cms().delete(NS, 'fg-alone', { propagationPolicy: 'Foreground' });
    await gone(CONFIG_MAPS, 'fg-alone');
  });

  test('a cluster-scoped owner: its namespaced dependents go with it', async () => {
    const owner = await cp.client.resource(NODES).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'gc-node' } });
    await configMap('node-child', [refTo(owner)]);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(await current(CONFIG_MAPS, 'node-child'), 'kept while its owner exists');
    await cp.client.resource(NODES).delete('', 'gc-node');
    await gone(CONFIG_MAPS, 'node-child');
  });

  test('orphan deletion: the dependents stay, without the reference', async () => {
    const owner = await configMap('or-owner');
    const other = await configMap('or-other');
    await configMap('or-child', [refTo(owner), refTo(other)]);
    await pod('or-pod', [refTo(owner, { controller: true, blockOwnerDeletion: true })]);
    await cms().delete(NS, 'or-owner', { propagationPolicy: 'Orphan' });
    await gone(CONFIG_MAPS, 'or-owner');
    const child = await current(CONFIG_MAPS, 'or-child');
    assert.deepEqual(child?.metadata?.ownerReferences?.map((r) => r.name), ['or-other']);
    const p = await current(PODS, 'or-pod');
    assert.ok(p, 'the pod stays');
    assert.equal(p.metadata?.ownerReferences, undefined);
  });

  test('dangling references: an object whose owners never existed (or were replaced) is collected', async () => {
    const ghost = { apiVersion: 'v1', kind: 'ConfigMap', name: 'no-such-owner', uid: '0b3c6a34-0000-4000-8000-000000000001' };
    await configMap('dangling-ghost', [ghost]);
    const namesake = await configMap('namesake');
    await configMap('dangling-uid', [{ ...refTo(namesake), uid: '0b3c6a34-0000-4000-8000-000000000002' }]);
    await gone(CONFIG_MAPS, 'dangling-ghost');
    await gone(CONFIG_MAPS, 'dangling-uid');
    assert.ok(await current(CONFIG_MAPS, 'namesake'), 'the object of the same name is not touched');
  });

  test('several owners: one deleted removes only its reference', async () => {
    const a = await configMap('multi-a');
    const b = await configMap('multi-b');
    await configMap('multi-child', [refTo(a), refTo(b)]);
    await cms().delete(NS, 'multi-a');
    await waitFor(async () => (await current(CONFIG_MAPS, 'multi-child'))?.metadata?.ownerReferences?.length === 1, 5000, 'reference removed');
    const child = await current(CONFIG_MAPS, 'multi-child');
    assert.deepEqual(child?.metadata?.ownerReferences?.map((r) => r.uid), [b.metadata!.uid]);
    await cms().delete(NS, 'multi-b');
    await gone(CONFIG_MAPS, 'multi-child');
  });

  test('custom resources: collected as dependents, and owning others, once discovered', async () => {
    await createCrd(cp.client, WIDGETS, NS);
    assert.equal(gc.monitoredResources().includes('gc.example.com/widgets'), false);
    await gc.resync();
    assert.equal(gc.monitoredResources().includes('gc.example.com/widgets'), true);

    const widget = (o: OwnerReference[]): KubeObject => ({ apiVersion: 'gc.example.com/v1', kind: 'Widget', metadata: { name: 'w-child', namespace: NS, ownerReferences: o } });
    const cmOwner = await configMap('cr-owner');
    await cp.client.resource(WIDGETS).create(widget([refTo(cmOwner)]));
    const wOwner = await cp.client.resource(WIDGETS).create({ apiVersion: 'gc.example.com/v1', kind: 'Widget', metadata: { name: 'w-owner', namespace: NS } });
    await configMap('cr-child', [refTo(wOwner)]);

    await cms().delete(NS, 'cr-owner');
    await gone(WIDGETS, 'w-child');
    await cp.client.resource(WIDGETS).delete(NS, 'w-owner', { propagationPolicy: 'Foreground' });
    await gone(CONFIG_MAPS, 'cr-child');
    await gone(WIDGETS, 'w-owner');
  });
});
