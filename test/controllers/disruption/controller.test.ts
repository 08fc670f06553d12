// The disruption controller against a real API server: budget status from the selected pods and
// their controllers' scale (ReplicaSet, Deployment, ReplicationController, StatefulSet, a custom
// resource's /scale), the fail-safe on an unknown controller, disruptedPods upkeep, pods leaving a
// budget, and stale DisruptionTarget conditions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetSpec, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import type { KubeObject, ResourceType } from '../../../src/client/types.js';
import {
  CONFIG_MAPS,
  DEPLOYMENTS,
  PODS,
  POD_DISRUPTION_BUDGETS,
  REPLICATION_CONTROLLERS,
  REPLICA_SETS,
  STATEFUL_SETS,
} from '../../../src/client/resources.js';
import { DisruptionController } from '../../../src/controllers/disruption/controller.js';
import { type ControlPlane, startControlPlane, waitFor } from '../harness.js';

const NS = 'default';
const CONTAINERS = [{ name: 'c', image: 'busybox' }];
const WIDGETS: ResourceType = { group: 'example.com', version: 'v1', resource: 'widgets', kind: 'Widget', namespaced: true };

let cp: ControlPlane;
let ac: AbortController;
let running: Promise<void>;
let stopInformers: () => Promise<void>;
const pods = () => cp.client.resource<Pod>(PODS);
const budgets = () => cp.client.resource<PodDisruptionBudget>(POD_DISRUPTION_BUDGETS);

before(async () => {
  cp = await startControlPlane();
  const ctx = cp.newContext();
  ac = new AbortController();
  const c = new DisruptionController(ctx, { stalePodDisruptionTimeoutMs: 300 });
  ctx.informers.start(ac.signal);
  running = c.start(ac.signal);
  stopInformers = () => ctx.informers.stopped();
});

after(async () => {
  ac.abort();
  await running;
  await stopInformers();
  await cp.stop();
});

const ref = (o: KubeObject): OwnerReference => ({ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata!.name!, uid: o.metadata!.uid!, controller: true });

/** A pod with these labels, Running and Ready (or not) as a kubelet would report it. */
async function pod(name: string, labels: Record<string, string>, o: { ready?: boolean; owner?: KubeObject } = {}): Promise<Pod> {
  const created = await pods().create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels, ownerReferences: o.owner ? [ref(o.owner)] : undefined },
    spec: { containers: CONTAINERS },
  });
  return setReady(created, o.ready ?? true);
}

async function setReady(p: Pod, ready: boolean): Promise<Pod> {
  const cur = await pods().get(NS, p.metadata!.name!);
  return pods().updateStatus({ ...cur, status: { ...cur.status, phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
}

async function budget(name: string, spec: PodDisruptionBudgetSpec): Promise<PodDisruptionBudget> {
  return budgets().create({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: NS }, spec });
}

/** Waits until the budget's status has the wanted fields (and observed its generation). */
async function statusOf(name: string, want: Partial<PodDisruptionBudgetStatus>, what = name): Promise<PodDisruptionBudget> {
  let last: PodDisruptionBudget | undefined;
  try {
    return await waitFor(async () => {
      last = await budgets().get(NS, name);
      const s = last.status as unknown as Record<string, unknown> | undefined;
      const ok = s && s.observedGeneration === last.metadata?.generation && Object.entries(want).every(([k, v]) => JSON.stringify(s[k]) === JSON.stringify(v));
      return ok ? last : undefined;
    }, 5000, what);
  } catch (e) {
    assert.fail(`${(e as Error).message}; last status ${JSON.stringify(last?.status)}`);
  }
}

const condition = (b: PodDisruptionBudget) => b.status?.conditions?.find((c) => c.type === 'DisruptionAllowed');
const template = (labels: Record<string, string>) => ({ metadata: { labels }, spec: { containers: CONTAINERS } });

describe('disruption controller', () => {
  test('integer minAvailable: counts ready pods of the selector, and follows readiness', async () => {
    const labels = { app: 'int' };
    const [a] = [await pod('int-a', labels), await pod('int-b', labels), await pod('int-c', labels, { ready: false })];
    await pod('int-other', { app: 'else' });
    await budget('int', { minAvailable: 2, selector: { matchLabels: labels } });
    let b = await statusOf('int', { expectedPods: 3, desiredHealthy: 2, currentHealthy: 2, disruptionsAllowed: 0 });
    assert.deepEqual(
      { status: condition(b)?.status, reason: condition(b)?.reason, observedGeneration: condition(b)?.observedGeneration },
      { status: 'False', reason: 'InsufficientPods', observedGeneration: b.metadata?.generation },
    );
    await setReady((await pods().get(NS, 'int-c')), true);
    b = await statusOf('int', { currentHealthy: 3, disruptionsAllowed: 1 });
    assert.equal(condition(b)?.reason, 'SufficientPods');
    // A pod whose labels no longer match leaves the budget.
    const cur = await pods().get(NS, a.metadata!.name!);
    await pods().update({ ...cur, metadata: { ...cur.metadata, labels: { app: 'moved' } } });
    await statusOf('int', { expectedPods: 2, currentHealthy: 2, disruptionsAllowed: 0 });
    // A spec change is a new generation, observed again.
    const latest = await budgets().get(NS, 'int');
    await budgets().update({ ...latest, spec: { ...latest.spec, minAvailable: 1 } });
    await statusOf('int', { desiredHealthy: 1, disruptionsAllowed: 1 });
  });

  test('percentages take the scale of the pods\u2019 controllers', async () => {
    const rs = await cp.client.resource(REPLICA_SETS).create({
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'pct-rs', namespace: NS },
      spec: { replicas: 4, selector: { matchLabels: { app: 'pct' } }, template: template({ app: 'pct' }) },
    } as KubeObject);
    for (const n of ['a', 'b', 'c']) await pod(`pct-${n}`, { app: 'pct' }, { owner: rs });
    await budget('pct', { minAvailable: '50%', selector: { matchLabels: { app: 'pct' } } });
    await statusOf('pct', { expectedPods: 4, desiredHealthy: 2, currentHealthy: 3, disruptionsAllowed: 1 });
  });

  const workloads: { name: string; make: (labels: Record<string, string>) => Promise<KubeObject>; spec: PodDisruptionBudgetSpec; want: Partial<PodDisruptionBudgetStatus> }[] = [
    {
      name: 'a Deployment through its ReplicaSet',
      make: async (labels) => {
        const d = await cp.client.resource(DEPLOYMENTS).create({
          apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'dep', namespace: NS },
          spec: { replicas: 5, selector: { matchLabels: labels }, template: template(labels) },
        } as KubeObject);
        return cp.client.resource(REPLICA_SETS).create({
          apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'dep-rs', namespace: NS, ownerReferences: [ref(d)] },
          spec: { replicas: 2, selector: { matchLabels: labels }, template: template(labels) },
        } as KubeObject);
      },
      spec: { maxUnavailable: 1 },
      want: { expectedPods: 5, desiredHealthy: 4, currentHealthy: 2, disruptionsAllowed: 0 },
    },
    {
      name: 'a ReplicationController',
      make: (labels) => cp.client.resource(REPLICATION_CONTROLLERS).create({
        apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc', namespace: NS },
        spec: { replicas: 2, selector: labels, template: template(labels) },
      } as KubeObject),
      spec: { maxUnavailable: '50%' },
      want: { expectedPods: 2, desiredHealthy: 1, currentHealthy: 2, disruptionsAllowed: 1 },
    },
    {
      name: 'a StatefulSet',
      make: (labels) => cp.client.resource(STATEFUL_SETS).create({
        apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'ss', namespace: NS },
        spec: { replicas: 3, serviceName: 'ss', selector: { matchLabels: labels }, template: template(labels) },
      } as KubeObject),
      spec: { minAvailable: '100%' },
      want: { expectedPods: 3, desiredHealthy: 3, currentHealthy: 2, disruptionsAllowed: 0 },
    },
    {
      name: 'a custom resource with a scale subresource',
      make: async () => {
        await cp.client.resource({ group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false }).create({
          apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
          spec: {
            group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
            versions: [{
              name: 'v1', served: true, storage: true,
              schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
              subresources: { scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
            }],
          },
        } as KubeObject);
        await waitFor(() => cp.client.resource(WIDGETS).list(NS).then(() => true, () => false), 5000, 'widgets served');
        return cp.client.resource(WIDGETS).create({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: NS }, spec: { replicas: 6 } } as KubeObject);
      },
      spec: { minAvailable: '50%' },
      want: { expectedPods: 6, desiredHealthy: 3, currentHealthy: 2, disruptionsAllowed: 0 },
    },
  ];
  for (const w of workloads) {
    test(`scale of ${w.name}`, async () => {
      const app = `w-${w.name.split(' ').at(-1)!.toLowerCase().replace(/[^a-z]/g, '')}`;
      const labels = { app };
      const owner = await w.make(labels);
      await pod(`${app}-a`, labels, { owner });
      await pod(`${app}-b`, labels, { owner });
      await budget(app, { ...w.spec, selector: { matchLabels: labels } });
      await statusOf(app, w.want, w.name);
    });
  }

  const failures: { name: string; owner: () => Promise<KubeObject>; message: string }[] = [
    {
      name: 'a kind nobody serves',
      owner: async () => ({ apiVersion: 'nowhere.example.com/v1', kind: 'Gadget', metadata: { name: 'g', uid: '00000000-0000-0000-0000-00000000000a' } }) as KubeObject,
      message: 'no matches for kind "Gadget" in version "nowhere.example.com/v1"',
    },
    {
      name: 'a kind without a scale subresource',
      owner: () => cp.client.resource(CONFIG_MAPS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: NS } } as KubeObject),
      message: 'configmaps does not implement the scale subresource',
    },
  ];
  for (const [i, f] of failures.entries()) {
    test(`a pod controlled by ${f.name}: SyncFailed, no disruptions`, async () => {
      const app = `lost-${i}`;
      await pod(`${app}-a`, { app }, { owner: await f.owner() });
      await budget(app, { maxUnavailable: 1, selector: { matchLabels: { app } } });
      const b = await waitFor(async () => {
        const x = await budgets().get(NS, app);
        return condition(x)?.reason === 'SyncFailed' ? x : undefined;
      }, 5000, 'SyncFailed');
      assert.equal(b.status?.disruptionsAllowed, 0);
      assert.equal(condition(b)?.status, 'False');
      assert.equal(condition(b)?.message, f.message);
    });
  }

  test('disruptedPods: a fresh entry stands (the pod is not healthy), an old one goes, a deleted pod\u2019s goes', async () => {
    const labels = { app: 'dis' };
    for (const n of ['a', 'b', 'c']) await pod(`dis-${n}`, labels);
    await budget('dis', { minAvailable: 1, selector: { matchLabels: labels } });
    const b = await statusOf('dis', { currentHealthy: 3, disruptionsAllowed: 2 });
    const now = new Date();
    const stamp = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const fresh = stamp(now);
    // What the eviction subresource writes, plus an entry older than the deletion timeout.
    await budgets().updateStatus({ ...b, status: { ...b.status!, disruptedPods: { 'dis-a': fresh, 'dis-b': stamp(new Date(now.getTime() - 3 * 60_000)) } } });
    await statusOf('dis', { currentHealthy: 2, disruptionsAllowed: 1, disruptedPods: { 'dis-a': fresh } });
    await pods().delete(NS, 'dis-a');
    const after = await statusOf('dis', { expectedPods: 2, currentHealthy: 2, disruptionsAllowed: 1 });
    assert.equal(after.status?.disruptedPods, undefined);
  });

  test('a DisruptionTarget condition no deletion followed turns False', async () => {
    const p = await pod('stale', { app: 'stale' });
    await pods().updateStatus({
      ...p,
      status: { ...p.status, conditions: [...(p.status?.conditions ?? []), { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') }] },
    });
    const cleared = await waitFor(async () => {
      const cur = await pods().get(NS, 'stale');
      const c = cur.status?.conditions?.find((x) => x.type === 'DisruptionTarget');
      return c?.status === 'False' ? c : undefined;
    }, 5000, 'DisruptionTarget False');
    assert.equal(cleared.reason, undefined);
  });
});
