// The incremental domain counts must always equal a count from scratch, whatever changed between
// cycles: pods added or removed on a node, a node relabelled, nodes added, several pod shapes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { addPod, newNodeInfo, newPodInfo, removePod, setNode } from '../../../../src/scheduler/framework/node-info.js';
import type { NodeInfo } from '../../../../src/scheduler/framework/types.js';
import { computePreFilterState } from '../../../../src/scheduler/plugins/podtopologyspread/filtering.js';
import { DomainCounts, memoKey } from '../../../../src/scheduler/plugins/podtopologyspread/domain-counts.js';
import { constraintsFor } from '../../../../src/scheduler/plugins/podtopologyspread/common.js';

const ZONE = 'topology.kubernetes.io/zone';
const node = (name: string, zone?: string, extra: Record<string, string> = {}): Node => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(zone ? { [ZONE]: zone } : {}), ...extra } },
  status: { allocatable: { cpu: '4', memory: '4Gi', pods: '110' } },
});
let seq = 0;
const pod = (labels: Record<string, string>, spec: Partial<Pod['spec']> = {}, ns = 'default'): Pod => ({
  metadata: { name: `p${++seq}`, namespace: ns, uid: `uid-${seq}`, labels },
  spec: { containers: [{ name: 'c', image: 'x' }], ...spec },
});
const spread = (key: string, extra: Record<string, unknown> = {}): Partial<Pod['spec']> => ({
  topologySpreadConstraints: [{ maxSkew: 1, topologyKey: key, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } }, ...extra }],
});
const cfg = { constraints: [] };

const asObject = (maps: Map<string, number>[]) => maps.map((m) => Object.fromEntries([...m].sort()));

function check(counter: DomainCounts, incoming: Pod, nodes: NodeInfo[]): void {
  const fresh = computePreFilterState(incoming, nodes, cfg);
  const incremental = computePreFilterState(incoming, nodes, cfg, counter);
  assert.deepEqual(asObject(incremental.tpValueToMatchNum), asObject(fresh.tpValueToMatchNum));
}

describe('PodTopologySpread incremental domain counts', () => {
  it('equal a count from scratch after every kind of change', () => {
    const counter = new DomainCounts();
    const nodes = [node('a', 'z1'), node('b', 'z1'), node('c', 'z2'), node('d'), node('e', 'z3', { pool: 'x' })].map((n) => newNodeInfo(n));
    const incoming = [
      pod({ app: 'web' }, spread(ZONE)),
      pod({ app: 'web' }, spread('kubernetes.io/hostname')),
      pod({ app: 'web' }, { ...spread(ZONE), nodeSelector: { pool: 'x' } }),
      pod({ app: 'web' }, spread(ZONE, { nodeTaintsPolicy: 'Honor' })),
    ];
    const all = () => incoming.forEach((p) => check(counter, p, nodes));
    all();
    const web = newPodInfo(pod({ app: 'web' }));
    addPod(nodes[0]!, web);
    addPod(nodes[2]!, newPodInfo(pod({ app: 'web' })));
    addPod(nodes[2]!, newPodInfo(pod({ app: 'db' })));
    addPod(nodes[4]!, newPodInfo(pod({ app: 'web' }, {}, 'other')));
    all();
    removePod(nodes[0]!, web.pod.metadata!.uid!);
    all();
    // Relabel c out of every zone, then b into a new one; taint e.
    setNode(nodes[2]!, node('c'));
    setNode(nodes[1]!, node('b', 'z9'));
    setNode(nodes[4]!, { ...node('e', 'z3', { pool: 'x' }), spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } });
    all();
    // A new node list (a node joined): the memo starts over for it.
    const more = [...nodes, newNodeInfo(node('f', 'z1'))];
    incoming.forEach((p) => check(counter, p, more));
  });

  it('keeps a domain with no matching pods while one of its nodes remains, and drops it with the last', () => {
    const counter = new DomainCounts();
    const nodes = [newNodeInfo(node('a', 'z1')), newNodeInfo(node('b', 'z1'))];
    const p = pod({ app: 'web' }, spread(ZONE));
    assert.deepEqual(asObject(computePreFilterState(p, nodes, cfg, counter).tpValueToMatchNum), [{ z1: 0 }]);
    setNode(nodes[0]!, node('a'));
    assert.deepEqual(asObject(computePreFilterState(p, nodes, cfg, counter).tpValueToMatchNum), [{ z1: 0 }]);
    setNode(nodes[1]!, node('b'));
    assert.deepEqual(asObject(computePreFilterState(p, nodes, cfg, counter).tpValueToMatchNum), [{}]);
  });

  it('hands out copies: changing a returned map does not change the next answer', () => {
    const counter = new DomainCounts();
    const nodes = [newNodeInfo(node('a', 'z1'))];
    const p = pod({ app: 'web' }, spread(ZONE));
    computePreFilterState(p, nodes, cfg, counter).tpValueToMatchNum[0]!.set('z1', 99);
    assert.equal(computePreFilterState(p, nodes, cfg, counter).tpValueToMatchNum[0]!.get('z1'), 0);
  });

  it('keys the memo by what the counts depend on', () => {
    const c = (p: Pod) => constraintsFor(p, cfg, 'DoNotSchedule');
    const base = pod({ app: 'web' }, spread(ZONE));
    const sameShape = pod({ app: 'web' }, spread(ZONE));
    assert.equal(memoKey(base, c(base)), memoKey(sameShape, c(sameShape)));
    for (const other of [
      pod({ app: 'web' }, spread(ZONE), 'elsewhere'),
      pod({ app: 'web' }, spread('kubernetes.io/hostname')),
      pod({ app: 'web' }, { ...spread(ZONE), nodeSelector: { pool: 'x' } }),
      pod({ app: 'web' }, { ...spread(ZONE, { nodeTaintsPolicy: 'Honor' }), tolerations: [{ key: 'k', operator: 'Exists' }] }),
    ]) {
      assert.notEqual(memoKey(other, c(other)), memoKey(base, c(base)));
    }
  });
});
