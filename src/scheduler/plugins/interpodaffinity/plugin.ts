// The InterPodAffinity plugin (upstream pkg/scheduler/framework/plugins/interpodaffinity):
// required pod affinity / anti-affinity as Filter, preferred terms (both the incoming pod's and
// the existing pods') as Score. The work lives in filtering.ts and scoring.ts.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { IncrementalTopologyCounts } from './incremental.js';
import {
  SUCCESS,
  unresolvable,
  unschedulable,
  type CycleState,
  type FilterPlugin,
  type NodeInfo,
  type NodeScore,
  type PodInfo,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
  type Snapshot,
  type Status,
} from '../../framework/types.js';
import {
  clonePreFilterState,
  computePreFilterState,
  ERR_REASON_AFFINITY_RULES_NOT_MATCH,
  ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH,
  ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH,
  memoNamespaceLabels,
  satisfiesExistingPodsAntiAffinity,
  satisfiesPodAffinity,
  satisfiesPodAntiAffinity,
  updateWithPod,
  type PreFilterState,
} from './filtering.js';
import { computeTopologyScores, normalizeMinMax, scoreNode, type PreScoreState } from './scoring.js';
import { affinityTermsOf, type NamespaceLabels } from './terms.js';

export const NAME = 'InterPodAffinity';
export const DEFAULT_HARD_POD_AFFINITY_WEIGHT = 1;
const PRE_FILTER_KEY = 'PreFilter' + NAME;
const PRE_SCORE_KEY = 'PreScore' + NAME;

export interface InterPodAffinityArgs {
  /** Score weight of existing pods' required affinity terms matching the incoming pod, 0..100 (upstream default 1). */
  hardPodAffinityWeight?: number;
  /** Score only the incoming pod's preferred terms, ignoring existing pods' (upstream IgnorePreferredTermsOfExistingPods). */
  ignorePreferredTermsOfExistingPods?: boolean;
  /** Labels of a namespace, for namespaceSelector; without it only `namespaceSelector: {}` selects any namespace. */
  namespaceLabels?: NamespaceLabels;
  /** kubets tuning, not upstream's: walk at most this many nodes directly before keeping counts across cycles (default 64). */
  memoMinNodes?: number;
}

const missingState = (key: string): Status => ({ code: 'Error', reasons: [`error reading "${key}" from cycleState: not found`] });

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  /** The cluster events that may make a pod this plugin rejected fit (upstream EventsToRegister). */
  readonly events = ['NodeAdd', 'NodeLabelChange', 'AssignedPodAdd', 'AssignedPodLabelChange', 'AssignedPodDelete'] as const;
  readonly hardPodAffinityWeight: number;
  readonly ignorePreferredTermsOfExistingPods: boolean;
  private readonly namespaceLabels: NamespaceLabels | undefined;
  private readonly memo: IncrementalTopologyCounts;

  constructor(args: InterPodAffinityArgs = {}) {
    const w = args.hardPodAffinityWeight ?? DEFAULT_HARD_POD_AFFINITY_WEIGHT;
    // upstream ValidateInterPodAffinityArgs.
    if (!Number.isInteger(w) || w < 0 || w > 100) throw new Error(`hardPodAffinityWeight: Invalid value: ${w}: not in valid range [0-100]`);
    this.hardPodAffinityWeight = w;
    this.ignorePreferredTermsOfExistingPods = args.ignorePreferredTermsOfExistingPods ?? false;
    this.namespaceLabels = args.namespaceLabels;
    this.memo = new IncrementalTopologyCounts(args.memoMinNodes);
  }

  preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): Status {
    const terms = affinityTermsOf(pod);
    if (terms.parseError) return unresolvable(`parsing pod: ${terms.parseError}`);
    const s = computePreFilterState(pod, terms, snapshot, this.namespaceLabels, this.memo);
    if (s.existingAntiAffinityCounts.size === 0 && terms.requiredAffinity.length === 0 && terms.requiredAntiAffinity.length === 0) {
      return { code: 'Skip', reasons: [] };
    }
    state.write(PRE_FILTER_KEY, s);
    return SUCCESS;
  }

  filter(state: CycleState, _pod: Pod, node: NodeInfo): Status {
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (!s) return missingState(PRE_FILTER_KEY);
    // Affinity failures are not fixed by preempting pods, hence UnschedulableAndUnresolvable (as upstream).
    if (!satisfiesPodAffinity(s, node)) return unresolvable(ERR_REASON_AFFINITY_RULES_NOT_MATCH);
    if (!satisfiesPodAntiAffinity(s, node)) return unschedulable(ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH);
    if (!satisfiesExistingPodsAntiAffinity(s, node)) return unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH);
    return SUCCESS;
  }

  /** PreFilterExtensions.AddPod: the Filter state as if `added` ran on `node` (preemption dry runs). */
  addPod(state: CycleState, _podToSchedule: Pod, added: PodInfo, node: NodeInfo): Status {
    return this.update(state, added, node, 1);
  }

  /** PreFilterExtensions.RemovePod: the Filter state as if `removed` were gone from `node`. */
  removePod(state: CycleState, _podToSchedule: Pod, removed: PodInfo, node: NodeInfo): Status {
    return this.update(state, removed, node, -1);
  }

  /** A copy of this cycle's Filter state for a dry run that must not disturb it (upstream StateData.Clone). */
  cloneState(from: CycleState, to: CycleState): void {
    const s = from.read<PreFilterState>(PRE_FILTER_KEY);
    if (s) to.write(PRE_FILTER_KEY, clonePreFilterState(s));
  }

  private update(state: CycleState, p: PodInfo, node: NodeInfo, delta: number): Status {
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (!s) return missingState(PRE_FILTER_KEY);
    updateWithPod(s, p, node.node, delta);
    return SUCCESS;
  }

  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[], snapshot: Snapshot): Status {
    if (nodes.length === 0) return { code: 'Skip', reasons: [] };
    const terms = affinityTermsOf(pod);
    if (terms.parseError) return { code: 'Error', reasons: [`failed to parse pod: ${terms.parseError}`] };
    const topologyScore = computeTopologyScores(pod, terms, snapshot, memoNamespaceLabels(this.namespaceLabels), {
      hardPodAffinityWeight: this.hardPodAffinityWeight,
      ignorePreferredTermsOfExistingPods: this.ignorePreferredTermsOfExistingPods,
    }, this.memo);
    if (!topologyScore) return { code: 'Skip', reasons: [] };
    state.write(PRE_SCORE_KEY, { topologyScore } satisfies PreScoreState);
    return SUCCESS;
  }

  /** Raw score: may be negative; normalizeScore maps it into 0..100. 0 without PreScore state. */
  score(state: CycleState, _pod: Pod, node: NodeInfo): number {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    return s ? scoreNode(s.topologyScore, node) : 0;
  }

  normalizeScore(state: CycleState, _pod: Pod, scores: NodeScore[]): void {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    if (!s || s.topologyScore.size === 0) return;
    normalizeMinMax(scores);
  }
}
