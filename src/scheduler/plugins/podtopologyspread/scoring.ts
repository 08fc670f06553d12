// PreScore, Score and NormalizeScore for ScheduleAnyway constraints (upstream
// podtopologyspread/scoring.go): a node's raw score is the weighted count of matching pods in its
// domains, each constraint weighted by log(number of domains + 2) so small topologies are not
// drowned by big ones; normalizing reverses it so the emptiest domains score highest.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo, NodeScore } from '../../framework/types.js';
import { MAX_NODE_SCORE } from '../../framework/types.js';
import {
  type DefaultingConfig,
  LABEL_HOSTNAME,
  type SpreadConstraint,
  constraintsFor,
  countMatchingPodsOn,
  matchKey,
  labelValue,
  nodeHasAllTopologyKeys,
  nodeIncluded,
} from './common.js';
import { requiredNodeAffinity } from './node-inclusion.js';

export const PRE_SCORE_STATE_KEY = 'PreScorePodTopologySpread';

export interface PreScoreState {
  constraints: SpreadConstraint[];
  /** Feasible nodes lacking some topology key: scored 0 after normalizing. */
  ignoredNodes: Set<string>;
  /** Per constraint: matching pods per topology value (hostname constraints are counted in Score). */
  topologyValueToPodCounts: Map<string, number>[];
  /** Per constraint: log(domains + 2). */
  topologyNormalizingWeight: number[];
  /** Per constraint: its countMatchingPodsOn memo key. */
  matchKeys?: string[];
}

/** upstream topologyNormalizingWeight. */
export const topologyNormalizingWeight = (size: number): number => Math.log(size + 2);

/** upstream scoreForCount: maxSkew-1 is added so small skews weigh less. */
export const scoreForCount = (count: number, maxSkew: number, weight: number): number => count * weight + (maxSkew - 1);

/**
 * upstream PreScore. Domains are the feasible nodes' topology values; counts come from every node
 * in the snapshot that is eligible. Nodes must carry every topology key unless the constraints are
 * the system defaults (so zone-less nodes still get hostname spreading). Returns undefined when
 * there is nothing to score. Throws SelectorError when a selector does not parse.
 */
export function computePreScoreState(
  pod: Pod,
  filteredNodes: readonly NodeInfo[],
  allNodes: readonly NodeInfo[],
  cfg: DefaultingConfig,
  systemDefaulted: boolean,
): PreScoreState | undefined {
  if (allNodes.length === 0) return undefined;
  const constraints = constraintsFor(pod, cfg, 'ScheduleAnyway');
  if (constraints.length === 0) return undefined;
  const requireAllTopologies = (pod.spec?.topologySpreadConstraints?.length ?? 0) > 0 || !systemDefaulted;

  const ignoredNodes = new Set<string>();
  const counts = constraints.map(() => new Map<string, number>());
  for (const info of filteredNodes) {
    if (requireAllTopologies && !nodeHasAllTopologyKeys(info.node, constraints)) {
      ignoredNodes.add(info.node.metadata?.name ?? '');
      continue;
    }
    constraints.forEach((c, i) => {
      if (c.topologyKey === LABEL_HOSTNAME) return;
      // Like upstream's map lookup, a missing label reads as the empty value here.
      counts[i]!.set(labelValue(info.node, c.topologyKey) ?? '', 0);
    });
  }
  const weights = constraints.map((c, i) =>
    topologyNormalizingWeight(c.topologyKey === LABEL_HOSTNAME ? filteredNodes.length - ignoredNodes.size : counts[i]!.size),
  );

  const affinity = requiredNodeAffinity(pod);
  const namespace = pod.metadata?.namespace ?? '';
  const keys = constraints.map((c) => matchKey(c.selector, namespace));
  for (const info of allNodes) {
    if (requireAllTopologies && !nodeHasAllTopologyKeys(info.node, constraints)) continue;
    constraints.forEach((c, i) => {
      if (!nodeIncluded(c, pod, info.node, affinity)) return;
      const value = labelValue(info.node, c.topologyKey) ?? '';
      const current = counts[i]!.get(value);
      // Only domains of feasible nodes are counted; hostname ones are left to Score.
      if (current === undefined) return;
      counts[i]!.set(value, current + countMatchingPodsOn(info, c.selector, namespace, keys[i]!));
    });
  }
  return { constraints, ignoredNodes, topologyValueToPodCounts: counts, topologyNormalizingWeight: weights, matchKeys: keys };
}

/** upstream Score: the rounded sum of scoreForCount over the constraints whose key the node has. */
export function scoreNode(state: PreScoreState, pod: Pod, info: NodeInfo): number {
  if (state.ignoredNodes.has(info.node.metadata?.name ?? '')) return 0;
  const namespace = pod.metadata?.namespace ?? '';
  let score = 0;
  state.constraints.forEach((c, i) => {
    const value = labelValue(info.node, c.topologyKey);
    if (value === undefined) return;
    const count =
      c.topologyKey === LABEL_HOSTNAME
        ? countMatchingPodsOn(info, c.selector, namespace, state.matchKeys?.[i] ?? matchKey(c.selector, namespace))
        : (state.topologyValueToPodCounts[i]!.get(value) ?? 0);
    score += scoreForCount(count, c.maxSkew, state.topologyNormalizingWeight[i]!);
  });
  return Math.round(score);
}

/**
 * upstream NormalizeScore: MAX * (max + min - s) / max with integer division, so the node with
 * fewest matching pods gets the most; ignored nodes get 0, and all get MAX when max is 0.
 */
export function normalizeScores(state: PreScoreState, scores: NodeScore[]): void {
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  const valid = scores.filter((s) => !state.ignoredNodes.has(s.name));
  for (const s of valid) {
    min = Math.min(min, s.score);
    max = Math.max(max, s.score);
  }
  for (const s of scores) {
    if (state.ignoredNodes.has(s.name)) s.score = 0;
    else if (max === 0) s.score = MAX_NODE_SCORE;
    else s.score = Math.trunc((MAX_NODE_SCORE * (max + min - s.score)) / max);
  }
}
