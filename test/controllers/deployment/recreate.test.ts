// The Recreate strategy: every old pod is gone before the first new one is made.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { DEPLOYMENTS, PODS } from '../../../src/client/resources.js';
import { deployment, type Env, eventMessages, getDeployment, NS, podsOf, replicaSetsOf, startEnv, updateDeployment, waitFor, waitRolledOut } from './env.js';

let env: Env;
before(async () => {
  env = await startEnv();
});
after(() => env.stop());

test('Recreate scales the old ReplicaSet to zero, waits for its pods to go, then creates the new one', async () => {
  const { client } = env;
  await client.resource<Deployment>(DEPLOYMENTS).create(deployment('re', 3, { strategy: { type: 'Recreate' } }));
  const first = await waitRolledOut(client, 're');
  const [oldRS] = await replicaSetsOf(client, first);
  const oldHash = oldRS!.metadata!.labels!['pod-template-hash'];

  // The pod watch is one consistent history: old and new pods must never exist at the same time.
  const ac = new AbortController();
  const existing = new Map<string, string>();
  let overlap = '';
  const watching = (async () => {
    for await (const ev of client.resource<Pod>(PODS).watch(NS, { signal: ac.signal })) {
      const pod = ev.object;
      if (pod.metadata?.labels?.app !== 're') continue;
      if (ev.type === 'DELETED') existing.delete(pod.metadata.name!);
      else existing.set(pod.metadata.name!, pod.metadata.labels['pod-template-hash']!);
      const hashes = new Set(existing.values());
      if (hashes.size > 1) overlap ||= [...existing.entries()].map(([n, h]) => `${n}:${h}`).join(' ');
    }
  })().catch(() => undefined);

  await updateDeployment(client, 're', (d) => {
    d.spec!.template.spec!.containers[0]!.image = 'nginx:2';
  });
  const d = await waitFor(async () => {
    const cur = await getDeployment(client, 're');
    const pods = await podsOf(client, 're');
    return cur.status?.observedGeneration === cur.metadata?.generation && cur.status?.updatedReplicas === 3 && cur.status.availableReplicas === 3 && pods.length === 3 ? cur : undefined;
  }, 5000, 'recreated');
  ac.abort();
  await watching;

  assert.equal(overlap, '', `old and new pods together: ${overlap}`);
  const sets = await replicaSetsOf(client, d);
  assert.equal(sets.length, 2);
  const newRS = sets.find((rs) => rs.metadata!.uid !== oldRS!.metadata!.uid)!;
  assert.equal(newRS.metadata!.annotations!['deployment.kubernetes.io/revision'], '2');
  // Recreate has no surge: max-replicas is the desired size.
  assert.equal(newRS.metadata!.annotations!['deployment.kubernetes.io/max-replicas'], '3');
  for (const pod of await podsOf(client, 're')) assert.notEqual(pod.metadata!.labels!['pod-template-hash'], oldHash);
  await env.flushEvents();
  assert.deepEqual(await eventMessages(client, 're', 'ScalingReplicaSet'), [
    `Scaled up replica set ${oldRS!.metadata!.name} from 0 to 3`,
    `Scaled down replica set ${oldRS!.metadata!.name} from 3 to 0`,
    `Scaled up replica set ${newRS.metadata!.name} from 0 to 3`,
  ]);
});
