// Mirror pods against a real API server: created owned by the Node, left alone while current,
// recreated after a delete (graceful or immediate) and after the static pod changed, removed when
// their static pod is gone; nothing is created for a node that is not registered, and a user's pod
// holding the name is reported, not touched.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { NODES, PODS } from '../../../src/client/resources.js';
import { createLogger, silentLogger } from '../../../src/logging/index.js';
import { MirrorPodManager, isMirrorPodOf, mirrorPodFor, parseManifest } from '../../../src/kubelet/config/index.js';
import { type ControlPlane, startControlPlane } from '../../controllers/harness.js';

let cp: ControlPlane;
const NODE = 'mirror-node';
const pods = () => cp.client.resource<Pod>(PODS);
let node: Node;

before(async () => {
  cp = await startControlPlane();
  node = await cp.client.resource<Node>(NODES).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: NODE } });
});
after(async () => {
  await cp?.stop();
});

const staticPod = (name: string, command = 'sleep 3600', nodeName = NODE): Pod =>
  parseManifest(`apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec:\n  containers: [{name: app, image: busybox, command: [sh, -c, '${command}']}]\n`, {
    path: `/manifests/${name}.yaml`,
    nodeName,
  });

/** The pods of a node as the kubelet's informer would list them. */
const onNode = async (nodeName = NODE) => (await pods().list('', { fieldSelector: `spec.nodeName=${nodeName}` })).items;
const get = (name: string) => pods().get('default', name);

describe('mirrorPodFor', () => {
  it('is the static pod with the mirror annotation, owned by the node, without uid or status', () => {
    const s = staticPod('shape');
    const m = mirrorPodFor(s, { name: NODE, uid: 'node-uid' });
    assert.equal(m.metadata?.uid, undefined);
    assert.equal(m.status, undefined);
    assert.equal(m.metadata?.name, 'shape-mirror-node');
    assert.deepEqual(m.spec, s.spec);
    assert.equal(m.metadata?.annotations?.['kubernetes.io/config.mirror'], s.metadata?.uid);
    assert.equal(m.metadata?.annotations?.['kubernetes.io/config.source'], 'file');
    assert.deepEqual(m.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: NODE, uid: 'node-uid', controller: true }]);
  });
});

describe('MirrorPodManager', () => {
  const RECREATE_DELAY_MS = 150;
  const mgr = () => new MirrorPodManager({ client: cp.client, nodeName: NODE, logger: silentLogger, recreateDelayMs: RECREATE_DELAY_MS });

  it('creates the missing mirror pod: owned by the Node, annotated with the hash, Pending', async () => {
    const m = mgr();
    const s = staticPod('create');
    const r = await m.sync([s], await onNode());
    assert.deepEqual(r, { created: ['default/create-mirror-node'], deleted: [], failed: [] });
    const mirror = await get('create-mirror-node');
    assert.ok(isMirrorPodOf(mirror, s));
    assert.notEqual(mirror.metadata?.uid, s.metadata?.uid, 'the API gives the mirror its own uid');
    assert.deepEqual(mirror.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: NODE, uid: node.metadata!.uid, controller: true }]);
    assert.equal(mirror.spec?.nodeName, NODE);
    assert.equal(mirror.status?.phase, 'Pending');
    assert.equal(mirror.metadata?.annotations?.['kubernetes.io/config.hash'], s.metadata?.uid);
  });

  it('is idempotent: a current mirror is left alone, even with a stale view that misses it', async () => {
    const m = mgr();
    const s = staticPod('idem');
    await m.sync([s], await onNode());
    const uid = (await get('idem-mirror-node')).metadata?.uid;
    assert.deepEqual(await m.sync([s], await onNode()), { created: [], deleted: [], failed: [] });
    assert.deepEqual(await m.sync([s], []), { created: [], deleted: [], failed: [] }, 'AlreadyExists of a current mirror is fine');
    assert.equal((await get('idem-mirror-node')).metadata?.uid, uid);
  });

  it('recreates a mirror deleted with kubectl (graceful: after a pause, so kubectl sees it gone) or at once', async () => {
    const m = mgr();
    const s = staticPod('recreate');
    await m.sync([s], await onNode());
    const first = await get('recreate-mirror-node');
    // A pod bound to a node is deleted gracefully: it stays, marked, until its kubelet acts.
    await pods().delete('default', 'recreate-mirror-node');
    const marked = await get('recreate-mirror-node');
    assert.ok(marked.metadata?.deletionTimestamp, 'graceful deletion pending');
    const view = await onNode();
    const t0 = Date.now();
    const syncing = m.sync([s], view);
    // During the pause the name is free: a client waiting for the deletion sees it done.
    await new Promise((r) => setTimeout(r, RECREATE_DELAY_MS / 3));
    await assert.rejects(get('recreate-mirror-node'), /not found/);
    const r = await syncing;
    assert.ok(Date.now() - t0 >= RECREATE_DELAY_MS, 'recreated after the pause');
    assert.deepEqual(r, { created: ['default/recreate-mirror-node'], deleted: ['default/recreate-mirror-node'], failed: [] });
    // The same stale view again: the marked mirror is gone already, the new one is kept.
    assert.deepEqual(await m.sync([s], view), { created: [], deleted: [], failed: [] });
    const second = await get('recreate-mirror-node');
    assert.notEqual(second.metadata?.uid, first.metadata?.uid);
    assert.equal(second.metadata?.deletionTimestamp, undefined);

    await pods().delete('default', 'recreate-mirror-node', { gracePeriodSeconds: 0 });
    const again = await m.sync([s], await onNode());
    assert.deepEqual(again.created, ['default/recreate-mirror-node']);
    assert.ok(isMirrorPodOf(await get('recreate-mirror-node'), s));
  });

  it('replaces the mirror of an older version when the static pod changed', async () => {
    const m = mgr();
    const v1 = staticPod('change', 'sleep 1');
    await m.sync([v1], await onNode());
    const old = await get('change-mirror-node');
    const v2 = staticPod('change', 'sleep 2');
    const r = await m.sync([v2], await onNode());
    assert.deepEqual(r, { created: ['default/change-mirror-node'], deleted: ['default/change-mirror-node'], failed: [] });
    const now = await get('change-mirror-node');
    assert.notEqual(now.metadata?.uid, old.metadata?.uid);
    assert.ok(isMirrorPodOf(now, v2));
    assert.ok(!isMirrorPodOf(now, v1));
    // A stale view still showing the old mirror: its uid precondition fails, the current one stays.
    assert.deepEqual((await m.sync([v2], [old])).failed, []);
    assert.equal((await get('change-mirror-node')).metadata?.uid, now.metadata?.uid);
  });

  it('deletes orphaned mirrors and nothing else: not user pods, not other nodes’ mirrors', async () => {
    const m = mgr();
    await m.sync([staticPod('orphan')], await onNode());
    await pods().create({ metadata: { name: 'users-pod', namespace: 'default' }, spec: { nodeName: NODE, containers: [{ name: 'c', image: 'busybox' }] } });
    const elsewhere = { ...mirrorPodFor(staticPod('far', 'sleep 1', 'other-node'), { name: 'other-node', uid: 'u' }) };
    await pods().create(elsewhere);
    const everything = [...(await onNode()), ...(await onNode('other-node'))];
    const r = await m.sync([], everything);
    assert.ok(r.deleted.includes('default/orphan-mirror-node'));
    assert.ok(!r.deleted.includes('default/users-pod'));
    await assert.rejects(get('orphan-mirror-node'), /not found/);
    assert.equal((await get('users-pod')).metadata?.name, 'users-pod');
    assert.equal((await get('far-other-node')).metadata?.name, 'far-other-node');
    const left = (await onNode()).filter((p) => p.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined);
    assert.deepEqual(left, [], 'no mirror is left on the node');
  });

  it('creates nothing while the node is not registered, and creates once it is', async () => {
    const m = new MirrorPodManager({ client: cp.client, nodeName: 'late-node', logger: silentLogger });
    const s = staticPod('early', 'sleep 1', 'late-node');
    assert.deepEqual(await m.sync([s], []), { created: [], deleted: [], failed: ['default/early-late-node'] });
    await assert.rejects(get('early-late-node'), /not found/);
    await cp.client.resource<Node>(NODES).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'late-node' } });
    assert.deepEqual((await m.sync([s], [])).created, ['default/early-late-node']);
  });

  it('a user pod holding the name is reported once and left alone', async () => {
    const lines: string[] = [];
    const m = new MirrorPodManager({ client: cp.client, nodeName: NODE, logger: createLogger(0, { write: (l: string) => void lines.push(l) }) });
    await pods().create({ metadata: { name: 'taken-mirror-node', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const s = staticPod('taken');
    for (let i = 0; i < 3; i++) assert.deepEqual((await m.sync([s], await onNode())).failed, ['default/taken-mirror-node']);
    assert.equal(lines.length, 1);
    assert.match(JSON.parse(lines[0]!).msg, /could not create the mirror pod of static pod default\/taken-mirror-node: .*already exists/);
    assert.equal((await get('taken-mirror-node')).metadata?.annotations?.['kubernetes.io/config.mirror'], undefined);
  });

  it('syncs one at a time, in the order asked; an outdated mirror a stale view misses is replaced', async () => {
    const m = mgr();
    const a = staticPod('order', 'sleep 1');
    const b = staticPod('order', 'sleep 2');
    const [ra, rb] = await Promise.all([m.sync([a], []), m.sync([b], [])]);
    assert.deepEqual(ra, { created: ['default/order-mirror-node'], deleted: [], failed: [] });
    assert.deepEqual(rb, { created: ['default/order-mirror-node'], deleted: ['default/order-mirror-node'], failed: [] });
    assert.ok(isMirrorPodOf(await get('order-mirror-node'), b));
  });
});
