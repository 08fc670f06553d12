import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { CycleState, type NodeScore } from '../../../../src/scheduler/framework/types.js';
import { PodTopologySpread } from '../../../../src/scheduler/plugins/podtopologyspread/index.js';
import { HOST, barSelector, fooSelector, node, nodeInfos, pod, pods, snapshot, spread, zoned } from './fixtures.js';

/** PreScore over the candidates (all nodes = candidates + failed), Score each candidate, NormalizeScore. */
function runScore(incoming: Pod, candidates: Node[], failed: Node[], existing: Pod[], plugin = new PodTopologySpread()): Record<string, number> {
  const all = nodeInfos([...candidates, ...failed], existing);
  const filtered = all.slice(0, candidates.length);
  const state = new CycleState();
  const pre = plugin.preScore(state, incoming, filtered, snapshot(all));
  assert.equal(pre.code, 'Success', pre.reasons.join());
  const scores: NodeScore[] = filtered.map((info) => ({ name: info.node.metadata!.name!, score: plugin.score(state, incoming, info) }));
  plugin.normalizeScore(state, incoming, scores);
  return Object.fromEntries(scores.map((s) => [s.name, s.score]));
}

const hosts = (...names: string[]) => names.map((n) => node(n, { [HOST]: n }));
const byNodeLabel = (...names: string[]) => names.map((n) => node(n, { node: n }));
const host1 = [spread(1, HOST, 'ScheduleAnyway')];
const fooPod = (constraints = host1, extra = {}) => pod('p', { labels: { foo: '' }, constraints, ...extra });
/** Matching pods 4/3/2/1 over node-a..d. */
const spread4321 = () => [...pods('node-a', 4), ...pods('node-b', 3), ...pods('node-c', 2), ...pods('node-d', 1)];
const taint = [{ key: 'k', value: 'v', effect: 'NoSchedule' as const }];

interface Case {
  name: string;
  pod: Pod;
  nodes: Node[];
  failed?: Node[];
  existing: Pod[];
  want: Record<string, number>;
  plugin?: PodTopologySpread;
}

// Expected scores are upstream's TestPodTopologySpreadScore results for the same layouts.
const cases: Case[] = [
  { name: 'hostname, no existing pods', pod: fooPod(), nodes: hosts('node-a', 'node-b'), existing: [], want: { 'node-a': 100, 'node-b': 100 } },
  {
    name: 'hostname, only one candidate',
    pod: fooPod(),
    nodes: hosts('node-a'),
    failed: hosts('node-b'),
    existing: [...pods('node-a', 2), ...pods('node-b', 1)],
    want: { 'node-a': 100 },
  },
  {
    name: 'hostname, 2/1/0/3',
    pod: fooPod(),
    nodes: hosts('node-a', 'node-b', 'node-c', 'node-d'),
    existing: [...pods('node-a', 2), ...pods('node-b', 1), ...pods('node-d', 3)],
    want: { 'node-a': 20, 'node-b': 60, 'node-c': 100, 'node-d': 0 },
  },
  {
    name: 'hostname, null selector matches nothing',
    pod: fooPod([spread(1, HOST, 'ScheduleAnyway', null)]),
    nodes: hosts('node-a', 'node-b', 'node-c', 'node-d'),
    existing: [...pods('node-a', 2), ...pods('node-b', 1), ...pods('node-d', 3)],
    want: { 'node-a': 100, 'node-b': 100, 'node-c': 100, 'node-d': 100 },
  },
  {
    name: 'hostname, 2/1/0/3, maxSkew 2 waters the differences down',
    pod: fooPod([spread(2, HOST, 'ScheduleAnyway')]),
    nodes: hosts('node-a', 'node-b', 'node-c', 'node-d'),
    existing: [...pods('node-a', 2), ...pods('node-b', 1), ...pods('node-d', 3)],
    want: { 'node-a': 33, 'node-b': 66, 'node-c': 100, 'node-d': 16 },
  },
  {
    name: 'hostname, 4/3/2/1, maxSkew 3',
    pod: fooPod([spread(3, HOST, 'ScheduleAnyway')]),
    nodes: hosts('node-a', 'node-b', 'node-c', 'node-d'),
    existing: spread4321(),
    want: { 'node-a': 44, 'node-b': 66, 'node-c': 77, 'node-d': 100 },
  },
  {
    name: 'system defaulting, nodes without zone, pods matching the owner selector',
    pod: pod('p', { labels: { foo: '' } }),
    nodes: hosts('node-a', 'node-b', 'node-c', 'node-d'),
    existing: spread4321(),
    plugin: new PodTopologySpread({ selectorFor: () => ({ matchLabels: { foo: '' } }) }),
    want: { 'node-a': 44, 'node-b': 66, 'node-c': 77, 'node-d': 100 },
  },
  {
    name: 'hostname, 4/2/1/~3~',
    pod: fooPod(),
    nodes: hosts('node-a', 'node-b', 'node-x'),
    failed: hosts('node-y'),
    existing: [...pods('node-a', 4), ...pods('node-b', 2), ...pods('node-x', 1), ...pods('node-y', 3)],
    want: { 'node-a': 33, 'node-b': 83, 'node-x': 100 },
  },
  {
    name: 'hostname, 4/?2?/1/~3~: node-b lacks the key and scores 0',
    pod: fooPod(),
    nodes: [node('node-a', { [HOST]: 'node-a' }), node('node-b', { n: 'node-b' }), node('node-x', { [HOST]: 'node-x' })],
    failed: hosts('node-y'),
    existing: [...pods('node-a', 4), ...pods('node-b', 2), ...pods('node-x', 1), ...pods('node-y', 3)],
    want: { 'node-a': 16, 'node-b': 0, 'node-x': 100 },
  },
  {
    name: 'zone, 4/2/1/~3~',
    pod: fooPod([spread(1, 'zone', 'ScheduleAnyway')]),
    nodes: [zoned('node-a', 'zone1'), zoned('node-b', 'zone1'), zoned('node-x', 'zone2')],
    failed: [zoned('node-y', 'zone2')],
    existing: [...pods('node-a', 4), ...pods('node-b', 2), ...pods('node-x', 1), ...pods('node-y', 3)],
    want: { 'node-a': 75, 'node-b': 75, 'node-x': 100 },
  },
  {
    name: 'zone and hostname, 2/~1~/2/~4~',
    pod: fooPod([spread(1, 'zone', 'ScheduleAnyway'), spread(1, HOST, 'ScheduleAnyway')]),
    nodes: [zoned('node-a', 'zone1'), zoned('node-x', 'zone2')],
    failed: [zoned('node-b', 'zone1'), zoned('node-y', 'zone2')],
    existing: [...pods('node-a', 2), ...pods('node-b', 1), ...pods('node-x', 2), ...pods('node-y', 4)],
    want: { 'node-a': 100, 'node-x': 63 },
  },
  {
    name: 'zone and hostname with different selectors',
    pod: pod('p', { labels: { foo: '', bar: '' }, constraints: [spread(1, 'zone', 'ScheduleAnyway'), spread(1, HOST, 'ScheduleAnyway', barSelector)] }),
    nodes: [zoned('node-a', 'zone1'), zoned('node-b', 'zone1'), zoned('node-x', 'zone2'), zoned('node-y', 'zone2')],
    existing: [...pods('node-a', 1), ...pods('node-b', 1, { foo: '', bar: '' }), ...pods('node-y', 1), ...pods('node-y', 1, { bar: '' })],
    want: { 'node-a': 60, 'node-b': 20, 'node-x': 100, 'node-y': 60 },
  },
  {
    name: 'existing pods in another namespace do not count',
    pod: fooPod(),
    nodes: hosts('node-a', 'node-b'),
    existing: [pod('p-a1', { node: 'node-a', labels: { foo: '' }, namespace: 'ns1' }), ...pods('node-a', 1), ...pods('node-b', 2)],
    want: { 'node-a': 100, 'node-b': 33 },
  },
  {
    name: 'terminating pods are left out',
    pod: fooPod(),
    nodes: hosts('node-a', 'node-b'),
    existing: [pod('p-a', { node: 'node-a', labels: { foo: '' }, terminating: true }), ...pods('node-b', 1)],
    want: { 'node-a': 100, 'node-b': 0 },
  },
  {
    name: 'minDomains has no effect when ScheduleAnyway',
    pod: fooPod([spread(2, 'node', 'ScheduleAnyway', fooSelector, { minDomains: 10 })]),
    nodes: byNodeLabel('node-a', 'node-b', 'node-c'),
    existing: [...pods('node-a', 2), ...pods('node-b', 2), ...pods('node-c', 1)],
    want: { 'node-a': 75, 'node-b': 75, 'node-c': 100 },
  },
  {
    name: 'nodeAffinityPolicy honoured with nodeSelector: node-c is no domain',
    pod: fooPod([spread(1, 'node', 'ScheduleAnyway')], { nodeSelector: { foo: '' } }),
    nodes: [node('node-a', { node: 'node-a', foo: '' }), node('node-b', { node: 'node-b', foo: '' }), node('node-c', { node: 'node-c' })],
    existing: [...pods('node-a', 2), ...pods('node-b', 1), ...pods('node-c', 1)],
    want: { 'node-a': 0, 'node-b': 33, 'node-c': 100 },
  },
  {
    name: 'nodeAffinityPolicy Ignore with nodeSelector',
    pod: fooPod([spread(1, 'node', 'ScheduleAnyway', fooSelector, { nodeAffinityPolicy: 'Ignore' })], { nodeSelector: { foo: '' } }),
    nodes: [node('node-a', { node: 'node-a', foo: '' }), node('node-b', { node: 'node-b', foo: '' }), node('node-c', { node: 'node-c' })],
    existing: [...pods('node-a', 2), ...pods('node-b', 1), ...pods('node-c', 1)],
    want: { 'node-a': 66, 'node-b': 100, 'node-c': 100 },
  },
  {
    name: 'nodeTaintsPolicy Honor: the tainted node is no domain',
    pod: fooPod([spread(1, 'node', 'ScheduleAnyway', fooSelector, { nodeTaintsPolicy: 'Honor' })]),
    nodes: [node('node-a', { node: 'node-a' }), node('node-b', { node: 'node-b' }), node('node-c', { node: 'node-c' }, taint)],
    existing: [...pods('node-a', 2), ...pods('node-b', 1), ...pods('node-c', 1)],
    want: { 'node-a': 0, 'node-b': 33, 'node-c': 100 },
  },
  {
    name: 'nodeTaintsPolicy Ignore (default): the tainted node counts',
    pod: fooPod([spread(1, 'node', 'ScheduleAnyway')]),
    nodes: [node('node-a', { node: 'node-a' }), node('node-b', { node: 'node-b' }), node('node-c', { node: 'node-c' }, taint)],
    existing: [...pods('node-a', 2), ...pods('node-b', 1), ...pods('node-c', 1)],
    want: { 'node-a': 66, 'node-b': 100, 'node-c': 100 },
  },
];

describe('PodTopologySpread Score', () => {
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(runScore(c.pod, c.nodes, c.failed ?? [], c.existing, c.plugin), c.want));
  }

  it('ranks the emptiest domain first (scoring order)', () => {
    const got = runScore(fooPod(), hosts('n1', 'n2', 'n3'), [], [...pods('n1', 5), ...pods('n2', 1)]);
    const order = Object.entries(got).sort((a, b) => b[1] - a[1]).map(([n]) => n);
    assert.deepEqual(order, ['n3', 'n2', 'n1']);
  });

  it('system defaults without zones still spread over hostnames; List defaults require every key', () => {
    const selectorFor = () => ({ matchLabels: { foo: '' } });
    const list = new PodTopologySpread({
      defaultingType: 'List',
      defaultConstraints: [
        { maxSkew: 3, topologyKey: HOST, whenUnsatisfiable: 'ScheduleAnyway' },
        { maxSkew: 5, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' },
      ],
      selectorFor,
    });
    // The same constraints as the system ones, but as a List every node lacks the zone key: all ignored.
    const got = runScore(pod('p', { labels: { foo: '' } }), hosts('node-a', 'node-b', 'node-c', 'node-d'), [], spread4321(), list);
    assert.deepEqual(got, { 'node-a': 0, 'node-b': 0, 'node-c': 0, 'node-d': 0 });
  });

  it('skips PreScore without soft constraints, and when the snapshot is empty', () => {
    const pl = new PodTopologySpread();
    const infos = nodeInfos(hosts('node-a'), []);
    assert.equal(pl.preScore(new CycleState(), pod('p'), infos, snapshot(infos)).code, 'Skip');
    assert.equal(pl.preScore(new CycleState(), fooPod([spread(1, HOST, 'DoNotSchedule')]), infos, snapshot(infos)).code, 'Skip');
    assert.equal(pl.preScore(new CycleState(), fooPod(), [], snapshot([])).code, 'Skip');
    assert.equal(new PodTopologySpread({ selectorFor: () => undefined }).preScore(new CycleState(), pod('p'), infos, snapshot(infos)).code, 'Skip');
  });
});
