// The node status setters: capacity and allocatable, pressure thresholds, condition transitions
// with upstream's reasons, change detection that ignores heartbeats, label reconciliation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeCondition } from 'kubernetes-types/core/v1.js';
import type { MachineInfo, MachineUsage } from '../../../src/kubelet/node/machine.js';
import { computeNodeStatus, nodeLabels, nodeResources, nodeStatusChanged, pressureOf, reconcileLabels, updateConditions } from '../../../src/kubelet/node/status.js';

const Gi = 1024 ** 3;
const Mi = 1024 ** 2;

const INFO: MachineInfo = {
  cpus: 4,
  memoryBytes: 8 * Gi,
  machineID: 'm-1',
  systemUUID: 'u-1',
  bootID: 'b-1',
  kernelVersion: '6.1.0',
  osImage: 'Test OS 1',
  operatingSystem: 'linux',
  architecture: 'amd64',
  internalIP: '192.0.2.10',
};

const usage = (o: Partial<MachineUsage> = {}): MachineUsage => ({
  memoryAvailableBytes: 4 * Gi,
  fs: { capacityBytes: 100 * Gi, availableBytes: 50 * Gi, inodes: 1000, inodesFree: 900 },
  pids: { max: 1000, running: 100 },
  ...o,
});

test('capacity from the machine; allocatable less the hard eviction thresholds', () => {
  const { capacity, allocatable } = nodeResources(INFO, usage(), 110);
  assert.deepEqual(capacity, { cpu: '4', memory: '8Gi', pods: '110', 'ephemeral-storage': '100Gi' });
  // 8Gi - 100Mi; 100Gi less 10%
  assert.deepEqual(allocatable, { cpu: '4', memory: '8092Mi', pods: '110', 'ephemeral-storage': '90Gi' });
  // An odd size: 10% of it is not a multiple of 1024, so allocatable prints in plain bytes, as upstream's.
  const odd = nodeResources(INFO, usage({ fs: { capacityBytes: 1001 * 1024, availableBytes: 0, inodes: 0, inodesFree: 0 } }), 110);
  assert.deepEqual([odd.capacity!['ephemeral-storage'], odd.allocatable!['ephemeral-storage']], ['1001Ki', '922522']);
  const noFs = nodeResources(INFO, usage({ fs: undefined }), 20);
  assert.equal(noFs.capacity!['ephemeral-storage'], undefined);
  assert.equal(noFs.capacity!.pods, '20');
});

test('pressure thresholds', () => {
  const cases: [string, Partial<MachineUsage>, { memory: boolean; disk: boolean; pid: boolean }][] = [
    ['healthy', {}, { memory: false, disk: false, pid: false }],
    ['memory just under 100Mi', { memoryAvailableBytes: 100 * Mi - 1 }, { memory: true, disk: false, pid: false }],
    ['memory at 100Mi', { memoryAvailableBytes: 100 * Mi }, { memory: false, disk: false, pid: false }],
    ['disk under 10%', { fs: { capacityBytes: 100, availableBytes: 9, inodes: 0, inodesFree: 0 } }, { memory: false, disk: true, pid: false }],
    ['inodes under 5%', { fs: { capacityBytes: 100, availableBytes: 90, inodes: 100, inodesFree: 4 } }, { memory: false, disk: true, pid: false }],
    ['no inode counts', { fs: { capacityBytes: 100, availableBytes: 90, inodes: 0, inodesFree: 0 } }, { memory: false, disk: false, pid: false }],
    ['pids nearly exhausted', { pids: { max: 1000, running: 901 } }, { memory: false, disk: false, pid: true }],
    ['nothing measurable', { fs: undefined, pids: undefined }, { memory: false, disk: false, pid: false }],
  ];
  for (const [name, u, want] of cases) assert.deepEqual(pressureOf(usage(u)), want, name);
});

const CAP = { cpu: '1', memory: '1Gi', pods: '110', 'ephemeral-storage': '1Gi' };
const NONE = { memory: false, disk: false, pid: false };
const T0 = '2024-01-01T00:00:00Z';
const T1 = '2024-01-01T00:00:10Z';
const find = (cs: NodeCondition[], type: string) => cs.find((c) => c.type === type)!;

test('first conditions: upstream reasons and order, Ready last', () => {
  const { conditions, events } = updateConditions(undefined, NONE, CAP, [], T0);
  assert.deepEqual(
    conditions.map((c) => [c.type, c.status, c.reason, c.message]),
    [
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
      ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
    ],
  );
  assert.ok(conditions.every((c) => c.lastHeartbeatTime === T0 && c.lastTransitionTime === T0));
  assert.deepEqual(events, ['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID']);
});

test('heartbeats move every sync; transitions only on change', () => {
  const first = updateConditions(undefined, NONE, CAP, [], T0).conditions;
  const same = updateConditions(first, NONE, CAP, [], T1);
  assert.deepEqual(same.events, []);
  assert.ok(same.conditions.every((c) => c.lastHeartbeatTime === T1 && c.lastTransitionTime === T0));

  const pressured = updateConditions(first, { memory: true, disk: true, pid: true }, CAP, [], T1);
  assert.deepEqual(
    pressured.conditions.slice(0, 3).map((c) => [c.status, c.reason, c.message, c.lastTransitionTime]),
    [
      ['True', 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available', T1],
      ['True', 'KubeletHasDiskPressure', 'kubelet has disk pressure', T1],
      ['True', 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available', T1],
    ],
  );
  assert.deepEqual(pressured.events, ['NodeHasInsufficientMemory', 'NodeHasDiskPressure', 'NodeHasInsufficientPID']);
  assert.equal(find(pressured.conditions, 'Ready').status, 'True', 'pressure alone does not make the node NotReady');
});

test('Ready: runtime errors and missing capacity make it NotReady; recovery from Unknown', () => {
  const first = updateConditions(undefined, NONE, CAP, [], T0).conditions;
  const broken = updateConditions(first, NONE, { cpu: '1', memory: '1Gi' }, ['container runtime is down'], T1);
  const ready = find(broken.conditions, 'Ready');
  assert.deepEqual(
    [ready.status, ready.reason, ready.message, ready.lastTransitionTime],
    ['False', 'KubeletNotReady', 'container runtime is down,Missing node capacity for resources: pods, ephemeral-storage', T1],
  );
  assert.deepEqual(broken.events, ['NodeNotReady']);

  // As the node lifecycle controller leaves a silent node's conditions.
  const unknown = first.map((c) => ({ ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' }));
  const back = updateConditions(unknown, NONE, CAP, [], T1);
  assert.ok(back.conditions.every((c) => c.status !== 'Unknown' && c.lastTransitionTime === T1));
  assert.deepEqual(back.events, ['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID', 'NodeReady']);
});

test('conditions of other owners are kept', () => {
  const network: NodeCondition = { type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated', lastTransitionTime: T0 };
  const { conditions } = updateConditions([network], NONE, CAP, [], T1);
  assert.deepEqual(conditions[0], network);
  assert.equal(conditions.at(-1)!.type, 'Ready');
});

test('nodeStatusChanged ignores heartbeats only', () => {
  const inputs = { hostname: 'n', info: INFO, usage: usage(), maxPods: 110, kubeletPort: 10250, kubeletVersion: 'v1.33.0', containerRuntimeVersion: 'process://0.1.0', readyErrors: [] };
  const a = computeNodeStatus(undefined, { ...inputs, now: T0 }).status;
  const b = computeNodeStatus(a, { ...inputs, now: T1 }).status;
  assert.notDeepEqual(a, b);
  assert.equal(nodeStatusChanged(a, b), false, 'only heartbeats moved');
  const reordered = { ...b, conditions: [...b.conditions!].reverse() };
  assert.equal(nodeStatusChanged(a, reordered), false, 'condition order does not matter');
  const moreMemory = computeNodeStatus(a, { ...inputs, info: { ...INFO, memoryBytes: 16 * Gi }, now: T1 }).status;
  assert.equal(nodeStatusChanged(a, moreMemory), true);
  const newIP = computeNodeStatus(a, { ...inputs, info: { ...INFO, internalIP: '192.0.2.11' }, now: T1 }).status;
  assert.equal(nodeStatusChanged(a, newIP), true);
  const pressure = computeNodeStatus(a, { ...inputs, usage: usage({ memoryAvailableBytes: 0 }), now: T1 }).status;
  assert.equal(nodeStatusChanged(a, pressure), true);
});

test('computeNodeStatus: addresses, endpoints, nodeInfo', () => {
  const { status } = computeNodeStatus(undefined, {
    hostname: 'worker-1',
    info: INFO,
    usage: usage(),
    maxPods: 110,
    kubeletPort: 10250,
    kubeletVersion: 'v1.33.0',
    containerRuntimeVersion: 'process://0.1.0',
    readyErrors: [],
    now: T0,
  });
  assert.deepEqual(status.addresses, [
    { type: 'InternalIP', address: '192.0.2.10' },
    { type: 'Hostname', address: 'worker-1' },
  ]);
  assert.deepEqual(status.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
  assert.deepEqual(status.nodeInfo, {
    machineID: 'm-1',
    systemUUID: 'u-1',
    bootID: 'b-1',
    kernelVersion: '6.1.0',
    osImage: 'Test OS 1',
    containerRuntimeVersion: 'process://0.1.0',
    kubeletVersion: 'v1.33.0',
    kubeProxyVersion: '',
    operatingSystem: 'linux',
    architecture: 'amd64',
  });
});

test('labels: defaults, control plane, and reconciliation of a taken-over node', () => {
  const wanted = nodeLabels('n1', { operatingSystem: 'linux', architecture: 'arm64' }, true);
  assert.deepEqual(wanted, {
    'kubernetes.io/hostname': 'n1',
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'arm64',
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': 'arm64',
    'node-role.kubernetes.io/control-plane': '',
  });
  assert.equal(nodeLabels('n1', { operatingSystem: 'linux', architecture: 'arm64' }, false)['node-role.kubernetes.io/control-plane'], undefined);
  const existing = { 'kubernetes.io/hostname': 'n1', 'kubernetes.io/arch': 'amd64', team: 'a' };
  assert.deepEqual(reconcileLabels(existing, wanted), {
    'kubernetes.io/hostname': 'n1',
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'arm64',
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': 'arm64',
    team: 'a',
  });
  assert.equal(reconcileLabels(existing, wanted, ['node-role.kubernetes.io/control-plane'])!['node-role.kubernetes.io/control-plane'], '');
  assert.equal(reconcileLabels({ ...wanted }, wanted, ['node-role.kubernetes.io/control-plane']), undefined, 'nothing to change');
});
