// NodeAffinity (upstream plugins/nodeaffinity): Filter keeps the nodes matching the pod's
// spec.nodeSelector AND its required node affinity (and the scheduler's addedAffinity, when
// configured); Score sums the weights of the preferred terms a node matches, normalized so the
// best node gets MAX_NODE_SCORE.
import type { NodeAffinity as NodeAffinitySpec, Pod } from 'kubernetes-types/core/v1.js';
import { FieldPath } from '../../../apimachinery/field-errors.js';
import { SelectorError } from '../../../apimachinery/labels.js';
import {
  type CycleState,
  type FilterPlugin,
  MAX_NODE_SCORE,
  type NodeInfo,
  type NodeScore,
  type PluginFactoryArgs,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
  type Snapshot,
  type Status,
  SUCCESS,
  unresolvable,
} from '../../framework/types.js';
import { defaultNormalizeScore } from '../helper/normalize.js';
import { type NodeSelectorMatcher, PreferredSchedulingTerms, RequiredNodeAffinity, newNodeSelector } from '../helper/node-affinity.js';

export const NODE_AFFINITY = 'NodeAffinity';
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";
export const ERR_REASON_ENFORCED = "node(s) didn't match scheduler-enforced node affinity";
export const ERR_REASON_CONFLICT = 'pod affinity terms conflict';
const PRE_FILTER_KEY = `PreFilter${NODE_AFFINITY}`;
const PRE_SCORE_KEY = `PreScore${NODE_AFFINITY}`;

/** NodeAffinityArgs from the scheduler configuration. */
export interface NodeAffinityArgs {
  /** Applied to every pod on top of its own affinity (upstream addedAffinity). */
  addedAffinity?: NodeAffinitySpec;
}

interface PreFilterState {
  required: RequiredNodeAffinity;
  /** Node names the pod's required terms pin it to via matchFields metadata.name In (upstream PreFilterResult). */
  nodeNames?: Set<string>;
}

interface PreScoreState {
  preferred?: PreferredSchedulingTerms;
}

const errorStatus = (message: string): Status => ({ code: 'Error', reasons: [message] });

/**
 * The node names the required terms allow, when every term pins names with
 * `metadata.name In [...]` (intersected within a term, united across terms); undefined when any
 * term leaves all nodes possible.
 */
function pinnedNodeNames(pod: Pod): Set<string> | undefined {
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length === 0) return undefined;
  const names = new Set<string>();
  for (const term of terms) {
    let termNames: Set<string> | undefined;
    for (const f of term.matchFields ?? []) {
      if (f.key !== 'metadata.name' || f.operator !== 'In') continue;
      const values = new Set(f.values ?? []);
      termNames = termNames ? new Set([...termNames].filter((n) => values.has(n))) : values;
    }
    if (!termNames) return undefined;
    for (const n of termNames) names.add(n);
  }
  return names;
}

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NODE_AFFINITY;
  /** The cluster events that may make a pod this plugin rejected fit (upstream EventsToRegister). */
  readonly events = ['NodeAdd', 'NodeLabelChange'] as const;
  private readonly addedNodeSelector?: NodeSelectorMatcher;
  private readonly addedPreferred?: PreferredSchedulingTerms;

  /** Throws when addedAffinity does not parse, as upstream's New does. */
  constructor(factoryArgs: PluginFactoryArgs = {}) {
    const added = (factoryArgs.args as NodeAffinityArgs | undefined)?.addedAffinity;
    const required = added?.requiredDuringSchedulingIgnoredDuringExecution;
    if (required) {
      try {
        this.addedNodeSelector = newNodeSelector(required, FieldPath.root('addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms'));
      } catch (e) {
        throw new Error(`parsing addedAffinity.requiredDuringSchedulingIgnoredDuringExecution: ${(e as Error).message}`);
      }
    }
    const preferred = added?.preferredDuringSchedulingIgnoredDuringExecution;
    if (preferred?.length) {
      try {
        this.addedPreferred = PreferredSchedulingTerms.parse(preferred, FieldPath.root('addedAffinity.preferredDuringSchedulingIgnoredDuringExecution'));
      } catch (e) {
        throw new Error(`parsing addedAffinity.preferredDuringSchedulingIgnoredDuringExecution: ${(e as Error).message}`);
      }
    }
  }

  preFilter(state: CycleState, pod: Pod, _snapshot?: Snapshot): Status {
    const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    // Upstream distinguishes a missing nodeSelector from an empty one: only a missing one skips.
    if (!required && !this.addedNodeSelector && (pod.spec?.nodeSelector === undefined || pod.spec?.nodeSelector === null)) {
      return { code: 'Skip', reasons: [] };
    }
    const s: PreFilterState = { required: new RequiredNodeAffinity(pod), nodeNames: pinnedNodeNames(pod) };
    state.write(PRE_FILTER_KEY, s);
    // Every term pins names, but no name survives: nothing can match.
    if (s.nodeNames && s.nodeNames.size === 0) return unresolvable(ERR_REASON_CONFLICT);
    return SUCCESS;
  }

  /** The node names PreFilter narrowed the pod to (upstream's PreFilterResult), or undefined for all. */
  preFilterNodeNames(state: CycleState): ReadonlySet<string> | undefined {
    return state.read<PreFilterState>(PRE_FILTER_KEY)?.nodeNames;
  }

  filter(state: CycleState, pod: Pod, node: NodeInfo): Status {
    if (this.addedNodeSelector && !this.addedNodeSelector.matches(node.node)) return unresolvable(ERR_REASON_ENFORCED);
    // Without PreFilter's state (PreFilter disabled) upstream computes it here.
    const required = state.read<PreFilterState>(PRE_FILTER_KEY)?.required ?? new RequiredNodeAffinity(pod);
    return required.matches(node.node) ? SUCCESS : unresolvable(ERR_REASON_POD);
  }

  preScore(state: CycleState, pod: Pod, _nodes?: NodeInfo[], _snapshot?: Snapshot): Status {
    let s: PreScoreState;
    try {
      s = { preferred: podPreferredTerms(pod) };
    } catch (e) {
      if (e instanceof SelectorError) return errorStatus(e.message);
      throw e;
    }
    if (!s.preferred && !this.addedPreferred) return { code: 'Skip', reasons: [] };
    state.write(PRE_SCORE_KEY, s);
    return SUCCESS;
  }

  score(state: CycleState, pod: Pod, node: NodeInfo): number {
    let count = this.addedPreferred?.score(node.node) ?? 0;
    // Without PreScore's state upstream parses the terms here (an unparsable term set scores nothing).
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    let preferred = s?.preferred;
    if (!s) {
      try {
        preferred = podPreferredTerms(pod);
      } catch (e) {
        if (!(e instanceof SelectorError)) throw e;
      }
    }
    if (preferred) count += preferred.score(node.node);
    return count;
  }

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): void {
    defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
  }
}

/** The pod's preferred terms parsed, or undefined when it has none; throws SelectorError on bad terms. */
function podPreferredTerms(pod: Pod): PreferredSchedulingTerms | undefined {
  const terms = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  return terms ? PreferredSchedulingTerms.parse(terms) : undefined;
}
