// The status a replica controller reports (upstream's calculateStatus and the equality check of
// updateReplicaSetStatus). ReplicaSetStatus and ReplicationControllerStatus have the same shape,
// so one calculation serves both.
import type { ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { selectorFromSet } from '../../apimachinery/labels.js';
import { rfc3339 } from '../../apimachinery/time.js';
import { isPodAvailable, isPodReady, podReadySince } from './pod-state.js';

export type ReplicaStatus = ReplicaSetStatus;
export type ReplicaCondition = ReplicaSetCondition;

/** upstream apps.ReplicaSetReplicaFailure. */
export const REPLICA_FAILURE = 'ReplicaFailure';

/** What the calculation needs of a ReplicaSet or ReplicationController. */
export interface ReplicaSpecView {
  replicas: number;
  minReadySeconds: number;
  templateLabels: Record<string, string> | undefined;
  status: ReplicaStatus | undefined;
}


/**
 * The new status (without observedGeneration, which is stamped when writing) from the active
 * pods the controller owns and the outcome of its create/delete step. A failed step adds a
 * ReplicaFailure condition (FailedCreate when short of pods, FailedDelete when over) unless one
 * is already there; a clean step removes it.
 */
export function calculateStatus(view: ReplicaSpecView, pods: readonly Pod[], manageError: unknown, now: number): ReplicaStatus {
  const template = selectorFromSet(view.templateLabels);
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (template.matches(pod.metadata?.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, view.minReadySeconds, now)) available++;
    }
  }
  let conditions = [...(view.status?.conditions ?? [])];
  const hasFailure = conditions.some((c) => c.type === REPLICA_FAILURE);
  if (manageError !== undefined && !hasFailure) {
    const diff = pods.length - view.replicas;
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions.push({
      type: REPLICA_FAILURE,
      status: 'True',
      lastTransitionTime: rfc3339(new Date(now)),
      reason,
      message: manageError instanceof Error ? manageError.message : String(manageError),
    });
  } else if (manageError === undefined && hasFailure) {
    conditions = conditions.filter((c) => c.type !== REPLICA_FAILURE);
  }
  const status: ReplicaStatus = {
    ...view.status,
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
  };
  if (conditions.length > 0) status.conditions = conditions;
  else delete status.conditions;
  return status;
}

/**
 * Milliseconds until the next Ready pod becomes available (its Ready time plus minReadySeconds
 * passes), or undefined if none is waiting: the controller looks again then, so availability is
 * noticed without any pod event (upstream's FindMinNextPodAvailabilityCheck).
 */
export function nextAvailabilityCheckMs(pods: readonly Pod[], minReadySeconds: number, now: number): number | undefined {
  if (minReadySeconds <= 0) return undefined;
  let next: number | undefined;
  for (const pod of pods) {
    if (!isPodReady(pod) || isPodAvailable(pod, minReadySeconds, now)) continue;
    const since = podReadySince(pod);
    if (since === undefined) continue;
    const wait = Math.max(0, since + minReadySeconds * 1000 - now);
    if (next === undefined || wait < next) next = wait;
  }
  return next;
}

function conditionsEqual(a: readonly ReplicaCondition[] | undefined, b: readonly ReplicaCondition[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return (
    x.length === y.length &&
    x.every((c, i) => {
      const d = y[i]!;
      return c.type === d.type && c.status === d.status && c.reason === d.reason && c.message === d.message && c.lastTransitionTime === d.lastTransitionTime;
    })
  );
}

/** Whether writing `next` would change anything (counts, conditions, or an unobserved generation). */
export function statusNeedsUpdate(current: ReplicaStatus | undefined, next: ReplicaStatus, generation: number | undefined): boolean {
  const c = current;
  return !(
    (c?.replicas ?? 0) === next.replicas &&
    (c?.fullyLabeledReplicas ?? 0) === (next.fullyLabeledReplicas ?? 0) &&
    (c?.readyReplicas ?? 0) === (next.readyReplicas ?? 0) &&
    (c?.availableReplicas ?? 0) === (next.availableReplicas ?? 0) &&
    (c?.observedGeneration ?? 0) === (generation ?? 0) &&
    conditionsEqual(c?.conditions, next.conditions)
  );
}
