// The status the ReplicaSet controller writes as a kubelet (the test) marks pods Ready.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { PODS, REPLICA_SETS } from '../../../src/client/resources.js';
import { ReplicaSetController } from '../../../src/controllers/replicaset/controller.js';
import { activePods, barePod, getReplicaSet, NS, replicaSet, runPod, runWith, until, type Running } from './fixtures.js';

let env: Running;
before(async () => {
  env = await runWith((ctx) => new ReplicaSetController(ctx));
});
after(() => env.stop());

const counts = (rs: ReplicaSet) => {
  const s = rs.status;
  return { replicas: s?.replicas, fullyLabeledReplicas: s?.fullyLabeledReplicas, readyReplicas: s?.readyReplicas, availableReplicas: s?.availableReplicas, observedGeneration: s?.observedGeneration };
};

test('replicas, fullyLabeledReplicas, readyReplicas, availableReplicas and observedGeneration', async () => {
  const { client } = env.cp;
  // Adopted, but without the template's extra label: a replica, not a fully labeled one.
  await client.resource<Pod>(PODS).create(barePod('partial', { app: 'stat' }));
  await client.resource<ReplicaSet>(REPLICA_SETS).create(replicaSet('stat', 3, { templateLabels: { tier: 'front' } }));
  const pods = await until(async () => {
    const p = await activePods(client, { app: 'stat' });
    return p.length === 3 && p.every((x) => x.metadata?.ownerReferences?.length) ? p : undefined;
  });
  await until(async () => (await getReplicaSet(client, 'stat')).status?.replicas === 3, 'replicas 3');
  assert.deepEqual(counts(await getReplicaSet(client, 'stat')), { replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 0, availableReplicas: 0, observedGeneration: 1 });

  const created = pods.filter((p) => p.metadata?.name !== 'partial');
  await runPod(client, created[0]!, { node: 'n1', ready: true });
  await runPod(client, pods.find((p) => p.metadata?.name === 'partial')!, { node: 'n1', ready: true });
  await runPod(client, created[1]!, { node: 'n2', ready: false });
  const ready = await until(async () => {
    const rs = await getReplicaSet(client, 'stat');
    return rs.status?.readyReplicas === 2 ? rs : undefined;
  }, 'readyReplicas 2');
  assert.deepEqual(counts(ready), { replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 });

  // A spec change is observed even when it changes no count.
  await client.resource<ReplicaSet>(REPLICA_SETS).patch(NS, 'stat', 'merge', { spec: { minReadySeconds: 0, template: { metadata: { annotations: { touched: 'yes' } } } } });
  const bumped = await until(async () => {
    const rs = await getReplicaSet(client, 'stat');
    return rs.status?.observedGeneration === 2 ? rs : undefined;
  }, 'observedGeneration 2');
  assert.equal(bumped.metadata?.generation, 2);
  assert.deepEqual(bumped.status?.conditions, undefined);
});

test('availableReplicas waits for minReadySeconds without any further pod event', async () => {
  const { client } = env.cp;
  await client.resource<ReplicaSet>(REPLICA_SETS).create(replicaSet('slow', 2, { minReadySeconds: 2 }));
  const pods = await until(async () => {
    const p = await activePods(client, { app: 'slow' });
    return p.length === 2 ? p : undefined;
  });
  // Ready times are whole seconds, so the pods become available 1 to 2 s from now.
  const readySince = new Date(Math.floor(Date.now() / 1000) * 1000);
  for (const p of pods) await runPod(client, p, { node: 'n1', ready: true, readySince });
  const ready = await until(async () => {
    const rs = await getReplicaSet(client, 'slow');
    return rs.status?.readyReplicas === 2 ? rs : undefined;
  }, 'readyReplicas 2');
  assert.equal(ready.status?.availableReplicas, 0, 'Ready, but not yet for minReadySeconds');
  const available = await until(async () => {
    const rs = await getReplicaSet(client, 'slow');
    return rs.status?.availableReplicas === 2 ? rs : undefined;
  }, 'availableReplicas 2');
  assert.ok(Date.now() > readySince.getTime() + 2000, 'not before minReadySeconds passed');
  assert.deepEqual(counts(available), { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 });
});
