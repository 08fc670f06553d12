// PreFilter and Filter for DoNotSchedule constraints (upstream podtopologyspread/filtering.go):
// matching pods are counted once per topology domain over the eligible nodes, then each node is
// rejected when placing the pod there would push its domain's count more than maxSkew above the
// global minimum.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo, Status } from '../../framework/types.js';
import { SUCCESS, unresolvable, unschedulable } from '../../framework/types.js';
import {
  type DefaultingConfig,
  type SpreadConstraint,
  constraintsFor,
  labelValue,
  nodeHasAllTopologyKeys,
  nodeIncluded,
} from './common.js';
import { DomainCounts } from './domain-counts.js';
import { requiredNodeAffinity } from './node-inclusion.js';

export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;

export const PRE_FILTER_STATE_KEY = 'PreFilterPodTopologySpread';

export interface PreFilterState {
  constraints: SpreadConstraint[];
  /** Per constraint (same index): matching pod count per topology value, over eligible domains. */
  tpValueToMatchNum: Map<string, number>[];
}

/** upstream calPreFilterState (with `counter`, counted incrementally across cycles). Throws SelectorError when a constraint's selector does not parse. */
export function computePreFilterState(pod: Pod, nodes: readonly NodeInfo[], cfg: DefaultingConfig, counter?: DomainCounts): PreFilterState {
  const constraints = constraintsFor(pod, cfg, 'DoNotSchedule');
  if (constraints.length === 0) return { constraints, tpValueToMatchNum: [] };
  const affinity = requiredNodeAffinity(pod);
  // Without a counter kept across cycles, a fresh one counts every node once.
  return { constraints, tpValueToMatchNum: (counter ?? new DomainCounts()).count(pod, constraints, nodes, affinity) };
}

/**
 * The global minimum for the skew: the smallest domain count, or 0 while there are fewer
 * eligible domains than minDomains. With no domains at all and minDomains 0 nothing can be
 * skewed, as upstream's MaxInt32 sentinel gives.
 */
export function minMatchNum(state: PreFilterState, i: number): number {
  const counts = state.tpValueToMatchNum[i]!;
  if (counts.size < state.constraints[i]!.minDomains) return 0;
  let min = Number.POSITIVE_INFINITY;
  for (const n of counts.values()) min = Math.min(min, n);
  return min;
}

/** upstream Filter: missing topology label is unresolvable; too much skew is unschedulable. */
export function filterNode(state: PreFilterState, pod: Pod, info: NodeInfo): Status {
  const podLabels = pod.metadata?.labels ?? {};
  for (let i = 0; i < state.constraints.length; i++) {
    const c = state.constraints[i]!;
    const value = labelValue(info.node, c.topologyKey);
    if (value === undefined) return unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
    const selfMatch = c.selector.matches(podLabels) ? 1 : 0;
    const matchNum = state.tpValueToMatchNum[i]!.get(value) ?? 0;
    if (matchNum + selfMatch - minMatchNum(state, i) > c.maxSkew) return unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
  }
  return SUCCESS;
}

/**
 * upstream updateWithPod (PreFilter's AddPod/RemovePod extensions, used by preemption): adjusts
 * the counts as if `other` were added (delta 1) to or removed (delta -1) from `info`'s node.
 */
export function updateWithPod(state: PreFilterState, other: Pod, pod: Pod, info: NodeInfo, delta: 1 | -1): void {
  if ((other.metadata?.namespace ?? '') !== (pod.metadata?.namespace ?? '')) return;
  if (!nodeHasAllTopologyKeys(info.node, state.constraints)) return;
  const affinity = requiredNodeAffinity(pod);
  const labels = other.metadata?.labels ?? {};
  state.constraints.forEach((c, i) => {
    if (!c.selector.matches(labels) || !nodeIncluded(c, pod, info.node, affinity)) return;
    const value = labelValue(info.node, c.topologyKey)!;
    const counts = state.tpValueToMatchNum[i]!;
    counts.set(value, (counts.get(value) ?? 0) + delta);
  });
}
