import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { CycleState, type NodeInfo } from '../../../../src/scheduler/framework/types.js';
import { NodeResourcesBalancedAllocation, type NodeResourcesBalancedAllocationArgs } from '../../../../src/scheduler/plugins/noderesources/balanced-allocation.js';
import { makePod, nodeInfo, podWith, scoreAll } from './fixtures.js';

const small = { cpu: '4000', memory: '10000' };
const wide = { cpu: '6000', memory: '10000' };
const big = { cpu: '10000', memory: '20000' };
const reqPod = () => podWith({ cpu: '1000', memory: '2000' }, { cpu: '2000', memory: '3000' });
const used = (cpu: string, memory: string) => podWith({ cpu, memory });
const two = (c1: Record<string, string>, c2: Record<string, string>, p1: Pod[] = [], p2: Pod[] = []) => [nodeInfo('node1', c1, p1), nodeInfo('node2', c2, p2)];

// Upstream balanced_allocation_test.go cases, with the fractions worked out.
const cases: { name: string; pod: Pod; nodes: NodeInfo[]; args?: NodeResourcesBalancedAllocationArgs; want: number[] | 'Skip' }[] = [
  // node1: cpu 0.75, memory 0.5 -> std 0.125 -> 87; node2: 0.5, 0.5 -> 100
  { name: 'nothing scheduled, differently sized nodes', pod: reqPod(), nodes: two(small, wide), want: [87, 100] },
  // node1: cpu 0.6, memory 0.25 -> 82; node2: 0.6, 0.5 -> 95
  { name: 'pods scheduled with resources', pod: reqPod(), nodes: two(big, big, [used('3000', '0')], [used('3000', '5000')]), want: [82, 95] },
  // node2 memory 10000/50000 = 0.2: |0.6 - 0.2| / 2 = 0.2 -> 80
  { name: 'differently sized nodes with pods', pod: reqPod(), nodes: two(big, { cpu: '10000', memory: '50000' }, [used('3000', '0')], [used('3000', '5000')]), want: [82, 80] },
  // cpu 6000/4000 caps at 1; memory 0 / 0.5
  { name: 'requests above capacity cap at a fraction of 1', pod: podWith({ cpu: '3000', memory: '0' }), nodes: two(small, small, [used('3000', '0')], [used('3000', '5000')]), want: [50, 75] },
  { name: 'a best-effort pod is skipped', pod: makePod({ containers: [{}] }), nodes: two(small, small, [used('3000', '0')]), want: 'Skip' },
  { name: 'a pod without containers is skipped', pod: makePod(), nodes: two(small, small), want: 'Skip' },
  // Real requests, not non-zero defaults: cpu 1/4 and memory 0 -> std 0.125 -> 87, and the node's
  // request-less pod adds nothing (with defaults memory would be 200Mi/8Gi).
  {
    name: 'real requests: request-less containers and pods count nothing',
    pod: podWith({ cpu: '1' }, {}),
    nodes: two({ cpu: '4', memory: '8Gi' }, { cpu: '4', memory: '8Gi' }, [], [makePod({ containers: [{}] })]),
    want: [87, 87],
  },
  {
    name: 'init containers, sidecars and overhead are part of the request',
    pod: makePod({ containers: [{ cpu: '1', memory: '1Gi' }], initOrdered: [{ req: { cpu: '1' }, sidecar: true }, { req: { memory: '5Gi' } }], overhead: { cpu: '2' } }),
    // cpu 1 + 1 + 2 = 4 of 8 = 0.5; memory max(1Gi, 5Gi) = 5Gi of 10Gi = 0.5
    nodes: two({ cpu: '8', memory: '10Gi' }, { cpu: '16', memory: '10Gi' }),
    want: [100, 87],
  },
  {
    name: 'a node without memory scores on cpu alone',
    pod: reqPod(),
    nodes: two({ cpu: '4000' }, small),
    want: [100, 87],
  },
  {
    name: 'an extended resource the pod does not request is left out',
    pod: reqPod(),
    args: { resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }, { name: 'nvidia.com/gpu', weight: 1 }] },
    nodes: two({ ...small, 'nvidia.com/gpu': '4' }, { ...wide, 'nvidia.com/gpu': '4' }),
    want: [87, 100],
  },
  {
    // fractions 0.75, 0.5, 0.5: mean 0.5833, std 0.1179 -> 88; node2 0.5, 0.5, 1 -> std 0.2357 -> 76
    name: 'three resources use the full standard deviation',
    pod: podWith({ cpu: '1000', memory: '2000', 'nvidia.com/gpu': '2' }, { cpu: '2000', memory: '3000' }),
    args: { resources: [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }, { name: 'nvidia.com/gpu', weight: 1 }] },
    nodes: two({ ...small, 'nvidia.com/gpu': '4' }, { ...wide, 'nvidia.com/gpu': '2' }),
    want: [88, 76],
  },
];

describe('NodeResourcesBalancedAllocation Score', () => {
  for (const tc of cases) {
    it(tc.name, () => {
      const got = scoreAll(new NodeResourcesBalancedAllocation(tc.args), tc.pod, tc.nodes);
      const want = tc.want === 'Skip' ? 'Skip' : tc.want.map((score, i) => ({ name: `node${i + 1}`, score }));
      assert.deepEqual(got, want);
    });
  }

  it('scores a best-effort pod 0 when PreScore did not run', () => {
    const [n1] = two(small, small);
    assert.equal(new NodeResourcesBalancedAllocation().score(new CycleState(), makePod({ containers: [{}] }), n1!), 0);
  });

  it('computes the requests itself when PreScore did not run', () => {
    const [n1] = two(small, small);
    assert.equal(new NodeResourcesBalancedAllocation().score(new CycleState(), reqPod(), n1!), 87);
  });

  it('is named NodeResourcesBalancedAllocation and defaults to cpu and memory', () => {
    const p = new NodeResourcesBalancedAllocation();
    assert.equal(p.name, 'NodeResourcesBalancedAllocation');
    assert.deepEqual(p.resources, [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }]);
  });

  it('rejects a weight out of range', () => {
    assert.throws(() => new NodeResourcesBalancedAllocation({ resources: [{ name: 'cpu', weight: 0 }] }), /resources\[0\]\.weight/);
  });
});
