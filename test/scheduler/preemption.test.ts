// Preemption against a real API server (priority admission, PriorityClasses, PDBs) with Node
// objects and no kubelet: a high-priority pod that fits nowhere evicts the fewest lower-priority
// pods on one node, is nominated there, and is bound once they are gone; budgets steer it to
// another node; pods that may not preempt say why.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Event, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { PriorityClass } from 'kubernetes-types/scheduling/v1.js';
import { isNotFound } from '../../src/apimachinery/errors.js';
import { EVENTS, NODES, POD_DISRUPTION_BUDGETS, PODS } from '../../src/client/resources.js';
import type { ResourceType } from '../../src/client/types.js';
import { waitFor, type ControlPlane } from '../controllers/harness.js';
import { startScheduledCluster, type ScheduledCluster } from './harness.js';

const PRIORITY_CLASSES: ResourceType = { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses', kind: 'PriorityClass', namespaced: false };

const node = (name: string, cpu: string, labels: Record<string, string> = {}): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
  status: { allocatable: { cpu, memory: '4Gi', pods: '110' }, capacity: { cpu, memory: '4Gi', pods: '110' } },
});

const pod = (ns: string, name: string, cpu: string, spec: Partial<Pod['spec']> = {}, labels: Record<string, string> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels },
  // Grace 0: with no kubelet, a preempted pod is gone as soon as it is deleted.
  spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'x', resources: { requests: { cpu } } }], ...spec },
});

describe('preemption', () => {
  let cluster: ScheduledCluster;
  let cp: ControlPlane;

  before(async () => {
    cluster = await startScheduledCluster(async (c) => {
      const classes = c.client.resource<PriorityClass>(PRIORITY_CLASSES);
      await classes.create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'low' }, value: 100 });
      await classes.create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 });
      await classes.create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high-polite' }, value: 1000, preemptionPolicy: 'Never' });
      for (const ns of ['one', 'budget', 'never']) await c.client.resource(NAMESPACES_TYPE).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    });
    cp = cluster.cp;
  });

  after(() => cluster.stop());

  const pods = () => cp.client.resource<Pod>(PODS);
  const boundTo = (ns: string, name: string) => cluster.boundTo(ns, name);
  const gone = (ns: string, name: string) =>
    waitFor(
      async () => {
        try {
          await pods().get(ns, name);
          return false;
        } catch (e) {
          return isNotFound(e);
        }
      },
      10_000,
      `${name} deleted`,
    );
  const eventFor = (ns: string, name: string, reason: string) =>
    waitFor(async () => {
      const list = await cp.client.resource<Event>(EVENTS).list(ns, { fieldSelector: `involvedObject.name=${name}` });
      return list.items.find((e) => e.reason === reason);
    }, 10_000, `${reason} event for ${name}`);

  it('evicts the fewest lower-priority pods on one node and binds the preemptor there', async () => {
    await cp.client.resource<Node>(NODES).create(node('n1', '3', { pool: 'one' }));
    const sel = { nodeSelector: { pool: 'one' } };
    // n1: 3 cpu, full with three low-priority pods of 1 cpu; the preemptor needs 2.
    for (const name of ['low-a', 'low-b', 'low-c']) await pods().create(pod('one', name, '1', { ...sel, priorityClassName: 'low' }));
    for (const name of ['low-a', 'low-b', 'low-c']) assert.equal(await boundTo('one', name), 'n1');
    const high = await pods().create(pod('one', 'high', '2', { ...sel, priorityClassName: 'high' }));
    assert.equal(high.spec?.priority, 1000, 'priority admission resolved the class');
    assert.equal(await boundTo('one', 'high'), 'n1');
    const left = (await pods().list('one')).items.filter((p) => p.metadata?.name?.startsWith('low-'));
    assert.equal(left.length, 1, 'exactly two victims: the fewest that make room');
    const victim = ['low-a', 'low-b', 'low-c'].find((n) => !left.some((p) => p.metadata?.name === n))!;
    const preempted = await eventFor('one', victim, 'Preempted');
    assert.match(preempted.message!, new RegExp(`^Preempted by pod ${high.metadata!.uid} on node n1$`));
  });

  it('prefers a node whose victims no PodDisruptionBudget protects', async () => {
    await cp.client.resource<Node>(NODES).create(node('b1', '1', { pool: 'budget' }));
    await cp.client.resource<Node>(NODES).create(node('b2', '1', { pool: 'budget' }));
    await pods().create(pod('budget', 'protected', '1', { nodeName: 'b1', priorityClassName: 'low' }, { app: 'protected' }));
    await pods().create(pod('budget', 'unprotected', '1', { nodeName: 'b2', priorityClassName: 'low' }, { app: 'free' }));
    await cp.client.resource<PodDisruptionBudget>(POD_DISRUPTION_BUDGETS).create({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'keep', namespace: 'budget' },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'protected' } } },
    });
    await pods().create(pod('budget', 'important', '1', { nodeSelector: { pool: 'budget' }, priorityClassName: 'high' }));
    assert.equal(await boundTo('budget', 'important'), 'b2');
    await gone('budget', 'unprotected');
    assert.equal((await pods().get('budget', 'protected')).metadata?.deletionTimestamp, undefined);
  });

  it('a pod with preemptionPolicy Never, or without lower-priority pods to evict, waits and says why', async () => {
    await cp.client.resource<Node>(NODES).create(node('v1', '1', { pool: 'never' }));
    await pods().create(pod('never', 'resident', '1', { nodeName: 'v1', priorityClassName: 'low' }));
    await pods().create(pod('never', 'polite', '1', { nodeSelector: { pool: 'never' }, priorityClassName: 'high-polite' }));
    const polite = await eventFor('never', 'polite', 'FailedScheduling');
    assert.match(polite.message!, /^0\/\d+ nodes are available: 1 Insufficient cpu, .*\. preemption: not eligible due to preemptionPolicy=Never\.\.$/);
    await pods().create(pod('never', 'peer', '1', { nodeSelector: { pool: 'never' }, priorityClassName: 'low' }));
    const peer = await eventFor('never', 'peer', 'FailedScheduling');
    assert.match(peer.message!, /No preemption victims found for incoming pod/);
    assert.equal((await pods().get('never', 'resident')).metadata?.deletionTimestamp, undefined, 'nobody was evicted');
    assert.equal((await pods().get('never', 'polite')).spec?.nodeName, undefined);
  });
});

const NAMESPACES_TYPE: ResourceType = { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false };
