// One scheduling profile's plugins run in upstream's order: PreFilter, Filter on candidate nodes,
// PreScore and Score (weighted, normalized) on the feasible ones. The framework records which
// plugin failed where, so the FailedScheduling message can say why per node.
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  CycleState,
  MAX_NODE_SCORE,
  SUCCESS,
  type FilterPlugin,
  type NodeInfo,
  type NodeScore,
  type PreFilterPlugin,
  type PreScorePlugin,
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
}

const SKIPPED = 'framework/skipped-plugins';

export class Framework {
  constructor(
    readonly profileName: string,
    readonly plugins: PluginSet,
  ) {}

  /** First non-success PreFilter status (with the plugin's name), or SUCCESS. Skips are remembered. */
  runPreFilter(state: CycleState, pod: Pod, snapshot: Snapshot): Status {
    const skipped = new Set<string>();
    state.write(SKIPPED, skipped);
    for (const p of this.plugins.preFilter) {
      const s = p.preFilter(state, pod, snapshot);
      if (s.code === 'Skip') skipped.add(p.name);
      else if (s.code !== 'Success') return { ...s, plugin: p.name };
    }
    return SUCCESS;
  }

  /** The first failing Filter plugin's status on this node (upstream stops at the first failure). */
  runFilter(state: CycleState, pod: Pod, node: NodeInfo): Status {
    const skipped = state.read<Set<string>>(SKIPPED);
    for (const p of this.plugins.filter) {
      if (skipped?.has(p.name)) continue;
      const s = p.filter(state, pod, node);
      if (s.code !== 'Success') return { ...s, plugin: p.name };
    }
    return SUCCESS;
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
    for (const { plugin, weight } of this.plugins.score) {
      if (skipped.has(plugin.name)) continue;
      const scores: NodeScore[] = nodes.map((n, i) => ({ name: totals[i]!.name, score: plugin.score(state, pod, n) }));
      plugin.normalizeScore?.(state, pod, scores);
      for (let i = 0; i < scores.length; i++) {
        const s = scores[i]!.score;
        if (s < 0 || s > MAX_NODE_SCORE) throw new Error(`${plugin.name} scored ${totals[i]!.name} ${s}, outside 0..${MAX_NODE_SCORE}`);
        totals[i]!.score += s * weight;
      }
    }
    return totals;
  }
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
    const s = fw.runFilter(state, pod, info);
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
