// The scheduling framework's vocabulary (kube-scheduler's framework package, reduced): a pod is
// filtered against every node (Filter plugins), the feasible nodes scored (Score plugins, then
// NormalizeScore), and the best one reserved and bound. Plugins see nodes as NodeInfo: the node
// plus the pods the scheduler counts on it (bound and assumed), with their summed requests.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { Selector } from '../../apimachinery/labels.js';
import type { Client } from '../../client/types.js';

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
  /**
   * A shallow copy: entries are shared until a plugin replaces its own with a deep copy
   * (PreFilterPlugin.cloneState), which plugins whose state preemption changes must do.
   */
  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) c.data.set(k, v instanceof Set ? new Set(v) : v);
    return c;
  }
}

/** All nodes as one consistent view for a scheduling cycle. */
export interface Snapshot {
  nodeInfos(): NodeInfo[];
  get(nodeName: string): NodeInfo | undefined;
  /** Nodes with pods that have (anti-)affinity terms. */
  havePodsWithAffinity(): NodeInfo[];
  havePodsWithRequiredAntiAffinity(): NodeInfo[];
  /** How many nodes hold this image (status.images), for ImageLocality's spread. */
  imageNodeCount(image: string): number;
}

export interface Plugin {
  readonly name: string;
  /**
   * EnqueueExtensions: the cluster events that may make a pod this plugin rejected schedulable.
   * A parked pod moves back to the queue only on an event one of its rejecting plugins lists.
   * Absent: every event (safe, slower).
   */
  readonly events?: readonly ClusterEvent[];
}

/** Cluster changes the scheduling queue reacts to (upstream ClusterEvent resource + action type). */
export type ClusterEvent =
  | 'NodeAdd'
  | 'NodeAllocatableChange'
  | 'NodeLabelChange'
  | 'NodeTaintChange'
  | 'NodeSchedulableChange'
  | 'NodeImagesChange'
  | 'AssignedPodAdd'
  | 'AssignedPodLabelChange'
  | 'AssignedPodDelete'
  | 'PodDisruptionBudgetChange';

export interface PreFilterPlugin extends Plugin {
  /** Computes per-pod state once; Unschedulable here fails the pod on every node. `Skip` skips this plugin's Filter. */
  preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): Status;
  /**
   * PreFilterExtensions, for plugins whose PreFilter state depends on other pods (preemption dry
   * runs and nominated pods): the state as if `added` ran on / `removed` left `node`.
   */
  addPod?(state: CycleState, podToSchedule: Pod, added: PodInfo, node: NodeInfo): Status;
  removePod?(state: CycleState, podToSchedule: Pod, removed: PodInfo, node: NodeInfo): Status;
  /** Replaces this plugin's entries in `to` (a CycleState.clone of `from`) with deep copies. */
  cloneState?(from: CycleState, to: CycleState): void;
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

/** What a PostFilter plugin may use: the cycle's view of the cluster and the framework to re-run filters. */
export interface PostFilterContext {
  snapshot: Snapshot;
  /** Runs the profile's Filter plugins on a node, counting pods nominated to it (as upstream's RunFilterPluginsWithNominatedPods). */
  filterWithNominatedPods(state: CycleState, pod: Pod, node: NodeInfo): Status;
  /** Runs every PreFilterExtensions plugin's addPod/removePod. */
  addPod(state: CycleState, pod: Pod, added: PodInfo, node: NodeInfo): Status;
  removePod(state: CycleState, pod: Pod, removed: PodInfo, node: NodeInfo): Status;
  /** A copy of the cycle state that the dry run may change. */
  cloneState(state: CycleState): CycleState;
  /** Pods nominated to a node (status.nominatedNodeName), not yet bound. */
  nominatedPodsFor(nodeName: string): PodInfo[];
}

export interface PostFilterResult {
  status: Status;
  /** The node the pod is nominated to (preemption); '' clears a previous nomination; undefined keeps it. */
  nominatedNodeName?: string;
  /** Pods to delete so the pod fits on the nominated node. */
  victims?: Pod[];
  /** Lower-priority pods nominated to that node whose nomination must be cleared. */
  clearNomination?: Pod[];
}

/** Runs when no node fits (upstream: DefaultPreemption). */
export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: Pod, failures: ReadonlyMap<string, Status>, ctx: PostFilterContext): PostFilterResult;
}

/**
 * Reserve: told when the scheduler has chosen a node for the pod (before binding), so a plugin
 * keeping its own books can count the pod there; unreserve undoes it when reserving or binding
 * fails. A failing reserve fails the attempt.
 */
export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: Pod, nodeName: string): Status;
  unreserve(state: CycleState, pod: Pod, nodeName: string): void;
}

/**
 * Bind: puts the pod on the node (DefaultBinder posts pods/binding). Bind plugins run in order
 * until one does not answer Skip; a thrown error is the API's answer (NotFound, Conflict ...).
 */
export interface BindPlugin extends Plugin {
  bind(state: CycleState, pod: Pod, nodeName: string): Promise<Status>;
}

/** What plugins may read of the cluster besides nodes and pods (informer caches). */
export interface PluginHandle {
  /** The scheduler's API client (DefaultBinder binds through it); absent when only validating a configuration. */
  client?: Client;
  podDisruptionBudgets(): PodDisruptionBudget[];
  namespaceLabels(namespace: string): Record<string, string> | undefined;
  /** The selector of the services and controllers selecting the pod (PodTopologySpread's system defaults). */
  defaultSelector(pod: Pod): Selector | undefined;
}

/** What every plugin gets when it is built: its arguments from the scheduler configuration. */
export interface PluginFactoryArgs {
  /** The plugin's `args` from KubeSchedulerConfiguration's pluginConfig, if any. */
  args?: Record<string, unknown>;
  handle?: PluginHandle;
}
