// Creating a Deployment: its first ReplicaSet, pods, revision 1 and a rolled-out status; and the
// ReplicaSets it adopts and releases.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { DEPLOYMENTS, REPLICA_SETS } from '../../../src/client/resources.js';
import { computeHash } from '../../../src/controllers/deployment/hash.js';
import { deployment, type Env, eventMessages, getDeployment, NS, podsOf, replicaSetsOf, startEnv, waitFor, waitRolledOut } from './env.js';

let env: Env;
before(async () => {
  env = await startEnv();
});
after(() => env.stop());

test('a new Deployment gets one ReplicaSet named by its template hash, pods, revision 1 and a complete status', async () => {
  const { client } = env;
  const created = await client.resource<Deployment>(DEPLOYMENTS).create(deployment('web', 3, { annotations: { 'kubernetes.io/change-cause': 'first' } }));
  const d = await waitRolledOut(client, 'web');

  const [rs, ...others] = await replicaSetsOf(client, d);
  assert.equal(others.length, 0);
  const hash = computeHash(created.spec!.template, undefined);
  assert.equal(rs!.metadata!.name, `web-${hash}`);
  assert.deepEqual(rs!.metadata!.labels, { app: 'web', 'pod-template-hash': hash });
  assert.deepEqual(rs!.spec!.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
  assert.deepEqual(rs!.spec!.template!.metadata!.labels, { app: 'web', 'pod-template-hash': hash });
  assert.equal(rs!.spec!.replicas, 3);
  assert.deepEqual(rs!.metadata!.ownerReferences, [
    { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: created.metadata!.uid, controller: true, blockOwnerDeletion: true },
  ]);
  assert.deepEqual(rs!.metadata!.annotations, {
    'deployment.kubernetes.io/revision': '1',
    'deployment.kubernetes.io/desired-replicas': '3',
    'deployment.kubernetes.io/max-replicas': '4',
    'kubernetes.io/change-cause': 'first',
  });

  const pods = await podsOf(client, 'web');
  assert.equal(pods.length, 3);
  for (const pod of pods) assert.equal(pod.metadata!.labels!['pod-template-hash'], hash);

  const withRevision = await waitFor(async () => {
    const cur = await getDeployment(client, 'web');
    return cur.metadata?.annotations?.['deployment.kubernetes.io/revision'] === '1' && cur.status?.observedGeneration === cur.metadata?.generation ? cur : undefined;
  }, 3000, 'revision 1 observed');
  const { conditions, ...counts } = withRevision.status!;
  assert.deepEqual(counts, { observedGeneration: withRevision.metadata!.generation, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
  assert.deepEqual(
    conditions!.map((c) => [c.type, c.status, c.reason, c.message]),
    [
      ['Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.'],
      ['Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "web-${hash}" has successfully progressed.`],
    ],
  );
  await env.flushEvents();
  assert.deepEqual(await eventMessages(client, 'web', 'ScalingReplicaSet'), [`Scaled up replica set web-${hash} from 0 to 3`]);
});

test('an orphan ReplicaSet the selector matches is adopted; one it no longer matches is released', async () => {
  const { client } = env;
  const rsClient = client.resource<ReplicaSet>(REPLICA_SETS);
  const template = deployment('adopt', 1).spec!.template;
  // Made before the Deployment, with its template: the Deployment's new set once adopted.
  await rsClient.create({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'adopt-orphan', namespace: NS, labels: { app: 'adopt' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'adopt' } }, template },
  });
  const d = await client.resource<Deployment>(DEPLOYMENTS).create(deployment('adopt', 1));
  const adopted = await waitFor(async () => {
    const rs = await rsClient.get(NS, 'adopt-orphan');
    return rs.metadata?.ownerReferences?.length ? rs : undefined;
  }, 3000, 'adoption');
  assert.deepEqual(adopted.metadata!.ownerReferences, [
    { apiVersion: 'apps/v1', kind: 'Deployment', name: 'adopt', uid: d.metadata!.uid, controller: true, blockOwnerDeletion: true },
  ]);
  await waitRolledOut(client, 'adopt');
  // Its template matched: no second set was made.
  assert.deepEqual((await replicaSetsOf(client, d)).map((rs) => rs.metadata!.name), ['adopt-orphan']);
  assert.equal(adopted.metadata!.annotations?.['deployment.kubernetes.io/revision'] ?? (await rsClient.get(NS, 'adopt-orphan')).metadata!.annotations!['deployment.kubernetes.io/revision'], '1');

  // Relabelled out of the selector: released, and the Deployment makes a set of its own.
  const cur = await rsClient.get(NS, 'adopt-orphan');
  await rsClient.update({ ...cur, metadata: { ...cur.metadata, labels: { app: 'elsewhere' } } });
  await waitFor(async () => ((await rsClient.get(NS, 'adopt-orphan')).metadata?.ownerReferences ?? []).length === 0, 3000, 'release');
  const sets = await waitFor(async () => {
    const owned = await replicaSetsOf(client, d);
    return owned.length === 1 && owned[0]!.metadata!.name !== 'adopt-orphan' ? owned : undefined;
  }, 3000, 'a new set');
  assert.equal(sets[0]!.metadata!.name, `adopt-${computeHash(d.spec!.template, undefined)}`);
});

test('scaling a Deployment scales its only ReplicaSet', async () => {
  const { client } = env;
  await client.resource<Deployment>(DEPLOYMENTS).create(deployment('scale', 2));
  await waitRolledOut(client, 'scale');
  const deployments = client.resource<Deployment>(DEPLOYMENTS);
  const scale = await deployments.getScale(NS, 'scale');
  await deployments.updateScale(NS, 'scale', { ...scale, spec: { replicas: 5 } });
  const d = await waitRolledOut(client, 'scale');
  const [rs] = await replicaSetsOf(client, d);
  assert.equal(rs!.spec!.replicas, 5);
  assert.equal(rs!.metadata!.annotations!['deployment.kubernetes.io/desired-replicas'], '5');
  assert.equal((await podsOf(client, 'scale')).length, 5);
  await env.flushEvents();
  assert.ok((await eventMessages(client, 'scale', 'ScalingReplicaSet')).includes(`Scaled up replica set ${rs!.metadata!.name} from 2 to 5`));
});

test('a name taken by someone else\'s ReplicaSet is a hash collision: collisionCount goes up and the hash changes', async () => {
  const { client } = env;
  const deployments = client.resource<Deployment>(DEPLOYMENTS);
  // Paused, the Deployment makes no ReplicaSet yet: its stored (defaulted) template gives the hash.
  const d = await deployments.create(deployment('clash', 1, { paused: true }));
  const taken = `clash-${computeHash(d.spec!.template, undefined)}`;
  const other = { app: 'other' };
  await client.resource<ReplicaSet>(REPLICA_SETS).create({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: taken, namespace: NS, labels: other },
    spec: { replicas: 0, selector: { matchLabels: other }, template: { metadata: { labels: other }, spec: d.spec!.template.spec } },
  });
  await deployments.patch(NS, 'clash', 'merge', { spec: { paused: false } });
  const done = await waitRolledOut(client, 'clash');
  assert.equal(done.status?.collisionCount, 1);
  const [rs] = await replicaSetsOf(client, done);
  assert.equal(rs!.metadata!.name, `clash-${computeHash(d.spec!.template, 1)}`);
  assert.notEqual(rs!.metadata!.name, taken);
  // The other set was left alone.
  assert.equal((await client.resource<ReplicaSet>(REPLICA_SETS).get(NS, taken)).metadata!.ownerReferences, undefined);
});
