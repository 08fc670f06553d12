import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { snapshotOf } from '../../../../src/scheduler/framework/node-info.js';
import { CycleState, type NodeScore } from '../../../../src/scheduler/framework/types.js';
import { TaintToleration, countIntolerablePreferNoSchedule } from '../../../../src/scheduler/plugins/tainttoleration/taint-toleration.js';
import { info, makeNode, makePod } from '../helper/fixtures.js';

const filterCases: { name: string; tolerations?: Toleration[]; taints: Taint[]; reason?: string }[] = [
  {
    name: 'no tolerations vs a NoSchedule taint',
    taints: [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }],
    reason: 'node(s) had untolerated taint {dedicated: user1}',
  },
  {
    name: 'toleration of the dedicated taint',
    tolerations: [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }],
    taints: [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }],
  },
  {
    name: 'toleration for another user',
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'user2', effect: 'NoSchedule' }],
    taints: [{ key: 'dedicated', value: 'user1', effect: 'NoSchedule' }],
    reason: 'node(s) had untolerated taint {dedicated: user1}',
  },
  {
    name: 'Exists toleration',
    tolerations: [{ key: 'foo', operator: 'Exists', effect: 'NoSchedule' }],
    taints: [{ key: 'foo', value: 'bar', effect: 'NoSchedule' }],
  },
  {
    name: 'several tolerations for several taints',
    tolerations: [
      { key: 'dedicated', operator: 'Equal', value: 'user2', effect: 'NoSchedule' },
      { key: 'foo', operator: 'Exists', effect: 'NoSchedule' },
    ],
    taints: [
      { key: 'dedicated', value: 'user2', effect: 'NoSchedule' },
      { key: 'foo', effect: 'NoSchedule' },
    ],
  },
  {
    name: 'toleration effect differs from the taint effect',
    tolerations: [{ key: 'foo', operator: 'Equal', value: 'bar', effect: 'PreferNoSchedule' }],
    taints: [{ key: 'foo', value: 'bar', effect: 'NoSchedule' }],
    reason: 'node(s) had untolerated taint {foo: bar}',
  },
  {
    name: 'a PreferNoSchedule taint does not filter',
    taints: [{ key: 'foo', value: 'bar', effect: 'PreferNoSchedule' }],
  },
  {
    name: 'a NoExecute taint filters',
    taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }],
    reason: 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }',
  },
  {
    name: 'the first untolerated taint is named',
    tolerations: [{ key: 'a', operator: 'Exists' }],
    taints: [
      { key: 'a', value: '1', effect: 'NoSchedule' },
      { key: 'b', value: '2', effect: 'NoExecute' },
      { key: 'c', value: '3', effect: 'NoSchedule' },
    ],
    reason: 'node(s) had untolerated taint {b: 2}',
  },
  { name: 'no taints', taints: [] },
];

for (const c of filterCases) {
  test(`TaintToleration.filter: ${c.name}`, () => {
    const node = info(makeNode('n', { spec: { taints: c.taints } }));
    const st = new TaintToleration().filter(new CycleState(), makePod({ tolerations: c.tolerations }), node);
    if (c.reason) assert.deepEqual(st, { code: 'UnschedulableAndUnresolvable', reasons: [c.reason] });
    else assert.equal(st.code, 'Success');
  });
}

const pref = (key: string, value: string): Taint => ({ key, value, effect: 'PreferNoSchedule' });
const scoreCases: { name: string; tolerations: Toleration[]; nodes: Taint[][]; want: number[] }[] = [
  {
    name: 'same tolerated taint on all nodes',
    tolerations: [{ key: 'foo', operator: 'Equal', value: 'bar', effect: 'PreferNoSchedule' }],
    nodes: [[pref('foo', 'bar')], [pref('foo', 'bar')]],
    want: [100, 100],
  },
  {
    name: 'all taints tolerated: same score however many',
    tolerations: [
      { key: 'cpu-type', operator: 'Equal', value: 'arm64', effect: 'PreferNoSchedule' },
      { key: 'disk-type', operator: 'Equal', value: 'ssd', effect: 'PreferNoSchedule' },
    ],
    nodes: [[], [pref('cpu-type', 'arm64')], [pref('cpu-type', 'arm64'), pref('disk-type', 'ssd')]],
    want: [100, 100, 100],
  },
  {
    name: 'more intolerable taints, lower score',
    tolerations: [{ key: 'foo', operator: 'Equal', value: 'bar', effect: 'PreferNoSchedule' }],
    nodes: [[], [pref('cpu-type', 'arm64')], [pref('cpu-type', 'arm64'), pref('disk-type', 'ssd')]],
    want: [100, 50, 0],
  },
  {
    name: 'only PreferNoSchedule taints and tolerations count',
    tolerations: [
      { key: 'cpu-type', operator: 'Equal', value: 'arm64', effect: 'NoSchedule' },
      { key: 'disk-type', operator: 'Equal', value: 'ssd', effect: 'NoSchedule' },
    ],
    nodes: [[], [{ key: 'cpu-type', value: 'arm64', effect: 'NoSchedule' }], [pref('cpu-type', 'arm64'), pref('disk-type', 'ssd')]],
    want: [100, 100, 0],
  },
  {
    name: 'no tolerations: the untainted node wins',
    tolerations: [],
    nodes: [[], [pref('cpu-type', 'arm64')]],
    want: [100, 0],
  },
  {
    name: 'a toleration without effect tolerates PreferNoSchedule',
    tolerations: [{ key: 'cpu-type', operator: 'Exists' }],
    nodes: [[], [pref('cpu-type', 'arm64')], [pref('cpu-type', 'arm64'), pref('x', 'y')], [pref('x', 'y'), pref('z', 'w')]],
    want: [100, 100, 50, 0],
  },
];

for (const c of scoreCases) {
  test(`TaintToleration.score: ${c.name}`, () => {
    const pl = new TaintToleration();
    const nodes = c.nodes.map((taints, i) => info(makeNode(`n${i}`, { spec: { taints } })));
    const pod = makePod({ tolerations: c.tolerations });
    const state = new CycleState();
    assert.equal(pl.preScore(state, pod, nodes, snapshotOf(nodes)).code, 'Success');
    const scores: NodeScore[] = nodes.map((n) => ({ name: n.node.metadata!.name!, score: pl.score(state, pod, n) }));
    pl.normalizeScore(state, pod, scores);
    assert.deepEqual(scores.map((s) => s.score), c.want);
  });
}

test('TaintToleration.score without PreScore state computes the same raw count', () => {
  const pl = new TaintToleration();
  const node = info(makeNode('n', { spec: { taints: [pref('a', '1'), pref('b', '2'), { key: 'c', effect: 'NoSchedule' }] } }));
  const pod = makePod({ tolerations: [{ key: 'a', operator: 'Exists' }] });
  assert.equal(pl.score(new CycleState(), pod, node), 1);
  const state = new CycleState();
  pl.preScore(state, pod, [node], snapshotOf([node]));
  assert.equal(pl.score(state, pod, node), 1);
});

test('countIntolerablePreferNoSchedule ignores other effects', () => {
  assert.equal(countIntolerablePreferNoSchedule([pref('a', '1'), { key: 'b', effect: 'NoExecute' }, pref('c', '')], []), 2);
  assert.equal(countIntolerablePreferNoSchedule(undefined, []), 0);
  assert.equal(new TaintToleration().name, 'TaintToleration');
});
