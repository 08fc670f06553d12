// The ReplicaSet controller claiming pods: orphans that match are adopted, pods that stop
// matching are released, pods of other controllers are left alone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { PODS, REPLICA_SETS } from '../../../src/client/resources.js';
import { ReplicaSetController } from '../../../src/controllers/replicaset/controller.js';
import { activePods, barePod, NS, replicaSet, runWith, sleep, until, type Running } from './fixtures.js';

let env: Running;
before(async () => {
  env = await runWith((ctx) => new ReplicaSetController(ctx));
});
after(() => env.stop());

const controllerUid = (p: Pod) => p.metadata?.ownerReferences?.find((r) => r.controller)?.uid;

test('a matching orphan is adopted and counts toward the replicas; another controller\'s pod is not', async () => {
  const { client } = env.cp;
  const pods = client.resource<Pod>(PODS);
  await pods.create(barePod('orphan', { app: 'adopt' }));
  const taken = barePod('taken', { app: 'adopt' });
  taken.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'someone-else', uid: 'not-this-one', controller: true }];
  await pods.create(taken);
  const rs = await client.resource<ReplicaSet>(REPLICA_SETS).create(replicaSet('adopt', 2));
  const uid = rs.metadata!.uid!;
  const adopted = await until(async () => {
    const p = await pods.get(NS, 'orphan');
    return controllerUid(p) === uid ? p : undefined;
  }, 'orphan adopted');
  assert.deepEqual(adopted.metadata?.ownerReferences, [
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'adopt', uid, controller: true, blockOwnerDeletion: true },
  ]);
  const owned = await until(async () => {
    const p = (await activePods(client, { app: 'adopt' })).filter((x) => controllerUid(x) === uid);
    return p.length === 2 ? p : undefined;
  });
  assert.ok(owned.some((p) => p.metadata?.name === 'orphan'));
  await sleep(200);
  const all = await activePods(client, { app: 'adopt' });
  assert.equal(all.length, 3, 'the orphan plus one created pod, plus the other controller\'s pod');
  assert.equal(controllerUid((await pods.get(NS, 'taken'))), 'not-this-one');
});

test('a pod whose labels stop matching is released and replaced', async () => {
  const { client } = env.cp;
  const pods = client.resource<Pod>(PODS);
  const rs = await client.resource<ReplicaSet>(REPLICA_SETS).create(replicaSet('release', 2));
  const uid = rs.metadata!.uid!;
  const initial = await until(async () => {
    const p = await activePods(client, { app: 'release' });
    return p.length === 2 ? p : undefined;
  });
  const leaving = initial[0]!.metadata!.name!;
  await pods.patch(NS, leaving, 'merge', { metadata: { labels: { app: 'elsewhere' } } });
  const released = await until(async () => {
    const p = await pods.get(NS, leaving);
    return (p.metadata?.ownerReferences ?? []).length === 0 ? p : undefined;
  }, 'pod released');
  assert.deepEqual(released.metadata?.labels, { app: 'elsewhere' });
  const replaced = await until(async () => {
    const p = await activePods(client, { app: 'release' });
    return p.length === 2 && p.every((x) => controllerUid(x) === uid) ? p : undefined;
  }, 'replacement');
  assert.ok(!replaced.some((p) => p.metadata?.name === leaving));

  // Labelled back, it matches again: adopted, and the controller is now one over, so it deletes one.
  await pods.patch(NS, leaving, 'merge', { metadata: { labels: { app: 'release' } } });
  await until(async () => controllerUid(await pods.get(NS, leaving)) === uid, 're-adopted');
  await until(async () => (await activePods(client, { app: 'release' })).length === 2, 'back to 2 pods');
});
