// Which nodes count as topology domains for a pod (nodeAffinityPolicy / nodeTaintsPolicy): the
// pod's required node affinity (component-helpers nodeaffinity.GetRequiredNodeAffinity) and its
// tolerations of NoSchedule/NoExecute taints (v1helper.FindMatchingUntoleratedTaint with the
// DoNotSchedule filter). Kept here, small, because no shared scheduler helper exists yet.
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { type SelectorOperator, newRequirement, requirementMatches } from '../../../apimachinery/labels.js';

const NODE_SELECTOR_OPERATORS: Record<string, SelectorOperator> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
  Gt: 'gt',
  Lt: 'lt',
};

/** A matchExpressions entry against node labels; an invalid one (bad operator, values) matches nothing. */
function expressionMatches(r: NodeSelectorRequirement, labels: Record<string, string>): boolean {
  const op = NODE_SELECTOR_OPERATORS[r.operator];
  if (!op) return false;
  try {
    return requirementMatches(newRequirement(r.key, op, [...(r.values ?? [])]), labels);
  } catch {
    // upstream drops terms that fail to parse ("ignore parsing errors for backwards compatibility").
    return false;
  }
}

/** A matchFields entry: only metadata.name with In/NotIn and exactly one value is valid upstream. */
function fieldMatches(r: NodeSelectorRequirement, node: Node): boolean {
  if (r.key !== 'metadata.name' || (r.values ?? []).length !== 1) return false;
  const name = node.metadata?.name ?? '';
  if (r.operator === 'In') return name === r.values![0];
  if (r.operator === 'NotIn') return name !== r.values![0];
  return false;
}

/** A term with neither expressions nor fields matches no node (upstream nodeaffinity). */
function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata?.labels ?? {};
  return exprs.every((e) => expressionMatches(e, labels)) && fields.every((f) => fieldMatches(f, node));
}

export type NodeMatcher = (node: Node) => boolean;

/** The pod's spec.nodeSelector and required node affinity terms (ORed), as one node predicate. */
export function requiredNodeAffinity(pod: Pod): NodeMatcher {
  const selector = pod.spec?.nodeSelector ?? {};
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return (node) => {
    const labels = node.metadata?.labels ?? {};
    for (const [k, v] of Object.entries(selector)) {
      if (!Object.prototype.hasOwnProperty.call(labels, k) || labels[k] !== v) return false;
    }
    if (!required) return true;
    return (required.nodeSelectorTerms ?? []).some((t) => termMatches(t, node));
  };
}

/** upstream Toleration.ToleratesTaint: empty effect/key with Exists are wildcards. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator || 'Equal';
  if (op === 'Exists') return true;
  if (op === 'Equal') return (t.value ?? '') === (taint.value ?? '');
  return false;
}

/** True when the node has a NoSchedule/NoExecute taint none of the pod's tolerations tolerates. */
export function hasUntoleratedScheduleTaint(pod: Pod, node: Node): boolean {
  const tolerations = pod.spec?.tolerations ?? [];
  return (node.spec?.taints ?? []).some(
    (taint) => (taint.effect === 'NoSchedule' || taint.effect === 'NoExecute') && !tolerations.some((t) => toleratesTaint(t, taint)),
  );
}
