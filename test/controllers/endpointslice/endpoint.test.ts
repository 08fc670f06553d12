import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoint } from 'kubernetes-types/discovery/v1.js';
import {
  addressTypesForService,
  endpointAddresses,
  endpointKey,
  endpointPortsFor,
  endpointsEqualBeyondKey,
  podToEndpoint,
  portMapKey,
} from '../../../src/controllers/endpointslice/endpoint.js';
import { pod, service } from './fixtures.js';

test('addressTypesForService', () => {
  const cases: { name: string; svc: ReturnType<typeof service>; want: string[] }[] = [
    { name: 'IPv4 family', svc: service('s'), want: ['IPv4'] },
    { name: 'dual stack', svc: service('s', { ipFamilies: ['IPv6', 'IPv4'] }), want: ['IPv6', 'IPv4'] },
    { name: 'no families, IPv6 cluster IP', svc: service('s', { ipFamilies: [], clusterIP: 'fd00::10' }), want: ['IPv6'] },
    { name: 'no families, IPv4 cluster IP', svc: service('s', { ipFamilies: [] }), want: ['IPv4'] },
    { name: 'no families, headless', svc: service('s', { ipFamilies: [], clusterIP: 'None' }), want: ['IPv4', 'IPv6'] },
  ];
  for (const c of cases) assert.deepEqual(addressTypesForService(c.svc), c.want, c.name);
});

test('endpointPortsFor resolves target ports per pod and skips ports the pod lacks', () => {
  const svc = service('s', {
    ports: [
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
      { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP', appProtocol: 'http' },
      { name: 'admin', port: 81, targetPort: 'admin', protocol: 'TCP' },
    ],
  });
  assert.deepEqual(endpointPortsFor(svc, pod('a')), [
    { name: 'http', port: 8080, protocol: 'TCP' },
    { name: 'metrics', port: 9090, protocol: 'TCP', appProtocol: 'http' },
  ]);
  const other = pod('b', { ports: [{ name: 'http', containerPort: 8081, protocol: 'TCP' }] });
  assert.equal(endpointPortsFor(svc, other)[0]!.port, 8081);
  assert.deepEqual(endpointPortsFor(service('h', { clusterIP: 'None', ports: [] }), pod('a')), []);
});

test('endpointAddresses keeps the IPs of the slice family', () => {
  const p = pod('a', { ips: ['10.0.0.1', 'fd00::1'] });
  assert.deepEqual(endpointAddresses(p, 'IPv4'), ['10.0.0.1']);
  assert.deepEqual(endpointAddresses(p, 'IPv6'), ['fd00::1']);
  assert.deepEqual(endpointAddresses(pod('b', { ip: 'fd00::2' }), 'IPv4'), []);
});

test('podToEndpoint conditions', () => {
  const cases: { name: string; ready?: boolean; deleting?: boolean; publish?: boolean; want: Endpoint['conditions'] }[] = [
    { name: 'ready', want: { ready: true, serving: true, terminating: false } },
    { name: 'not ready', ready: false, want: { ready: false, serving: false, terminating: false } },
    { name: 'terminating, still ready', deleting: true, want: { ready: false, serving: true, terminating: true } },
    { name: 'terminating, not ready', deleting: true, ready: false, want: { ready: false, serving: false, terminating: true } },
    { name: 'publishNotReadyAddresses', ready: false, publish: true, want: { ready: true, serving: false, terminating: false } },
    { name: 'publishNotReadyAddresses, terminating', deleting: true, publish: true, want: { ready: true, serving: true, terminating: true } },
  ];
  for (const c of cases) {
    const ep = podToEndpoint(pod('a', { ready: c.ready, deleting: c.deleting }), undefined, service('s', { publishNotReady: c.publish }), 'IPv4');
    assert.deepEqual(ep.conditions, c.want, c.name);
  }
});

test('podToEndpoint fields: target, node, zone, hostname', () => {
  const node = { metadata: { name: 'node-a', labels: { 'topology.kubernetes.io/zone': 'z1' } } };
  const ep = podToEndpoint(pod('a', { hostname: 'h0', subdomain: 's' }), node, service('s'), 'IPv4');
  assert.deepEqual(ep, {
    addresses: ['10.0.0.1'],
    conditions: { ready: true, serving: true, terminating: false },
    targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' },
    nodeName: 'node-a',
    zone: 'z1',
    hostname: 'h0',
  });
  const bare = podToEndpoint(pod('b', { node: '', hostname: 'h0', subdomain: 'other' }), undefined, service('s'), 'IPv4');
  assert.equal(bare.nodeName, undefined);
  assert.equal(bare.zone, undefined);
  assert.equal(bare.hostname, undefined);
});

test('portMapKey ignores order and defaults', () => {
  const a = portMapKey([{ name: 'a', port: 1, protocol: 'TCP' }, { name: 'b', port: 2, protocol: 'UDP' }]);
  const b = portMapKey([{ name: 'b', port: 2, protocol: 'UDP' }, { name: 'a', port: 1 }]);
  assert.equal(a, b);
  assert.notEqual(a, portMapKey([{ name: 'a', port: 1 }, { name: 'b', port: 3, protocol: 'UDP' }]));
  assert.equal(portMapKey(undefined), portMapKey([]));
});

test('endpointKey: addresses, hostname and target; endpointsEqualBeyondKey: the rest', () => {
  const base = podToEndpoint(pod('a'), undefined, service('s'), 'IPv4');
  const notReady = podToEndpoint(pod('a', { ready: false }), undefined, service('s'), 'IPv4');
  assert.equal(endpointKey(base), endpointKey(notReady));
  assert.equal(endpointsEqualBeyondKey(base, notReady), false);
  assert.equal(endpointsEqualBeyondKey(base, structuredClone(base)), true);
  const withRv = structuredClone(base);
  withRv.targetRef!.resourceVersion = '42';
  assert.equal(endpointsEqualBeyondKey(base, withRv), true, 'target resourceVersion is ignored');
  assert.notEqual(endpointKey(base), endpointKey(podToEndpoint(pod('a', { ip: '10.0.0.2' }), undefined, service('s'), 'IPv4')));
  assert.notEqual(endpointKey(base), endpointKey(podToEndpoint(pod('b'), undefined, service('s'), 'IPv4')));
  const moved = structuredClone(base);
  moved.nodeName = 'node-b';
  assert.equal(endpointsEqualBeyondKey(base, moved), false);
});
