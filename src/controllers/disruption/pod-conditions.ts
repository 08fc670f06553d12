// The DisruptionTarget pod condition: the eviction subresource sets it (True, reason
// EvictionByEvictionAPI) just before deleting a pod, and the disruption controller turns it False
// when no deletion followed within STALE_DISRUPTION_TIMEOUT_MS (upstream's
// nonTerminatingPodHasStaleDisruptionCondition and syncStalePodDisruption). Conditions change
// as upstream's podutil.UpdatePodCondition changes them.
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../../apimachinery/time.js';

export const DISRUPTION_TARGET = 'DisruptionTarget';
export const EVICTION_BY_EVICTION_API = 'EvictionByEvictionAPI';
/** The kubelet's own reason: such a condition may stand arbitrarily long before termination. */
export const TERMINATION_BY_KUBELET = 'TerminationByKubelet';
export const STALE_DISRUPTION_TIMEOUT_MS = 2 * 60_000;

/**
 * Sets a condition of a pod status's list (a new list): added when missing, else replaced, its
 * transition time kept while the status stays. Returns undefined when nothing would change.
 */
export function updatePodCondition(
  conditions: readonly PodCondition[] | undefined,
  cond: Omit<PodCondition, 'lastTransitionTime'>,
  now: Date = new Date(),
): PodCondition[] | undefined {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === cond.type);
  const next: PodCondition = { ...cond, lastTransitionTime: rfc3339(now) };
  if (i < 0) return [...list, next];
  const old = list[i]!;
  if (old.status === next.status) next.lastTransitionTime = old.lastTransitionTime;
  const same =
    old.status === next.status &&
    (old.reason ?? '') === (next.reason ?? '') &&
    (old.message ?? '') === (next.message ?? '') &&
    (old.lastProbeTime ?? null) === (next.lastProbeTime ?? null) &&
    old.lastTransitionTime === next.lastTransitionTime;
  if (same) return undefined;
  list[i] = next;
  return list;
}

const isTerminal = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/**
 * For a pod not being deleted and not finished whose DisruptionTarget condition is True (and not
 * the kubelet's): ms until that condition counts as stale (0: already). Undefined otherwise.
 */
export function staleDisruptionWait(pod: Pod, timeoutMs: number, now: number): number | undefined {
  if (pod.metadata?.deletionTimestamp) return undefined;
  const cond = pod.status?.conditions?.find((c) => c.type === DISRUPTION_TARGET);
  if (!cond || cond.status !== 'True' || cond.reason === TERMINATION_BY_KUBELET || isTerminal(pod)) return undefined;
  const since = cond.lastTransitionTime ? Date.parse(cond.lastTransitionTime) : NaN;
  // A condition of unknown age is treated as old.
  if (Number.isNaN(since)) return 0;
  return Math.max(0, timeoutMs - (now - since));
}

/** The pod (a copy) with its DisruptionTarget condition False, or undefined when already so. */
export function clearedDisruptionTarget(pod: Pod, now: Date = new Date()): Pod | undefined {
  const conditions = updatePodCondition(pod.status?.conditions, { type: DISRUPTION_TARGET, status: 'False' }, now);
  if (!conditions) return undefined;
  const copy = structuredClone(pod);
  return { ...copy, status: { ...copy.status, conditions } };
}

/** The pod's conditions with DisruptionTarget True as the eviction subresource sets it, or undefined when already so. */
export const evictionDisruptionTarget = (pod: Pod, now: Date = new Date()): PodCondition[] | undefined =>
  updatePodCondition(pod.status?.conditions, { type: DISRUPTION_TARGET, status: 'True', reason: EVICTION_BY_EVICTION_API, message: 'Eviction API: evicting' }, now);
