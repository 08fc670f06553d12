// Which pods go first when scaling down (upstream's ActivePodsWithRanks ordering, used by
// getPodsToDelete). Earlier in the order means deleted first:
//   1. unassigned (no nodeName) before assigned;
//   2. phase Pending before Unknown before Running;
//   3. not Ready before Ready;
//   4. lower controller.kubernetes.io/pod-deletion-cost before higher;
//   5. more active related pods on the same node before fewer (spreads what remains);
//   6. both Ready: Ready for less time before longer;
//   7. more container restarts before fewer;
//   8. newer before older.
// Upstream compares 6 and 8 on a logarithmic time scale (LogarithmicScaleDown) with a uid
// tie-break; here they compare linearly, as upstream does with that gate off.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodActive, isPodReady, podReadySince } from './pod-state.js';

/** upstream core.PodDeletionCost annotation. */
export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** An unknown or missing phase sorts first, as a missing map entry is 0 upstream. */
const phaseOrdinal = (pod: Pod): number => PHASE_ORDINAL[pod.status?.phase ?? ''] ?? 0;

/**
 * The annotation as an int32; absent or malformed counts as 0 (upstream ignores the error). As
 * upstream's GetDeletionCostFromPodAnnotations, a leading `+` or leading zeros are malformed.
 */
export function deletionCost(pod: Pod): number {
  const raw = pod.metadata?.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (raw === undefined || !/^(0|[1-9]\d*|-\d+)$/.test(raw)) return 0;
  const n = Number(raw);
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : 0;
}

const maxRestarts = (pod: Pod): number => Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));

const createdAt = (pod: Pod): number | undefined => {
  const t = pod.metadata?.creationTimestamp ? Date.parse(pod.metadata.creationTimestamp) : NaN;
  return Number.isNaN(t) ? undefined : t;
};

/** upstream afterOrZero, as a comparison: an unknown time first, then the later one. */
function laterFirst(a: number | undefined, b: number | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return b - a;
}

export interface RankedPod {
  pod: Pod;
  /** Active related pods on the same node (rule 5). */
  rank: number;
}

/** Negative when `a` should be deleted before `b`. */
export function compareForDeletion(a: RankedPod, b: RankedPod): number {
  const na = a.pod.spec?.nodeName ?? '';
  const nb = b.pod.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
  const pa = phaseOrdinal(a.pod);
  const pb = phaseOrdinal(b.pod);
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a.pod);
  const rb = isPodReady(b.pod);
  if (ra !== rb) return ra ? 1 : -1;
  const ca = deletionCost(a.pod);
  const cb = deletionCost(b.pod);
  if (ca !== cb) return ca - cb;
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (ra && rb) {
    const byReady = laterFirst(podReadySince(a.pod), podReadySince(b.pod));
    if (byReady !== 0) return byReady;
  }
  const xa = maxRestarts(a.pod);
  const xb = maxRestarts(b.pod);
  if (xa !== xb) return xb - xa;
  return laterFirst(createdAt(a.pod), createdAt(b.pod));
}

/**
 * The `diff` pods of `pods` to delete. `related` are the pods of every ReplicaSet sharing this
 * one's controller (a Deployment's), used to rank pods by how crowded their node is; upstream
 * passes none for a ReplicaSet without a controller, so every rank is then 0.
 */
export function podsToDelete(pods: readonly Pod[], related: readonly Pod[], diff: number): Pod[] {
  if (diff >= pods.length) return [...pods];
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const node = p.spec?.nodeName ?? '';
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  // Array.prototype.sort is stable, so equal pods keep the informer's order.
  ranked.sort(compareForDeletion);
  return ranked.slice(0, diff).map((r) => r.pod);
}
