// The plugin's internal view of topology spread constraints (upstream podtopologyspread/common.go):
// parsed selectors with matchLabelKeys merged in, the nil-field defaults (minDomains 1,
// nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore), and the per-node counting both phases share.
import type { Node, Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { Selector, selectorFromLabelSelector, selectorFromSet } from '../../../apimachinery/labels.js';
import type { NodeInfo, PodInfo } from '../../framework/types.js';
import { type NodeMatcher, hasUntoleratedScheduleTaint } from './node-inclusion.js';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';

export type UnsatisfiableAction = 'DoNotSchedule' | 'ScheduleAnyway';
export type NodeInclusionPolicy = 'Honor' | 'Ignore';

export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  selector: Selector;
  minDomains: number;
  nodeAffinityPolicy: NodeInclusionPolicy;
  nodeTaintsPolicy: NodeInclusionPolicy;
}

/** upstream's systemDefaultConstraints: soft spreading over hostnames (skew 3) and zones (skew 5). */
export const SYSTEM_DEFAULT_CONSTRAINTS: readonly TopologySpreadConstraint[] = Object.freeze([
  { topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: LABEL_TOPOLOGY_ZONE, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
]);

/**
 * upstream mergeLabelSetWithSelector: the pod's values for matchLabelKeys become `k=v`
 * requirements next to the selector's own. A selector that matches nothing stays so.
 */
function mergeMatchLabelKeys(selector: Selector, keys: string[], podLabels: Record<string, string>): Selector {
  const set: Record<string, string> = {};
  for (const k of keys) {
    if (Object.prototype.hasOwnProperty.call(podLabels, k)) set[k] = podLabels[k]!;
  }
  if (Object.keys(set).length === 0 || selector.matchesNothing()) return selector;
  return selectorFromSet(set).add(...selector.requirements);
}

/** upstream filterTopologySpreadConstraints: the constraints with this action, parsed. Throws SelectorError. */
export function filterConstraints(
  constraints: readonly TopologySpreadConstraint[],
  podLabels: Record<string, string>,
  action: UnsatisfiableAction,
): SpreadConstraint[] {
  const out: SpreadConstraint[] = [];
  for (const c of constraints) {
    if (c.whenUnsatisfiable !== action) continue;
    let selector = selectorFromLabelSelector(c.labelSelector);
    if (c.matchLabelKeys?.length) selector = mergeMatchLabelKeys(selector, c.matchLabelKeys, podLabels);
    out.push({
      maxSkew: c.maxSkew,
      topologyKey: c.topologyKey,
      selector,
      minDomains: c.minDomains ?? 1,
      nodeAffinityPolicy: (c.nodeAffinityPolicy as NodeInclusionPolicy | undefined) ?? 'Honor',
      nodeTaintsPolicy: (c.nodeTaintsPolicy as NodeInclusionPolicy | undefined) ?? 'Ignore',
    });
  }
  return out;
}

/** What the plugin needs to build default constraints for pods that declare none. */
export interface DefaultingConfig {
  constraints: readonly TopologySpreadConstraint[];
  /** The pod's owners' selector (upstream helper.DefaultSelector over services, RCs, RSs, StatefulSets). */
  selectorFor?: (pod: Pod) => Selector | LabelSelector | undefined;
}

/** upstream buildDefaultConstraints: default constraints only apply when the pod has an owner selector. */
export function buildDefaultConstraints(pod: Pod, cfg: DefaultingConfig, action: UnsatisfiableAction): SpreadConstraint[] {
  const constraints = filterConstraints(cfg.constraints, pod.metadata?.labels ?? {}, action);
  if (constraints.length === 0 || !cfg.selectorFor) return [];
  const found = cfg.selectorFor(pod);
  if (!found) return [];
  const selector = found instanceof Selector ? found : selectorFromLabelSelector(found);
  if (selector.isEmpty()) return [];
  return constraints.map((c) => ({ ...c, selector }));
}

/** The pod's own constraints with this action, or the defaults when it declares none. */
export function constraintsFor(pod: Pod, cfg: DefaultingConfig, action: UnsatisfiableAction): SpreadConstraint[] {
  const own = pod.spec?.topologySpreadConstraints ?? [];
  if (own.length > 0) return filterConstraints(own, pod.metadata?.labels ?? {}, action);
  return buildDefaultConstraints(pod, cfg, action);
}

const hasLabel = (node: Node, key: string) => Object.prototype.hasOwnProperty.call(node.metadata?.labels ?? {}, key);

/** upstream nodeLabelsMatchSpreadConstraints: the node carries every constraint's topology key. */
export function nodeHasAllTopologyKeys(node: Node, constraints: readonly SpreadConstraint[]): boolean {
  return constraints.every((c) => hasLabel(node, c.topologyKey));
}

/** upstream matchNodeInclusionPolicies: whether the node counts as a domain for this constraint. */
export function nodeIncluded(c: SpreadConstraint, pod: Pod, node: Node, affinity: NodeMatcher): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !affinity(node)) return false;
  if (c.nodeTaintsPolicy === 'Honor' && hasUntoleratedScheduleTaint(pod, node)) return false;
  return true;
}

/**
 * upstream countPodsMatchSelector: pods of the namespace the selector matches, terminating pods
 * left out (#87621); an empty selector counts nothing.
 */
export function countMatchingPods(pods: readonly PodInfo[], selector: Selector, namespace: string): number {
  if (selector.isEmpty()) return 0;
  let n = 0;
  for (const { pod } of pods) {
    if (pod.metadata?.deletionTimestamp || (pod.metadata?.namespace ?? '') !== namespace) continue;
    if (selector.matches(pod.metadata?.labels ?? {})) n++;
  }
  return n;
}

/** A memo key for countMatchingPodsOn: the namespace and the selector's canonical text. */
export const matchKey = (selector: Selector, namespace: string): string => `${namespace}\u0000${selector.toString()}`;

const memo = new WeakMap<NodeInfo, { generation: number; counts: Map<string, number> }>();

/**
 * countMatchingPods over a node's pods, remembered per NodeInfo until it changes (its generation):
 * a cycle recounts only the nodes that changed since the last, not every pod of the cluster.
 */
export function countMatchingPodsOn(info: NodeInfo, selector: Selector, namespace: string, key: string): number {
  let m = memo.get(info);
  if (!m || m.generation !== info.generation) {
    m = { generation: info.generation, counts: new Map() };
    memo.set(info, m);
  }
  let n = m.counts.get(key);
  if (n === undefined) {
    n = countMatchingPods(info.pods, selector, namespace);
    m.counts.set(key, n);
  }
  return n;
}

export const labelValue = (node: Node, key: string): string | undefined =>
  hasLabel(node, key) ? node.metadata!.labels![key] : undefined;
