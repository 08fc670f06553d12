// What the service load balancer publishes, as k3s's ServiceLB: the serving nodes' addresses
// (ExternalIPs when any serving node has one), the enablelb/lbpool selection, the service's IP
// families, Local traffic, and the life-cycle predicates and comparisons the controller uses.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadBalancerIngress, Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import {
  LB_CLEANUP_FINALIZER,
  desiredIngress,
  ingressEqual,
  needsCleanup,
  nodeFingerprint,
  nodesWithReadyEndpoints,
  wantsLoadBalancer,
} from '../../../src/controllers/servicelb/ingress.js';
import { OwnWrites } from '../../../src/controllers/servicelb/own-writes.js';

interface NodeOpts {
  ready?: boolean | 'none';
  internal?: string[];
  external?: string[];
  labels?: Record<string, string>;
  taints?: string[];
  deleting?: boolean;
  unschedulable?: boolean;
}

function node(name: string, o: NodeOpts = {}): Node {
  const ready = o.ready ?? true;
  return {
    metadata: { name, labels: o.labels, ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { unschedulable: o.unschedulable, taints: (o.taints ?? []).map((key) => ({ key, effect: 'NoSchedule' })) },
    status: {
      conditions: ready === 'none' ? [] : [{ type: 'Ready', status: ready ? 'True' : 'False' }],
      addresses: [
        { type: 'Hostname', address: name },
        ...(o.internal ?? []).map((address) => ({ type: 'InternalIP', address })),
        ...(o.external ?? []).map((address) => ({ type: 'ExternalIP', address })),
      ],
    },
  };
}

function svc(o: { labels?: Record<string, string>; families?: string[]; local?: boolean; class?: string; type?: string } = {}): Service {
  return {
    metadata: { name: 'web', namespace: 'default', labels: o.labels },
    spec: {
      type: o.type ?? 'LoadBalancer',
      ...(o.class ? { loadBalancerClass: o.class } : {}),
      ...(o.families ? { ipFamilies: o.families } : { ipFamilies: ['IPv4'] }),
      externalTrafficPolicy: o.local ? 'Local' : 'Cluster',
    },
  };
}

const ips = (s: Service, nodes: Node[], localNodes?: Set<string>) => desiredIngress(s, { nodes, localNodes }).map((i) => i.ip);

describe('desiredIngress', () => {
  const cases: { name: string; svc?: Service; nodes: Node[]; local?: Set<string>; want: string[] }[] = [
    {
      name: 'InternalIPs of ready nodes, de-duplicated, sorted as strings',
      nodes: [node('a', { internal: ['10.0.0.9'] }), node('b', { internal: ['10.0.0.10'] }), node('c', { internal: ['10.0.0.9'] })],
      want: ['10.0.0.10', '10.0.0.9'],
    },
    {
      name: 'not ready, no conditions, being deleted, autoscaler-doomed and excluded nodes do not serve; cordoned ones do',
      nodes: [
        node('ok', { internal: ['10.0.0.1'] }),
        node('cordoned', { internal: ['10.0.0.2'], unschedulable: true }),
        node('notready', { internal: ['10.0.0.3'], ready: false }),
        node('unknown', { internal: ['10.0.0.4'], ready: 'none' }),
        node('deleting', { internal: ['10.0.0.5'], deleting: true }),
        node('doomed', { internal: ['10.0.0.6'], taints: ['ToBeDeletedByClusterAutoscaler'] }),
        node('excluded', { internal: ['10.0.0.7'], labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } }),
      ],
      want: ['10.0.0.1', '10.0.0.2'],
    },
    {
      name: 'any serving node with an ExternalIP: only ExternalIPs are published',
      nodes: [node('a', { internal: ['10.0.0.1'], external: ['203.0.113.7', '203.0.113.2'] }), node('b', { internal: ['10.0.0.2'] })],
      want: ['203.0.113.2', '203.0.113.7'],
    },
    {
      name: 'the ExternalIP of a node that does not serve does not count',
      nodes: [node('a', { internal: ['10.0.0.1'], external: ['203.0.113.7'], ready: false }), node('b', { internal: ['10.0.0.2'] })],
      want: ['10.0.0.2'],
    },
    {
      name: 'enablelb=true on some nodes: only those serve',
      nodes: [node('a', { internal: ['10.0.0.1'], labels: { 'svccontroller.k3s.cattle.io/enablelb': 'true' } }), node('b', { internal: ['10.0.0.2'] })],
      want: ['10.0.0.1'],
    },
    {
      name: 'enablelb with another value still restricts to "true" nodes (none here)',
      nodes: [node('a', { internal: ['10.0.0.1'], labels: { 'svccontroller.k3s.cattle.io/enablelb': 'false' } }), node('b', { internal: ['10.0.0.2'] })],
      want: [],
    },
    {
      name: 'enablelb on a node that is not ready still puts the selection in force',
      nodes: [node('a', { internal: ['10.0.0.1'], ready: false, labels: { 'svccontroller.k3s.cattle.io/enablelb': 'true' } }), node('b', { internal: ['10.0.0.2'] })],
      want: [],
    },
    {
      name: 'lbpool: with enablelb in force a pooled service gets its pool only',
      svc: svc({ labels: { 'svccontroller.k3s.cattle.io/lbpool': 'p1' } }),
      nodes: [
        node('a', { internal: ['10.0.0.1'], labels: { 'svccontroller.k3s.cattle.io/enablelb': 'true', 'svccontroller.k3s.cattle.io/lbpool': 'p1' } }),
        node('b', { internal: ['10.0.0.2'], labels: { 'svccontroller.k3s.cattle.io/enablelb': 'true', 'svccontroller.k3s.cattle.io/lbpool': 'p2' } }),
      ],
      want: ['10.0.0.1'],
    },
    {
      name: 'lbpool without enablelb anywhere is ignored',
      svc: svc({ labels: { 'svccontroller.k3s.cattle.io/lbpool': 'p1' } }),
      nodes: [node('a', { internal: ['10.0.0.1'], labels: { 'svccontroller.k3s.cattle.io/lbpool': 'p2' } }), node('b', { internal: ['10.0.0.2'] })],
      want: ['10.0.0.1', '10.0.0.2'],
    },
    {
      name: 'IPv6-first dual-stack service: both families in its order',
      svc: svc({ families: ['IPv6', 'IPv4'] }),
      nodes: [node('a', { internal: ['10.0.0.1', 'fd00::1'] }), node('b', { internal: ['fd00::2', '10.0.0.2'] })],
      want: ['fd00::1', 'fd00::2', '10.0.0.1', '10.0.0.2'],
    },
    {
      name: 'single-stack IPv4 service: IPv6 addresses are left out',
      nodes: [node('a', { internal: ['fd00::1', '10.0.0.1'] })],
      want: ['10.0.0.1'],
    },
    {
      name: 'externalTrafficPolicy Local: only nodes with ready endpoints',
      svc: svc({ local: true }),
      nodes: [node('a', { internal: ['10.0.0.1'] }), node('b', { internal: ['10.0.0.2'] })],
      local: new Set(['b', 'gone']),
      want: ['10.0.0.2'],
    },
    {
      name: 'externalTrafficPolicy Cluster ignores where endpoints are',
      nodes: [node('a', { internal: ['10.0.0.1'] }), node('b', { internal: ['10.0.0.2'] })],
      local: new Set(['b']),
      want: ['10.0.0.1', '10.0.0.2'],
    },
    { name: 'no nodes: nothing', nodes: [], want: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(ips(c.svc ?? svc(), c.nodes, c.local), c.want);
    });
  }

  test('every entry is an IP in VIP mode', () => {
    assert.deepEqual(desiredIngress(svc(), { nodes: [node('a', { internal: ['10.0.0.1'] })] }), [{ ip: '10.0.0.1', ipMode: 'VIP' }]);
  });
});

describe('service predicates', () => {
  const finalized = (s: Service, deleting = false): Service => ({
    ...s,
    metadata: { ...s.metadata, finalizers: ['other', LB_CLEANUP_FINALIZER], ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  });
  const cases: { name: string; svc: Service; wants: boolean; cleanup: boolean }[] = [
    { name: 'LoadBalancer without class', svc: svc(), wants: true, cleanup: false },
    { name: 'LoadBalancer with a class', svc: svc({ class: 'example.com/lb' }), wants: false, cleanup: false },
    { name: 'ClusterIP', svc: svc({ type: 'ClusterIP' }), wants: false, cleanup: false },
    { name: 'published, still LoadBalancer', svc: finalized(svc()), wants: true, cleanup: false },
    { name: 'published, now NodePort', svc: finalized(svc({ type: 'NodePort' })), wants: false, cleanup: true },
    { name: 'published, now with a class', svc: finalized(svc({ class: 'example.com/lb' })), wants: false, cleanup: true },
    { name: 'published, being deleted', svc: finalized(svc(), true), wants: true, cleanup: true },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(wantsLoadBalancer(c.svc), c.wants);
      assert.equal(needsCleanup(c.svc), c.cleanup);
    });
  }
});

describe('ingressEqual', () => {
  const a: LoadBalancerIngress = { ip: '10.0.0.1', ipMode: 'VIP' };
  const cases: { name: string; x?: LoadBalancerIngress[]; y?: LoadBalancerIngress[]; equal: boolean }[] = [
    { name: 'both empty or absent', x: undefined, y: [], equal: true },
    { name: 'same entries', x: [a], y: [{ ipMode: 'VIP', ip: '10.0.0.1' }], equal: true },
    { name: 'order matters', x: [a, { ip: '10.0.0.2', ipMode: 'VIP' }], y: [{ ip: '10.0.0.2', ipMode: 'VIP' }, a], equal: false },
    { name: 'ipMode differs', x: [a], y: [{ ip: '10.0.0.1', ipMode: 'Proxy' }], equal: false },
    { name: 'hostname differs', x: [a], y: [{ ...a, hostname: 'lb.example.com' }], equal: false },
    { name: 'ports differ', x: [a], y: [{ ...a, ports: [{ port: 80, protocol: 'TCP' }] }], equal: false },
    { name: 'one more entry', x: [a], y: [], equal: false },
  ];
  for (const c of cases) test(c.name, () => assert.equal(ingressEqual(c.x, c.y), c.equal));
});

describe('nodeFingerprint', () => {
  const base = node('a', { internal: ['10.0.0.1'] });
  const cases: { name: string; change: Node; moves: boolean }[] = [
    { name: 'Ready flips', change: node('a', { internal: ['10.0.0.1'], ready: false }), moves: true },
    { name: 'address changes', change: node('a', { internal: ['10.0.0.2'] }), moves: true },
    { name: 'ExternalIP added', change: node('a', { internal: ['10.0.0.1'], external: ['203.0.113.1'] }), moves: true },
    { name: 'enablelb label', change: node('a', { internal: ['10.0.0.1'], labels: { 'svccontroller.k3s.cattle.io/enablelb': 'true' } }), moves: true },
    { name: 'lbpool label', change: node('a', { internal: ['10.0.0.1'], labels: { 'svccontroller.k3s.cattle.io/lbpool': 'p' } }), moves: true },
    { name: 'deletion starts', change: node('a', { internal: ['10.0.0.1'], deleting: true }), moves: true },
    { name: 'an unrelated label', change: node('a', { internal: ['10.0.0.1'], labels: { team: 'blue' } }), moves: false },
    { name: 'cordoned', change: node('a', { internal: ['10.0.0.1'], unschedulable: true }), moves: false },
  ];
  for (const c of cases) test(c.name, () => assert.equal(nodeFingerprint(base) !== nodeFingerprint(c.change), c.moves));
});

test('nodesWithReadyEndpoints: ready pod endpoints with a node', () => {
  const slice: EndpointSlice = {
    addressType: 'IPv4',
    metadata: { name: 's' },
    endpoints: [
      { addresses: ['10.42.0.1'], conditions: { ready: true }, nodeName: 'a', targetRef: { kind: 'Pod', name: 'p1' } },
      { addresses: ['10.42.0.2'], conditions: { ready: false }, nodeName: 'b', targetRef: { kind: 'Pod', name: 'p2' } },
      { addresses: ['10.42.0.3'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'p3' } },
      { addresses: ['10.0.0.9'], conditions: { ready: true }, nodeName: 'c' },
    ],
  };
  assert.deepEqual([...nodesWithReadyEndpoints([slice, { addressType: 'IPv4', metadata: { name: 'empty' }, endpoints: [] }])], ['a']);
});

test('OwnWrites: replaced versions are behind until the cache shows another', () => {
  const w = new OwnWrites();
  assert.equal(w.isBehind('ns/a', '5'), false, 'nothing written: never behind');
  w.replaced('ns/a', '5');
  w.replaced('ns/a', '6');
  assert.equal(w.isBehind('ns/a', '5'), true);
  assert.equal(w.isBehind('ns/a', '6'), true);
  assert.equal(w.isBehind('ns/b', '5'), false, 'per key');
  assert.equal(w.isBehind('ns/a', '7'), false, 'the written version: caught up');
  assert.equal(w.size, 0);
  assert.equal(w.isBehind('ns/a', '5'), false, 'forgotten once caught up');
  w.replaced('ns/a', '8');
  w.forget('ns/a');
  assert.equal(w.isBehind('ns/a', '8'), false);
});
