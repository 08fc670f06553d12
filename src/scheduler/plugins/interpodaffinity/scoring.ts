// InterPodAffinity's PreScore/Score half (upstream interpodaffinity/scoring.go): PreScore sums,
// per topology pair, the weights of preferred terms that existing pods satisfy (incoming pod's
// terms) or that the incoming pod satisfies (existing pods' terms, plus their required affinity
// at hardPodAffinityWeight); a node scores the sum over its labels, then min-max to 0..100.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { MAX_NODE_SCORE, type NodeInfo, type NodeScore, type PodInfo, type Snapshot } from '../../framework/types.js';
import { labelsKey, type IncrementalTopologyCounts } from './incremental.js';
import {
  affinityTermsOf,
  labelValue,
  termMatches,
  TopologyCounts,
  type AffinityTerm,
  type NamespaceLabels,
  type PairSink,
  type PodAffinityTerms,
  type WeightedAffinityTerm,
} from './terms.js';

/** topology key -> value -> summed weight (read only). */
export type TopologyScores = ReadonlyMap<string, ReadonlyMap<string, number>>;

export interface PreScoreState {
  topologyScore: TopologyScores;
}

export interface ScoringOptions {
  hardPodAffinityWeight: number;
  ignorePreferredTermsOfExistingPods: boolean;
}

function addTerm(scores: PairSink, term: AffinityTerm, weight: number, target: Pod, nsLabels: NamespaceLabels, node: Node): void {
  if (!termMatches(term, target, nsLabels)) return;
  const v = labelValue(node.metadata?.labels, term.topologyKey);
  if (v === undefined) return;
  scores.add(term.topologyKey, v, weight);
}

function addTerms(scores: PairSink, terms: WeightedAffinityTerm[], sign: number, target: Pod, nsLabels: NamespaceLabels, node: Node): void {
  for (const t of terms) addTerm(scores, t, t.weight * sign, target, nsLabels, node);
}

/** upstream processExistingPod: both directions of preference between the incoming pod and one existing pod. */
function processExistingPod(
  scores: PairSink,
  pod: Pod,
  terms: PodAffinityTerms,
  existing: PodInfo,
  node: Node,
  nsLabels: NamespaceLabels,
  podNsLabels: NamespaceLabels,
  opts: ScoringOptions,
): void {
  const existingTerms = affinityTermsOf(existing.pod);
  addTerms(scores, terms.preferredAffinity, 1, existing.pod, nsLabels, node);
  addTerms(scores, terms.preferredAntiAffinity, -1, existing.pod, nsLabels, node);
  if (opts.hardPodAffinityWeight > 0) {
    for (const t of existingTerms.requiredAffinity) addTerm(scores, t, opts.hardPodAffinityWeight, pod, podNsLabels, node);
  }
  addTerms(scores, existingTerms.preferredAffinity, 1, pod, podNsLabels, node);
  addTerms(scores, existingTerms.preferredAntiAffinity, -1, pod, podNsLabels, node);
}

/**
 * The summed topology scores, or undefined when nothing contributes (upstream then skips Score).
 * Unless the incoming pod has preferred terms, only pods with (anti-)affinity can contribute, so
 * only those on nodes hosting them are visited. With `memo`, sums of earlier cycles are reused
 * for nodes that did not change (see incremental.ts).
 */
export function computeTopologyScores(
  pod: Pod,
  terms: PodAffinityTerms,
  snapshot: Snapshot,
  nsLabels: NamespaceLabels,
  opts: ScoringOptions,
  memo?: IncrementalTopologyCounts,
): TopologyScores | undefined {
  const hasConstraints = terms.preferredAffinity.length > 0 || terms.preferredAntiAffinity.length > 0;
  if (opts.ignorePreferredTermsOfExistingPods && !hasConstraints) return undefined;
  const podNsLabel = nsLabels(pod.metadata?.namespace || 'default');
  const podNsLabels: NamespaceLabels = () => podNsLabel;
  const perNode = (info: NodeInfo, sink: PairSink) => {
    // upstream ignores pods on unlabelled nodes: no term's topology key can be found there.
    if (Object.keys(info.node.metadata?.labels ?? {}).length === 0) return;
    for (const existing of hasConstraints ? info.pods : info.podsWithAffinity) {
      processExistingPod(sink, pod, terms, existing, info.node, nsLabels, podNsLabels, opts);
    }
  };
  const usesNamespaceLabels = [...terms.preferredAffinity, ...terms.preferredAntiAffinity].some((t) => !t.namespaceSelector.matchesNothing());
  const few = !hasConstraints && snapshot.havePodsWithAffinity().length <= (memo?.minNodes ?? 0);
  if (memo && !usesNamespaceLabels && !few) {
    const spec = pod.spec?.affinity;
    const key = [
      'score',
      pod.metadata?.namespace || 'default',
      labelsKey(pod.metadata?.labels),
      labelsKey(podNsLabel),
      JSON.stringify(spec?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? null),
      JSON.stringify(spec?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? null),
    ].join('\u0000');
    const counts = memo.count(key, snapshot.nodeInfos(), perNode);
    return counts.size ? (counts.asMap() as TopologyScores) : undefined;
  }
  const scores = new TopologyCounts();
  for (const info of hasConstraints ? snapshot.nodeInfos() : snapshot.havePodsWithAffinity()) perNode(info, scores);
  return scores.size ? (scores.asMap() as TopologyScores) : undefined;
}

/** Sum over the node's labels of the pairs' scores (may be negative before normalization). */
export function scoreNode(scores: TopologyScores, info: NodeInfo): number {
  const labels = info.node.metadata?.labels;
  let total = 0;
  for (const [key, values] of scores) {
    const v = labelValue(labels, key);
    if (v !== undefined) total += values.get(v) ?? 0;
  }
  return total;
}

/** upstream NormalizeScore: min-max onto 0..MAX_NODE_SCORE, truncated; all equal scores become 0. */
export function normalizeMinMax(scores: NodeScore[]): void {
  if (scores.length === 0) return;
  let min = Infinity;
  let max = -Infinity;
  for (const s of scores) {
    if (s.score > max) max = s.score;
    if (s.score < min) min = s.score;
  }
  const diff = max - min;
  // Same operation order as upstream (ratio first, then scale), so float rounding truncates alike.
  for (const s of scores) s.score = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((s.score - min) / diff)) : 0;
}
