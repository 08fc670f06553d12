import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { CycleState, type NodeInfo, type Status } from '../../../../src/scheduler/framework/types.js';
import { NodeResourcesFit, fitsRequest, type NodeResourcesFitArgs } from '../../../../src/scheduler/plugins/noderesources/fit.js';
import { podRequests } from '../../../../src/scheduler/framework/resources.js';
import { makePod, nodeInfo, podWith, runFilter, scoreAll } from './fixtures.js';

// Upstream's fit_test node: 10 cpu, 20 memory (bytes), 5 gpu-ish extended, 20 ephemeral, 32 pods.
const EXT_A = 'example.com/aaa';
const EXT_B = 'example.com/bbb';
const KUBE_EXT = 'kubernetes.io/something';
const HUGE = 'hugepages-2Mi';
const cap = { cpu: '10m', memory: '20', 'ephemeral-storage': '20', pods: '32', [EXT_A]: '5', [KUBE_EXT]: '5', [HUGE]: '5' };

const full = (...existing: Pod[]) => nodeInfo('n', cap, existing);
const used = (cpu: string, memory: string, extra: Record<string, string> = {}) => podWith({ cpu, memory, ...extra });

describe('NodeResourcesFit Filter', () => {
  const cases: { name: string; pod: Pod; node: NodeInfo; args?: NodeResourcesFitArgs; want: string[] }[] = [
    { name: 'a pod requesting nothing fits a full node', pod: makePod(), node: full(used('10m', '20')), want: [] },
    { name: 'a pod with request-less containers fits a full node', pod: makePod({ containers: [{}] }), node: full(used('10m', '20')), want: [] },
    { name: 'fits with room to spare', pod: podWith({ cpu: '1m', memory: '1' }), node: full(used('5m', '5')), want: [] },
    { name: 'fits exactly at the boundary', pod: podWith({ cpu: '5m', memory: '15' }), node: full(used('5m', '5')), want: [] },
    { name: 'one over on cpu', pod: podWith({ cpu: '6m', memory: '1' }), node: full(used('5m', '5')), want: ['Insufficient cpu'] },
    { name: 'one over on memory', pod: podWith({ cpu: '1m', memory: '16' }), node: full(used('5m', '5')), want: ['Insufficient memory'] },
    {
      name: 'too many resources: one reason per resource',
      pod: podWith({ cpu: '1m', memory: '1' }),
      node: full(used('10m', '20')),
      want: ['Insufficient cpu', 'Insufficient memory'],
    },
    {
      name: 'containers are summed',
      pod: podWith({ cpu: '3m', memory: '1' }, { cpu: '3m', memory: '1' }),
      node: full(used('5m', '5')),
      want: ['Insufficient cpu'],
    },
    {
      name: 'an init container larger than the free cpu fails',
      pod: makePod({ containers: [{ cpu: '1m', memory: '1' }], init: [{ cpu: '3m', memory: '1' }] }),
      node: full(used('8m', '19')),
      want: ['Insufficient cpu'],
    },
    {
      name: 'the largest init container counts, not their sum',
      pod: makePod({ containers: [{ cpu: '1m', memory: '1' }], init: [{ cpu: '2m', memory: '1' }, { cpu: '2m', memory: '1' }] }),
      node: full(used('8m', '19')),
      want: [],
    },
    {
      name: 'sidecars add to the containers: exactly fits',
      pod: makePod({ containers: [{ cpu: '1m' }], sidecars: [{ cpu: '1m' }] }),
      node: full(used('8m', '0')),
      want: [],
    },
    {
      name: 'an init container after a sidecar runs beside it',
      pod: makePod({ containers: [{ cpu: '1m' }], initOrdered: [{ req: { cpu: '1m' }, sidecar: true }, { req: { cpu: '2m' } }] }),
      node: full(used('8m', '0')),
      want: ['Insufficient cpu'],
    },
    {
      name: 'an init container before the sidecar does not',
      pod: makePod({ containers: [{ cpu: '1m' }], initOrdered: [{ req: { cpu: '2m' } }, { req: { cpu: '1m' }, sidecar: true }] }),
      node: full(used('8m', '0')),
      want: [],
    },
    {
      name: 'overhead is counted',
      pod: makePod({ containers: [{ cpu: '1m', memory: '1' }], overhead: { cpu: '3m', memory: '15' } }),
      node: full(used('5m', '5')),
      want: ['Insufficient memory'],
    },
    {
      name: 'overhead exactly at the boundary fits',
      pod: makePod({ containers: [{ cpu: '1m', memory: '1' }], overhead: { cpu: '4m', memory: '14' } }),
      node: full(used('5m', '5')),
      want: [],
    },
    { name: 'ephemeral storage over', pod: podWith({ 'ephemeral-storage': '11' }), node: full(podWith({ 'ephemeral-storage': '10' })), want: ['Insufficient ephemeral-storage'] },
    { name: 'ephemeral storage exactly', pod: podWith({ 'ephemeral-storage': '10' }), node: full(podWith({ 'ephemeral-storage': '10' })), want: [] },
    { name: 'extended resource fits', pod: podWith({ [EXT_A]: '2' }), node: full(podWith({ [EXT_A]: '3' })), want: [] },
    { name: 'extended resource over', pod: podWith({ [EXT_A]: '3' }), node: full(podWith({ [EXT_A]: '3' })), want: [`Insufficient ${EXT_A}`] },
    {
      name: 'extended resource over through an init container',
      pod: makePod({ containers: [{ [EXT_A]: '1' }], init: [{ [EXT_A]: '6' }] }),
      node: full(),
      want: [`Insufficient ${EXT_A}`],
    },
    { name: 'an extended resource the node lacks', pod: podWith({ [EXT_B]: '1' }), node: full(), want: [`Insufficient ${EXT_B}`] },
    { name: 'nvidia.com/gpu the node lacks', pod: podWith({ 'nvidia.com/gpu': '1' }), node: full(), want: ['Insufficient nvidia.com/gpu'] },
    { name: 'a zero extended request is not checked', pod: podWith({ cpu: '1m', [EXT_B]: '0' }), node: full(), want: [] },
    { name: 'kubernetes.io/ resources are checked', pod: podWith({ [KUBE_EXT]: '6' }), node: full(), want: [`Insufficient ${KUBE_EXT}`] },
    { name: 'hugepages over', pod: podWith({ [HUGE]: '6' }), node: full(), want: [`Insufficient ${HUGE}`] },
    {
      name: 'an ignored extended resource is not checked',
      pod: podWith({ [EXT_B]: '1' }),
      node: full(),
      args: { ignoredResources: [EXT_B] },
      want: [],
    },
    {
      name: 'an ignored resource group is not checked',
      pod: podWith({ [EXT_A]: '10', [EXT_B]: '1' }),
      node: full(),
      args: { ignoredResourceGroups: ['example.com'] },
      want: [],
    },
    {
      name: 'ignoring applies only to extended resources',
      pod: podWith({ [KUBE_EXT]: '6', [HUGE]: '6' }),
      node: full(),
      args: { ignoredResources: [KUBE_EXT, HUGE], ignoredResourceGroups: ['kubernetes.io'] },
      want: [`Insufficient ${HUGE}`, `Insufficient ${KUBE_EXT}`],
    },
    {
      name: 'too many pods, even for a pod requesting nothing',
      pod: makePod(),
      node: nodeInfo('n', { cpu: '10m', memory: '20', pods: '1' }, [used('1m', '1')]),
      want: ['Too many pods'],
    },
    {
      name: 'the last pod slot is usable',
      pod: podWith({ cpu: '1m', memory: '1' }),
      node: nodeInfo('n', { cpu: '10m', memory: '20', pods: '2' }, [used('1m', '1')]),
      want: [],
    },
    {
      name: 'too many pods and insufficient resources together',
      pod: podWith({ cpu: '10m', memory: '20' }),
      node: nodeInfo('n', { cpu: '10m', memory: '20', pods: '1' }, [used('1m', '1')]),
      want: ['Too many pods', 'Insufficient cpu', 'Insufficient memory'],
    },
    { name: 'a node without allocatable pods takes none', pod: makePod(), node: nodeInfo('n', { cpu: '1', pods: '0' }), want: ['Too many pods'] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const plugin = new NodeResourcesFit(tc.args);
      const got = runFilter(plugin, tc.pod, tc.node);
      const want: Status = tc.want.length ? { code: 'Unschedulable', reasons: tc.want } : { code: 'Success', reasons: [] };
      assert.deepEqual({ code: got.code, reasons: got.reasons }, want);
    });
  }

  it('fails with an Error when PreFilter did not run, as upstream', () => {
    const s = new NodeResourcesFit().filter(new CycleState(), makePod(), full());
    assert.equal(s.code, 'Error');
  });

  it('fitsRequest reports requested, used and capacity', () => {
    const node = full(used('6m', '5'));
    assert.deepEqual(fitsRequest(podRequests(podWith({ cpu: '5m' })), node), [
      { resourceName: 'cpu', reason: 'Insufficient cpu', requested: 5, used: 6, capacity: 10 },
    ]);
  });

  it('is named NodeResourcesFit', () => assert.equal(new NodeResourcesFit().name, 'NodeResourcesFit'));
});

describe('NodeResourcesFit args', () => {
  const bad: [string, NodeResourcesFitArgs, RegExp][] = [
    ['zero weight', { scoringStrategy: { type: 'LeastAllocated', resources: [{ name: 'cpu', weight: 0 }] } }, /resources\[0\]\.weight/],
    ['negative weight', { scoringStrategy: { type: 'MostAllocated', resources: [{ name: 'memory', weight: 1 }, { name: 'cpu', weight: -1 }] } }, /resources\[1\]\.weight/],
    ['weight over 100', { scoringStrategy: { type: 'LeastAllocated', resources: [{ name: 'cpu', weight: 101 }] } }, /weight/],
    ['ratio without shape', { scoringStrategy: { type: 'RequestedToCapacityRatio' } }, /shape: Required value/],
    [
      'shape not increasing',
      { scoringStrategy: { type: 'RequestedToCapacityRatio', requestedToCapacityRatio: { shape: [{ utilization: 50, score: 1 }, { utilization: 50, score: 2 }] } } },
      /shape\[1\]\.utilization/,
    ],
    [
      'shape score over 10',
      { scoringStrategy: { type: 'RequestedToCapacityRatio', requestedToCapacityRatio: { shape: [{ utilization: 0, score: 11 }] } } },
      /shape\[0\]\.score/,
    ],
    ['unknown strategy', { scoringStrategy: { type: 'Spread' as 'LeastAllocated' } }, /Unsupported value: "Spread"/],
  ];
  for (const [name, args, re] of bad) it(`rejects ${name}`, () => assert.throws(() => new NodeResourcesFit(args), re));

  it('defaults to LeastAllocated over cpu and memory, weight 1', () => {
    const p = new NodeResourcesFit();
    assert.equal(p.strategy, 'LeastAllocated');
    assert.deepEqual(p.resources, [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }]);
    assert.deepEqual(new NodeResourcesFit({ scoringStrategy: { type: 'MostAllocated', resources: [] } }).resources, p.resources);
  });
});

// Score cases follow upstream's *_allocated_test.go tables: node sizes in whole cpus and bytes.
const twoNodes = (c1: Record<string, string>, c2: Record<string, string>, p1: Pod[] = [], p2: Pod[] = []) => [nodeInfo('node1', c1, p1), nodeInfo('node2', c2, p2)];
const reqPod = () => podWith({ cpu: '1000', memory: '2000' }, { cpu: '2000', memory: '3000' });
const small = { cpu: '4000', memory: '10000' };
const wide = { cpu: '6000', memory: '10000' };
const big = { cpu: '10000', memory: '20000' };
const scores = (...s: number[]) => s.map((score, i) => ({ name: `node${i + 1}`, score }));

interface ScoreCase {
  name: string;
  pod: Pod;
  nodes: NodeInfo[];
  want: number[];
}

function runScores(args: NodeResourcesFitArgs, cases: ScoreCase[]) {
  for (const tc of cases) {
    it(tc.name, () => assert.deepEqual(scoreAll(new NodeResourcesFit(args), tc.pod, tc.nodes), scores(...tc.want)));
  }
}

describe('NodeResourcesFit Score: LeastAllocated', () => {
  runScores({}, [
    { name: 'nothing scheduled, nothing requested', pod: makePod(), nodes: twoNodes(small, small), want: [100, 100] },
    { name: 'nothing scheduled, differently sized nodes', pod: reqPod(), nodes: twoNodes(small, wide), want: [37, 50] },
    {
      name: 'no resources requested, pods scheduled with resources',
      pod: makePod(),
      nodes: twoNodes(big, big, [used('3000', '0'), used('3000', '0')], [used('3000', '0'), used('3000', '5000')]),
      want: [70, 57],
    },
    {
      name: 'resources requested, pods scheduled with resources',
      pod: reqPod(),
      nodes: twoNodes(big, big, [used('3000', '0')], [used('3000', '5000')]),
      want: [57, 45],
    },
    {
      name: 'differently sized nodes with pods',
      pod: reqPod(),
      nodes: twoNodes(big, { cpu: '10000', memory: '50000' }, [used('3000', '0')], [used('3000', '5000')]),
      want: [57, 60],
    },
    {
      name: 'requested resources exceed node capacity',
      pod: podWith({ cpu: '3000', memory: '0' }),
      nodes: twoNodes(small, small, [used('3000', '0')], [used('3000', '5000')]),
      want: [50, 25],
    },
    { name: 'zero node resources', pod: makePod(), nodes: twoNodes({}, {}, [used('3000', '0')]), want: [0, 0] },
    {
      name: 'request-less containers count the non-zero defaults (100m, 200Mi)',
      pod: makePod({ containers: [{}] }),
      nodes: twoNodes({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' }, [makePod({ containers: [{}] })]),
      // node1: cpu (1000-200)/1000 = 80, memory (1024-400)/1024 = 60 -> 70; node2: 90, 80 -> 85
      want: [70, 85],
    },
  ]);
  runScores({ scoringStrategy: { type: 'LeastAllocated', resources: [{ name: 'memory', weight: 2 }, { name: 'cpu', weight: 1 }] } }, [
    { name: 'weights: (25*1 + 50*2) / 3 and 50', pod: reqPod(), nodes: twoNodes(small, wide), want: [41, 50] },
  ]);
  const withExt = [{ name: 'cpu', weight: 1 }, { name: 'memory', weight: 1 }, { name: EXT_A, weight: 1 }];
  runScores({ scoringStrategy: { type: 'LeastAllocated', resources: withExt } }, [
    { name: 'an extended resource the pod does not request is left out', pod: reqPod(), nodes: twoNodes(wide, { ...wide, [EXT_A]: '4' }), want: [50, 50] },
    {
      name: 'an extended resource the pod requests is scored',
      pod: podWith({ cpu: '1000', memory: '2000', [EXT_A]: '2' }, { cpu: '2000', memory: '3000' }),
      nodes: twoNodes({ ...wide, [EXT_A]: '4' }, { ...wide, [EXT_A]: '10' }),
      want: [50, 60],
    },
  ]);
});

describe('NodeResourcesFit Score: MostAllocated', () => {
  const most = (resources?: { name: string; weight: number }[]): NodeResourcesFitArgs => ({ scoringStrategy: { type: 'MostAllocated', ...(resources ? { resources } : {}) } });
  runScores(most(), [
    { name: 'nothing scheduled, nothing requested', pod: makePod(), nodes: twoNodes(small, small), want: [0, 0] },
    { name: 'nothing scheduled, differently sized nodes', pod: reqPod(), nodes: twoNodes(small, wide), want: [62, 50] },
    {
      name: 'pods scheduled with resources',
      pod: reqPod(),
      nodes: twoNodes(big, big, [used('3000', '0')], [used('3000', '5000')]),
      // node1: 60, 25 -> 42; node2: 60, 50 -> 55
      want: [42, 55],
    },
    {
      name: 'requests above capacity count as full',
      pod: podWith({ cpu: '5000', memory: '9000' }),
      nodes: twoNodes(small, small),
      // node1: 100, 90 -> 95
      want: [95, 95],
    },
    {
      name: 'non-zero defaults above a tiny node count as full',
      pod: makePod({ containers: [{}] }),
      nodes: twoNodes({ cpu: '50m', memory: '100Mi' }, { cpu: '1', memory: '400Mi' }),
      // node2: 10, 50 -> 30
      want: [100, 30],
    },
  ]);
  runScores(most([{ name: 'memory', weight: 2 }, { name: 'cpu', weight: 1 }]), [
    { name: 'weights: (75*1 + 50*2) / 3 and 50', pod: reqPod(), nodes: twoNodes(small, wide), want: [58, 50] },
  ]);
});

describe('NodeResourcesFit Score: RequestedToCapacityRatio', () => {
  const ratio = (shape: [number, number][], resources?: { name: string; weight: number }[]): NodeResourcesFitArgs => ({
    scoringStrategy: {
      type: 'RequestedToCapacityRatio',
      requestedToCapacityRatio: { shape: shape.map(([utilization, score]) => ({ utilization, score })) },
      ...(resources ? { resources } : {}),
    },
  });
  const spread = ratio([[0, 10], [100, 0]]);
  const pack = ratio([[0, 0], [100, 10]]);
  runScores(spread, [
    { name: 'least-requested shape, nothing requested', pod: makePod(), nodes: twoNodes(small, small), want: [100, 100] },
    // node1: cpu util 75 -> 25, memory 50 -> 50: mean 37.5 rounds to 38 (LeastAllocated truncates to 37)
    { name: 'least-requested shape rounds the mean', pod: reqPod(), nodes: twoNodes(small, wide), want: [38, 50] },
    {
      name: 'least-requested shape, pods scheduled',
      pod: reqPod(),
      nodes: twoNodes(big, big, [used('3000', '0')], [used('3000', '5000')]),
      // node1: 40, 75 -> 57.5 -> 58; node2: 40, 50 -> 45
      want: [58, 45],
    },
  ]);
  runScores(pack, [
    { name: 'most-requested shape', pod: reqPod(), nodes: twoNodes(small, wide), want: [63, 50] },
    {
      name: 'resources scoring 0 are left out of the mean',
      pod: podWith({ cpu: '0', memory: '5000' }),
      nodes: twoNodes(small, small),
      // cpu utilization 0 scores 0 and is dropped: memory 50 alone
      want: [50, 50],
    },
    { name: 'over capacity scores as full utilization', pod: podWith({ cpu: '8000', memory: '0' }), nodes: twoNodes(small, small), want: [100, 100] },
  ]);
  runScores(ratio([[0, 0], [100, 10]], [{ name: 'intel.com/foo', weight: 1 }]), [
    {
      name: 'bin packing on an extended resource',
      pod: podWith({ 'intel.com/foo': '2' }),
      nodes: twoNodes({ ...small, 'intel.com/foo': '4' }, { ...small, 'intel.com/foo': '8' }, [podWith({ 'intel.com/foo': '1' })]),
      // node1: 3/4 -> 75; node2: 2/8 -> 25
      want: [75, 25],
    },
    { name: 'a pod not requesting the resource scores 0', pod: reqPod(), nodes: twoNodes({ ...small, 'intel.com/foo': '4' }, small), want: [0, 0] },
  ]);
  runScores(ratio([[0, 10], [30, 8], [70, 2], [100, 0]]), [
    // scaled shape (0,100) (30,80) (70,20) (100,0). node1: cpu 75 -> 20 + trunc(-20*5/30) = 17,
    // memory 50 -> 80 + (-60*20/40) = 50; mean 33.5 rounds to 34. node2: 50 and 50.
    { name: 'broken-linear shape', pod: reqPod(), nodes: twoNodes(small, wide), want: [34, 50] },
  ]);
});

describe('NodeResourcesFit Score without PreScore', () => {
  it('computes the pod requests itself', () => {
    const [n1] = twoNodes(small, wide);
    assert.equal(new NodeResourcesFit().score(new CycleState(), reqPod(), n1!), 37);
  });
});
