// Toleration matching as upstream's core/v1 Toleration.ToleratesTaint and component-helpers'
// TolerationsTolerateTaint / FindMatchingUntoleratedTaint, shared by TaintToleration,
// NodeUnschedulable and (later) other plugins that look at taints.
import type { Taint, Toleration } from 'kubernetes-types/core/v1.js';

/** The taint upstream puts on cordoned nodes; tolerating it also tolerates spec.unschedulable. */
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/**
 * Whether one toleration tolerates one taint: an empty effect matches every effect, an empty key
 * every key; operator Exists ignores the value, Equal (or empty) compares it exactly. Any other
 * operator tolerates nothing.
 */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? '') {
    case '':
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/** The first taint passing `filter` that no toleration tolerates, or undefined when all are tolerated. */
export function findMatchingUntoleratedTaint(
  taints: Taint[] | undefined,
  tolerations: Toleration[] | undefined,
  filter: (t: Taint) => boolean = () => true,
): Taint | undefined {
  for (const taint of taints ?? []) {
    if (filter(taint) && !tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}

/** upstream helper.DoNotScheduleTaintsFilterFunc: the taints that keep pods off a node. */
export const doNotScheduleTaintsFilter = (t: Taint): boolean => t.effect === 'NoSchedule' || t.effect === 'NoExecute';
