import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Affinity, NodeAffinity as NodeAffinitySpec, NodeSelectorRequirement, PreferredSchedulingTerm } from 'kubernetes-types/core/v1.js';
import { snapshotOf } from '../../../../src/scheduler/framework/node-info.js';
import { CycleState, type NodeScore } from '../../../../src/scheduler/framework/types.js';
import {
  ERR_REASON_CONFLICT,
  ERR_REASON_ENFORCED,
  ERR_REASON_POD,
  NodeAffinity,
} from '../../../../src/scheduler/plugins/nodeaffinity/node-affinity.js';
import { info, makeNode, makePod } from '../helper/fixtures.js';

type Term = { e?: NodeSelectorRequirement[]; f?: NodeSelectorRequirement[] };
const required = (...terms: Term[]): Affinity => ({
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: terms.map((t) => ({ matchExpressions: t.e, matchFields: t.f })),
    },
  },
});
const name = (op: string, ...values: string[]): NodeSelectorRequirement => ({ key: 'metadata.name', operator: op, values });

const filterCases: {
  name: string;
  nodeSelector?: Record<string, string>;
  affinity?: Affinity;
  labels?: Record<string, string>;
  node?: string;
  match: boolean;
}[] = [
  { name: 'no selector', match: true },
  { name: 'nodeSelector vs unlabelled node', nodeSelector: { foo: 'bar' }, match: false },
  { name: 'nodeSelector matches', nodeSelector: { foo: 'bar' }, labels: { foo: 'bar' }, match: true },
  { name: 'nodeSelector other value', nodeSelector: { foo: 'bar' }, labels: { foo: 'baz' }, match: false },
  { name: 'empty nodeSelector matches all', nodeSelector: {}, match: true },
  { name: 'affinity without nodeAffinity', affinity: {}, match: true },
  { name: 'In', affinity: required({ e: [{ key: 'foo', operator: 'In', values: ['value1', 'bar'] }] }), labels: { foo: 'bar' }, match: true },
  { name: 'In with other values', affinity: required({ e: [{ key: 'foo', operator: 'In', values: ['value1', 'value2'] }] }), labels: { foo: 'bar' }, match: false },
  { name: 'Gt', affinity: required({ e: [{ key: 'kernel-version', operator: 'Gt', values: ['0204'] }] }), labels: { 'kernel-version': '0206' }, match: true },
  { name: 'Gt not greater', affinity: required({ e: [{ key: 'kernel-version', operator: 'Gt', values: ['0206'] }] }), labels: { 'kernel-version': '0206' }, match: false },
  { name: 'Lt', affinity: required({ e: [{ key: 'n', operator: 'Lt', values: ['10'] }] }), labels: { n: '9' }, match: true },
  { name: 'Lt with a non-numeric label', affinity: required({ e: [{ key: 'n', operator: 'Lt', values: ['10'] }] }), labels: { n: 'nine' }, match: false },
  { name: 'Gt with a non-integer value never matches', affinity: required({ e: [{ key: 'n', operator: 'Gt', values: ['abc'] }] }), labels: { n: '9' }, match: false },
  { name: 'NotIn', affinity: required({ e: [{ key: 'mem-type', operator: 'NotIn', values: ['DDR', 'DDR2'] }] }), labels: { 'mem-type': 'DDR3' }, match: true },
  { name: 'NotIn with a missing label', affinity: required({ e: [{ key: 'mem-type', operator: 'NotIn', values: ['DDR'] }] }), match: true },
  { name: 'Exists', affinity: required({ e: [{ key: 'GPU', operator: 'Exists' }] }), labels: { GPU: 'NVIDIA-GRID-K1' }, match: true },
  { name: 'DoesNotExist', affinity: required({ e: [{ key: 'GPU', operator: 'DoesNotExist' }] }), labels: { GPU: 'x' }, match: false },
  { name: 'expressions ANDed', affinity: required({ e: [{ key: 'GPU', operator: 'Exists' }, { key: 'zone', operator: 'In', values: ['a'] }] }), labels: { GPU: 'x', zone: 'b' }, match: false },
  { name: 'terms ORed', affinity: required({ e: [{ key: 'zone', operator: 'In', values: ['a'] }] }, { e: [{ key: 'GPU', operator: 'Exists' }] }), labels: { GPU: 'x', zone: 'b' }, match: true },
  { name: 'no terms match nothing', affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } }, labels: { foo: 'bar' }, match: false },
  { name: 'an empty term matches nothing', affinity: required({ e: [] }), labels: { foo: 'bar' }, match: false },
  { name: 'nodeSelector AND affinity: selector fails', nodeSelector: { foo: 'bar' }, affinity: required({ e: [{ key: 'GPU', operator: 'Exists' }] }), labels: { GPU: 'x' }, match: false },
  { name: 'nodeSelector AND affinity: both hold', nodeSelector: { foo: 'bar' }, affinity: required({ e: [{ key: 'GPU', operator: 'Exists' }] }), labels: { GPU: 'x', foo: 'bar' }, match: true },
  { name: 'matchFields name In', affinity: required({ f: [name('In', 'node1')] }), node: 'node1', match: true },
  { name: 'matchFields name In, other node', affinity: required({ f: [name('In', 'node1')] }), node: 'node2', match: false },
  { name: 'matchFields and expressions in one term', affinity: required({ f: [name('In', 'node1')], e: [{ key: 'foo', operator: 'In', values: ['bar'] }] }), node: 'node1', labels: { foo: 'baz' }, match: false },
  { name: 'matchFields or expressions across terms', affinity: required({ f: [name('In', 'node2')] }, { e: [{ key: 'foo', operator: 'In', values: ['bar'] }] }), node: 'node1', labels: { foo: 'bar' }, match: true },
  { name: 'a broken term is ignored', affinity: required({ e: [{ key: 'foo', operator: 'Bogus', values: ['bar'] }] }, { e: [{ key: 'GPU', operator: 'Exists' }] }), labels: { foo: 'bar' }, match: false },
];

for (const c of filterCases) {
  test(`NodeAffinity.filter: ${c.name}`, () => {
    const pl = new NodeAffinity();
    const pod = makePod({ nodeSelector: c.nodeSelector, affinity: c.affinity });
    const node = info(makeNode(c.node ?? 'node1', { labels: c.labels }));
    const state = new CycleState();
    const pre = pl.preFilter(state, pod, snapshotOf([node]));
    assert.notEqual(pre.code, 'Error');
    const want = c.match ? 'Success' : 'UnschedulableAndUnresolvable';
    const st = pl.filter(state, pod, node);
    assert.equal(st.code, want);
    if (!c.match) assert.deepEqual(st.reasons, [ERR_REASON_POD]);
    // Filter without PreFilter's state decides the same.
    assert.equal(pl.filter(new CycleState(), pod, node).code, want);
  });
}

test('NodeAffinity.preFilter skips only when there is nothing to check', () => {
  const pl = new NodeAffinity();
  assert.equal(pl.preFilter(new CycleState(), makePod()).code, 'Skip');
  assert.equal(pl.preFilter(new CycleState(), makePod({ affinity: {} })).code, 'Skip');
  assert.equal(pl.preFilter(new CycleState(), makePod({ affinity: { nodeAffinity: {} } })).code, 'Skip');
  assert.equal(pl.preFilter(new CycleState(), makePod({ nodeSelector: {} })).code, 'Success');
  assert.equal(pl.preFilter(new CycleState(), makePod({ affinity: required({ e: [{ key: 'a', operator: 'Exists' }] }) })).code, 'Success');
  const added = new NodeAffinity({ args: { addedAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'Exists' }] }] } } } });
  assert.equal(added.preFilter(new CycleState(), makePod()).code, 'Success');
});

test('NodeAffinity.preFilter narrows to pinned node names, or fails on a conflict', () => {
  const pl = new NodeAffinity();
  const s1 = new CycleState();
  assert.equal(pl.preFilter(s1, makePod({ affinity: required({ f: [name('In', 'node1', 'node2')] }, { f: [name('In', 'node3')] }) })).code, 'Success');
  assert.deepEqual([...pl.preFilterNodeNames(s1)!].sort(), ['node1', 'node2', 'node3']);

  const s2 = new CycleState();
  pl.preFilter(s2, makePod({ affinity: required({ f: [name('In', 'node1', 'node2'), name('In', 'node2', 'node3')] }) }));
  assert.deepEqual([...pl.preFilterNodeNames(s2)!], ['node2']);

  // A term without a name pin leaves every node possible.
  const s3 = new CycleState();
  pl.preFilter(s3, makePod({ affinity: required({ f: [name('In', 'node1')] }, { e: [{ key: 'a', operator: 'Exists' }] }) }));
  assert.equal(pl.preFilterNodeNames(s3), undefined);

  const conflict = pl.preFilter(new CycleState(), makePod({ affinity: required({ f: [name('In', 'node1'), name('In', 'node2')] }) }));
  assert.deepEqual(conflict, { code: 'UnschedulableAndUnresolvable', reasons: [ERR_REASON_CONFLICT] });
  assert.equal(ERR_REASON_CONFLICT, 'pod affinity terms conflict');
});

test('NodeAffinity: addedAffinity is enforced before the pod\'s own terms', () => {
  const addedAffinity: NodeAffinitySpec = {
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['foo'] }] }] },
  };
  const pl = new NodeAffinity({ args: { addedAffinity } });
  const pod = makePod({ nodeSelector: { foo: 'bar' } });
  const state = new CycleState();
  pl.preFilter(state, pod);
  assert.deepEqual(pl.filter(state, pod, info(makeNode('n', { labels: { foo: 'bar' } }))), {
    code: 'UnschedulableAndUnresolvable',
    reasons: [ERR_REASON_ENFORCED],
  });
  assert.deepEqual(pl.filter(state, pod, info(makeNode('n', { labels: { zone: 'foo' } }))).reasons, [ERR_REASON_POD]);
  assert.equal(pl.filter(state, pod, info(makeNode('n', { labels: { zone: 'foo', foo: 'bar' } }))).code, 'Success');
  assert.equal(ERR_REASON_ENFORCED, "node(s) didn't match scheduler-enforced node affinity");
});

test('NodeAffinity: an invalid addedAffinity is rejected at construction', () => {
  assert.throws(
    () => new NodeAffinity({ args: { addedAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'Bad' }] }] } } } }),
    /^Error: parsing addedAffinity\.requiredDuringSchedulingIgnoredDuringExecution: .*Unsupported value: "Bad"/,
  );
  assert.throws(
    () => new NodeAffinity({ args: { addedAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchFields: [name('In', 'a', 'b')] } }] } } }),
    /^Error: parsing addedAffinity\.preferredDuringSchedulingIgnoredDuringExecution: .*must have one element/,
  );
});

const pref = (weight: number, ...e: NodeSelectorRequirement[]): PreferredSchedulingTerm => ({ weight, preference: { matchExpressions: e } });
const fooBar: NodeSelectorRequirement = { key: 'foo', operator: 'In', values: ['bar'] };
const keyValue: NodeSelectorRequirement = { key: 'key', operator: 'In', values: ['value'] };
const az1: NodeSelectorRequirement = { key: 'az', operator: 'In', values: ['az1'] };

const scoreCases: { name: string; preferred?: PreferredSchedulingTerm[]; added?: PreferredSchedulingTerm[]; nodes: Record<string, string>[]; want: number[]; skip?: boolean }[] = [
  { name: 'no preferred terms: PreScore skips, all equal', nodes: [{ foo: 'bar' }, {}], want: [0, 0], skip: true },
  { name: 'no node matches', preferred: [pref(2, fooBar)], nodes: [{ key: 'value' }, { az: 'az1' }], want: [0, 0] },
  { name: 'one node matches', preferred: [pref(2, fooBar)], nodes: [{ foo: 'bar' }, { key: 'value' }, {}], want: [100, 0, 0] },
  {
    name: 'weights summed and normalized',
    preferred: [pref(2, fooBar), pref(4, keyValue), pref(5, fooBar, keyValue, az1)],
    nodes: [{ foo: 'bar' }, { foo: 'bar', key: 'value', az: 'az1' }, { key: 'value' }],
    want: [18, 100, 36],
  },
  {
    name: 'added preferred terms add to the pod\'s',
    preferred: [pref(2, fooBar)],
    added: [pref(5, keyValue)],
    nodes: [{ foo: 'bar' }, { key: 'value' }, { foo: 'bar', key: 'value' }, {}],
    want: [28, 71, 100, 0],
  },
  { name: 'added terms alone: PreScore does not skip', added: [pref(3, keyValue)], nodes: [{ key: 'value' }, {}], want: [100, 0] },
];

for (const c of scoreCases) {
  test(`NodeAffinity.score: ${c.name}`, () => {
    const pl = new NodeAffinity(c.added ? { args: { addedAffinity: { preferredDuringSchedulingIgnoredDuringExecution: c.added } } } : {});
    const pod = makePod(c.preferred ? { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: c.preferred } } } : {});
    const nodes = c.nodes.map((labels, i) => info(makeNode(`n${i}`, { labels })));
    const state = new CycleState();
    assert.equal(pl.preScore(state, pod, nodes, snapshotOf(nodes)).code, c.skip ? 'Skip' : 'Success');
    const scores: NodeScore[] = nodes.map((n) => ({ name: n.node.metadata!.name!, score: pl.score(state, pod, n) }));
    pl.normalizeScore(state, pod, scores);
    assert.deepEqual(scores.map((s) => s.score), c.want);
  });
}

test('NodeAffinity.preScore reports unparsable preferred terms as an Error', () => {
  const pod = makePod({ affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [pref(1, { key: 'foo', operator: 'Bad' })] } } });
  const st = new NodeAffinity().preScore(new CycleState(), pod, [], snapshotOf([]));
  assert.equal(st.code, 'Error');
  assert.match(st.reasons[0]!, /\[0\]\.matchExpressions\[0\]\.operator: Unsupported value: "Bad"/);
});

test('NodeAffinity.score without PreScore state gives the raw weight sum', () => {
  const pod = makePod({ affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [pref(2, fooBar), pref(4, keyValue)] } } });
  assert.equal(new NodeAffinity().score(new CycleState(), pod, info(makeNode('n', { labels: { foo: 'bar', key: 'value' } }))), 6);
  assert.equal(new NodeAffinity().name, 'NodeAffinity');
  assert.equal(ERR_REASON_POD, "node(s) didn't match Pod's node affinity/selector");
});
