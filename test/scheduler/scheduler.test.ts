// The scheduler against a real API server with Node objects (no kubelet): pods land only where
// they fit, exactly at the boundary; a pod that fits nowhere gets upstream's FailedScheduling
// message and a PodScheduled=False condition, and is placed as soon as a node that fits appears.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Event, Node, Pod } from 'kubernetes-types/core/v1.js';
import { EVENTS, NODES, PODS } from '../../src/client/resources.js';
import { waitFor, type ControlPlane } from '../controllers/harness.js';
import { startScheduledCluster, type ScheduledCluster } from './harness.js';

const node = (name: string, cpu: string, extra: Partial<Node['spec']> = {}, labels: Record<string, string> = {}): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
  spec: extra,
  status: { allocatable: { cpu, memory: '4Gi', pods: '110' }, capacity: { cpu, memory: '4Gi', pods: '110' } },
});

const pod = (name: string, cpu: string, spec: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu } } }], ...spec },
});

describe('scheduler', () => {
  let cluster: ScheduledCluster;
  let cp: ControlPlane;

  before(async () => {
    cluster = await startScheduledCluster(async (c) => {
      const nodes = c.client.resource<Node>(NODES);
      await nodes.create(node('small', '1'));
      await nodes.create(node('medium', '2'));
      await nodes.create(node('tainted', '8', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }));
    });
    cp = cluster.cp;
  });

  after(() => cluster.stop());

  const boundTo = (name: string) => cluster.boundTo('default', name, 5000);

  it('places pods only where they fit, up to exactly the allocatable cpu', async () => {
    const pods = cp.client.resource<Pod>(PODS);
    await pods.create(pod('two-cpu', '2'));
    assert.equal(await boundTo('two-cpu'), 'medium', 'only medium has 2 cpus without the taint');
    await pods.create(pod('one-cpu', '1'));
    assert.equal(await boundTo('one-cpu'), 'small', 'medium is full at exactly 2 of 2');
    await pods.create(pod('tolerant', '4', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }));
    assert.equal(await boundTo('tolerant'), 'tainted');
  });

  it('explains why a pod fits nowhere, then places it when a node that fits joins', async () => {
    const pods = cp.client.resource<Pod>(PODS);
    await pods.create(pod('big', '3'));
    const event = await waitFor(async () => {
      const list = await cp.client.resource<Event>(EVENTS).list('default', { fieldSelector: 'involvedObject.name=big' });
      return list.items.find((e) => e.reason === 'FailedScheduling');
    }, 5000, 'FailedScheduling event');
    // upstream's wording, double full stop included (FitError with the PostFilter message appended).
    assert.equal(
      event.message,
      '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. ' +
        'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..',
    );
    const condition = await waitFor(async () => (await pods.get('default', 'big')).status?.conditions?.find((c) => c.type === 'PodScheduled'), 5000, 'condition');
    assert.equal(condition.status, 'False');
    assert.equal(condition.reason, 'Unschedulable');
    await cp.client.resource<Node>(NODES).create(node('large', '4'));
    assert.equal(await boundTo('big'), 'large');
  });
});
