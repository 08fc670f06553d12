// TaintToleration (upstream plugins/tainttoleration): Filter refuses nodes with a NoSchedule or
// NoExecute taint the pod does not tolerate; Score counts the PreferNoSchedule taints it does not
// tolerate, and NormalizeScore reverses that so the node with the fewest scores MAX_NODE_SCORE.
import type { Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import {
  type CycleState,
  type FilterPlugin,
  MAX_NODE_SCORE,
  type NodeInfo,
  type NodeScore,
  type PreScorePlugin,
  type ScorePlugin,
  type Snapshot,
  type Status,
  SUCCESS,
  unresolvable,
} from '../../framework/types.js';
import { defaultNormalizeScore } from '../helper/normalize.js';
import { doNotScheduleTaintsFilter, findMatchingUntoleratedTaint, tolerationsTolerateTaint } from '../helper/taints.js';

export const TAINT_TOLERATION = 'TaintToleration';
const PRE_SCORE_KEY = `PreScore${TAINT_TOLERATION}`;

/** upstream's Filter reason, naming the first untolerated taint. */
export const untoleratedTaintReason = (t: Taint): string => `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;

/** Tolerations that can tolerate a PreferNoSchedule taint: that effect, or no effect (all effects). */
function preferNoScheduleTolerations(tolerations: Toleration[] | undefined): Toleration[] {
  return (tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
}

/** The number of the node's PreferNoSchedule taints none of the tolerations tolerates. */
export function countIntolerablePreferNoSchedule(taints: Taint[] | undefined, tolerations: Toleration[]): number {
  let n = 0;
  for (const taint of taints ?? []) {
    if (taint.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tolerations, taint)) n++;
  }
  return n;
}

export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = TAINT_TOLERATION;
  /** The cluster events that may make a pod this plugin rejected fit (upstream EventsToRegister). */
  readonly events = ['NodeAdd', 'NodeTaintChange'] as const;

  filter(_state: CycleState, pod: Pod, node: NodeInfo): Status {
    const taint = findMatchingUntoleratedTaint(node.node.spec?.taints, pod.spec?.tolerations, doNotScheduleTaintsFilter);
    return taint ? unresolvable(untoleratedTaintReason(taint)) : SUCCESS;
  }

  preScore(state: CycleState, pod: Pod, _nodes?: NodeInfo[], _snapshot?: Snapshot): Status {
    state.write(PRE_SCORE_KEY, preferNoScheduleTolerations(pod.spec?.tolerations));
    return SUCCESS;
  }

  score(state: CycleState, pod: Pod, node: NodeInfo): number {
    // Upstream fails without PreScore's state; recomputing it is equivalent and cheap.
    const tolerations = state.read<Toleration[]>(PRE_SCORE_KEY) ?? preferNoScheduleTolerations(pod.spec?.tolerations);
    return countIntolerablePreferNoSchedule(node.node.spec?.taints, tolerations);
  }

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): void {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
  }
}
