// The scheduling framework's vocabulary (kube-scheduler's framework package, reduced): a pod is
// filtered against every node (Filter plugins), the feasible nodes scored (Score plugins, then
// NormalizeScore), and the best one reserved and bound. Plugins see nodes as NodeInfo: the node
// plus the pods the scheduler counts on it (bound and assumed), with their summed requests.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';

/** Resource amounts as numbers: cpu in millicores, memory and storage in bytes, others as counts. */
export interface Resources {
  milliCpu: number;
  memory: number;
  ephemeralStorage: number;
  /** Extended and other scalar resources (nvidia.com/gpu, hugepages-2Mi ...), by name. */
  scalar: Record<string, number>;
}

export interface HostPortInfo {
  ip: string;
  protocol: string;
  port: number;
}

/** A pod as the scheduler keeps it: the object plus what it computed once from it. */
export interface PodInfo {
  pod: Pod;
  /** Sum of container requests (max with init containers, plus overhead), as upstream's computePodResourceRequest. */
  requests: Resources;
  /** The same with upstream's non-zero defaults (100m cpu, 200Mi memory) for containers without requests: for scoring. */
  nonZeroRequests: Resources;
}

export interface NodeInfo {
  node: Node;
  /** Pods bound to or assumed on this node. */
  pods: PodInfo[];
  /** Sum of the pods' requests. */
  requested: Resources;
  /** Sum of the pods' non-zero requests. */
  nonZeroRequested: Resources;
  allocatable: Resources;
  /** Allocatable pod count (status.allocatable.pods). */
  allowedPodNumber: number;
  /** Host ports in use on this node. */
  usedPorts: HostPortInfo[];
  /** Pods on this node with (anti-)affinity terms, for InterPodAffinity. */
  podsWithAffinity: PodInfo[];
  podsWithRequiredAntiAffinity: PodInfo[];
  /** Image names present on the node (status.images) with their size in bytes. */
  imageSizes: Map<string, number>;
  /** Changes whenever the NodeInfo changes (cheap snapshot checks). */
  generation: number;
}

export type Code = 'Success' | 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error' | 'Skip';

/** A plugin's verdict; `reasons` use upstream's wording ("Insufficient cpu", "node(s) had untolerated taint {k: v}"). */
export interface Status {
  code: Code;
  reasons: string[];
  plugin?: string;
}

export const SUCCESS: Status = Object.freeze({ code: 'Success', reasons: [] }) as Status;
export const unschedulable = (...reasons: string[]): Status => ({ code: 'Unschedulable', reasons });
export const unresolvable = (...reasons: string[]): Status => ({ code: 'UnschedulableAndUnresolvable', reasons });
export const isSuccess = (s: Status | undefined): boolean => !s || s.code === 'Success';

/** Data plugins compute in PreFilter/PreScore and read in Filter/Score, per scheduling cycle. */
export class CycleState {
  private readonly data = new Map<string, unknown>();
  read<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  write(key: string, value: unknown): void {
    this.data.set(key, value);
  }
}

/** All nodes as one consistent view for a scheduling cycle. */
export interface Snapshot {
  nodeInfos(): NodeInfo[];
  get(nodeName: string): NodeInfo | undefined;
  /** Nodes with pods that have (anti-)affinity terms. */
  havePodsWithAffinity(): NodeInfo[];
  havePodsWithRequiredAntiAffinity(): NodeInfo[];
}

export interface Plugin {
  readonly name: string;
}

export interface PreFilterPlugin extends Plugin {
  /** Computes per-pod state once; Unschedulable here fails the pod on every node. `Skip` skips this plugin's Filter. */
  preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): Status;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: Pod, node: NodeInfo): Status;
}

export interface PreScorePlugin extends Plugin {
  /** Computes state for scoring over the feasible nodes; `Skip` skips this plugin's Score. */
  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[], snapshot: Snapshot): Status;
}

export interface NodeScore {
  name: string;
  score: number;
}

/** Scores lie in 0..MAX_NODE_SCORE after normalization; the framework multiplies by the plugin's weight. */
export const MAX_NODE_SCORE = 100;

export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: Pod, node: NodeInfo): number;
  /** Rescales raw scores into 0..MAX_NODE_SCORE in place (optional). */
  normalizeScore?(state: CycleState, pod: Pod, scores: NodeScore[]): void;
}

/** What every plugin gets when it is built: its arguments from the scheduler configuration. */
export interface PluginFactoryArgs {
  /** The plugin's `args` from KubeSchedulerConfiguration's pluginConfig, if any. */
  args?: Record<string, unknown>;
}
