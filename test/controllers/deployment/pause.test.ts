// Pausing and resuming, and resizing a Deployment while paused or in the middle of a rollout
// (proportional scaling).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import { DEPLOYMENTS } from '../../../src/client/resources.js';
import { deployment, type Env, getDeployment, NS, podsOf, replicaSetsOf, sleep, startEnv, updateDeployment, waitFor, waitRolledOut } from './env.js';

let env: Env;
before(async () => {
  env = await startEnv();
});
after(() => env.stop());

const progressing = (d: Deployment) => d.status?.conditions?.find((c) => c.type === 'Progressing');

test('a paused Deployment makes no rollout progress but still scales; resuming rolls out', async () => {
  const { client } = env;
  await client.resource<Deployment>(DEPLOYMENTS).create(deployment('pause', 2));
  await waitRolledOut(client, 'pause');

  // Every Progressing reason the Deployment goes through, from its watch stream.
  const ac = new AbortController();
  const reasons: string[] = [];
  const watching = (async () => {
    for await (const ev of client.resource<Deployment>(DEPLOYMENTS).watch(NS, { signal: ac.signal })) {
      const reason = ev.object.metadata?.name === 'pause' ? progressing(ev.object)?.reason : undefined;
      if (reason && reasons.at(-1) !== reason) reasons.push(reason);
    }
  })().catch(() => undefined);

  await updateDeployment(client, 'pause', (d) => {
    d.spec!.paused = true;
  });
  const paused = await waitFor(async () => {
    const d = await getDeployment(client, 'pause');
    return progressing(d)?.reason === 'DeploymentPaused' ? d : undefined;
  }, 3000, 'DeploymentPaused');
  assert.deepEqual([progressing(paused)!.status, progressing(paused)!.message], ['Unknown', 'Deployment is paused']);

  // A template change waits; a resize does not.
  await updateDeployment(client, 'pause', (d) => {
    d.spec!.template.spec!.containers[0]!.image = 'nginx:2';
    d.spec!.replicas = 4;
  });
  const scaled = await waitFor(async () => {
    const d = await getDeployment(client, 'pause');
    return d.status?.observedGeneration === d.metadata?.generation && d.status?.replicas === 4 && d.status.availableReplicas === 4 ? d : undefined;
  }, 3000, 'scaled while paused');
  await sleep(200);
  const sets = await replicaSetsOf(client, scaled);
  assert.equal(sets.length, 1, 'no new ReplicaSet while paused');
  assert.equal(sets[0]!.spec!.replicas, 4);
  assert.ok((await podsOf(client, 'pause')).every((p) => p.spec!.containers[0]!.image === 'nginx:1'));

  await updateDeployment(client, 'pause', (d) => {
    d.spec!.paused = false;
  });
  const done = await waitFor(async () => {
    const d = await getDeployment(client, 'pause');
    return progressing(d)?.reason === 'NewReplicaSetAvailable' && d.status?.updatedReplicas === 4 && d.status.replicas === 4 ? d : undefined;
  }, 5000, 'rolled out after resume');
  ac.abort();
  await watching;
  assert.equal((await replicaSetsOf(client, done)).length, 2);
  assert.ok((await podsOf(client, 'pause')).every((p) => p.spec!.containers[0]!.image === 'nginx:2'));
  // Paused, resumed (recorded before the rollout continued), then a rollout as usual.
  const from = reasons.indexOf('DeploymentPaused');
  assert.deepEqual(reasons.slice(from, from + 3), ['DeploymentPaused', 'DeploymentResumed', 'NewReplicaSetCreated'], reasons.join(','));
  assert.equal(reasons.at(-1), 'NewReplicaSetAvailable');
});

test('resizing in the middle of a rollout spreads the change over both ReplicaSets in proportion', async () => {
  const { client, kubelet } = env;
  // New pods never get Ready: the rollout stops half way, as in the upstream documentation's example.
  kubelet.ready = (pod) => pod.spec!.containers[0]!.image !== 'nginx:2';
  await client.resource<Deployment>(DEPLOYMENTS).create(
    deployment('prop', 10, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }),
  );
  const d = await waitRolledOut(client, 'prop');
  const [oldRS] = await replicaSetsOf(client, d);
  await updateDeployment(client, 'prop', (cur) => {
    cur.spec!.template.spec!.containers[0]!.image = 'nginx:2';
  });
  const sizes = async () => {
    const sets = await replicaSetsOf(client, d);
    const old = sets.find((rs) => rs.metadata!.uid === oldRS!.metadata!.uid);
    const neu = sets.find((rs) => rs.metadata!.uid !== oldRS!.metadata!.uid);
    return [old?.spec?.replicas, neu?.spec?.replicas];
  };
  // 10 + 3 surge: old 8, new 5, and no further while the new pods are not Ready.
  await waitFor(async () => ((await sizes()).join() === '8,5' ? true : undefined), 5000, 'old 8 / new 5');
  await sleep(300);
  assert.deepEqual(await sizes(), [8, 5]);

  await updateDeployment(client, 'prop', (cur) => {
    cur.spec!.replicas = 15;
  });
  // 15 + 3 = 18 allowed, 5 to add: 3 to the old set, 2 to the new.
  await waitFor(async () => ((await sizes()).join() === '11,7' ? true : undefined), 5000, 'old 11 / new 7');
  const [, newRS] = await replicaSetsOf(client, d);
  assert.deepEqual(
    [newRS!.metadata!.annotations!['deployment.kubernetes.io/desired-replicas'], newRS!.metadata!.annotations!['deployment.kubernetes.io/max-replicas']],
    ['15', '18'],
  );

  kubelet.ready = () => true;
  await kubelet.readyAll('prop');
  const done = await waitRolledOut(client, 'prop', 8000);
  assert.deepEqual(await sizes(), [0, 15]);
  assert.equal(done.status?.updatedReplicas, 15);
});
