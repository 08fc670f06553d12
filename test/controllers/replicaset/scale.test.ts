// The ReplicaSet controller against a real API server: creating, replacing and deleting pods.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { PODS, REPLICA_SETS } from '../../../src/client/resources.js';
import { ReplicaSetController } from '../../../src/controllers/replicaset/controller.js';
import { activePods, eventsUntil, getReplicaSet, NS, replicaSet, runPod, runWith, sleep, until, type Running } from './fixtures.js';

let env: Running;
before(async () => {
  env = await runWith((ctx) => new ReplicaSetController(ctx));
});
after(() => env.stop());

const names = (pods: Pod[]) => pods.map((p) => p.metadata!.name!);

test('scaling up to 3 creates exactly 3 pods from the template, owned by the ReplicaSet', async () => {
  const { client } = env.cp;
  const rs = await client.resource<ReplicaSet>(REPLICA_SETS).create(replicaSet('web', 3));
  const pods = await until(async () => ((await activePods(client, { app: 'web' })).length === 3 ? activePods(client, { app: 'web' }) : undefined), '3 pods');
  // Expectations: whatever the order the watch shows the creates in, nothing more is created.
  await sleep(300);
  assert.deepEqual(names((await client.resource<Pod>(PODS).list(NS, { labelSelector: 'app=web' })).items).sort(), names(pods));
  for (const pod of pods) {
    assert.equal(pod.metadata?.generateName, 'web-');
    assert.match(pod.metadata!.name!, /^web-[a-z0-9]{5}$/);
    assert.deepEqual(pod.metadata?.labels, { app: 'web' });
    assert.deepEqual(pod.metadata?.ownerReferences, [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata!.uid, controller: true, blockOwnerDeletion: true },
    ]);
    assert.equal(pod.spec?.containers[0]?.image, 'nginx:1.25');
  }
  assert.deepEqual(await eventsUntil(env, 'web', 'SuccessfulCreate', 3), names(pods).map((n) => `Created pod: ${n}`));
  const status = await until(async () => {
    const cur = await getReplicaSet(client, 'web');
    return cur.status?.replicas === 3 && cur.status.observedGeneration === cur.metadata?.generation ? cur.status : undefined;
  });
  assert.deepEqual({ ...status }, { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 0, availableReplicas: 0, observedGeneration: 1 });
});

test('scaling down deletes unassigned and not-ready pods first', async () => {
  const { client } = env.cp;
  const rsClient = client.resource<ReplicaSet>(REPLICA_SETS);
  await rsClient.create(replicaSet('down', 4));
  const pods = await until(async () => {
    const p = await activePods(client, { app: 'down' });
    return p.length === 4 ? p : undefined;
  });
  const [oldest, older, notReady, unassigned] = pods as [Pod, Pod, Pod, Pod];
  await runPod(client, oldest, { node: 'node-a', ready: true, readySince: new Date(Date.now() - 600_000) });
  await runPod(client, older, { node: 'node-b', ready: true, readySince: new Date(Date.now() - 300_000) });
  await runPod(client, notReady, { node: 'node-a', ready: false });
  // Once the status shows both Ready pods, the controller's cache has every kubelet write.
  await until(async () => (await getReplicaSet(client, 'down')).status?.readyReplicas === 2, 'readyReplicas 2');

  const scale = await rsClient.getScale(NS, 'down');
  await rsClient.updateScale(NS, 'down', { ...scale, spec: { replicas: 2 } });
  const remaining = await until(async () => {
    const p = await activePods(client, { app: 'down' });
    return p.length === 2 ? p : undefined;
  });
  assert.deepEqual(names(remaining).sort(), names([oldest, older]).sort());
  // The bound pod waits for its kubelet (graceful deletion); the unassigned one is gone at once.
  const all = (await client.resource<Pod>(PODS).list(NS, { labelSelector: 'app=down' })).items;
  const terminating = all.filter((p) => p.metadata?.deletionTimestamp);
  assert.deepEqual(names(terminating), [notReady.metadata!.name!]);
  assert.deepEqual(
    await eventsUntil(env, 'down', 'SuccessfulDelete', 2),
    [`Deleted pod: ${notReady.metadata!.name}`, `Deleted pod: ${unassigned.metadata!.name}`].sort(),
  );
  // And one step further: down to 1 keeps the pod Ready for longest.
  await rsClient.updateScale(NS, 'down', { ...(await rsClient.getScale(NS, 'down')), spec: { replicas: 1 } });
  const last = await until(async () => {
    const p = await activePods(client, { app: 'down' });
    return p.length === 1 ? p : undefined;
  });
  assert.deepEqual(names(last), [oldest.metadata!.name!]);
});

test('a deleted pod is replaced', async () => {
  const { client } = env.cp;
  await client.resource<ReplicaSet>(REPLICA_SETS).create(replicaSet('heal', 2));
  const before = await until(async () => {
    const p = await activePods(client, { app: 'heal' });
    return p.length === 2 ? p : undefined;
  });
  const victim = before[0]!.metadata!.name!;
  await client.resource<Pod>(PODS).delete(NS, victim);
  const after = await until(async () => {
    const p = await activePods(client, { app: 'heal' });
    return p.length === 2 && !names(p).includes(victim) ? p : undefined;
  });
  assert.ok(names(after).includes(before[1]!.metadata!.name!), 'the surviving pod is kept');
  await sleep(200);
  assert.equal((await activePods(client, { app: 'heal' })).length, 2);
});

test('a ReplicaSet being deleted creates and deletes nothing', async () => {
  const { client } = env.cp;
  const rsClient = client.resource<ReplicaSet>(REPLICA_SETS);
  const rs = replicaSet('dying', 2);
  rs.metadata!.finalizers = ['example.com/hold'];
  await rsClient.create(rs);
  const pods = await until(async () => {
    const p = await activePods(client, { app: 'dying' });
    return p.length === 2 ? p : undefined;
  });
  await rsClient.delete(NS, 'dying');
  await until(async () => (await getReplicaSet(client, 'dying')).metadata?.deletionTimestamp, 'deletionTimestamp');
  await client.resource<Pod>(PODS).delete(NS, pods[0]!.metadata!.name!);
  await sleep(300);
  assert.deepEqual(names(await activePods(client, { app: 'dying' })), [pods[1]!.metadata!.name!]);
  // The status still follows the pods.
  await until(async () => (await getReplicaSet(client, 'dying')).status?.replicas === 1, 'status.replicas 1');
  await rsClient.patch(NS, 'dying', 'merge', { metadata: { finalizers: null } });
});
