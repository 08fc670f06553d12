// InterPodAffinity's PreFilter/Filter half (upstream interpodaffinity/filtering.go): PreFilter
// counts, per topology pair, the existing pods whose required anti-affinity matches the incoming
// pod and the existing pods matching the incoming pod's required (anti-)affinity; Filter then
// only looks the node's labels up in those counts.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo, PodInfo, Snapshot } from '../../framework/types.js';
import {
  affinityTermsOf,
  labelValue,
  podMatchesAllTerms,
  podNamespace,
  termMatches,
  TopologyCounts,
  type AffinityTerm,
  type NamespaceLabels,
  type PairSink,
  type PodAffinityTerms,
} from './terms.js';
import { labelsKey, type IncrementalTopologyCounts } from './incremental.js';

export const ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules";
export const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules";

/** The counts may be shared with the plugin's memo across cycles: read them; clonePreFilterState before changing. */
export interface PreFilterState {
  pod: Pod;
  terms: PodAffinityTerms;
  /** Labels of the incoming pod's namespace, for existing pods' namespaceSelectors. */
  podNamespaceLabels: Record<string, string> | undefined;
  /** Existing pods' required anti-affinity terms matching the incoming pod, per pair of the existing pod's node. */
  existingAntiAffinityCounts: TopologyCounts;
  /** Existing pods matching all the incoming pod's required affinity terms, per term and pair. */
  affinityCounts: TopologyCounts;
  /** Existing pods' matches of each of the incoming pod's required anti-affinity terms, per pair. */
  antiAffinityCounts: TopologyCounts;
  /** Namespace labels by name, memoized for this cycle. */
  nsLabels: NamespaceLabels;
}

/** Memoizes a namespace-labels lookup for one cycle (upstream reads a lister snapshot once per namespace). */
export function memoNamespaceLabels(lookup: NamespaceLabels | undefined): NamespaceLabels {
  if (!lookup) return () => undefined;
  const seen = new Map<string, Record<string, string> | undefined>();
  return (ns) => {
    if (!seen.has(ns)) seen.set(ns, lookup(ns));
    return seen.get(ns);
  };
}

/** upstream updateWithAntiAffinityTerms: one count per matching term at the node's value of its key. */
function addAntiAffinityMatches(counts: PairSink, terms: AffinityTerm[], target: Pod, nsLabels: NamespaceLabels, node: Node, delta: number): void {
  const labels = node.metadata?.labels;
  for (const t of terms) {
    if (!termMatches(t, target, nsLabels)) continue;
    const v = labelValue(labels, t.topologyKey);
    if (v !== undefined) counts.add(t.topologyKey, v, delta);
  }
}

/** upstream updateWithAffinityTerms: counts only when the target matches every term. */
function addAffinityMatches(counts: PairSink, terms: AffinityTerm[], target: Pod, nsLabels: NamespaceLabels, node: Node, delta: number): void {
  if (!podMatchesAllTerms(terms, target, nsLabels)) return;
  const labels = node.metadata?.labels;
  for (const t of terms) {
    const v = labelValue(labels, t.topologyKey);
    if (v !== undefined) counts.add(t.topologyKey, v, delta);
  }
}

/**
 * Builds the Filter state. Existing pods' anti-affinity is only gathered from nodes hosting pods
 * with required anti-affinity; every pod is visited only when the incoming pod has required terms.
 */
export function computePreFilterState(
  pod: Pod,
  terms: PodAffinityTerms,
  snapshot: Snapshot,
  lookup: NamespaceLabels | undefined,
  memo?: IncrementalTopologyCounts,
): PreFilterState {
  const nsLabels = memoNamespaceLabels(lookup);
  const podNamespaceLabels = nsLabels(podNamespace(pod));
  const ownNs: NamespaceLabels = () => podNamespaceLabels;
  const addExisting = (info: NodeInfo, sink: PairSink) => {
    for (const existing of info.podsWithRequiredAntiAffinity) {
      addAntiAffinityMatches(sink, affinityTermsOf(existing.pod).requiredAntiAffinity, pod, ownNs, info.node, 1);
    }
  };
  let existingAntiAffinityCounts: TopologyCounts;
  const guarded = snapshot.havePodsWithRequiredAntiAffinity();
  // Walking a few nodes beats checking every node's generation; the memo pays off for many.
  if (memo && guarded.length > memo.minNodes) {
    // What existing pods' terms say about this pod depends on its namespace, labels and namespace labels only.
    const key = `existing\u0000${podNamespace(pod)}\u0000${labelsKey(pod.metadata?.labels)}\u0000${labelsKey(podNamespaceLabels)}`;
    existingAntiAffinityCounts = memo.count(key, snapshot.nodeInfos(), addExisting);
  } else {
    existingAntiAffinityCounts = new TopologyCounts();
    for (const info of guarded) addExisting(info, existingAntiAffinityCounts);
  }
  let affinityCounts = new TopologyCounts();
  let antiAffinityCounts = new TopologyCounts();
  const { requiredAffinity, requiredAntiAffinity } = terms;
  if (requiredAffinity.length || requiredAntiAffinity.length) {
    const addAffinity = (info: NodeInfo, sink: PairSink) => {
      for (const existing of info.pods) addAffinityMatches(sink, requiredAffinity, existing.pod, nsLabels, info.node, 1);
    };
    const addAnti = (info: NodeInfo, sink: PairSink) => {
      for (const existing of info.pods) addAntiAffinityMatches(sink, requiredAntiAffinity, existing.pod, nsLabels, info.node, 1);
    };
    // A namespaceSelector makes matches depend on namespaces' labels, which no NodeInfo generation follows.
    const usesNamespaceLabels = [...requiredAffinity, ...requiredAntiAffinity].some((t) => !t.namespaceSelector.matchesNothing());
    if (memo && !usesNamespaceLabels) {
      const spec = pod.spec?.affinity;
      const key = `${podNamespace(pod)}\u0000${JSON.stringify(spec?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? null)}\u0000${JSON.stringify(spec?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? null)}`;
      if (requiredAffinity.length) affinityCounts = memo.count(`affinity\u0000${key}`, snapshot.nodeInfos(), addAffinity);
      if (requiredAntiAffinity.length) antiAffinityCounts = memo.count(`anti\u0000${key}`, snapshot.nodeInfos(), addAnti);
    } else {
      for (const info of snapshot.nodeInfos()) {
        addAffinity(info, affinityCounts);
        addAnti(info, antiAffinityCounts);
      }
    }
  }
  return { pod, terms, podNamespaceLabels, existingAntiAffinityCounts, affinityCounts, antiAffinityCounts, nsLabels };
}

/** upstream preFilterState.updateWithPod: what adding (delta 1) or removing (-1) a pod on a node changes, for preemption. */
export function updateWithPod(s: PreFilterState, p: PodInfo, node: Node, delta: number): void {
  const ownNs: NamespaceLabels = () => s.podNamespaceLabels;
  addAntiAffinityMatches(s.existingAntiAffinityCounts, affinityTermsOf(p.pod).requiredAntiAffinity, s.pod, ownNs, node, delta);
  addAffinityMatches(s.affinityCounts, s.terms.requiredAffinity, p.pod, s.nsLabels, node, delta);
  addAntiAffinityMatches(s.antiAffinityCounts, s.terms.requiredAntiAffinity, p.pod, s.nsLabels, node, delta);
}

export function clonePreFilterState(s: PreFilterState): PreFilterState {
  return {
    ...s,
    existingAntiAffinityCounts: s.existingAntiAffinityCounts.clone(),
    affinityCounts: s.affinityCounts.clone(),
    antiAffinityCounts: s.antiAffinityCounts.clone(),
  };
}

/** The node carries every affinity term's topology key, and each pair has a matching pod. */
export function satisfiesPodAffinity(s: PreFilterState, info: NodeInfo): boolean {
  const labels = info.node.metadata?.labels;
  let podsExist = true;
  for (const t of s.terms.requiredAffinity) {
    const v = labelValue(labels, t.topologyKey);
    if (v === undefined) return false;
    if (s.affinityCounts.get(t.topologyKey, v) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // upstream: the first pod of a group with affinity to itself would otherwise stay pending
  // forever; when no pod anywhere matches and the pod matches its own terms, any node carrying
  // the topology keys will do.
  return s.affinityCounts.size === 0 && podMatchesAllTerms(s.terms.requiredAffinity, s.pod, s.nsLabels);
}

/** No existing pod matching an anti-affinity term of the incoming pod shares the node's topology pair. */
export function satisfiesPodAntiAffinity(s: PreFilterState, info: NodeInfo): boolean {
  if (s.antiAffinityCounts.size === 0) return true;
  const labels = info.node.metadata?.labels;
  for (const t of s.terms.requiredAntiAffinity) {
    const v = labelValue(labels, t.topologyKey);
    if (v !== undefined && s.antiAffinityCounts.get(t.topologyKey, v) > 0) return false;
  }
  return true;
}

/** No existing pod's anti-affinity term matching the incoming pod covers any of the node's labels. */
export function satisfiesExistingPodsAntiAffinity(s: PreFilterState, info: NodeInfo): boolean {
  return s.existingAntiAffinityCounts.size === 0 || !s.existingAntiAffinityCounts.anyPositive(info.node.metadata?.labels);
}
