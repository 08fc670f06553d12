// Failing pod creates (a quota's Forbidden, injected in the controller's client since the test
// server runs no quota admission): slow start stops at the first failure, the ReplicaSet gets a
// ReplicaFailure condition and a FailedCreate event, and both clear once creates work again, in
// slow-start batches within the per-sync burst cap.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { forbidden } from '../../../src/apimachinery/errors.js';
import { REPLICA_SETS } from '../../../src/client/resources.js';
import type { Client } from '../../../src/client/types.js';
import { ReplicaSetController } from '../../../src/controllers/replicaset/controller.js';
import { activePods, eventsUntil, getReplicaSet, replicaSet, runWith, sleep, withPodVerbs, until, type Running } from './fixtures.js';

const QUOTA = 'exceeded quota: pods, requested: pods=1, used: pods=0, limited: pods=0';

/** Pod creates through this client fail while `fail` is set; `inFlight` records concurrency at each attempt. */
const creates = { fail: true, inFlight: 0, seen: [] as number[] };

function failingCreates(client: Client): Client {
  return withPodVerbs(client, (pods) => ({
    async create(obj: Pod) {
      creates.seen.push(creates.inFlight++);
      try {
        await sleep(5);
        if (creates.fail) throw forbidden({ group: '', resource: 'pods' }, '', QUOTA);
        return await pods.create(obj);
      } finally {
        creates.inFlight--;
      }
    },
  }));
}

let env: Running;
before(async () => {
  // A burst of 4 (upstream 500) so the cap shows with few pods.
  env = await runWith((ctx) => new ReplicaSetController(ctx, { burstReplicas: 4 }), { writeClient: failingCreates });
});
after(() => env.stop());

test('a failing create sets ReplicaFailure and records FailedCreate; creates go in slow-start batches within the burst cap', async () => {
  const { client } = env.cp;
  await client.resource<ReplicaSet>(REPLICA_SETS).create(replicaSet('quota', 7));
  const failing = await until(async () => {
    const rs = await getReplicaSet(client, 'quota');
    return rs.status?.conditions?.length ? rs : undefined;
  }, 'ReplicaFailure');
  const cond = failing.status!.conditions![0]!;
  assert.deepEqual(
    { type: cond.type, status: cond.status, reason: cond.reason, message: cond.message },
    { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: `pods is forbidden: ${QUOTA}` },
  );
  assert.match(cond.lastTransitionTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(failing.status?.replicas, 0);
  await sleep(100); // a few retries with backoff
  assert.ok(creates.seen.length >= 1);
  assert.ok(creates.seen.every((n) => n === 0), `each failing sync tries one create only (saw ${creates.seen})`);
  assert.deepEqual(await eventsUntil(env, 'quota', 'FailedCreate', 1), [`Error creating: pods is forbidden: ${QUOTA}`]);

  // Quota freed: the next retry creates 4 (the burst cap) in slow-start batches of 1, 2 and 1;
  // once the informer has shown those, the next sync creates the other 3 in batches of 1 and 2.
  await until(() => creates.inFlight === 0, 'no create in flight');
  creates.seen = [];
  creates.fail = false;
  await until(async () => (await activePods(client, { app: 'quota' })).length === 7, '7 pods');
  assert.deepEqual(creates.seen, [0, 0, 1, 0, 0, 0, 1]);
  const healed = await until(async () => {
    const rs = await getReplicaSet(client, 'quota');
    return rs.status?.replicas === 7 && !rs.status.conditions ? rs : undefined;
  }, 'condition cleared');
  assert.equal(healed.status?.fullyLabeledReplicas, 7);
});
