// Rolling updates end to end: a template change within maxSurge/maxUnavailable, `kubectl rollout
// undo` and `kubectl rollout restart` as the template patches kubectl sends, and
// revisionHistoryLimit.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { DEPLOYMENTS, PODS, REPLICA_SETS } from '../../../src/client/resources.js';
import type { Client } from '../../../src/client/types.js';
import {
  deployment,
  type Env,
  eventMessages,
  getDeployment,
  NS,
  podsOf,
  replicaSetsOf,
  startEnv,
  updateDeployment,
  waitFor,
  waitRolledOut,
} from './env.js';

let env: Env;
before(async () => {
  env = await startEnv();
});
after(() => env.stop());

/**
 * Follows the watch streams of ReplicaSets and pods (each a consistent history) and records the
 * largest total of the Deployment's ReplicaSet sizes and the fewest Ready pods seen.
 */
class Monitor {
  maxSpecTotal = 0;
  minReady = Infinity;
  private tracking = false;
  private readonly sizes = new Map<string, number>();
  private readonly ready = new Set<string>();
  private readonly ac = new AbortController();
  private readonly done: Promise<unknown>;

  constructor(client: Client, app: string) {
    const owned = (o: { metadata?: { labels?: Record<string, string> } }) => o.metadata?.labels?.app === app;
    const sets = (async () => {
      for await (const ev of client.resource<ReplicaSet>(REPLICA_SETS).watch(NS, { signal: this.ac.signal })) {
        if (!owned(ev.object) || ev.type === 'BOOKMARK') continue;
        if (ev.type === 'DELETED') this.sizes.delete(ev.object.metadata!.name!);
        else this.sizes.set(ev.object.metadata!.name!, ev.object.spec?.replicas ?? 0);
        this.maxSpecTotal = Math.max(this.maxSpecTotal, [...this.sizes.values()].reduce((a, b) => a + b, 0));
      }
    })();
    const pods = (async () => {
      for await (const ev of client.resource<Pod>(PODS).watch(NS, { signal: this.ac.signal })) {
        if (!owned(ev.object) || ev.type === 'BOOKMARK') continue;
        const pod = ev.object;
        const isReady = ev.type !== 'DELETED' && !pod.metadata?.deletionTimestamp && !!pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        if (isReady) this.ready.add(pod.metadata!.name!);
        else this.ready.delete(pod.metadata!.name!);
        // The watch starts with the existing pods one by one: only count once caught up.
        if (this.tracking) this.minReady = Math.min(this.minReady, this.ready.size);
      }
    })();
    this.done = Promise.all([sets, pods]).catch(() => undefined);
  }

  /** Waits until the streams have caught up with the present. */
  async settle(client: Client, app: string, replicas: number): Promise<void> {
    await waitFor(async () => this.ready.size === replicas && (await podsOf(client, app)).length === replicas, 3000, 'monitor caught up');
    this.tracking = true;
  }

  async stop(): Promise<void> {
    this.ac.abort();
    await this.done;
  }
}

const revisionOf = (o: { metadata?: { annotations?: Record<string, string> } }) => o.metadata?.annotations?.['deployment.kubernetes.io/revision'];

test('a template change rolls to a new ReplicaSet within maxSurge and maxUnavailable', async () => {
  const { client } = env;
  // 25% of 8: surge rounds up to 2, unavailable down to 2; 8..10 pods, at least 6 Ready.
  await client.resource<Deployment>(DEPLOYMENTS).create(deployment('roll', 8));
  const first = await waitRolledOut(client, 'roll');
  const [oldRS] = await replicaSetsOf(client, first);
  const monitor = new Monitor(client, 'roll');
  await monitor.settle(client, 'roll', 8);

  await updateDeployment(client, 'roll', (d) => {
    d.spec!.template.spec!.containers[0]!.image = 'nginx:2';
  });
  const d = await waitFor(async () => {
    const cur = await getDeployment(client, 'roll');
    return cur.metadata!.generation! > first.metadata!.generation! && cur.status?.updatedReplicas === 8 && cur.status.replicas === 8 && cur.status.availableReplicas === 8 && cur.status.observedGeneration! >= cur.metadata!.generation! ? cur : undefined;
  }, 8000, 'rollout to nginx:2');
  await monitor.settle(client, 'roll', 8);
  await monitor.stop();

  assert.ok(monitor.maxSpecTotal <= 10, `ReplicaSets sized ${monitor.maxSpecTotal} > replicas + maxSurge`);
  assert.ok(monitor.maxSpecTotal > 8, 'the rollout used its surge');
  assert.ok(monitor.minReady >= 6, `${monitor.minReady} Ready pods < replicas - maxUnavailable`);

  const sets = await replicaSetsOf(client, d);
  assert.equal(sets.length, 2);
  const newRS = sets.find((rs) => rs.metadata!.uid !== oldRS!.metadata!.uid)!;
  assert.deepEqual([revisionOf(oldRS!), revisionOf(newRS)], ['1', '2']);
  assert.equal(sets.find((rs) => rs.metadata!.uid === oldRS!.metadata!.uid)!.spec!.replicas, 0);
  assert.equal(revisionOf(await waitFor(async () => ((await getDeployment(client, 'roll')).metadata?.annotations?.['deployment.kubernetes.io/revision'] === '2' ? getDeployment(client, 'roll') : undefined))), '2');
  const hash = newRS.metadata!.labels!['pod-template-hash'];
  for (const pod of await podsOf(client, 'roll')) {
    assert.equal(pod.metadata!.labels!['pod-template-hash'], hash);
    assert.equal(pod.spec!.containers[0]!.image, 'nginx:2');
  }
  await env.flushEvents();
  const events = await eventMessages(client, 'roll', 'ScalingReplicaSet');
  assert.ok(events.includes(`Scaled up replica set ${newRS.metadata!.name} from 0 to 2`), events.join('\n'));
  assert.ok(events.some((m) => m.startsWith(`Scaled down replica set ${oldRS!.metadata!.name} from 8 to `)), events.join('\n'));
  assert.ok(events.some((m) => new RegExp(`^Scaled down replica set ${oldRS!.metadata!.name} from \\d+ to 0$`).test(m)), events.join('\n'));
});

test('rollout undo (the old template patched back) makes the old ReplicaSet new with the next revision', async () => {
  const { client } = env;
  await client.resource<Deployment>(DEPLOYMENTS).create(deployment('undo', 2, { image: 'nginx:1' }));
  const d1 = await waitRolledOut(client, 'undo');
  await updateDeployment(client, 'undo', (d) => {
    d.spec!.template.spec!.containers[0]!.image = 'nginx:2';
  });
  await waitFor(async () => ((await replicaSetsOf(client, d1)).length === 2 ? true : undefined));
  await waitRolledOut(client, 'undo');
  const [rev1, rev2] = await replicaSetsOf(client, d1);

  // What kubectl rollout undo sends: the revision's template without its hash label.
  const template = structuredClone(rev1!.spec!.template!);
  delete template.metadata!.labels!['pod-template-hash'];
  await client.resource<Deployment>(DEPLOYMENTS).patch(NS, 'undo', 'json', [{ op: 'replace', path: '/spec/template', value: template }]);
  const d = await waitFor(async () => {
    const cur = await getDeployment(client, 'undo');
    return revisionOf(cur) === '3' ? cur : undefined;
  }, 5000, 'revision 3');
  await waitRolledOut(client, 'undo');
  // By revision: the set of revision 2, then the one that served revision 1 and now 3; no new one.
  const sets = await replicaSetsOf(client, d);
  assert.deepEqual(sets.map((rs) => rs.metadata!.name), [rev2!.metadata!.name, rev1!.metadata!.name]);
  const [left, back] = sets as [ReplicaSet, ReplicaSet];
  assert.equal(revisionOf(back), '3');
  assert.equal(back.metadata!.annotations!['deployment.kubernetes.io/revision-history'], '1');
  assert.equal(back.spec!.replicas, 2);
  assert.equal(left.spec!.replicas, 0);
  for (const pod of await podsOf(client, 'undo')) assert.equal(pod.spec!.containers[0]!.image, 'nginx:1');
});

test('rollout restart (an annotation in the template) rolls out a new ReplicaSet', async () => {
  const { client } = env;
  await client.resource<Deployment>(DEPLOYMENTS).create(deployment('restart', 2));
  const d1 = await waitRolledOut(client, 'restart');
  const before = (await podsOf(client, 'restart')).map((p) => p.metadata!.name).sort();
  await client.resource<Deployment>(DEPLOYMENTS).patch(NS, 'restart', 'strategic', {
    spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-01-01T00:00:00Z' } } } },
  });
  await waitFor(async () => ((await replicaSetsOf(client, d1)).length === 2 ? true : undefined), 3000, 'a second ReplicaSet');
  const d = await waitRolledOut(client, 'restart');
  const [, newRS] = await replicaSetsOf(client, d);
  assert.equal(revisionOf(newRS!), '2');
  assert.equal(newRS!.spec!.template!.metadata!.annotations!['kubectl.kubernetes.io/restartedAt'], '2024-01-01T00:00:00Z');
  const after = await waitFor(async () => {
    const pods = await podsOf(client, 'restart');
    return pods.length === 2 && pods.every((p) => p.metadata!.labels!['pod-template-hash'] === newRS!.metadata!.labels!['pod-template-hash']) ? pods : undefined;
  });
  assert.equal(after.filter((p) => before.includes(p.metadata!.name)).length, 0, 'every pod replaced');
});

test('revisionHistoryLimit keeps only that many old ReplicaSets', async () => {
  const { client } = env;
  await client.resource<Deployment>(DEPLOYMENTS).create(deployment('history', 1, { revisionHistoryLimit: 1 }));
  const d = await waitRolledOut(client, 'history');
  for (const image of ['nginx:2', 'nginx:3', 'nginx:4']) {
    await updateDeployment(client, 'history', (cur) => {
      cur.spec!.template.spec!.containers[0]!.image = image;
    });
    await waitFor(async () => {
      const cur = await getDeployment(client, 'history');
      const pods = await podsOf(client, 'history');
      return cur.status?.observedGeneration === cur.metadata?.generation && pods.length === 1 && pods[0]!.spec!.containers[0]!.image === image && cur.status?.updatedReplicas === 1 && cur.status.replicas === 1;
    }, 5000, `rollout to ${image}`);
  }
  const sets = await waitFor(async () => {
    const owned = await replicaSetsOf(client, d);
    return owned.length === 2 ? owned : undefined;
  }, 5000, 'two ReplicaSets left');
  assert.deepEqual(sets.map((rs) => [rs.spec!.template!.spec!.containers[0]!.image, revisionOf(rs)]), [
    ['nginx:3', '3'],
    ['nginx:4', '4'],
  ]);
});
