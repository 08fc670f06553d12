// How far a rolling update may go above and below the desired size (upstream deployment/util's
// ResolveFenceposts, MaxSurge, MaxUnavailable and NewRSNewReplicas).
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { getScaledValueFromIntOrPercent } from '../../apimachinery/intstr.js';
import { replicaCount } from './replicasets.js';

export const ROLLING_UPDATE = 'RollingUpdate';
export const RECREATE = 'Recreate';

export const isRollingUpdate = (d: Deployment): boolean => d.spec?.strategy?.type === ROLLING_UPDATE;

/** spec.replicas, which the API defaults to 1. */
export const desiredReplicas = (d: Deployment): number => d.spec?.replicas ?? 1;

/**
 * upstream ResolveFenceposts: maxSurge rounded up and maxUnavailable rounded down against the
 * desired size; when both come to zero, one pod may be unavailable (surge may be blocked by a
 * quota, so the rollout could not move otherwise). Throws on values that are neither ints nor
 * percentages (validation keeps them out).
 */
export function resolveFenceposts(
  surge: number | string | undefined,
  unavailable: number | string | undefined,
  desired: number,
): { maxSurge: number; maxUnavailable: number } {
  const s = getScaledValueFromIntOrPercent(surge ?? 0, desired, true);
  let u = getScaledValueFromIntOrPercent(unavailable ?? 0, desired, false);
  if (s === 0 && u === 0) u = 1;
  return { maxSurge: s, maxUnavailable: u };
}

function fenceposts(d: Deployment): { maxSurge: number; maxUnavailable: number } {
  const ru = d.spec?.strategy?.rollingUpdate;
  try {
    return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desiredReplicas(d));
  } catch {
    // upstream ignores the error here ("caught by validation") and gets zeros.
    return { maxSurge: 0, maxUnavailable: 0 };
  }
}

/** upstream MaxSurge: how many pods above spec.replicas a rolling update may run (0 for Recreate). */
export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? fenceposts(d).maxSurge : 0;
}

/** upstream MaxUnavailable: how many desired pods may be unavailable, at most spec.replicas. */
export function maxUnavailable(d: Deployment): number {
  const replicas = desiredReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  return Math.min(fenceposts(d).maxUnavailable, replicas);
}

/** upstream MinAvailable. */
export function minAvailable(d: Deployment): number {
  return isRollingUpdate(d) ? desiredReplicas(d) - maxUnavailable(d) : 0;
}

/**
 * upstream NewRSNewReplicas: the size the new RS may grow to now. Rolling: up to the desired size
 * while all sets together stay within replicas + maxSurge. Recreate: the desired size at once.
 */
export function newRSNewReplicas(d: Deployment, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet): number {
  const replicas = desiredReplicas(d);
  const current = newRS.spec?.replicas ?? 0;
  switch (d.spec?.strategy?.type) {
    case ROLLING_UPDATE: {
      const surge = getScaledValueFromIntOrPercent(d.spec?.strategy?.rollingUpdate?.maxSurge ?? 0, replicas, true);
      const maxTotal = replicas + surge;
      const total = replicaCount(allRSs);
      if (total >= maxTotal) return current;
      return current + Math.min(maxTotal - total, replicas - current);
    }
    case RECREATE:
      return replicas;
    default:
      throw new Error(`deployment type ${d.spec?.strategy?.type} isn't supported`);
  }
}
