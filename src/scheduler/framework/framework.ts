// One scheduling profile's plugins run in upstream's order: PreFilter, Filter on candidate nodes,
// PreScore and Score (weighted, normalized) on the feasible ones. The framework records which
// plugin failed where, so the FailedScheduling message can say why per node.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { addPod, cloneNodeInfo } from './node-info.js';
import {
  CycleState,
  MAX_NODE_SCORE,
  SUCCESS,
  type FilterPlugin,
  type NodeInfo,
  type NodeScore,
  type PodInfo,
  type PostFilterContext,
  type PostFilterPlugin,
  type PostFilterResult,
  type PreFilterPlugin,
  type PreScorePlugin,
  type BindPlugin,
  type ReservePlugin,
  type ScorePlugin,
  type Snapshot,
  type Status,
} from './types.js';

export interface WeightedScorePlugin {
  plugin: ScorePlugin;
  weight: number;
}

export interface PluginSet {
  preFilter: PreFilterPlugin[];
  filter: FilterPlugin[];
  preScore: PreScorePlugin[];
  score: WeightedScorePlugin[];
  postFilter?: PostFilterPlugin[];
  reserve?: ReservePlugin[];
  bind?: BindPlugin[];
}

const SKIPPED = 'framework/skipped-plugins';
const ACTIVE_FILTERS = 'framework/active-filters';
const priorityOf = (p: Pod) => p.spec?.priority ?? 0;

/**
 * The status naming its plugin. Plugins hand out fresh statuses (unschedulable(...)), so the name
 * is written in place: a copy per rejected node per pod is garbage the preemption path made by the
 * thousand. Frozen (shared) statuses are copied.
 */
function withPlugin(s: Status, plugin: string): Status {
  if (s.plugin === plugin) return s;
  if (Object.isFrozen(s) || s.plugin !== undefined) return { ...s, plugin };
  s.plugin = plugin;
  return s;
}

/** Pods nominated to a node (preemptors waiting for their victims to go), from the scheduling queue. */
export type NominatedPods = (nodeName: string) => PodInfo[];

export class Framework {
  private nominated: NominatedPods = () => [];

  constructor(
    readonly profileName: string,
    readonly plugins: PluginSet,
  ) {}

  /** Where runFilterWithNominatedPods finds nominated pods (the scheduler's nominator). */
  setNominatedPods(f: NominatedPods): void {
    this.nominated = f;
  }

  /** Every plugin, each once (for the queue's event registrations). */
  allPlugins(): { name: string; events?: readonly string[] }[] {
    const seen = new Map<string, { name: string; events?: readonly string[] }>();
    const { preFilter, filter, preScore, score, postFilter = [], reserve = [], bind = [] } = this.plugins;
    for (const p of [...preFilter, ...filter, ...preScore, ...score.map((s) => s.plugin), ...postFilter, ...reserve, ...bind]) seen.set(p.name, p);
    return [...seen.values()];
  }

  /** First non-success PreFilter status (with the plugin's name), or SUCCESS. Skips are remembered. */
  runPreFilter(state: CycleState, pod: Pod, snapshot: Snapshot): Status {
    const skipped = new Set<string>();
    state.write(SKIPPED, skipped);
    // The Filter plugins this cycle runs, computed once rather than checked per node.
    state.write(ACTIVE_FILTERS, this.plugins.filter);
    for (const p of this.plugins.preFilter) {
      const s = p.preFilter(state, pod, snapshot);
      if (s.code === 'Skip') skipped.add(p.name);
      else if (s.code !== 'Success') return { ...s, plugin: p.name };
    }
    if (skipped.size) state.write(ACTIVE_FILTERS, this.plugins.filter.filter((p) => !skipped.has(p.name)));
    return SUCCESS;
  }

  /** The first failing Filter plugin's status on this node (upstream stops at the first failure). */
  runFilter(state: CycleState, pod: Pod, node: NodeInfo): Status {
    const active = state.read<FilterPlugin[]>(ACTIVE_FILTERS) ?? this.plugins.filter;
    for (let i = 0; i < active.length; i++) {
      const p = active[i]!;
      const s = p.filter(state, pod, node);
      if (s.code !== 'Success') return withPlugin(s, p.name);
    }
    return SUCCESS;
  }

  /**
   * upstream RunFilterPluginsWithNominatedPods: with pods of equal or higher priority nominated to
   * the node, the pod must fit both with them counted (so it does not take room a preemptor made)
   * and without them (as their anti-affinity may not hold once they are elsewhere).
   */
  runFilterWithNominatedPods(state: CycleState, pod: Pod, info: NodeInfo): Status {
    const candidates = this.nominated(info.node.metadata!.name!);
    if (candidates.length === 0) return this.runFilter(state, pod, info);
    const uid = pod.metadata?.uid;
    const nominated = candidates.filter((p) => p.pod.metadata?.uid !== uid && priorityOf(p.pod) >= priorityOf(pod));
    if (nominated.length === 0) return this.runFilter(state, pod, info);
    const withState = this.cloneState(state);
    const withInfo = cloneNodeInfo(info);
    for (const p of nominated) {
      addPod(withInfo, p);
      const s = this.runAddPod(withState, pod, p, withInfo);
      if (s.code !== 'Success') return s;
    }
    const s = this.runFilter(withState, pod, withInfo);
    if (s.code !== 'Success') return s;
    return this.runFilter(state, pod, info);
  }

  /** A copy of the cycle state for a dry run (each stateful PreFilter plugin deep-copies its part). */
  cloneState(state: CycleState): CycleState {
    const c = state.clone();
    for (const p of this.plugins.preFilter) p.cloneState?.(state, c);
    return c;
  }

  runAddPod(state: CycleState, pod: Pod, added: PodInfo, node: NodeInfo): Status {
    const skipped = state.read<Set<string>>(SKIPPED);
    for (const p of this.plugins.preFilter) {
      if (!p.addPod || skipped?.has(p.name)) continue;
      const s = p.addPod(state, pod, added, node);
      if (s.code !== 'Success') return { ...s, plugin: p.name };
    }
    return SUCCESS;
  }

  runRemovePod(state: CycleState, pod: Pod, removed: PodInfo, node: NodeInfo): Status {
    const skipped = state.read<Set<string>>(SKIPPED);
    for (const p of this.plugins.preFilter) {
      if (!p.removePod || skipped?.has(p.name)) continue;
      const s = p.removePod(state, pod, removed, node);
      if (s.code !== 'Success') return { ...s, plugin: p.name };
    }
    return SUCCESS;
  }

  /** Reserve in order; on the first failure every Reserve plugin's unreserve runs (in reverse) and the failure is returned. */
  runReserve(state: CycleState, pod: Pod, nodeName: string): Status {
    for (const p of this.plugins.reserve ?? []) {
      const s = p.reserve(state, pod, nodeName);
      if (s.code !== 'Success') {
        this.runUnreserve(state, pod, nodeName);
        return withPlugin({ ...s }, p.name);
      }
    }
    return SUCCESS;
  }

  /** Undoes every Reserve plugin's reservation, last first (upstream RunReservePluginsUnreserve). */
  runUnreserve(state: CycleState, pod: Pod, nodeName: string): void {
    const list = this.plugins.reserve ?? [];
    for (let i = list.length - 1; i >= 0; i--) list[i]!.unreserve(state, pod, nodeName);
  }

  /** The first Bind plugin that does not Skip binds; errors (thrown) are the API's answer. */
  async runBind(state: CycleState, pod: Pod, nodeName: string): Promise<Status> {
    for (const p of this.plugins.bind ?? []) {
      const s = await p.bind(state, pod, nodeName);
      if (s.code !== 'Skip') return s.code === 'Success' ? s : withPlugin({ ...s }, p.name);
    }
    return { code: 'Error', reasons: ['no Bind plugin bound the pod'] };
  }

  /** The first PostFilter plugin whose result is not Unschedulable decides (as upstream). */
  runPostFilter(state: CycleState, pod: Pod, failures: ReadonlyMap<string, Status>, snapshot: Snapshot): PostFilterResult | undefined {
    const ctx: PostFilterContext = {
      snapshot,
      filterWithNominatedPods: (st, p, n) => this.runFilterWithNominatedPods(st, p, n),
      addPod: (st, p, a, n) => this.runAddPod(st, p, a, n),
      removePod: (st, p, r, n) => this.runRemovePod(st, p, r, n),
      cloneState: (st) => this.cloneState(st),
      nominatedPodsFor: (n) => this.nominated(n),
    };
    let last: PostFilterResult | undefined;
    for (const p of this.plugins.postFilter ?? []) {
      const r = p.postFilter(state, pod, failures, ctx);
      last = { ...r, status: { ...r.status, plugin: p.name } };
      if (r.status.code !== 'Unschedulable') return last;
    }
    return last;
  }

  /** Weighted sum of every Score plugin's normalized score, per node. */
  runScore(state: CycleState, pod: Pod, nodes: NodeInfo[], snapshot: Snapshot): NodeScore[] {
    const skipped = new Set<string>();
    for (const p of this.plugins.preScore) {
      const s = p.preScore(state, pod, nodes, snapshot);
      if (s.code === 'Skip') skipped.add(p.name);
      else if (s.code !== 'Success') throw new Error(`${p.name} PreScore: ${s.reasons.join(', ')}`);
    }
    const totals: NodeScore[] = nodes.map((n) => ({ name: n.node.metadata!.name!, score: 0 }));
    // Raw scores only materialise as NodeScore lists for plugins that normalize them (hundreds of
    // nodes per pod: fewer objects, less garbage).
    let scratch: NodeScore[] | undefined;
    for (const { plugin, weight } of this.plugins.score) {
      if (skipped.has(plugin.name)) continue;
      if (!plugin.normalizeScore) {
        for (let i = 0; i < nodes.length; i++) totals[i]!.score += checked(plugin, totals[i]!.name, plugin.score(state, pod, nodes[i]!)) * weight;
        continue;
      }
      scratch ??= nodes.map((n) => ({ name: n.node.metadata!.name!, score: 0 }));
      for (let i = 0; i < nodes.length; i++) scratch[i]!.score = plugin.score(state, pod, nodes[i]!);
      plugin.normalizeScore(state, pod, scratch);
      for (let i = 0; i < nodes.length; i++) totals[i]!.score += checked(plugin, totals[i]!.name, scratch[i]!.score) * weight;
    }
    return totals;
  }
}

function checked(plugin: ScorePlugin, node: string, s: number): number {
  if (s < 0 || s > MAX_NODE_SCORE) throw new Error(`${plugin.name} scored ${node} ${s}, outside 0..${MAX_NODE_SCORE}`);
  return s;
}

/**
 * How many feasible nodes to look for before scoring (upstream numFeasibleNodesToFind): all of
 * them on small clusters; on large ones a share that shrinks with size (50% minus 1% per 125
 * nodes, at least 5%), never fewer than 100.
 */
export function numFeasibleNodesToFind(numNodes: number, percentageOfNodesToScore = 0): number {
  const MIN_FEASIBLE = 100;
  if (numNodes < MIN_FEASIBLE || percentageOfNodesToScore >= 100) return numNodes;
  let pct = percentageOfNodesToScore;
  if (pct <= 0) pct = Math.max(5, 50 - Math.floor(numNodes / 125));
  return Math.max(MIN_FEASIBLE, Math.floor((numNodes * pct) / 100));
}

export interface FitResult {
  feasible: NodeInfo[];
  /** Why each rejected node was rejected. */
  failures: Map<string, Status>;
  /** Where the next cycle starts looking (the rotation that spreads placement). */
  nextStartIndex: number;
}

/** Filters nodes from startIndex round-robin until enough feasible ones are found. */
export function findNodesThatFit(fw: Framework, state: CycleState, pod: Pod, snapshot: Snapshot, startIndex: number, percentageOfNodesToScore?: number): FitResult {
  const all = snapshot.nodeInfos();
  const failures = new Map<string, Status>();
  const pre = fw.runPreFilter(state, pod, snapshot);
  if (pre.code !== 'Success') {
    for (const n of all) failures.set(n.node.metadata!.name!, pre);
    return { feasible: [], failures, nextStartIndex: startIndex };
  }
  const want = numFeasibleNodesToFind(all.length, percentageOfNodesToScore);
  const feasible: NodeInfo[] = [];
  let checked = 0;
  const n = all.length;
  for (; checked < n && feasible.length < want; checked++) {
    const info = all[(startIndex + checked) % n]!;
    const s = fw.runFilterWithNominatedPods(state, pod, info);
    if (s.code === 'Success') feasible.push(info);
    else failures.set(info.node.metadata!.name!, s);
  }
  return { feasible, failures, nextStartIndex: n ? (startIndex + checked) % n : 0 };
}

/** The highest-scoring node; ties broken uniformly at random (upstream selectHost). */
export function selectHost(scores: NodeScore[], random: () => number = Math.random): string | undefined {
  let best: string | undefined;
  let bestScore = -Infinity;
  let ties = 0;
  for (const s of scores) {
    if (s.score > bestScore) {
      best = s.name;
      bestScore = s.score;
      ties = 1;
    } else if (s.score === bestScore) {
      ties++;
      if (random() * ties < 1) best = s.name;
    }
  }
  return best;
}

/**
 * Upstream's FitError message: "0/5 nodes are available: 2 Insufficient cpu, 3 node(s) had
 * untolerated taint {k: v}." (each reason counted once per node, sorted by text).
 */
export function fitErrorMessage(numAllNodes: number, failures: Map<string, Status>): string {
  const counts = new Map<string, number>();
  for (const s of failures.values()) for (const r of new Set(s.reasons)) counts.set(r, (counts.get(r) ?? 0) + 1);
  const parts = [...counts].map(([r, c]) => `${c} ${r}`).sort();
  return `0/${numAllNodes} nodes are available: ${parts.join(', ')}.`;
}

export { CycleState };
