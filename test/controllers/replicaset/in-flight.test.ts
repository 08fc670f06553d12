// Expectations against a slow pod watch: while the controller's own creates and deletes have not
// reached its cache yet, further syncs (its status writes trigger them at once) must not act on
// the stale pod count again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { PODS, REPLICA_SETS } from '../../../src/client/resources.js';
import { ReplicaSetController } from '../../../src/controllers/replicaset/controller.js';
import { activePods, eventMessages, getReplicaSet, NS, replicaSet, runWith, sleep, slowPodWatch, until, type Running } from './fixtures.js';

const DELAY_MS = 60;

let env: Running;
before(async () => {
  env = await runWith((ctx) => new ReplicaSetController(ctx), { readClient: (c) => slowPodWatch(c, DELAY_MS) });
});
after(() => env.stop());

test('creates and deletes still in flight are not repeated', async () => {
  const { client } = env.cp;
  const rsClient = client.resource<ReplicaSet>(REPLICA_SETS);
  const events = async (reason: string) => {
    await env.ctx.events.flush();
    return (await eventMessages(client, 'steady', reason)).length;
  };
  await rsClient.create(replicaSet('steady', 3));
  // The controller's cache has caught up once its status counts 3.
  await until(async () => (await getReplicaSet(client, 'steady')).status?.replicas === 3, 'status.replicas 3');
  await sleep(4 * DELAY_MS);
  const all = (await client.resource<Pod>(PODS).list(NS, { labelSelector: 'app=steady' })).items;
  assert.equal(all.length, 3);
  assert.deepEqual([await events('SuccessfulCreate'), await events('SuccessfulDelete')], [3, 0], 'exactly 3 pods were ever created, none deleted');

  await rsClient.patch(NS, 'steady', 'merge', { spec: { replicas: 1 } });
  await until(async () => (await getReplicaSet(client, 'steady')).status?.replicas === 1, 'status.replicas 1');
  await sleep(4 * DELAY_MS);
  const left = await activePods(client, { app: 'steady' });
  assert.equal(left.length, 1);
  assert.ok(all.some((p) => p.metadata?.name === left[0]!.metadata?.name));
  assert.deepEqual([await events('SuccessfulCreate'), await events('SuccessfulDelete')], [3, 2], 'exactly 2 deleted, none created to make up for over-deleting');
});
