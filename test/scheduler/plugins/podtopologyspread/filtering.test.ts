import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { CycleState } from '../../../../src/scheduler/framework/types.js';
import {
  ERR_REASON_CONSTRAINTS_NOT_MATCH,
  ERR_REASON_NODE_LABEL_NOT_MATCH,
  PRE_FILTER_STATE_KEY,
  PodTopologySpread,
  type PreFilterState,
  updateWithPod,
} from '../../../../src/scheduler/plugins/podtopologyspread/index.js';
import { HOST, node, nodeInfos, pod, pods, snapshot, spread, zoned } from './fixtures.js';

type Outcome = 'ok' | 'skew' | 'label';
const OUTCOME = { Success: 'ok', Unschedulable: 'skew', UnschedulableAndUnresolvable: 'label' } as const;

function runFilter(incoming: Pod, nodes: Node[], existing: Pod[], plugin = new PodTopologySpread()): Record<string, string> {
  const infos = nodeInfos(nodes, existing);
  const state = new CycleState();
  const pre = plugin.preFilter(state, incoming, snapshot(infos));
  assert.equal(pre.code, 'Success', pre.reasons.join());
  const out: Record<string, string> = {};
  for (const info of infos) {
    const s = plugin.filter(state, incoming, info);
    out[info.node.metadata!.name!] = OUTCOME[s.code as keyof typeof OUTCOME] ?? s.code;
    if (s.code === 'Unschedulable') assert.deepEqual(s.reasons, [ERR_REASON_CONSTRAINTS_NOT_MATCH]);
    if (s.code === 'UnschedulableAndUnresolvable') assert.deepEqual(s.reasons, [ERR_REASON_NODE_LABEL_NOT_MATCH]);
  }
  return out;
}

const fourZoned = () => [zoned('node-a', 'zone1'), zoned('node-b', 'zone1'), zoned('node-x', 'zone2'), zoned('node-y', 'zone2')];
const fourHosts = () => ['node-a', 'node-b', 'node-x', 'node-y'].map((n) => node(n, { [HOST]: n }));
/** Matching pods spread over node-a/b/x/y as 2/1/0/3. */
const spread2103 = () => [...pods('node-a', 2), ...pods('node-b', 1), ...pods('node-y', 3)];
const onlyHosts = (names: string[]) => ({
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: HOST, operator: 'In', values: names }] }],
    },
  },
});

interface Case {
  name: string;
  pod: Pod;
  nodes: Node[];
  existing: Pod[];
  want: Record<string, Outcome>;
}

const zoneSkew1 = [spread(1, 'zone', 'DoNotSchedule')];
const hostSkew = (n: number, extra = {}) => [spread(n, HOST, 'DoNotSchedule', undefined, extra)];

const cases: Case[] = [
  {
    name: 'no existing pods: every node fits',
    pod: pod('p', { labels: { foo: '' }, constraints: zoneSkew1 }),
    nodes: fourZoned(),
    existing: [],
    want: { 'node-a': 'ok', 'node-b': 'ok', 'node-x': 'ok', 'node-y': 'ok' },
  },
  {
    name: 'existing pods in another namespace do not count',
    pod: pod('p', { labels: { foo: '' }, constraints: zoneSkew1 }),
    nodes: fourZoned(),
    existing: [...pods('node-a', 3).map((p) => ({ ...p, metadata: { ...p.metadata, namespace: 'ns1' } })), ...pods('node-x', 1)],
    want: { 'node-a': 'ok', 'node-b': 'ok', 'node-x': 'skew', 'node-y': 'skew' },
  },
  {
    name: 'zones spread 3/3 (maxSkew boundary): every node fits',
    pod: pod('p', { labels: { foo: '' }, constraints: zoneSkew1 }),
    nodes: fourZoned(),
    existing: [...pods('node-a', 2), ...pods('node-b', 1), ...pods('node-x', 1), ...pods('node-y', 2)],
    want: { 'node-a': 'ok', 'node-b': 'ok', 'node-x': 'ok', 'node-y': 'ok' },
  },
  {
    name: 'zones 1/2 because node-b lacks the zone label: node-b unresolvable, zone2 too skewed',
    pod: pod('p', { labels: { foo: '' }, constraints: zoneSkew1 }),
    nodes: [zoned('node-a', 'zone1'), node('node-b', { [HOST]: 'node-b' }), zoned('node-x', 'zone2'), zoned('node-y', 'zone2')],
    existing: [...pods('node-a', 1), ...pods('node-b', 1), ...pods('node-y', 2)],
    want: { 'node-a': 'ok', 'node-b': 'label', 'node-x': 'skew', 'node-y': 'skew' },
  },
  {
    name: 'no node has the topology key',
    pod: pod('p', { labels: { foo: '' }, constraints: [spread(1, 'rack', 'DoNotSchedule')] }),
    nodes: fourZoned(),
    existing: [],
    want: { 'node-a': 'label', 'node-b': 'label', 'node-x': 'label', 'node-y': 'label' },
  },
  {
    name: 'hosts 2/1/0/3, maxSkew 1: only the empty node',
    pod: pod('p', { labels: { foo: '' }, constraints: hostSkew(1) }),
    nodes: fourHosts(),
    existing: spread2103(),
    want: { 'node-a': 'skew', 'node-b': 'skew', 'node-x': 'ok', 'node-y': 'skew' },
  },
  {
    name: 'hosts 2/1/0/3, maxSkew 2: node-b and node-x',
    pod: pod('p', { labels: { foo: '' }, constraints: hostSkew(2) }),
    nodes: fourHosts(),
    existing: spread2103(),
    want: { 'node-a': 'skew', 'node-b': 'ok', 'node-x': 'ok', 'node-y': 'skew' },
  },
  {
    name: 'hosts 2/1/0/3, incoming pod does not match itself',
    pod: pod('p', { labels: { bar: '' }, constraints: hostSkew(1) }),
    nodes: fourHosts(),
    existing: spread2103(),
    want: { 'node-a': 'skew', 'node-b': 'ok', 'node-x': 'ok', 'node-y': 'skew' },
  },
  {
    name: 'node affinity honoured: 2/~1~/~0~/3, the global minimum is 2',
    pod: pod('p', { labels: { foo: '' }, constraints: hostSkew(1), spec: { containers: [], affinity: onlyHosts(['node-a', 'node-y']) } }),
    nodes: fourHosts(),
    existing: spread2103(),
    want: { 'node-a': 'ok', 'node-b': 'ok', 'node-x': 'ok', 'node-y': 'skew' },
  },
  {
    name: 'nodeAffinityPolicy Ignore: all four hosts are domains again',
    pod: pod('p', {
      labels: { foo: '' },
      constraints: hostSkew(1, { nodeAffinityPolicy: 'Ignore' }),
      spec: { containers: [], affinity: onlyHosts(['node-a', 'node-y']) },
    }),
    nodes: fourHosts(),
    existing: spread2103(),
    want: { 'node-a': 'skew', 'node-b': 'skew', 'node-x': 'ok', 'node-y': 'skew' },
  },
  {
    name: 'nodeSelector honoured like node affinity',
    pod: pod('p', { labels: { foo: '' }, constraints: hostSkew(1), nodeSelector: { pick: 'yes' } }),
    nodes: [node('node-a', { [HOST]: 'node-a', pick: 'yes' }), node('node-b', { [HOST]: 'node-b', pick: 'yes' }), node('node-x', { [HOST]: 'node-x' })],
    existing: [...pods('node-a', 2), ...pods('node-b', 1)],
    want: { 'node-a': 'skew', 'node-b': 'ok', 'node-x': 'ok' },
  },
  {
    name: 'terminating pods are left out',
    pod: pod('p', { labels: { foo: '' }, constraints: hostSkew(1) }),
    nodes: fourHosts().slice(0, 2),
    existing: [pod('p-a', { node: 'node-a', labels: { foo: '' }, terminating: true }), ...pods('node-b', 1)],
    want: { 'node-a': 'ok', 'node-b': 'skew' },
  },
  {
    name: 'two constraints, spreads [3/3, 2/1/0/3]: only node-x',
    pod: pod('p', { labels: { foo: '' }, constraints: [spread(1, 'zone', 'DoNotSchedule'), spread(1, HOST, 'DoNotSchedule')] }),
    nodes: fourZoned(),
    existing: spread2103(),
    want: { 'node-a': 'skew', 'node-b': 'skew', 'node-x': 'ok', 'node-y': 'skew' },
  },
  {
    name: 'two constraints, spreads [3/4, 2/1/0/4]: nothing fits',
    pod: pod('p', { labels: { foo: '' }, constraints: [spread(1, 'zone', 'DoNotSchedule'), spread(1, HOST, 'DoNotSchedule')] }),
    nodes: fourZoned(),
    existing: [...pods('node-a', 2), ...pods('node-b', 1), ...pods('node-y', 4)],
    want: { 'node-a': 'skew', 'node-b': 'skew', 'node-x': 'skew', 'node-y': 'skew' },
  },
  {
    name: 'hosts 2/2/1, maxSkew 2, minDomains 3 = domains: the minimum is 1, all fit',
    pod: pod('p', { labels: { foo: '' }, constraints: hostSkew(2, { minDomains: 3 }) }),
    nodes: fourHosts().slice(0, 3),
    existing: [...pods('node-a', 2), ...pods('node-b', 2), ...pods('node-x', 1)],
    want: { 'node-a': 'ok', 'node-b': 'ok', 'node-x': 'ok' },
  },
  {
    name: 'hosts 2/2/1, maxSkew 2, minDomains 4 > domains: the minimum is 0',
    pod: pod('p', { labels: { foo: '' }, constraints: hostSkew(2, { minDomains: 4 }) }),
    nodes: fourHosts().slice(0, 3),
    existing: [...pods('node-a', 2), ...pods('node-b', 2), ...pods('node-x', 1)],
    want: { 'node-a': 'skew', 'node-b': 'skew', 'node-x': 'ok' },
  },
  {
    name: 'nodeTaintsPolicy Ignore (default): the tainted empty node keeps the minimum at 0',
    pod: pod('p', { labels: { foo: '' }, constraints: hostSkew(1) }),
    nodes: [node('node-a', { [HOST]: 'node-a' }), node('node-b', { [HOST]: 'node-b' }), node('node-c', { [HOST]: 'node-c' }, [{ key: 'k', value: 'v', effect: 'NoSchedule' }])],
    existing: [...pods('node-a', 2), ...pods('node-b', 1)],
    want: { 'node-a': 'skew', 'node-b': 'skew', 'node-c': 'ok' },
  },
  {
    name: 'nodeTaintsPolicy Honor: the untolerated tainted node is no domain',
    pod: pod('p', { labels: { foo: '' }, constraints: hostSkew(1, { nodeTaintsPolicy: 'Honor' }) }),
    nodes: [node('node-a', { [HOST]: 'node-a' }), node('node-b', { [HOST]: 'node-b' }), node('node-c', { [HOST]: 'node-c' }, [{ key: 'k', value: 'v', effect: 'NoSchedule' }])],
    existing: [...pods('node-a', 2), ...pods('node-b', 1)],
    want: { 'node-a': 'skew', 'node-b': 'ok', 'node-c': 'ok' },
  },
  {
    name: 'nodeTaintsPolicy Honor with a matching toleration: the tainted node counts',
    pod: pod('p', {
      labels: { foo: '' },
      constraints: hostSkew(1, { nodeTaintsPolicy: 'Honor' }),
      spec: { containers: [], tolerations: [{ key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }] },
    }),
    nodes: [node('node-a', { [HOST]: 'node-a' }), node('node-b', { [HOST]: 'node-b' }), node('node-c', { [HOST]: 'node-c' }, [{ key: 'k', value: 'v', effect: 'NoSchedule' }])],
    existing: [...pods('node-a', 2), ...pods('node-b', 1)],
    want: { 'node-a': 'skew', 'node-b': 'skew', 'node-c': 'ok' },
  },
  {
    name: 'matchLabelKeys narrows the selector to the pod revision',
    pod: pod('p', { labels: { foo: '', rev: '2' }, constraints: hostSkew(1, { matchLabelKeys: ['rev'] }) }),
    nodes: fourHosts().slice(0, 2),
    existing: pods('node-a', 2, { foo: '', rev: '1' }),
    want: { 'node-a': 'ok', 'node-b': 'ok' },
  },
  {
    name: 'matchLabelKeys absent from the pod labels are ignored',
    pod: pod('p', { labels: { foo: '' }, constraints: hostSkew(1, { matchLabelKeys: ['rev'] }) }),
    nodes: fourHosts().slice(0, 2),
    existing: pods('node-a', 2, { foo: '', rev: '1' }),
    want: { 'node-a': 'skew', 'node-b': 'ok' },
  },
];

describe('PodTopologySpread Filter', () => {
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(runFilter(c.pod, c.nodes, c.existing), c.want));
  }

  it('skips PreFilter when the pod has only ScheduleAnyway constraints', () => {
    const state = new CycleState();
    const p = pod('p', { labels: { foo: '' }, constraints: [spread(1, 'zone', 'ScheduleAnyway')] });
    const s = new PodTopologySpread().preFilter(state, p, snapshot(nodeInfos(fourZoned(), [])));
    assert.equal(s.code, 'Skip');
    assert.equal(state.read(PRE_FILTER_STATE_KEY), undefined);
  });

  it('skips PreFilter for a pod without constraints and no owner selector', () => {
    const s = new PodTopologySpread().preFilter(new CycleState(), pod('p'), snapshot(nodeInfos(fourZoned(), [])));
    assert.equal(s.code, 'Skip');
  });

  it('reports an invalid label selector as an Error', () => {
    const bad = spread(1, 'zone', 'DoNotSchedule', { matchExpressions: [{ key: 'foo', operator: 'Bogus' }] });
    const s = new PodTopologySpread().preFilter(new CycleState(), pod('p', { constraints: [bad] }), snapshot([]));
    assert.equal(s.code, 'Error');
    assert.match(s.reasons[0]!, /^get constraints from pod: /);
  });

  it('fails Filter with an Error when PreFilter did not run', () => {
    const [info] = nodeInfos(fourZoned(), []);
    assert.equal(new PodTopologySpread().filter(new CycleState(), pod('p'), info!).code, 'Error');
  });

  it('applies List default constraints (DoNotSchedule) only with an owner selector', () => {
    const defaults = [{ maxSkew: 1, topologyKey: HOST, whenUnsatisfiable: 'DoNotSchedule' as const }];
    const incoming = pod('p', { labels: { foo: '' } });
    const withOwner = new PodTopologySpread({ defaultingType: 'List', defaultConstraints: defaults, selectorFor: () => ({ matchLabels: { foo: '' } }) });
    assert.deepEqual(runFilter(incoming, fourHosts(), spread2103(), withOwner), { 'node-a': 'skew', 'node-b': 'skew', 'node-x': 'ok', 'node-y': 'skew' });
    const withoutOwner = new PodTopologySpread({ defaultingType: 'List', defaultConstraints: defaults });
    assert.equal(withoutOwner.preFilter(new CycleState(), incoming, snapshot(nodeInfos(fourHosts(), []))).code, 'Skip');
    const emptyOwner = new PodTopologySpread({ defaultingType: 'List', defaultConstraints: defaults, selectorFor: () => ({}) });
    assert.equal(emptyOwner.preFilter(new CycleState(), incoming, snapshot(nodeInfos(fourHosts(), []))).code, 'Skip');
  });

  it('system defaults are ScheduleAnyway only, so they never filter', () => {
    const pl = new PodTopologySpread({ selectorFor: () => ({ matchLabels: { foo: '' } }) });
    assert.equal(pl.preFilter(new CycleState(), pod('p', { labels: { foo: '' } }), snapshot(nodeInfos(fourHosts(), spread2103()))).code, 'Skip');
  });

  it('updateWithPod adds and removes a matching pod from the counts', () => {
    const pl = new PodTopologySpread();
    const incoming = pod('p', { labels: { foo: '' }, constraints: hostSkew(1) });
    const infos = nodeInfos(fourHosts(), spread2103());
    const state = new CycleState();
    pl.preFilter(state, incoming, snapshot(infos));
    const s = state.read<PreFilterState>(PRE_FILTER_STATE_KEY)!;
    const nodeX = infos[2]!;
    assert.equal(pl.filter(state, incoming, infos[1]!).code, 'Unschedulable');
    updateWithPod(s, pod('extra', { labels: { foo: '' } }), incoming, nodeX, 1);
    assert.equal(s.tpValueToMatchNum[0]!.get('node-x'), 1);
    assert.equal(pl.filter(state, incoming, infos[1]!).code, 'Success', 'minimum rose to 1, node-b now fits');
    updateWithPod(s, pod('extra', { labels: { foo: '' } }), incoming, nodeX, -1);
    assert.equal(pl.filter(state, incoming, infos[1]!).code, 'Unschedulable');
    updateWithPod(s, pod('other-ns', { labels: { foo: '' }, namespace: 'ns1' }), incoming, nodeX, 1);
    assert.equal(s.tpValueToMatchNum[0]!.get('node-x'), 0, 'pods of other namespaces are ignored');
  });
});
