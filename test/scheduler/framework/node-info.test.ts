import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { addPod, hostPorts, newNodeInfo, newPodInfo, removePod, setNode, snapshotOf } from '../../../src/scheduler/framework/node-info.js';

const Mi = 1024 * 1024;

const node = (name: string, allocatable: Record<string, string> = { cpu: '4', memory: '8Gi', pods: '110' }, extra: Partial<Node['status']> = {}): Node => ({
  metadata: { name },
  status: { allocatable, ...extra },
});

const pod = (uid: string, requests?: Record<string, string>, spec: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name: uid, uid },
  spec: { containers: [{ name: 'c', ...(requests ? { resources: { requests } } : {}) }], ...spec },
});

const antiAffinity = {
  podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: {} }] },
};
const preferredAffinity = {
  podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, podAffinityTerm: { topologyKey: 'zone' } }] },
};

describe('newNodeInfo', () => {
  it('sums requests and non-zero requests of its pods', () => {
    const info = newNodeInfo(node('n1'), [pod('a', { cpu: '500m', memory: '1Gi' }), pod('b')]);
    assert.equal(info.pods.length, 2);
    assert.equal(info.requested.milliCpu, 500);
    assert.equal(info.requested.memory, 1024 * Mi);
    assert.equal(info.nonZeroRequested.milliCpu, 600);
    assert.equal(info.nonZeroRequested.memory, 1024 * Mi + 200 * Mi);
    assert.equal(info.allocatable.milliCpu, 4000);
    assert.equal(info.allowedPodNumber, 110);
  });
  it('indexes image sizes by every name', () => {
    const info = newNodeInfo(node('n1', { pods: '1' }, { images: [{ names: ['nginx:1', 'docker.io/nginx:1'], sizeBytes: 100 }] }));
    assert.equal(info.imageSizes.get('nginx:1'), 100);
    assert.equal(info.imageSizes.get('docker.io/nginx:1'), 100);
  });
});

describe('addPod / removePod', () => {
  it('keeps sums, ports and affinity lists in step and bumps the generation', () => {
    const info = newNodeInfo(node('n1'));
    const g0 = info.generation;
    const a = newPodInfo(pod('a', { cpu: '1', 'nvidia.com/gpu': '1' }, { affinity: antiAffinity }));
    const b = newPodInfo(pod('b', { cpu: '2' }, { affinity: preferredAffinity, containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 8080 }] }] }));
    addPod(info, a);
    addPod(info, b);
    assert.ok(info.generation > g0);
    assert.equal(info.requested.milliCpu, 1000); // b's containers were replaced by the port container with no requests
    assert.equal(info.requested.scalar['nvidia.com/gpu'], 1);
    assert.deepEqual(info.usedPorts, [{ ip: '0.0.0.0', protocol: 'TCP', port: 8080 }]);
    assert.deepEqual(info.podsWithAffinity, [a, b]);
    assert.deepEqual(info.podsWithRequiredAntiAffinity, [a]);

    const g1 = info.generation;
    assert.equal(removePod(info, 'b'), true);
    assert.ok(info.generation > g1);
    assert.deepEqual(info.usedPorts, []);
    assert.deepEqual(info.podsWithAffinity, [a]);
    assert.equal(removePod(info, 'a'), true);
    assert.equal(info.pods.length, 0);
    assert.equal(info.requested.milliCpu, 0);
    assert.equal(info.nonZeroRequested.milliCpu, 0);
    assert.equal(info.nonZeroRequested.memory, 0);
    assert.equal(info.requested.scalar['nvidia.com/gpu'], 0);
    assert.deepEqual(info.podsWithRequiredAntiAffinity, []);
  });
  it('removing an unknown uid changes nothing', () => {
    const info = newNodeInfo(node('n1'), [pod('a', { cpu: '1' })]);
    const g = info.generation;
    assert.equal(removePod(info, 'zzz'), false);
    assert.equal(info.generation, g);
    assert.equal(info.requested.milliCpu, 1000);
  });
  it('removes one of two identical host ports only once', () => {
    const withPort = (uid: string) => pod(uid, undefined, { containers: [{ name: 'c', ports: [{ containerPort: 80, hostPort: 80, protocol: 'UDP', hostIP: '10.0.0.1' }] }] });
    const info = newNodeInfo(node('n1'), [withPort('a'), withPort('b')]);
    removePod(info, 'a');
    assert.deepEqual(info.usedPorts, [{ ip: '10.0.0.1', protocol: 'UDP', port: 80 }]);
  });
});

describe('hostPorts', () => {
  it('skips container ports without a host port and defaults ip and protocol', () => {
    const p = pod('a', undefined, { containers: [{ name: 'c', ports: [{ containerPort: 80 }, { containerPort: 443, hostPort: 443 }] }] });
    assert.deepEqual(hostPorts(p), [{ ip: '0.0.0.0', protocol: 'TCP', port: 443 }]);
  });
});

describe('setNode', () => {
  it('replaces allocatable and keeps the pods', () => {
    const info = newNodeInfo(node('n1'), [pod('a', { cpu: '1' })]);
    const g = info.generation;
    setNode(info, node('n1', { cpu: '8', pods: '5' }));
    assert.equal(info.allocatable.milliCpu, 8000);
    assert.equal(info.allowedPodNumber, 5);
    assert.equal(info.pods.length, 1);
    assert.ok(info.generation > g);
  });
});

describe('snapshotOf', () => {
  it('looks nodes up by name and lists those with affinity pods', () => {
    const n1 = newNodeInfo(node('n1'), [pod('a', undefined, { affinity: antiAffinity })]);
    const n2 = newNodeInfo(node('n2'), [pod('b', undefined, { affinity: preferredAffinity })]);
    const n3 = newNodeInfo(node('n3'));
    const snap = snapshotOf([n1, n2, n3]);
    assert.equal(snap.get('n2'), n2);
    assert.equal(snap.get('nope'), undefined);
    assert.deepEqual(snap.nodeInfos(), [n1, n2, n3]);
    assert.deepEqual(snap.havePodsWithAffinity(), [n1, n2]);
    assert.deepEqual(snap.havePodsWithRequiredAntiAffinity(), [n1]);
  });
});
