import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointAddress, EndpointSubset } from 'kubernetes-types/core/v1.js';
import {
  desiredSubsets,
  endpointsLabels,
  labelsEqual,
  podToEndpointAddress,
  repackSubsets,
  subsetsEqual,
  truncateSubsets,
} from '../../../src/controllers/endpoints/subsets.js';
import { pod, service } from '../endpointslice/fixtures.js';

const addr = (name: string, ip: string, extra: Partial<EndpointAddress> = {}): EndpointAddress => ({
  ip,
  targetRef: { kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` },
  nodeName: 'node-a',
  ...extra,
});
const HTTP = { name: 'http', port: 8080, protocol: 'TCP' };

test('podToEndpointAddress picks the IP of the service family', () => {
  const dual = pod('a', { ips: ['10.0.0.1', 'fd00::1'] });
  assert.equal(podToEndpointAddress(service('s'), dual)?.ip, '10.0.0.1');
  assert.equal(podToEndpointAddress(service('s', { ipFamilies: ['IPv6', 'IPv4'] }), dual)?.ip, 'fd00::1');
  assert.equal(podToEndpointAddress(service('s', { ipFamilies: [], clusterIP: 'fd00::10' }), dual)?.ip, 'fd00::1');
  assert.equal(podToEndpointAddress(service('s', { ipFamilies: [], clusterIP: 'None' }), pod('b', { ip: 'fd00::2' }))?.ip, 'fd00::2');
  assert.equal(podToEndpointAddress(service('s'), pod('c', { ip: 'fd00::3' })), undefined);
  assert.deepEqual(podToEndpointAddress(service('s'), pod('d', { ip: '10.0.0.4', hostname: 'h', subdomain: 's' })), addr('d', '10.0.0.4', { hostname: 'h' }));
});

test('desiredSubsets: ready and not-ready pods share a subset per port set', () => {
  const pods = [pod('b', { ip: '10.0.0.2' }), pod('a', { ip: '10.0.0.1' }), pod('c', { ip: '10.0.0.3', ready: false })];
  assert.deepEqual(desiredSubsets(service('s'), pods), [
    { addresses: [addr('a', '10.0.0.1'), addr('b', '10.0.0.2')], notReadyAddresses: [addr('c', '10.0.0.3')], ports: [HTTP] },
  ]);
});

test('desiredSubsets: who is in', () => {
  const cases: { name: string; pods: ReturnType<typeof pod>[]; publish?: boolean; want: EndpointSubset[] }[] = [
    { name: 'terminating pods are left out', pods: [pod('a', { deleting: true })], want: [] },
    { name: 'terminal pods are left out', pods: [pod('a', { phase: 'Failed' })], want: [] },
    { name: 'pods without IP are left out', pods: [pod('a', { ip: '' })], want: [] },
    {
      name: 'publishNotReadyAddresses: terminating and unready pods are ready',
      pods: [pod('a', { deleting: true, ip: '10.0.0.1' }), pod('b', { ready: false, ip: '10.0.0.2' })],
      publish: true,
      want: [{ addresses: [addr('a', '10.0.0.1'), addr('b', '10.0.0.2')], ports: [HTTP] }],
    },
  ];
  for (const c of cases) assert.deepEqual(desiredSubsets(service('s', { publishNotReady: c.publish }), c.pods), c.want, c.name);
});

test('desiredSubsets: named target ports resolve per pod; pods lacking the port are left out of it', () => {
  const svc = service('s', {
    ports: [
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' },
    ],
  });
  const pods = [
    pod('a', { ip: '10.0.0.1' }),
    pod('b', { ip: '10.0.0.2', ports: [{ name: 'http', containerPort: 9000, protocol: 'TCP' }] }),
    pod('c', { ip: '10.0.0.3', ports: [] }),
  ];
  const DNS = { name: 'dns', port: 53, protocol: 'UDP' };
  assert.deepEqual(desiredSubsets(svc, pods), [
    { addresses: [addr('a', '10.0.0.1'), addr('b', '10.0.0.2'), addr('c', '10.0.0.3')], ports: [DNS] },
    { addresses: [addr('a', '10.0.0.1')], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
    { addresses: [addr('b', '10.0.0.2')], ports: [{ name: 'http', port: 9000, protocol: 'TCP' }] },
  ]);
});

test('desiredSubsets: headless services may have no ports; others without ports list nothing', () => {
  assert.deepEqual(desiredSubsets(service('s', { clusterIP: 'None', ports: [] }), [pod('a')]), [{ addresses: [addr('a', '10.0.0.1')] }]);
  assert.deepEqual(desiredSubsets(service('s', { ports: [] }), [pod('a')]), []);
});

test('repackSubsets merges, dedupes and lets not-ready win', () => {
  const P1 = { name: 'a', port: 1, protocol: 'TCP' };
  const P2 = { name: 'b', port: 2, protocol: 'TCP' };
  const x = addr('x', '10.0.0.1');
  const y = addr('y', '10.0.0.2');
  const repacked = repackSubsets([
    { addresses: [x], ports: [P1] },
    { addresses: [x], ports: [P2] },
    { notReadyAddresses: [y], ports: [P1] },
    { addresses: [y], ports: [P1] },
    { notReadyAddresses: [y], ports: [P2] },
  ]);
  assert.deepEqual(repacked, [{ addresses: [x], notReadyAddresses: [y], ports: [P1, P2] }]);
  // Readiness is per port: ready on one port and not on another splits the subset.
  assert.deepEqual(repackSubsets([{ addresses: [x, y], ports: [P1] }, { addresses: [x], notReadyAddresses: [y], ports: [P2] }]), [
    { addresses: [x, y], ports: [P1] },
    { addresses: [x], notReadyAddresses: [y], ports: [P2] },
  ]);
  assert.deepEqual(repackSubsets([]), []);
});

test('truncateSubsets keeps ready addresses first, up to the capacity', () => {
  const many = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => addr(`${prefix}${i}`, `10.${prefix === 'r' ? 1 : 2}.${Math.floor(i / 250)}.${(i % 250) + 1}`));
  const under = [{ addresses: many('r', 5), ports: [HTTP] }];
  assert.deepEqual(truncateSubsets(under, 10), { subsets: under, truncated: false });
  const notReadyCut = truncateSubsets([{ addresses: many('r', 6), notReadyAddresses: many('n', 6), ports: [HTTP] }], 10);
  assert.equal(notReadyCut.truncated, true);
  assert.equal(notReadyCut.subsets[0]!.addresses!.length, 6);
  assert.equal(notReadyCut.subsets[0]!.notReadyAddresses!.length, 4);
  const readyCut = truncateSubsets([{ addresses: many('r', 12), notReadyAddresses: many('n', 3), ports: [HTTP] }], 10);
  assert.equal(readyCut.subsets[0]!.addresses!.length, 10);
  assert.equal(readyCut.subsets[0]!.notReadyAddresses, undefined);
});

test('subsetsEqual ignores target resourceVersions and empty lists', () => {
  const a: EndpointSubset[] = [{ addresses: [addr('a', '10.0.0.1')], ports: [HTTP] }];
  const b = structuredClone(a);
  b[0]!.addresses![0]!.targetRef!.resourceVersion = '9';
  b[0]!.notReadyAddresses = [];
  assert.equal(subsetsEqual(a, b), true);
  assert.equal(subsetsEqual(a, [{ notReadyAddresses: [addr('a', '10.0.0.1')], ports: [HTTP] }]), false);
  assert.equal(subsetsEqual(undefined, []), true);
});

test('endpointsLabels copy the service labels and mark headless services', () => {
  assert.deepEqual(endpointsLabels(service('s', { labels: { team: 'a' } })), { team: 'a' });
  assert.deepEqual(endpointsLabels(service('s', { clusterIP: 'None' })), { 'service.kubernetes.io/headless': '' });
  assert.deepEqual(endpointsLabels(service('s', { labels: { 'service.kubernetes.io/headless': '' } })), {});
  assert.equal(labelsEqual(undefined, {}), true);
  assert.equal(labelsEqual({ a: '1' }, { a: '2' }), false);
});
