// What the replica controllers read off a pod: whether it still counts (active), whether it is
// Ready, since when, and whether it has been Ready long enough to be available (upstream's
// controller.IsPodActive and podutil.IsPodReady / IsPodAvailable).
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';

/** Not finished and not being deleted: a pod that still fills a replica slot. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

function readyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** Epoch ms of the Ready condition's last transition for a Ready pod; undefined if not Ready or unknown. */
export function podReadySince(pod: Pod): number | undefined {
  const c = readyCondition(pod);
  if (c?.status !== 'True' || !c.lastTransitionTime) return undefined;
  const t = Date.parse(c.lastTransitionTime);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * Ready for more than minReadySeconds at `now` (upstream compares with a strict Before). With
 * minReadySeconds 0 every Ready pod is available; a Ready pod without a transition time never is.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = podReadySince(pod);
  return since !== undefined && since + minReadySeconds * 1000 < now;
}

/** `namespace/name`, the key deletions are expected under (upstream controller.PodKey). */
export const podKey = (pod: Pod): string => `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
