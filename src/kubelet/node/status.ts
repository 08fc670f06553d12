// The Node a node agent reports, computed from the machine (upstream's pkg/kubelet/nodestatus
// setters): labels, capacity and allocatable, addresses, nodeInfo, daemon endpoints, and the
// Ready / MemoryPressure / DiskPressure / PIDPressure conditions with upstream's reasons and
// messages. Pure: the agent reads the machine and writes to the API.
import type { Node, NodeCondition, NodeStatus, Taint } from 'kubernetes-types/core/v1.js';
import { semanticEqual } from '../../api/core/v1/semantic-equal.js';
import { Quantity } from '../../apimachinery/quantity.js';
import type { MachineInfo, MachineUsage } from './machine.js';

/** Upstream's default hard eviction threshold memory.available<100Mi, held back from allocatable. */
export const MEMORY_EVICTION_BYTES = 100 * 1024 * 1024;
/** nodefs.available<10% and nodefs.inodesFree<5% (upstream's default hard eviction thresholds). */
export const NODEFS_EVICTION_FRACTION = 0.1;
export const NODEFS_INODES_EVICTION_FRACTION = 0.05;
/**
 * Upstream sets no default pid.available threshold; kubets reports PID pressure once fewer than
 * 10% of the PIDs the kernel allows are left.
 */
export const PID_EVICTION_FRACTION = 0.1;
export const DEFAULT_MAX_PODS = 110;

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_OS = 'kubernetes.io/os';
export const LABEL_ARCH = 'kubernetes.io/arch';
export const LABEL_OS_BETA = 'beta.kubernetes.io/os';
export const LABEL_ARCH_BETA = 'beta.kubernetes.io/arch';
export const LABEL_CONTROL_PLANE = 'node-role.kubernetes.io/control-plane';

/** The labels upstream's kubelet keeps current on a node it takes over (updateDefaultLabels). */
export const DEFAULT_LABEL_KEYS = [
  LABEL_HOSTNAME,
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'node.kubernetes.io/instance-type',
  LABEL_OS,
  LABEL_ARCH,
  LABEL_OS_BETA,
  LABEL_ARCH_BETA,
];

export function nodeLabels(hostname: string, info: Pick<MachineInfo, 'operatingSystem' | 'architecture'>, controlPlane: boolean): Record<string, string> {
  return {
    [LABEL_HOSTNAME]: hostname,
    [LABEL_OS]: info.operatingSystem,
    [LABEL_ARCH]: info.architecture,
    [LABEL_OS_BETA]: info.operatingSystem,
    [LABEL_ARCH_BETA]: info.architecture,
    ...(controlPlane ? { [LABEL_CONTROL_PLANE]: '' } : {}),
  };
}

/**
 * Labels of an existing node brought in line with `wanted` for the default keys (and any other key
 * `wanted` has that `extraKeys` names); other labels stay. Undefined when nothing changes.
 */
export function reconcileLabels(existing: Record<string, string> | undefined, wanted: Record<string, string>, extraKeys: readonly string[] = []): Record<string, string> | undefined {
  const labels = { ...existing };
  let changed = false;
  for (const key of [...DEFAULT_LABEL_KEYS, ...extraKeys]) {
    if (!(key in wanted) || labels[key] === wanted[key]) continue;
    labels[key] = wanted[key]!;
    changed = true;
  }
  return changed ? labels : undefined;
}

const binary = (bytes: number) => Quantity.fromValue(Math.max(0, Math.floor(bytes)), 'BinarySI').toString();

/**
 * Capacity as cAdvisor measures it; allocatable is capacity less the hard eviction thresholds
 * (upstream's node allocatable with no kube/system reservations).
 */
export function nodeResources(info: MachineInfo, usage: MachineUsage, maxPods: number): Pick<NodeStatus, 'capacity' | 'allocatable'> {
  const capacity: Record<string, string> = { cpu: String(info.cpus), memory: binary(info.memoryBytes), pods: String(maxPods) };
  const allocatable: Record<string, string> = { ...capacity, memory: binary(info.memoryBytes - MEMORY_EVICTION_BYTES) };
  if (usage.fs) {
    const cap = usage.fs.capacityBytes;
    capacity['ephemeral-storage'] = binary(cap);
    allocatable['ephemeral-storage'] = binary(cap - Math.floor(cap * NODEFS_EVICTION_FRACTION));
  }
  return { capacity, allocatable };
}

export interface Pressure {
  memory: boolean;
  disk: boolean;
  pid: boolean;
}

export function pressureOf(usage: MachineUsage): Pressure {
  const fs = usage.fs;
  const disk =
    !!fs &&
    ((fs.capacityBytes > 0 && fs.availableBytes < fs.capacityBytes * NODEFS_EVICTION_FRACTION) ||
      (fs.inodes > 0 && fs.inodesFree < fs.inodes * NODEFS_INODES_EVICTION_FRACTION));
  const pids = usage.pids;
  const pid = !!pids && pids.max > 0 && pids.max - pids.running < pids.max * PID_EVICTION_FRACTION;
  return { memory: usage.memoryAvailableBytes < MEMORY_EVICTION_BYTES, disk, pid };
}

interface PressureText {
  type: string;
  true: { reason: string; message: string };
  false: { reason: string; message: string };
}

/** upstream's MemoryPressureCondition, DiskPressureCondition and PIDPressureCondition, in their order. */
const PRESSURE: Array<PressureText & { key: keyof Pressure }> = [
  {
    key: 'memory',
    type: 'MemoryPressure',
    true: { reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available' },
    false: { reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  },
  {
    key: 'disk',
    type: 'DiskPressure',
    true: { reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure' },
    false: { reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  },
  {
    key: 'pid',
    type: 'PIDPressure',
    true: { reason: 'KubeletHasInsufficientPID', message: 'kubelet has insufficient PID available' },
    false: { reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  },
];

/** Capacities without which upstream's kubelet reports NotReady. */
const REQUIRED_CAPACITY = ['cpu', 'memory', 'pods', 'ephemeral-storage'];

export interface ConditionUpdate {
  conditions: NodeCondition[];
  /** Event reasons for the transitions (NodeHasSufficientMemory, NodeReady, NodeNotReady...). */
  events: string[];
}

/**
 * The node's conditions after one status sync at `now`: every condition this agent owns gets a new
 * heartbeat; reason, message and lastTransitionTime change only with the status. Conditions of
 * other types (NetworkUnavailable...) are kept; Ready stays last, as upstream appends it last.
 * `readyErrors` are the runtime's and network's complaints (NotReady when any).
 */
export function updateConditions(existing: readonly NodeCondition[] | undefined, pressure: Pressure, capacity: Record<string, string>, readyErrors: readonly string[], now: string): ConditionUpdate {
  const conditions = (existing ?? []).map((c) => ({ ...c }));
  const events: string[] = [];
  for (const p of PRESSURE) {
    let c = conditions.find((x) => x.type === p.type);
    if (!c) {
      // A new condition starts Unknown so the first real status counts as a transition.
      c = { type: p.type, status: 'Unknown' };
      conditions.push(c);
    }
    c.lastHeartbeatTime = now;
    const want = pressure[p.key] ? 'True' : 'False';
    if (c.status !== want) {
      const text = pressure[p.key] ? p.true : p.false;
      Object.assign(c, { status: want, reason: text.reason, message: text.message, lastTransitionTime: now });
      events.push(text.reason.replace(/^Kubelet/, 'Node'));
    }
  }
  const errors = [...readyErrors];
  const missing = REQUIRED_CAPACITY.filter((r) => !(r in capacity));
  if (missing.length) errors.push(`Missing node capacity for resources: ${missing.join(', ')}`);
  const ready: NodeCondition = errors.length
    ? { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: errors.join(','), lastHeartbeatTime: now }
    : { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now };
  const i = conditions.findIndex((x) => x.type === 'Ready');
  if (i < 0) {
    conditions.push({ ...ready, lastTransitionTime: now });
  } else {
    const old = conditions[i]!;
    const changed = old.status !== ready.status;
    conditions[i] = { ...ready, lastTransitionTime: changed ? now : old.lastTransitionTime };
    if (changed) events.push(ready.status === 'True' ? 'NodeReady' : 'NodeNotReady');
  }
  return { conditions, events };
}

export interface StatusInputs {
  hostname: string;
  info: MachineInfo;
  usage: MachineUsage;
  maxPods: number;
  kubeletPort: number;
  kubeletVersion: string;
  containerRuntimeVersion: string;
  readyErrors: readonly string[];
  now: string;
}

/** The whole status a sync reports, given what the API has now (`current`). */
export function computeNodeStatus(current: NodeStatus | undefined, inputs: StatusInputs): { status: NodeStatus; events: string[] } {
  const { info } = inputs;
  const { capacity, allocatable } = nodeResources(info, inputs.usage, inputs.maxPods);
  const { conditions, events } = updateConditions(current?.conditions, pressureOf(inputs.usage), capacity!, inputs.readyErrors, inputs.now);
  const status: NodeStatus = {
    ...current,
    capacity,
    allocatable,
    conditions,
    addresses: [
      { type: 'InternalIP', address: info.internalIP },
      { type: 'Hostname', address: inputs.hostname },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: inputs.kubeletPort } },
    nodeInfo: {
      machineID: info.machineID,
      systemUUID: info.systemUUID,
      bootID: info.bootID,
      kernelVersion: info.kernelVersion,
      osImage: info.osImage,
      containerRuntimeVersion: inputs.containerRuntimeVersion,
      kubeletVersion: inputs.kubeletVersion,
      // Deprecated upstream (DisableNodeKubeProxyVersion): reported empty.
      kubeProxyVersion: '',
      operatingSystem: info.operatingSystem,
      architecture: info.architecture,
    },
  };
  return { status, events };
}

const byType = (a: NodeCondition, b: NodeCondition) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0);

/**
 * Whether a status differs from another in more than heartbeats (upstream's nodeStatusHasChanged):
 * a status that only moved its heartbeat times waits for the report interval.
 */
export function nodeStatusChanged(a: NodeStatus | undefined, b: NodeStatus | undefined): boolean {
  const strip = (s: NodeStatus | undefined) => {
    const { conditions, ...rest } = s ?? {};
    const conds = [...(conditions ?? [])].sort(byType).map(({ lastHeartbeatTime: _hb, ...c }) => c);
    return { rest, conds };
  };
  return !semanticEqual(strip(a), strip(b));
}

/** The Node a first registration creates (upstream's initialNode, status included). */
export function initialNode(name: string, labels: Record<string, string>, status: NodeStatus, taints: readonly Taint[] = []): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels },
    spec: taints.length ? { taints: [...taints] } : {},
    status,
  };
}
