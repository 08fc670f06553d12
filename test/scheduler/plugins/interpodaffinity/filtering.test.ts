import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { InterPodAffinity } from '../../../../src/scheduler/plugins/interpodaffinity/plugin.js';
import { CycleState, type Code, type NodeInfo } from '../../../../src/scheduler/framework/types.js';
import { addPod, newPodInfo, removePod } from '../../../../src/scheduler/framework/node-info.js';
import { cluster, HOST, keyIn, labelsIs, node, pod, term, ZONE } from './fixtures.js';

const AFF = "node(s) didn't match pod affinity rules";
const ANTI = "node(s) didn't match pod anti-affinity rules";
const EXISTING = "node(s) didn't satisfy existing pods anti-affinity rules";

const ok = 'ok' as const;
const aff = ['UnschedulableAndUnresolvable', AFF] as const;
const anti = ['Unschedulable', ANTI] as const;
const existing = ['Unschedulable', EXISTING] as const;
type Want = typeof ok | readonly [Code, string];

const zoneNode = (name: string, zone?: string): Node => node(name, zone ? { [HOST]: name, [ZONE]: zone } : { [HOST]: name });
const nsLabels: Record<string, Record<string, string>> = { 'team-a': { team: 'a' }, 'team-b': { team: 'b' }, default: {} };

interface Case {
  name: string;
  pod: Pod;
  layout: [Node, ...Pod[]][];
  withNamespaceLabels?: boolean;
  /** Per node name, what Filter says. */
  want: Record<string, Want>;
}

const sec = { security: 'S1' };
const cases: Case[] = [
  {
    name: 'affinity satisfied by a matching pod on the same host',
    pod: pod('p', { affinity: [term(HOST, keyIn('security', 'S1', 'S3'))] }),
    layout: [[node('n1'), pod('e', { labels: sec })], [node('n2')]],
    want: { n1: ok, n2: aff },
  },
  {
    name: 'affinity with an In operator no pod matches fails everywhere',
    pod: pod('p', { affinity: [term(HOST, keyIn('security', 'S2'))] }),
    layout: [[node('n1'), pod('e', { labels: sec })], [node('n2')]],
    want: { n1: aff, n2: aff },
  },
  {
    name: 'affinity across a zone; nodes without the zone label fail',
    pod: pod('p', { affinity: [term(ZONE, labelsIs(sec))] }),
    layout: [[zoneNode('n1', 'z1'), pod('e', { labels: sec })], [zoneNode('n2', 'z1')], [zoneNode('n3', 'z2')], [zoneNode('n4')]],
    want: { n1: ok, n2: ok, n3: aff, n4: aff },
  },
  {
    name: 'empty namespaces mean the pod’s own namespace',
    pod: pod('p', { ns: 'team-a', affinity: [term(HOST, labelsIs(sec))] }),
    layout: [[node('n1'), pod('e', { ns: 'team-b', labels: sec })], [node('n2'), pod('f', { ns: 'team-a', labels: sec })]],
    want: { n1: aff, n2: ok },
  },
  {
    name: 'namespaces list names other namespaces',
    pod: pod('p', { ns: 'team-a', affinity: [term(HOST, labelsIs(sec), { namespaces: ['team-b'] })] }),
    layout: [[node('n1'), pod('e', { ns: 'team-b', labels: sec })], [node('n2'), pod('f', { ns: 'team-a', labels: sec })]],
    want: { n1: ok, n2: aff },
  },
  {
    name: 'namespaceSelector matches namespace labels from the lookup',
    pod: pod('p', { ns: 'team-a', affinity: [term(HOST, labelsIs(sec), { namespaceSelector: labelsIs({ team: 'b' }) })] }),
    layout: [[node('n1'), pod('e', { ns: 'team-b', labels: sec })], [node('n2'), pod('f', { ns: 'team-a', labels: sec })]],
    withNamespaceLabels: true,
    want: { n1: ok, n2: aff },
  },
  {
    name: 'namespaceSelector without a lookup matches no namespace (the pod matches nothing, not even itself)',
    pod: pod('p', { ns: 'team-a', labels: sec, affinity: [term(HOST, labelsIs(sec), { namespaceSelector: labelsIs({ team: 'b' }) })] }),
    layout: [[node('n1'), pod('e', { ns: 'team-b', labels: sec })]],
    want: { n1: aff },
  },
  {
    name: 'empty namespaceSelector selects every namespace, lookup or not',
    pod: pod('p', { ns: 'team-a', affinity: [term(HOST, labelsIs(sec), { namespaceSelector: {} })] }),
    layout: [[node('n1'), pod('e', { ns: 'team-b', labels: sec })], [node('n2')]],
    want: { n1: ok, n2: aff },
  },
  {
    name: 'first pod of a self-affine group may go to any node carrying the topology key',
    pod: pod('p', { labels: sec, affinity: [term(ZONE, labelsIs(sec))] }),
    layout: [[zoneNode('n1', 'z1'), pod('other', { labels: { app: 'x' } })], [zoneNode('n2', 'z2')], [zoneNode('n3')]],
    want: { n1: ok, n2: ok, n3: aff },
  },
  {
    name: 'once a group member exists, the self-affine pod must join its zone',
    pod: pod('p', { labels: sec, affinity: [term(ZONE, labelsIs(sec))] }),
    layout: [[zoneNode('n1', 'z1'), pod('e', { labels: sec })], [zoneNode('n2', 'z2')]],
    want: { n1: ok, n2: aff },
  },
  {
    name: 'no special case when the pod does not match its own term',
    pod: pod('p', { labels: { app: 'x' }, affinity: [term(ZONE, labelsIs(sec))] }),
    layout: [[zoneNode('n1', 'z1')], [zoneNode('n2', 'z2')]],
    want: { n1: aff, n2: aff },
  },
  {
    name: 'all affinity terms must be matched by the same pod',
    pod: pod('p', { affinity: [term(HOST, labelsIs({ a: '1' })), term(HOST, labelsIs({ b: '1' }))] }),
    layout: [
      [node('n1'), pod('e1', { labels: { a: '1' } }), pod('e2', { labels: { b: '1' } })],
      [node('n2'), pod('e3', { labels: { a: '1', b: '1' } })],
    ],
    want: { n1: aff, n2: ok },
  },
  {
    name: 'anti-affinity by hostname rejects only the host with the matching pod',
    pod: pod('p', { antiAffinity: [term(HOST, labelsIs(sec))] }),
    layout: [[node('n1'), pod('e', { labels: sec })], [node('n2')]],
    want: { n1: anti, n2: ok },
  },
  {
    name: 'anti-affinity by zone rejects the whole zone; nodes without the key pass',
    pod: pod('p', { antiAffinity: [term(ZONE, labelsIs(sec))] }),
    layout: [[zoneNode('n1', 'z1'), pod('e', { labels: sec })], [zoneNode('n2', 'z1')], [zoneNode('n3', 'z2')], [zoneNode('n4')]],
    want: { n1: anti, n2: anti, n3: ok, n4: ok },
  },
  {
    name: 'anti-affinity ignores matching pods in other namespaces',
    pod: pod('p', { ns: 'team-a', antiAffinity: [term(HOST, labelsIs(sec))] }),
    layout: [[node('n1'), pod('e', { ns: 'team-b', labels: sec })]],
    want: { n1: ok },
  },
  {
    name: 'affinity is checked before anti-affinity',
    pod: pod('p', { affinity: [term(HOST, labelsIs({ a: '1' }))], antiAffinity: [term(HOST, labelsIs({ b: '1' }))] }),
    layout: [[node('n1'), pod('e1', { labels: { a: '1' } }), pod('e2', { labels: { b: '1' } })], [node('n2'), pod('e3', { labels: { b: '1' } })]],
    want: { n1: anti, n2: aff },
  },
  {
    name: 'existing pod’s anti-affinity keeps the incoming pod out of its zone (symmetry)',
    pod: pod('p', { labels: sec }),
    layout: [[zoneNode('n1', 'z1'), pod('e', { antiAffinity: [term(ZONE, labelsIs(sec))] })], [zoneNode('n2', 'z1')], [zoneNode('n3', 'z2')], [zoneNode('n4')]],
    want: { n1: existing, n2: existing, n3: ok, n4: ok },
  },
  {
    name: 'existing pod’s anti-affinity namespaceSelector is matched against the incoming pod’s namespace',
    pod: pod('p', { ns: 'team-a', labels: sec }),
    layout: [
      [node('n1'), pod('e', { ns: 'team-b', antiAffinity: [term(HOST, labelsIs(sec), { namespaceSelector: labelsIs({ team: 'a' }) })] })],
      [node('n2'), pod('f', { ns: 'team-b', antiAffinity: [term(HOST, labelsIs(sec), { namespaceSelector: labelsIs({ team: 'b' }) })] })],
    ],
    withNamespaceLabels: true,
    want: { n1: existing, n2: ok },
  },
  {
    name: 'existing pod’s anti-affinity on a node lacking its topology key counts nowhere',
    pod: pod('p', { labels: sec, antiAffinity: [term(HOST, labelsIs({ x: 'y' }))] }),
    layout: [[zoneNode('n1'), pod('e', { antiAffinity: [term(ZONE, labelsIs(sec))] })], [zoneNode('n2', 'z1')]],
    want: { n1: ok, n2: ok },
  },
  {
    name: 'a topology key that is an Object.prototype name is not found on unlabelled nodes',
    pod: pod('p', { labels: sec, affinity: [term('constructor', labelsIs(sec))] }),
    layout: [[node('n1', {})]],
    want: { n1: aff },
  },
];

for (const c of cases) {
  test(`filter: ${c.name}`, () => {
    const plugin = new InterPodAffinity(c.withNamespaceLabels ? { namespaceLabels: (ns) => nsLabels[ns] } : {});
    const { infos, snapshot } = cluster(c.layout);
    const state = new CycleState();
    assert.equal(plugin.preFilter(state, c.pod, snapshot).code, 'Success');
    const got: Record<string, Want> = {};
    for (const info of infos) {
      const s = plugin.filter(state, c.pod, info);
      got[info.node.metadata!.name!] = s.code === 'Success' ? ok : [s.code, s.reasons.join('; ')];
    }
    assert.deepEqual(got, c.want);
  });
}

test('preFilter skips pods without required terms when no existing anti-affinity matches them', () => {
  const plugin = new InterPodAffinity();
  const { snapshot } = cluster([[node('n1'), pod('e', { antiAffinity: [term(HOST, labelsIs({ app: 'db' }))] })]]);
  const p = pod('p', { labels: { app: 'web' }, preferredAffinity: [{ weight: 1, podAffinityTerm: term(HOST, labelsIs({ app: 'db' })) }] });
  assert.deepEqual(plugin.preFilter(new CycleState(), p, snapshot), { code: 'Skip', reasons: [] });
  const matching = pod('q', { labels: { app: 'db' } });
  assert.equal(plugin.preFilter(new CycleState(), matching, snapshot).code, 'Success');
});

test('preFilter rejects a pod whose selector cannot be parsed', () => {
  const plugin = new InterPodAffinity();
  const { snapshot } = cluster([[node('n1')]]);
  const bad = pod('p', { affinity: [term(HOST, { matchExpressions: [{ key: 'a', operator: 'Bogus' }] })] });
  const s = plugin.preFilter(new CycleState(), bad, snapshot);
  assert.equal(s.code, 'UnschedulableAndUnresolvable');
  assert.match(s.reasons[0]!, /^parsing pod: requiredAffinityTerms: .*Bogus/);
});

test('filter without preFilter state is an error', () => {
  const { infos } = cluster([[node('n1')]]);
  assert.equal(new InterPodAffinity().filter(new CycleState(), pod('p'), infos[0]!).code, 'Error');
});

test('addPod/removePod update the counts for preemption dry runs', () => {
  const plugin = new InterPodAffinity();
  const victim = pod('victim', { labels: sec });
  const { infos, snapshot } = cluster([[node('n1'), victim], [node('n2')]]);
  const incoming = pod('p', { antiAffinity: [term(HOST, labelsIs(sec))], affinity: [term(HOST, labelsIs({ app: 'cache' }))] });
  const state = new CycleState();
  assert.equal(plugin.preFilter(state, incoming, snapshot).code, 'Success');
  const [n1, n2] = infos as [typeof infos[0], typeof infos[0]];
  assert.equal(plugin.filter(state, incoming, n1).reasons[0], AFF);

  const dry = new CycleState();
  plugin.cloneState(state, dry);
  const placed = infos[0]!.pods[0]!;
  assert.equal(plugin.removePod(dry, incoming, placed, n1).code, 'Success');
  assert.equal(plugin.addPod(dry, incoming, newPodInfo(pod('cache', { labels: { app: 'cache' } })), n1).code, 'Success');
  assert.equal(plugin.filter(dry, incoming, n1).code, 'Success');
  // The original state is untouched by the dry run.
  assert.equal(plugin.filter(state, incoming, n1).reasons[0], AFF);

  // An existing pod whose anti-affinity rejects the incoming pod, added then removed.
  assert.equal(plugin.addPod(dry, incoming, newPodInfo(pod('guard', { antiAffinity: [term(HOST, keyIn('app', 'none'))] })), n2).code, 'Success');
  const guard = newPodInfo(pod('guard2', { antiAffinity: [term(HOST, { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] })] }));
  plugin.addPod(dry, incoming, guard, n1);
  assert.equal(plugin.filter(dry, incoming, n1).reasons[0], EXISTING);
  plugin.removePod(dry, incoming, guard, n1);
  assert.equal(plugin.filter(dry, incoming, n1).code, 'Success');
});

/** NodeInfos that count how often a property is read (each read is a walk of that node's pods). */
function counting(infos: NodeInfo[], prop: keyof NodeInfo) {
  const reads = new Map<string, number>();
  const proxied = infos.map(
    (info) =>
      new Proxy(info, {
        get(target, key, receiver) {
          if (key === prop) reads.set(target.node.metadata!.name!, (reads.get(target.node.metadata!.name!) ?? 0) + 1);
          return Reflect.get(target, key, receiver);
        },
      }),
  );
  return { proxied, reads };
}

test("preFilter walks a node's pods again only after the node changed (counts kept across cycles)", () => {
  const plugin = new InterPodAffinity({ memoMinNodes: 0 });
  const { infos, snapshot } = cluster([[node('n1'), pod('e1')], [node('n2'), pod('e2', { antiAffinity: [term(HOST, labelsIs(sec))] })]]);
  const { proxied, reads } = counting(infos, 'podsWithRequiredAntiAffinity');
  const view = { ...snapshot, nodeInfos: () => proxied };
  const incoming = pod('p', { labels: sec });
  for (let cycle = 0; cycle < 3; cycle++) {
    const state = new CycleState();
    assert.equal(plugin.preFilter(state, incoming, view).code, 'Success');
    assert.equal(plugin.filter(state, incoming, infos[1]!).reasons[0], EXISTING);
    assert.equal(plugin.filter(state, incoming, infos[0]!).code, 'Success');
  }
  assert.deepEqual(Object.fromEntries(reads), { n1: 1, n2: 1 }, 'each node walked once over three cycles');
  addPod(infos[0]!, newPodInfo(pod('e3', { antiAffinity: [term(HOST, labelsIs(sec))] })));
  const state = new CycleState();
  plugin.preFilter(state, incoming, view);
  assert.deepEqual(Object.fromEntries(reads), { n1: 2, n2: 1 }, 'only the changed node walked again');
  assert.equal(plugin.filter(state, incoming, infos[0]!).reasons[0], EXISTING, 'and its new pod counted');
  removePod(infos[1]!, infos[1]!.pods[0]!.pod.metadata!.uid!);
  const after = new CycleState();
  plugin.preFilter(after, incoming, view);
  assert.equal(plugin.filter(after, incoming, infos[1]!).code, 'Success', 'a removed pod no longer counts');
});

test('hardPodAffinityWeight is validated as upstream', () => {
  assert.equal(new InterPodAffinity().hardPodAffinityWeight, 1);
  assert.equal(new InterPodAffinity({ hardPodAffinityWeight: 0 }).hardPodAffinityWeight, 0);
  assert.throws(() => new InterPodAffinity({ hardPodAffinityWeight: 101 }), /hardPodAffinityWeight: Invalid value: 101: not in valid range \[0-100\]/);
  assert.throws(() => new InterPodAffinity({ hardPodAffinityWeight: -1 }), /not in valid range/);
});
