// The same controller serving ReplicationControllers (core/v1, map selector).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ReplicationController } from 'kubernetes-types/core/v1.js';
import { PODS, REPLICATION_CONTROLLERS } from '../../../src/client/resources.js';
import { ReplicationControllerController } from '../../../src/controllers/replicaset/replication-controller.js';
import { activePods, barePod, eventsUntil, NS, replicationController, runPod, runWith, sleep, until, type Running } from './fixtures.js';

let env: Running;
before(async () => {
  env = await runWith((ctx) => new ReplicationControllerController(ctx));
});
after(() => env.stop());

test('a ReplicationController gets its pods, adopts orphans, reports status and scales down', async () => {
  const { client } = env.cp;
  const rcs = client.resource<ReplicationController>(REPLICATION_CONTROLLERS);
  await client.resource<Pod>(PODS).create(barePod('stray', { rc: 'legacy' }));
  const rc = await rcs.create(replicationController('legacy', 3));
  const pods = await until(async () => {
    const p = await activePods(client, { rc: 'legacy' });
    return p.length === 3 && p.every((x) => x.metadata?.ownerReferences?.length) ? p : undefined;
  }, '3 owned pods');
  await sleep(200);
  assert.equal((await activePods(client, { rc: 'legacy' })).length, 3);
  for (const p of pods) {
    assert.deepEqual(p.metadata?.ownerReferences, [
      { apiVersion: 'v1', kind: 'ReplicationController', name: 'legacy', uid: rc.metadata!.uid, controller: true, blockOwnerDeletion: true },
    ]);
  }
  const created = pods.filter((p) => p.metadata?.name !== 'stray');
  assert.equal(created.length, 2);
  assert.ok(created.every((p) => p.metadata?.generateName === 'legacy-'));
  assert.deepEqual(await eventsUntil(env, 'legacy', 'SuccessfulCreate', 2), created.map((p) => `Created pod: ${p.metadata!.name}`).sort());

  for (const p of created) await runPod(client, p, { node: 'n1', ready: true });
  const status = await until(async () => {
    const s = (await rcs.get(NS, 'legacy')).status;
    return s?.readyReplicas === 2 ? s : undefined;
  }, 'readyReplicas 2');
  assert.deepEqual({ ...status }, { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 });

  // Scaling down removes the pod that is neither scheduled nor ready: the adopted stray.
  await rcs.patch(NS, 'legacy', 'merge', { spec: { replicas: 2 } });
  const left = await until(async () => {
    const p = await activePods(client, { rc: 'legacy' });
    return p.length === 2 ? p : undefined;
  });
  assert.deepEqual(left.map((p) => p.metadata!.name).sort(), created.map((p) => p.metadata!.name).sort());
  await until(async () => (await rcs.get(NS, 'legacy')).status?.observedGeneration === 2, 'observedGeneration 2');
});
