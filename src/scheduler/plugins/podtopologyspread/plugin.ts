// The PodTopologySpread plugin (upstream pkg/scheduler/framework/plugins/podtopologyspread):
// DoNotSchedule constraints filter nodes, ScheduleAnyway constraints score them. Pods without
// constraints of their own get the configured defaults, but only when `selectorFor` finds the
// selector of a Service/RC/RS/StatefulSet they belong to.
import type { Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { type FieldError, FieldPath, fieldErrorString, forbidden, invalid, notSupported, required } from '../../../apimachinery/field-errors.js';
import type { Selector } from '../../../apimachinery/labels.js';
import type {
  CycleState,
  FilterPlugin,
  NodeInfo,
  NodeScore,
  PluginFactoryArgs,
  PodInfo,
  PreFilterPlugin,
  PreScorePlugin,
  ScorePlugin,
  Snapshot,
  Status,
} from '../../framework/types.js';
import { SUCCESS } from '../../framework/types.js';
import { type DefaultingConfig, SYSTEM_DEFAULT_CONSTRAINTS } from './common.js';
import { DomainCounts } from './domain-counts.js';
import { type PreFilterState, PRE_FILTER_STATE_KEY, computePreFilterState, filterNode, updateWithPod } from './filtering.js';
import { type PreScoreState, PRE_SCORE_STATE_KEY, computePreScoreState, normalizeScores, scoreNode } from './scoring.js';

export const NAME = 'PodTopologySpread';

export type DefaultingType = 'System' | 'List';

export interface PodTopologySpreadOptions {
  /** Constraints for pods without their own; must be empty with defaultingType System. */
  defaultConstraints?: TopologySpreadConstraint[];
  /** System (the default, as upstream's v1 config): upstream's built-in defaults; List: defaultConstraints. */
  defaultingType?: DefaultingType;
  /** The selector of the Services/RCs/RSs/StatefulSets the pod belongs to; without it no defaults apply. */
  selectorFor?: (pod: Pod) => Selector | LabelSelector | undefined;
}

const errorStatus = (msg: string): Status => ({ code: 'Error', reasons: [msg] });
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** upstream ValidatePodTopologySpreadArgs (the parts that do not need label-name validation). */
export function validatePodTopologySpreadOptions(opts: PodTopologySpreadOptions): FieldError[] {
  const errs: FieldError[] = [];
  const type = opts.defaultingType ?? 'System';
  const constraints = opts.defaultConstraints ?? [];
  if (type !== 'System' && type !== 'List') errs.push(notSupported('defaultingType', type, ['System', 'List']));
  else if (type === 'System' && constraints.length > 0) errs.push(invalid('defaultingType', type, 'when .defaultConstraints are not empty'));
  const base = FieldPath.root('defaultConstraints');
  constraints.forEach((c, i) => {
    const p = base.index(i);
    if (!(c.maxSkew > 0)) errs.push(invalid(p.child('maxSkew'), c.maxSkew, 'not in valid range (0, inf)'));
    if (!c.topologyKey) errs.push(required(p.child('topologyKey'), 'can not be empty'));
    if (!c.whenUnsatisfiable) errs.push(required(p.child('whenUnsatisfiable'), 'can not be empty'));
    else if (c.whenUnsatisfiable !== 'DoNotSchedule' && c.whenUnsatisfiable !== 'ScheduleAnyway') {
      errs.push(notSupported(p.child('whenUnsatisfiable'), c.whenUnsatisfiable, ['DoNotSchedule', 'ScheduleAnyway']));
    }
    if (c.labelSelector) errs.push(forbidden(p.child('labelSelector'), 'constraint must not define a selector, as they deduced for each pod'));
  });
  return errs;
}

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NAME;
  /** The cluster events that may make a pod this plugin rejected fit (upstream EventsToRegister). */
  readonly events = ['NodeAdd', 'NodeLabelChange', 'NodeTaintChange', 'AssignedPodAdd', 'AssignedPodLabelChange', 'AssignedPodDelete'] as const;
  /** Whether the defaults are upstream's system ones (they do not require every topology key on a node). */
  readonly systemDefaulted: boolean;
  private readonly defaulting: DefaultingConfig;
  private readonly domainCounts = new DomainCounts();

  /** Throws an Error with the validation messages when the options are invalid. */
  constructor(opts: PodTopologySpreadOptions = {}) {
    const errs = validatePodTopologySpreadOptions(opts);
    if (errs.length) throw new Error(errs.map(fieldErrorString).join(', '));
    this.systemDefaulted = (opts.defaultingType ?? 'System') === 'System';
    this.defaulting = {
      constraints: this.systemDefaulted ? SYSTEM_DEFAULT_CONSTRAINTS : [...(opts.defaultConstraints ?? [])],
      selectorFor: opts.selectorFor,
    };
  }

  /** Builds the plugin from pluginConfig args (`defaultConstraints`, `defaultingType`). */
  static fromArgs(factory: PluginFactoryArgs, selectorFor?: PodTopologySpreadOptions['selectorFor']): PodTopologySpread {
    const args = factory.args ?? {};
    return new PodTopologySpread({
      defaultConstraints: args.defaultConstraints as TopologySpreadConstraint[] | undefined,
      defaultingType: args.defaultingType as DefaultingType | undefined,
      selectorFor,
    });
  }

  preFilter(state: CycleState, pod: Pod, snapshot: Snapshot): Status {
    let s: PreFilterState;
    try {
      s = computePreFilterState(pod, snapshot.nodeInfos(), this.defaulting, this.domainCounts);
    } catch (e) {
      return errorStatus(`get constraints from pod: ${message(e)}`);
    }
    if (s.constraints.length === 0) return { code: 'Skip', reasons: [] };
    state.write(PRE_FILTER_STATE_KEY, s);
    return SUCCESS;
  }

  filter(state: CycleState, pod: Pod, node: NodeInfo): Status {
    const s = state.read<PreFilterState>(PRE_FILTER_STATE_KEY);
    if (!s) return errorStatus(`reading "${PRE_FILTER_STATE_KEY}" from cycleState: not found`);
    return filterNode(s, pod, node);
  }

  /** PreFilterExtensions.AddPod: counts `added` on `node` (preemption dry runs, nominated pods). */
  addPod(state: CycleState, pod: Pod, added: PodInfo, node: NodeInfo): Status {
    const s = state.read<PreFilterState>(PRE_FILTER_STATE_KEY);
    if (s) updateWithPod(s, added.pod, pod, node, 1);
    return SUCCESS;
  }

  /** PreFilterExtensions.RemovePod: stops counting `removed` on `node`. */
  removePod(state: CycleState, pod: Pod, removed: PodInfo, node: NodeInfo): Status {
    const s = state.read<PreFilterState>(PRE_FILTER_STATE_KEY);
    if (s) updateWithPod(s, removed.pod, pod, node, -1);
    return SUCCESS;
  }

  cloneState(from: CycleState, to: CycleState): void {
    const s = from.read<PreFilterState>(PRE_FILTER_STATE_KEY);
    if (s) to.write(PRE_FILTER_STATE_KEY, { constraints: s.constraints, tpValueToMatchNum: s.tpValueToMatchNum.map((m) => new Map(m)) });
  }

  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[], snapshot: Snapshot): Status {
    let s: PreScoreState | undefined;
    try {
      s = computePreScoreState(pod, nodes, snapshot.nodeInfos(), this.defaulting, this.systemDefaulted);
    } catch (e) {
      return errorStatus(`calculating preScoreState: ${message(e)}`);
    }
    if (!s) return { code: 'Skip', reasons: [] };
    state.write(PRE_SCORE_STATE_KEY, s);
    return SUCCESS;
  }

  /** The raw score (higher = more matching pods); 0 when PreScore did not run. */
  score(state: CycleState, pod: Pod, node: NodeInfo): number {
    const s = state.read<PreScoreState>(PRE_SCORE_STATE_KEY);
    return s ? scoreNode(s, pod, node) : 0;
  }

  normalizeScore(state: CycleState, _pod: Pod, scores: NodeScore[]): void {
    const s = state.read<PreScoreState>(PRE_SCORE_STATE_KEY);
    if (s) normalizeScores(s, scores);
  }
}
