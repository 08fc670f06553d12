import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import {
  isPlaceholder,
  managedByController,
  newEndpointSlice,
  ownedBy,
  sliceLabels,
  sliceToFill,
} from '../../../src/controllers/endpointslice/slices.js';
import { service } from './fixtures.js';

const NAME = 'kubernetes.io/service-name';
const MANAGED = 'endpointslice.kubernetes.io/managed-by';
const CTRL = 'endpointslice-controller.k8s.io';

test('newEndpointSlice: generateName, labels, controller reference, address type, ports', () => {
  const svc = service('web', { labels: { team: 'a', [NAME]: 'spoof' } });
  const s = newEndpointSlice(svc, [{ name: 'http', port: 8080, protocol: 'TCP' }], 'IPv4');
  assert.deepEqual(s, {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: 'web-',
      namespace: 'default',
      labels: { team: 'a', [NAME]: 'web', [MANAGED]: CTRL },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid-web', controller: true, blockOwnerDeletion: true }],
    },
    addressType: 'IPv4',
    endpoints: [],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  });
  assert.equal(managedByController(s), true);
  assert.equal(ownedBy(s, svc), true);
  assert.equal(ownedBy(s, service('web', { uid: 'other' })), false);
});

test('sliceLabels', () => {
  const svc = service('web', { labels: { team: 'a' } });
  const want = { team: 'a', [NAME]: 'web', [MANAGED]: CTRL };
  assert.deepEqual(sliceLabels(want, svc), { labels: want, changed: false });
  assert.equal(sliceLabels({ ...want, team: 'b' }, svc).changed, true);
  assert.equal(sliceLabels({ ...want, extra: 'x' }, svc).changed, true);
  assert.equal(sliceLabels(undefined, svc).changed, true);
  const headless = sliceLabels(undefined, service('h', { clusterIP: 'None' })).labels;
  assert.equal(headless['service.kubernetes.io/headless'], '');
});

test('isPlaceholder compares content, labels and owners, not names', () => {
  const svc = service('web');
  const placeholder = newEndpointSlice(svc, [], 'IPv4');
  const stored: EndpointSlice = { ...structuredClone(placeholder), metadata: { ...placeholder.metadata, name: 'web-abc', uid: 'u', resourceVersion: '5' } };
  delete stored.ports; // an empty list read back as absent
  assert.equal(isPlaceholder(stored, placeholder), true);
  assert.equal(isPlaceholder({ ...stored, addressType: 'IPv6' }, placeholder), false);
  assert.equal(isPlaceholder({ ...stored, ports: [{ port: 80 }] }, placeholder), false);
  assert.equal(isPlaceholder(stored, newEndpointSlice(service('web', { labels: { a: 'b' } }), [], 'IPv4')), false);
  assert.equal(isPlaceholder(stored, newEndpointSlice(service('web', { uid: 'new' }), [], 'IPv4')), false);
});

test('sliceToFill picks the slice left fullest, if any has room', () => {
  const withN = (name: string, n: number): EndpointSlice => ({ metadata: { name }, addressType: 'IPv4', endpoints: Array.from({ length: n }, () => ({ addresses: ['10.0.0.1'] })) });
  const slices = [withN('a', 50), withN('b', 90), withN('c', 95)];
  assert.equal(sliceToFill(slices, 5, 100)?.metadata?.name, 'c');
  assert.equal(sliceToFill(slices, 8, 100)?.metadata?.name, 'b');
  assert.equal(sliceToFill(slices, 60, 100), undefined);
});
