import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ServicePort } from 'kubernetes-types/core/v1.js';
import {
  findPort,
  isPodReady,
  isServiceIPSet,
  podEndpointsChanged,
  podIPs,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from '../../../../src/controllers/endpointslice/util/pods.js';
import { pod, service } from '../fixtures.js';

test('shouldPodBeInEndpoints', () => {
  const cases: { name: string; pod: Pod; includeTerminating: boolean; want: boolean }[] = [
    { name: 'running with an IP', pod: pod('a'), includeTerminating: false, want: true },
    { name: 'not ready still counts', pod: pod('a', { ready: false }), includeTerminating: false, want: true },
    { name: 'no IP yet', pod: pod('a', { ip: '' }), includeTerminating: true, want: false },
    { name: 'succeeded', pod: pod('a', { phase: 'Succeeded' }), includeTerminating: true, want: false },
    { name: 'failed', pod: pod('a', { phase: 'Failed' }), includeTerminating: true, want: false },
    { name: 'pending with an IP', pod: pod('a', { phase: 'Pending' }), includeTerminating: false, want: true },
    { name: 'terminating, excluded', pod: pod('a', { deleting: true }), includeTerminating: false, want: false },
    { name: 'terminating, included', pod: pod('a', { deleting: true }), includeTerminating: true, want: true },
  ];
  for (const c of cases) assert.equal(shouldPodBeInEndpoints(c.pod, c.includeTerminating), c.want, c.name);
});

test('isPodReady reads the Ready condition', () => {
  assert.equal(isPodReady(pod('a')), true);
  assert.equal(isPodReady(pod('a', { ready: false })), false);
  assert.equal(isPodReady({ metadata: { name: 'x' } }), false);
});

test('podIPs prefers podIPs and falls back to podIP', () => {
  assert.deepEqual(podIPs(pod('a', { ips: ['10.0.0.1', 'fd00::1'] })), ['10.0.0.1', 'fd00::1']);
  assert.deepEqual(podIPs({ status: { podIP: '10.0.0.9' } }), ['10.0.0.9']);
  assert.deepEqual(podIPs({ status: {} }), []);
});

test('shouldSetHostname needs a hostname, the service as subdomain and the same namespace', () => {
  const svc = service('web');
  assert.equal(shouldSetHostname(pod('a', { hostname: 'h', subdomain: 'web' }), svc), true);
  assert.equal(shouldSetHostname(pod('a', { hostname: 'h', subdomain: 'other' }), svc), false);
  assert.equal(shouldSetHostname(pod('a', { subdomain: 'web' }), svc), false);
  assert.equal(shouldSetHostname(pod('a', { hostname: 'h', subdomain: 'web', ns: 'other' }), svc), false);
});

test('isServiceIPSet', () => {
  assert.equal(isServiceIPSet(service('a')), true);
  assert.equal(isServiceIPSet(service('a', { clusterIP: 'None' })), false);
  assert.equal(isServiceIPSet(service('a', { clusterIP: '' })), false);
});

test('findPort', () => {
  const p: Pod = {
    spec: {
      containers: [
        { name: 'a', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] },
        { name: 'b', ports: [{ name: 'metrics', containerPort: 9090 }] },
      ],
      initContainers: [
        { name: 'sidecar', restartPolicy: 'Always', ports: [{ name: 'proxy', containerPort: 15001, protocol: 'TCP' }] },
        { name: 'init', ports: [{ name: 'setup', containerPort: 7000, protocol: 'TCP' }] },
      ],
    },
  };
  const cases: { name: string; port: ServicePort; want: number | undefined }[] = [
    { name: 'numeric target', port: { port: 80, targetPort: 9376 }, want: 9376 },
    { name: 'no target: the port', port: { port: 80 }, want: 80 },
    { name: 'named target', port: { port: 80, targetPort: 'http', protocol: 'TCP' }, want: 8080 },
    { name: 'named, protocol defaults to TCP on both sides', port: { port: 80, targetPort: 'metrics' }, want: 9090 },
    { name: 'named, protocol must match', port: { port: 53, targetPort: 'dns', protocol: 'TCP' }, want: undefined },
    { name: 'named UDP', port: { port: 53, targetPort: 'dns', protocol: 'UDP' }, want: 53 },
    { name: 'sidecar port', port: { port: 1, targetPort: 'proxy' }, want: 15001 },
    { name: 'plain init container port is not served', port: { port: 1, targetPort: 'setup' }, want: undefined },
    { name: 'unknown name', port: { port: 1, targetPort: 'nope' }, want: undefined },
  ];
  for (const c of cases) assert.equal(findPort(p, c.port), c.want, c.name);
});

test('podEndpointsChanged', () => {
  const base = pod('a');
  const cases: { name: string; cur: Pod; podChanged: boolean; labelsChanged: boolean }[] = [
    { name: 'same', cur: pod('a', { resourceVersion: '2' }), podChanged: false, labelsChanged: false },
    { name: 'readiness', cur: pod('a', { ready: false }), podChanged: true, labelsChanged: false },
    { name: 'deletion started', cur: pod('a', { deleting: true }), podChanged: true, labelsChanged: false },
    { name: 'IP changed', cur: pod('a', { ip: '10.0.0.2' }), podChanged: true, labelsChanged: false },
    { name: 'terminal', cur: pod('a', { phase: 'Failed' }), podChanged: true, labelsChanged: false },
    { name: 'labels', cur: pod('a', { labels: { app: 'other' } }), podChanged: false, labelsChanged: true },
    { name: 'hostname', cur: pod('a', { hostname: 'h' }), podChanged: false, labelsChanged: true },
    { name: 'labels and readiness', cur: pod('a', { labels: {}, ready: false }), podChanged: true, labelsChanged: true },
  ];
  for (const c of cases) assert.deepEqual(podEndpointsChanged(base, c.cur), { podChanged: c.podChanged, labelsChanged: c.labelsChanged }, c.name);
});
