import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { InterPodAffinity, type InterPodAffinityArgs } from '../../../../src/scheduler/plugins/interpodaffinity/plugin.js';
import { normalizeMinMax } from '../../../../src/scheduler/plugins/interpodaffinity/scoring.js';
import { CycleState, type NodeScore } from '../../../../src/scheduler/framework/types.js';
import { Framework } from '../../../../src/scheduler/framework/framework.js';
import { addPod, newPodInfo } from '../../../../src/scheduler/framework/node-info.js';
import { cluster, HOST, labelsIs, node, pod, term, weighted, ZONE } from './fixtures.js';

const REGION = 'topology.kubernetes.io/region';
const sec = { security: 'S1' };
const zoneNode = (name: string, zone: string, region?: string): Node =>
  node(name, { [HOST]: name, [ZONE]: zone, ...(region ? { [REGION]: region } : {}) });

interface Case {
  name: string;
  pod: Pod;
  layout: [Node, ...Pod[]][];
  args?: InterPodAffinityArgs;
  /** Normalized score per node, or 'skip' when PreScore finds nothing to score. */
  want: Record<string, number> | 'skip';
}

const cases: Case[] = [
  {
    name: 'no affinity anywhere: skipped',
    pod: pod('p', { labels: sec }),
    layout: [[node('n1'), pod('e', { labels: sec })], [node('n2')]],
    want: 'skip',
  },
  {
    name: 'preferred affinity favours the zone of the matching pod',
    pod: pod('p', { preferredAffinity: [weighted(5, term(ZONE, labelsIs(sec)))] }),
    layout: [[zoneNode('n1', 'z1'), pod('e', { labels: sec })], [zoneNode('n2', 'z1')], [zoneNode('n3', 'z2')]],
    want: { n1: 100, n2: 100, n3: 0 },
  },
  {
    name: 'weights add up across terms and topologies',
    pod: pod('p', { preferredAffinity: [weighted(8, term(REGION, labelsIs(sec))), weighted(2, term(HOST, labelsIs({ app: 'web' })))] }),
    layout: [
      [zoneNode('n1', 'z1', 'r1'), pod('e1', { labels: sec })],
      [zoneNode('n2', 'z2', 'r1'), pod('e2', { labels: { app: 'web' } })],
      [zoneNode('n3', 'z3', 'r2')],
    ],
    want: { n1: 80, n2: 100, n3: 0 },
  },
  {
    name: 'preferred anti-affinity subtracts: the matching host scores lowest',
    pod: pod('p', { preferredAntiAffinity: [weighted(5, term(HOST, labelsIs(sec)))] }),
    layout: [[node('n1'), pod('e', { labels: sec })], [node('n2')]],
    want: { n1: 0, n2: 100 },
  },
  {
    name: 'affinity and anti-affinity combine',
    pod: pod('p', { preferredAffinity: [weighted(10, term(ZONE, labelsIs(sec)))], preferredAntiAffinity: [weighted(5, term(HOST, labelsIs(sec)))] }),
    layout: [[zoneNode('n1', 'z1'), pod('e', { labels: sec })], [zoneNode('n2', 'z1')], [zoneNode('n3', 'z2')]],
    want: { n1: 50, n2: 100, n3: 0 },
  },
  {
    name: 'preferred terms only count pods in the term’s namespaces',
    pod: pod('p', { ns: 'team-a', preferredAffinity: [weighted(5, term(HOST, labelsIs(sec)))] }),
    layout: [[node('n1'), pod('e', { ns: 'team-b', labels: sec })], [node('n2'), pod('f', { ns: 'team-a', labels: sec })]],
    want: { n1: 0, n2: 100 },
  },
  {
    name: 'no matching pod in the term’s namespaces: skipped',
    pod: pod('p', { ns: 'team-a', preferredAffinity: [weighted(5, term(HOST, labelsIs(sec)))] }),
    layout: [[node('n1'), pod('e', { ns: 'team-b', labels: sec })], [node('n2')]],
    want: 'skip',
  },
  {
    name: 'existing pod’s preferred affinity draws the incoming pod to its zone (symmetry)',
    pod: pod('p', { labels: sec }),
    layout: [[zoneNode('n1', 'z1'), pod('e', { preferredAffinity: [weighted(5, term(ZONE, labelsIs(sec)))] })], [zoneNode('n2', 'z1')], [zoneNode('n3', 'z2')]],
    want: { n1: 100, n2: 100, n3: 0 },
  },
  {
    name: 'existing pod’s preferred anti-affinity pushes the incoming pod away',
    pod: pod('p', { labels: sec }),
    layout: [[node('n1'), pod('e', { preferredAntiAffinity: [weighted(5, term(HOST, labelsIs(sec)))] })], [node('n2')]],
    want: { n1: 0, n2: 100 },
  },
  {
    name: 'ignorePreferredTermsOfExistingPods: existing pods’ preferences are not scored',
    pod: pod('p', { labels: sec }),
    layout: [[node('n1'), pod('e', { preferredAntiAffinity: [weighted(5, term(HOST, labelsIs(sec)))] })], [node('n2')]],
    args: { ignorePreferredTermsOfExistingPods: true },
    want: 'skip',
  },
  {
    name: 'existing pod’s required affinity counts at hardPodAffinityWeight (default 1)',
    pod: pod('p', { labels: sec }),
    layout: [[zoneNode('n1', 'z1'), pod('e', { affinity: [term(ZONE, labelsIs(sec))] })], [zoneNode('n2', 'z1')], [zoneNode('n3', 'z2')]],
    want: { n1: 100, n2: 100, n3: 0 },
  },
  {
    name: 'hardPodAffinityWeight 0 ignores existing pods’ required affinity',
    pod: pod('p', { labels: sec }),
    layout: [[zoneNode('n1', 'z1'), pod('e', { affinity: [term(ZONE, labelsIs(sec))] })], [zoneNode('n3', 'z2')]],
    args: { hardPodAffinityWeight: 0 },
    want: 'skip',
  },
  {
    name: 'hardPodAffinityWeight weighs against preferred anti-affinity',
    pod: pod('p', { labels: sec, preferredAntiAffinity: [weighted(3, term(ZONE, labelsIs({ app: 'db' })))] }),
    layout: [
      [zoneNode('n1', 'z1'), pod('e', { affinity: [term(ZONE, labelsIs(sec))] })],
      [zoneNode('n2', 'z2'), pod('db', { labels: { app: 'db' } })],
      [zoneNode('n3', 'z3')],
    ],
    args: { hardPodAffinityWeight: 4 },
    // raw: n1 +4, n2 -3, n3 0 -> (x+3)/7
    want: { n1: 100, n2: 0, n3: 42 },
  },
  {
    name: 'existing pod’s namespaceSelector is matched against the incoming pod’s namespace labels',
    pod: pod('p', { ns: 'team-a', labels: sec }),
    layout: [
      [node('n1'), pod('e', { ns: 'team-b', preferredAffinity: [weighted(5, term(HOST, labelsIs(sec), { namespaceSelector: labelsIs({ team: 'a' }) }))] })],
      [node('n2'), pod('f', { ns: 'team-b', preferredAffinity: [weighted(5, term(HOST, labelsIs(sec), { namespaceSelector: labelsIs({ team: 'b' }) }))] })],
    ],
    args: { namespaceLabels: (ns) => ({ 'team-a': { team: 'a' }, 'team-b': { team: 'b' } })[ns] },
    want: { n1: 100, n2: 0 },
  },
];

for (const c of cases) {
  test(`score: ${c.name}`, () => {
    const plugin = new InterPodAffinity(c.args);
    const { infos, snapshot } = cluster(c.layout);
    const state = new CycleState();
    const pre = plugin.preScore(state, c.pod, infos, snapshot);
    if (c.want === 'skip') {
      assert.equal(pre.code, 'Skip');
      return;
    }
    assert.equal(pre.code, 'Success');
    const scores: NodeScore[] = infos.map((n) => ({ name: n.node.metadata!.name!, score: plugin.score(state, c.pod, n) }));
    plugin.normalizeScore(state, c.pod, scores);
    assert.deepEqual(Object.fromEntries(scores.map((s) => [s.name, s.score])), c.want);
  });
}

test('normalizeMinMax maps min..max onto 0..100, truncating as upstream’s float arithmetic does', () => {
  const table: [number[], number[]][] = [
    [[-5, 0, 10], [0, 33, 100]],
    // 100 * (29 / 100) is 28.999999999999996 in float64: upstream truncates it to 28.
    [[0, 29, 100], [0, 28, 100]],
    [[3, 3], [0, 0]],
    [[-7], [0]],
    [[], []],
  ];
  for (const [raw, want] of table) {
    const scores = raw.map((score, i) => ({ name: `n${i}`, score }));
    normalizeMinMax(scores);
    assert.deepEqual(scores.map((s) => s.score), want, `raw ${raw.join(',')}`);
  }
});

test('preScore reuses the sums of earlier cycles for nodes that did not change', () => {
  const plugin = new InterPodAffinity({ memoMinNodes: 0 });
  const { infos, snapshot } = cluster([[node('n1'), pod('plain', { labels: sec })], [node('n2'), pod('e', { preferredAffinity: [weighted(5, term(HOST, labelsIs(sec)))] })]]);
  let walks = 0;
  const proxied = infos.map((info) => new Proxy(info, { get: (t, k, r) => ((k === 'podsWithAffinity' && walks++), Reflect.get(t, k, r)) }));
  const view = { ...snapshot, nodeInfos: () => proxied };
  const incoming = pod('p', { labels: sec });
  for (let cycle = 0; cycle < 3; cycle++) {
    const state = new CycleState();
    assert.equal(plugin.preScore(state, incoming, infos, view).code, 'Success');
    assert.deepEqual(infos.map((n) => plugin.score(state, incoming, n)), [0, 5]);
  }
  assert.equal(walks, 2, 'each node walked once over three cycles');
  addPod(infos[0]!, newPodInfo(pod('e2', { preferredAffinity: [weighted(3, term(HOST, labelsIs(sec)))] })));
  const state = new CycleState();
  plugin.preScore(state, incoming, infos, view);
  assert.equal(walks, 3, 'only the changed node walked again');
  assert.deepEqual(infos.map((n) => plugin.score(state, incoming, n)), [3, 5]);
});

test('preScore with no feasible nodes is skipped', () => {
  const { snapshot } = cluster([[node('n1'), pod('e', { labels: sec })]]);
  const p = pod('p', { preferredAffinity: [weighted(5, term(HOST, labelsIs(sec)))] });
  assert.equal(new InterPodAffinity().preScore(new CycleState(), p, [], snapshot).code, 'Skip');
});

test('through the framework, negative raw scores end up within 0..100 and weighted', () => {
  const plugin = new InterPodAffinity();
  const fw = new Framework('default', { preFilter: [plugin], filter: [plugin], preScore: [plugin], score: [{ plugin, weight: 2 }] });
  const { infos, snapshot } = cluster([[node('n1'), pod('e', { labels: sec })], [node('n2')], [node('n3')]]);
  const p = pod('p', { preferredAntiAffinity: [weighted(7, term(HOST, labelsIs(sec)))] });
  const totals = fw.runScore(new CycleState(), p, infos, snapshot);
  assert.deepEqual(totals, [
    { name: 'n1', score: 0 },
    { name: 'n2', score: 200 },
    { name: 'n3', score: 200 },
  ]);
});
