// progressDeadlineSeconds: a rollout whose pods never get Ready is reported as stuck without any
// further event (the controller looks again when the deadline passes), and recovers once complete.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import { DEPLOYMENTS } from '../../../src/client/resources.js';
import { deployment, type Env, getDeployment, replicaSetsOf, startEnv, waitFor, waitRolledOut } from './env.js';

let env: Env;
before(async () => {
  env = await startEnv();
});
after(() => env.stop());

const condition = (d: Deployment, type: string) => d.status?.conditions?.find((c) => c.type === type);

test('pods that never get Ready exceed a 1 s progress deadline; Ready pods complete the rollout', async () => {
  const { client, kubelet } = env;
  kubelet.ready = (pod) => pod.metadata?.labels?.app !== 'stuck';
  await client.resource<Deployment>(DEPLOYMENTS).create(deployment('stuck', 2, { progressDeadlineSeconds: 1 }));

  // Pods appearing count as progress (even after a timeout, as upstream), so wait for the state
  // where both pods exist and the deadline has passed since.
  const timedOut = await waitFor(async () => {
    const d = await getDeployment(client, 'stuck');
    return condition(d, 'Progressing')?.reason === 'ProgressDeadlineExceeded' && d.status?.replicas === 2 ? d : undefined;
  }, 8000, 'ProgressDeadlineExceeded with both pods');
  const [rs] = await replicaSetsOf(client, timedOut);
  const progressing = condition(timedOut, 'Progressing')!;
  assert.deepEqual([progressing.status, progressing.message], ['False', `ReplicaSet "${rs!.metadata!.name}" has timed out progressing.`]);
  assert.deepEqual([timedOut.status?.updatedReplicas, timedOut.status?.availableReplicas ?? 0, timedOut.status?.unavailableReplicas], [2, 0, 2]);
  const available = condition(timedOut, 'Available')!;
  assert.deepEqual([available.status, available.reason], ['False', 'MinimumReplicasUnavailable']);

  kubelet.ready = () => true;
  await kubelet.readyAll('stuck');
  await waitRolledOut(client, 'stuck');
  await waitFor(async () => condition(await getDeployment(client, 'stuck'), 'Progressing')?.reason === 'NewReplicaSetAvailable', 3000, 'NewReplicaSetAvailable');
  assert.equal(condition(await getDeployment(client, 'stuck'), 'Available')?.status, 'True');
});
