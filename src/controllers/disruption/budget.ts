// What the disruption controller and the eviction subresource agree on about a budget: which pods
// it guards, when a pod counts as healthy, and the DisruptionAllowed condition (upstream's
// k8s.io/component-helpers/apps/poddisruptionbudget and the policy/v1 lister's pod matching).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Condition } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { rfc3339 } from '../../apimachinery/time.js';
import { type Selector, selectorFromLabelSelector } from '../../apimachinery/labels.js';
import { isPodReady } from '../replicaset/pod-state.js';

export { isPodReady };

export const DISRUPTION_ALLOWED_CONDITION = 'DisruptionAllowed';
export const SUFFICIENT_PODS_REASON = 'SufficientPods';
export const INSUFFICIENT_PODS_REASON = 'InsufficientPods';
export const SYNC_FAILED_REASON = 'SyncFailed';
/** The StatusCause type of a refused eviction (policy/v1 DisruptionBudgetCause). */
export const DISRUPTION_BUDGET_CAUSE = 'DisruptionBudget';
/**
 * How long an entry of status.disruptedPods stands for a pod about to go (upstream
 * DeletionTimeout): a pod not marked for deletion by then counts again.
 */
export const DELETION_TIMEOUT_MS = 2 * 60_000;

export type UnhealthyPodEvictionPolicy = 'IfHealthyBudget' | 'AlwaysAllow';

/**
 * The budget's pod selector; undefined when it cannot be parsed. policy/v1 semantics: a missing
 * selector selects nothing, an empty one every pod of the namespace.
 */
export function budgetSelector(pdb: PodDisruptionBudget): Selector | undefined {
  try {
    return selectorFromLabelSelector(pdb.spec?.selector);
  } catch {
    return undefined;
  }
}

/** Whether the budget guards the pod: same namespace, and its (parsable) selector matches. */
export function budgetGuards(pdb: PodDisruptionBudget, pod: Pod): boolean {
  if ((pdb.metadata?.namespace ?? '') !== (pod.metadata?.namespace ?? '')) return false;
  return budgetSelector(pdb)?.matches(pod.metadata?.labels ?? {}) ?? false;
}

/** The budgets among `pdbs` guarding the pod, in the order given. */
export const budgetsGuarding = (pdbs: readonly PodDisruptionBudget[], pod: Pod): PodDisruptionBudget[] => pdbs.filter((b) => budgetGuards(b, pod));

/** spec.unhealthyPodEvictionPolicy, IfHealthyBudget when unset. */
export const unhealthyPodEvictionPolicy = (pdb: PodDisruptionBudget): UnhealthyPodEvictionPolicy =>
  pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' ? 'AlwaysAllow' : 'IfHealthyBudget';

export type NewCondition = Omit<Condition, 'lastTransitionTime'> & { lastTransitionTime?: string };

/**
 * upstream apimeta.SetStatusCondition: adds the condition, or updates the one of its type; the
 * transition time moves only when the status changes. Returns a new list.
 */
export function setStatusCondition(conditions: readonly Condition[] | undefined, c: NewCondition, now: Date = new Date()): Condition[] {
  const list = (conditions ?? []).map((x) => ({ ...x }));
  const existing = list.find((x) => x.type === c.type);
  if (!existing) {
    list.push({ ...c, lastTransitionTime: c.lastTransitionTime ?? rfc3339(now) });
    return list;
  }
  if (existing.status !== c.status) {
    existing.status = c.status;
    existing.lastTransitionTime = c.lastTransitionTime ?? rfc3339(now);
  }
  existing.reason = c.reason;
  existing.message = c.message;
  if (c.observedGeneration === undefined) delete existing.observedGeneration;
  else existing.observedGeneration = c.observedGeneration;
  return list;
}

/** The DisruptionAllowed condition a status's disruptionsAllowed calls for (reason, status). */
function allowedCondition(status: PodDisruptionBudgetStatus): NewCondition {
  const allowed = status.disruptionsAllowed > 0;
  return {
    type: DISRUPTION_ALLOWED_CONDITION,
    status: allowed ? 'True' : 'False',
    reason: allowed ? SUFFICIENT_PODS_REASON : INSUFFICIENT_PODS_REASON,
    message: '',
    observedGeneration: status.observedGeneration,
  };
}

/** upstream UpdateDisruptionAllowedCondition: the status with its condition set from disruptionsAllowed. */
export function withDisruptionAllowedCondition(status: PodDisruptionBudgetStatus, now: Date = new Date()): PodDisruptionBudgetStatus {
  return { ...status, conditions: setStatusCondition(status.conditions, allowedCondition(status), now) };
}

/** upstream ConditionsAreUpToDate: the condition exists, matches disruptionsAllowed, and the generation was observed. */
export function conditionsAreUpToDate(pdb: PodDisruptionBudget): boolean {
  const status = pdb.status;
  const cond = status?.conditions?.find((c) => c.type === DISRUPTION_ALLOWED_CONDITION);
  if (!status || !cond) return false;
  if ((status.observedGeneration ?? 0) !== (pdb.metadata?.generation ?? 0)) return false;
  const want = allowedCondition(status);
  return cond.status === want.status && cond.reason === want.reason;
}

/** A failed sync: no disruptions, and a SyncFailed condition saying why (upstream failSafe). */
export function failSafeStatus(pdb: PodDisruptionBudget, message: string, now: Date = new Date()): PodDisruptionBudgetStatus {
  const status: PodDisruptionBudgetStatus = { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, ...pdb.status, disruptionsAllowed: 0 };
  status.conditions = setStatusCondition(
    status.conditions,
    { type: DISRUPTION_ALLOWED_CONDITION, status: 'False', reason: SYNC_FAILED_REASON, message, observedGeneration: status.observedGeneration },
    now,
  );
  return status;
}
