// Which cluster events an informer update is: a node heartbeat moves nobody, a label change moves
// the pods NodeAffinity rejected, a finished pod frees its node (upstream
// nodeSchedulingPropertiesChange and the assigned-pod update handling in eventhandlers.go).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { assignedPodUpdateEvents, isTerminal, nodeUpdateEvents } from '../../src/scheduler/cluster-events.js';
import type { ClusterEvent } from '../../src/scheduler/framework/types.js';

const base = (): Node => ({
  metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1', zone: 'a' }, resourceVersion: '1' },
  spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] },
  status: {
    allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
    capacity: { cpu: '4', memory: '8Gi', pods: '110' },
    images: [{ names: ['nginx:1'], sizeBytes: 1000 }],
    conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2024-01-01T00:00:00Z', lastTransitionTime: '2024-01-01T00:00:00Z' }],
  },
});

/** A copy of the base node with `change` applied to it. */
const changed = (change: (n: Node) => void): Node => {
  const n = structuredClone(base());
  change(n);
  return n;
};

describe('nodeUpdateEvents', () => {
  const cases: { name: string; node: Node; want: ClusterEvent[] }[] = [
    {
      name: 'heartbeat only (conditions lastHeartbeatTime, resourceVersion): no event',
      node: changed((n) => {
        n.metadata = { ...n.metadata, resourceVersion: '2' };
        n.status!.conditions![0]!.lastHeartbeatTime = '2024-01-01T00:00:40Z';
      }),
      want: [],
    },
    { name: 'identical copy: no event', node: changed(() => {}), want: [] },
    { name: 'label added', node: changed((n) => (n.metadata!.labels!.disk = 'ssd')), want: ['NodeLabelChange'] },
    { name: 'label value changed', node: changed((n) => (n.metadata!.labels!.zone = 'b')), want: ['NodeLabelChange'] },
    { name: 'label removed', node: changed((n) => delete n.metadata!.labels!.zone), want: ['NodeLabelChange'] },
    { name: 'all labels removed', node: changed((n) => delete n.metadata!.labels), want: ['NodeLabelChange'] },
    { name: 'taint removed', node: changed((n) => (n.spec!.taints = [])), want: ['NodeTaintChange'] },
    {
      name: 'taint effect changed',
      node: changed((n) => (n.spec!.taints![0]!.effect = 'PreferNoSchedule')),
      want: ['NodeTaintChange'],
    },
    { name: 'cordoned', node: changed((n) => (n.spec!.unschedulable = true)), want: ['NodeSchedulableChange'] },
    { name: 'allocatable cpu grew', node: changed((n) => (n.status!.allocatable!.cpu = '8')), want: ['NodeAllocatableChange'] },
    { name: 'allocatable pods changed', node: changed((n) => (n.status!.allocatable!.pods = '10')), want: ['NodeAllocatableChange'] },
    {
      name: 'same allocatable in another unit: no event',
      node: changed((n) => (n.status!.allocatable!.cpu = '4000m')),
      want: [],
    },
    {
      name: 'capacity changes while allocatable stays: no event (allocatable is what counts)',
      node: changed((n) => (n.status!.capacity!.cpu = '6')),
      want: [],
    },
    { name: 'image pulled', node: changed((n) => n.status!.images!.push({ names: ['redis:7'], sizeBytes: 5 })), want: ['NodeImagesChange'] },
    {
      name: 'several at once, in a fixed order',
      node: changed((n) => {
        n.metadata!.labels!.disk = 'ssd';
        n.spec!.taints = [];
        n.spec!.unschedulable = true;
        n.status!.allocatable!.cpu = '2';
      }),
      want: ['NodeAllocatableChange', 'NodeLabelChange', 'NodeTaintChange', 'NodeSchedulableChange'],
    },
    {
      name: 'annotations and conditions changes alone: no event kubets plugins care about',
      node: changed((n) => {
        n.metadata!.annotations = { note: 'x' };
        n.status!.conditions![0]!.status = 'False';
      }),
      want: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(nodeUpdateEvents(base(), c.node), c.want));
  }

  it('unschedulable false and absent are the same', () => {
    assert.deepEqual(nodeUpdateEvents(changed((n) => (n.spec!.unschedulable = false)), base()), []);
  });

  // Upstream compares labels and allocatable as maps (equality.Semantic.DeepEqual), so the order
  // in which a client wrote the keys is no change. kubets compares JSON text, in key order.
  it('[upstream] labels written in another key order are no change', () => {
    const reordered = changed((n) => (n.metadata!.labels = { zone: 'a', 'kubernetes.io/hostname': 'n1' }));
    assert.deepEqual(nodeUpdateEvents(base(), reordered), []);
  });

  it('[upstream] extended resources in allocatable written in another key order are no change', () => {
    const withGpu = (order: 'gpu-first' | 'fpga-first') =>
      changed((n) => {
        const ext = order === 'gpu-first' ? { 'nvidia.com/gpu': '2', 'example.com/fpga': '1' } : { 'example.com/fpga': '1', 'nvidia.com/gpu': '2' };
        n.status!.allocatable = { cpu: '4', memory: '8Gi', pods: '110', ...ext };
      });
    assert.deepEqual(nodeUpdateEvents(withGpu('gpu-first'), withGpu('fpga-first')), []);
  });
});

describe('assignedPodUpdateEvents', () => {
  const pod = (labels: Record<string, string> | undefined, phase?: string): Pod => ({
    metadata: { name: 'p', namespace: 'default', labels },
    spec: { nodeName: 'n1', containers: [] },
    status: phase ? { phase } : {},
  });
  const cases: { name: string; old: Pod; pod: Pod; want: ClusterEvent[] }[] = [
    { name: 'status-only change (running): no event', old: pod({ app: 'a' }, 'Pending'), pod: pod({ app: 'a' }, 'Running'), want: [] },
    { name: 'label added', old: pod({ app: 'a' }), pod: pod({ app: 'a', tier: 'web' }), want: ['AssignedPodLabelChange'] },
    { name: 'labels removed', old: pod({ app: 'a' }), pod: pod(undefined), want: ['AssignedPodLabelChange'] },
    { name: 'succeeded: its resources are free', old: pod({ app: 'a' }, 'Running'), pod: pod({ app: 'a' }, 'Succeeded'), want: ['AssignedPodDelete'] },
    { name: 'failed: its resources are free', old: pod({ app: 'a' }, 'Running'), pod: pod({ app: 'a' }, 'Failed'), want: ['AssignedPodDelete'] },
    { name: 'already terminal: no second delete', old: pod({ app: 'a' }, 'Failed'), pod: pod({ app: 'a' }, 'Failed'), want: [] },
    {
      name: 'label change and end together',
      old: pod({ app: 'a' }, 'Running'),
      pod: pod({ app: 'b' }, 'Succeeded'),
      want: ['AssignedPodLabelChange', 'AssignedPodDelete'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(assignedPodUpdateEvents(c.old, c.pod), c.want));
  }

  // upstream compares labels with equality.Semantic.DeepEqual, for which a nil map equals an empty one.
  it('[upstream] absent labels and empty labels are no change', () => {
    assert.deepEqual(assignedPodUpdateEvents(pod(undefined), pod({})), []);
  });

  it('isTerminal: Succeeded and Failed only', () => {
    const table: [string | undefined, boolean][] = [
      ['Succeeded', true],
      ['Failed', true],
      ['Running', false],
      ['Pending', false],
      ['Unknown', false],
      [undefined, false],
    ];
    for (const [phase, want] of table) assert.equal(isTerminal(pod({}, phase)), want, String(phase));
  });
});
