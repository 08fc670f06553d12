// The replica arithmetic of a Deployment, as plans the controller then carries out: how a rolling
// update grows the new ReplicaSet and shrinks the old ones (upstream rolling.go), how a resize
// during a rollout is spread over all active sets in proportion to their sizes (sync.go scale and
// util GetProportion), and which old sets revisionHistoryLimit lets go (cleanupDeployment).
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { DESIRED_REPLICAS_ANNOTATION, maxReplicasAnnotation, revisionOf } from './annotations.js';
import {
  compareByCreation,
  compareBySizeNewer,
  compareBySizeOlder,
  filterActive,
  findActiveOrLatest,
  replicaCount,
} from './replicasets.js';
import { desiredReplicas, isRollingUpdate, maxSurge, maxUnavailable, newRSNewReplicas } from './strategy.js';

/** One ReplicaSet to resize; `operation` is the word the ScalingReplicaSet event uses. */
export interface ScaleStep {
  rs: ReplicaSet;
  replicas: number;
  operation: 'up' | 'down' | '';
}

const specReplicas = (rs: ReplicaSet): number => rs.spec?.replicas ?? 0;
const direction = (from: number, to: number): 'up' | 'down' => (from < to ? 'up' : 'down');
const withReplicas = (rs: ReplicaSet, replicas: number): ReplicaSet => ({ ...rs, spec: { ...rs.spec!, replicas } });

/**
 * upstream IsSaturated: the RS runs the whole Deployment: its size and its desired-replicas
 * annotation both equal spec.replicas, and all of its pods are available.
 */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const v = rs.metadata?.annotations?.[DESIRED_REPLICAS_ANNOTATION];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return false;
  const replicas = desiredReplicas(d);
  return specReplicas(rs) === replicas && Number(v) === replicas && (rs.status?.availableReplicas ?? 0) === replicas;
}

/** Go's math.Round: halves away from zero. */
const roundHalfAway = (x: number): number => Math.sign(x) * Math.round(Math.abs(x));

/**
 * upstream getReplicaSetFraction: how many replicas the RS gains (or loses) when the Deployment
 * goes from the size recorded in the RS's max-replicas annotation to its current size.
 */
export function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (desiredReplicas(d) === 0) return -specReplicas(rs);
  const deploymentReplicas = desiredReplicas(d) + maxSurge(d);
  // Without the annotation upstream falls back to the Deployment's current size.
  const annotated = maxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  return roundHalfAway((specReplicas(rs) * deploymentReplicas) / annotated) - specReplicas(rs);
}

/**
 * upstream GetProportion: the RS's share of `toAdd`, never taking the total past it (`added` is
 * what the sets before it already took).
 */
export function proportion(rs: ReplicaSet | undefined, d: Deployment, toAdd: number, added: number): number {
  if (!rs || specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/**
 * upstream DeploymentController.scale, for scaling events and paused Deployments: one active set
 * takes the whole size; a saturated new set lets the old ones go to zero; otherwise a rolling
 * Deployment spreads the change over its active sets by size (up: largest and newest first; down:
 * largest and oldest first), the first set taking the rounding leftover. Every active set appears
 * in the rolling plan even when its size stays, so that its replica annotations get refreshed.
 */
export function planScale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ScaleStep[] {
  const replicas = desiredReplicas(d);
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (specReplicas(activeOrLatest) === replicas) return [];
    return [{ rs: activeOrLatest, replicas, operation: direction(specReplicas(activeOrLatest), replicas) }];
  }
  if (isSaturated(d, newRS)) {
    return filterActive(oldRSs).map((rs) => ({ rs, replicas: 0, operation: 'down' as const }));
  }
  if (!isRollingUpdate(d)) return [];

  const all = filterActive([...oldRSs, newRS]);
  const allowedSize = replicas > 0 ? replicas + maxSurge(d) : 0;
  const toAdd = allowedSize - replicaCount(all);
  let operation: ScaleStep['operation'] = '';
  if (toAdd > 0) {
    all.sort(compareBySizeNewer);
    operation = 'up';
  } else if (toAdd < 0) {
    all.sort(compareBySizeOlder);
    operation = 'down';
  }
  let added = 0;
  const sizes = all.map((rs) => {
    if (toAdd === 0) return specReplicas(rs);
    const p = proportion(rs, d, toAdd, added);
    added += p;
    return specReplicas(rs) + p;
  });
  if (toAdd !== 0 && sizes.length > 0) sizes[0] = Math.max(0, sizes[0]! + toAdd - added);
  return all.map((rs, i) => ({ rs, replicas: sizes[i]!, operation }));
}

/**
 * upstream reconcileNewReplicaSet: the size the new RS should have now during a rolling update,
 * or undefined when it stays as it is.
 */
export function planNewReplicaSet(d: Deployment, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet): number | undefined {
  const replicas = desiredReplicas(d);
  const current = specReplicas(newRS);
  if (current === replicas) return undefined;
  const target = current > replicas ? replicas : newRSNewReplicas(d, allRSs, newRS);
  return target === current ? undefined : target;
}

/**
 * upstream cleanupUnhealthyReplicas: shrinks old sets (oldest first) by their unavailable replicas,
 * at most `max` in all; removing pods that serve nothing costs no availability.
 */
export function planUnhealthyCleanup(oldRSs: ReplicaSet[], max: number): { steps: ScaleStep[]; oldRSs: ReplicaSet[]; cleaned: number } {
  const steps: ScaleStep[] = [];
  const olds = [...oldRSs].sort(compareByCreation);
  let cleaned = 0;
  for (let i = 0; i < olds.length && cleaned < max; i++) {
    const rs = olds[i]!;
    const available = rs.status?.availableReplicas ?? 0;
    // A status older than the spec may report more available pods than the set keeps: nothing to clean.
    if (specReplicas(rs) === 0 || specReplicas(rs) <= available) continue;
    const count = Math.min(max - cleaned, specReplicas(rs) - available);
    const to = specReplicas(rs) - count;
    steps.push({ rs, replicas: to, operation: 'down' });
    olds[i] = withReplicas(rs, to);
    cleaned += count;
  }
  return { steps, oldRSs: olds, cleaned };
}

/**
 * The available pods the sets will keep. Upstream sums status.availableReplicas; but a set just
 * scaled down still reports the pods its controller is about to delete, and a sync that sees that
 * status could take availability below the minimum. A set keeps at most spec.replicas pods, so
 * counting no more than that per set closes the window without changing any settled outcome.
 */
function keptAvailable(rss: (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + (rs ? Math.min(rs.status?.availableReplicas ?? 0, specReplicas(rs)) : 0), 0);
}

/**
 * upstream scaleDownOldReplicaSetsForRollingUpdate: shrinks old sets (oldest first) while more than
 * replicas - maxUnavailable pods stay available across all sets.
 */
export function planRollingScaleDown(d: Deployment, allRSs: (ReplicaSet | undefined)[], oldRSs: ReplicaSet[]): ScaleStep[] {
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const available = keptAvailable(allRSs);
  if (available <= minAvailable) return [];
  const budget = available - minAvailable;
  const steps: ScaleStep[] = [];
  let scaled = 0;
  for (const rs of [...oldRSs].sort(compareByCreation)) {
    if (scaled >= budget) break;
    if (specReplicas(rs) === 0) continue;
    const count = Math.min(specReplicas(rs), budget - scaled);
    steps.push({ rs, replicas: specReplicas(rs) - count, operation: 'down' });
    scaled += count;
  }
  return steps;
}

/**
 * upstream reconcileOldReplicaSets: how far the old sets may shrink during a rolling update. The
 * budget is all pods minus the minimum available minus the new set's unavailable pods (so a broken
 * new template does not eat the old pods); unhealthy old replicas go first, then available ones.
 * A set may appear twice.
 */
export function planOldReplicaSets(
  d: Deployment,
  allRSs: (ReplicaSet | undefined)[],
  activeOldRSs: ReplicaSet[],
  newRS: ReplicaSet | undefined,
): ScaleStep[] {
  if (replicaCount(activeOldRSs) === 0) return [];
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const newUnavailable = newRS ? specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0) : 0;
  const maxScaledDown = replicaCount(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];
  const cleanup = planUnhealthyCleanup(activeOldRSs, maxScaledDown);
  return [...cleanup.steps, ...planRollingScaleDown(d, [...cleanup.oldRSs, newRS], cleanup.oldRSs)];
}

/** upstream HasRevisionHistoryLimit: unset or MaxInt32 keeps every old ReplicaSet. */
export function hasRevisionHistoryLimit(d: Deployment): boolean {
  const limit = d.spec?.revisionHistoryLimit;
  return limit !== undefined && limit !== null && limit !== 2147483647;
}

/** upstream ReplicaSetsByRevision: lowest revision first; creation order when unparsable or equal. */
export function compareByRevision(a: ReplicaSet, b: ReplicaSet): number {
  const ra = revisionOf(a);
  const rb = revisionOf(b);
  if (ra === undefined || rb === undefined || ra === rb) return compareByCreation(a, b);
  return ra - rb;
}

/**
 * upstream cleanupDeployment: the oldest revisions beyond revisionHistoryLimit, among them only
 * sets that are scaled to zero, have no pods left and whose controller saw their latest spec.
 */
export function planCleanup(d: Deployment, oldRSs: ReplicaSet[]): ReplicaSet[] {
  if (!hasRevisionHistoryLimit(d)) return [];
  const alive = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
  const diff = alive.length - d.spec!.revisionHistoryLimit!;
  if (diff <= 0) return [];
  return [...alive]
    .sort(compareByRevision)
    .slice(0, diff)
    .filter(
      (rs) =>
        (rs.status?.replicas ?? 0) === 0 &&
        specReplicas(rs) === 0 &&
        (rs.metadata?.generation ?? 0) <= (rs.status?.observedGeneration ?? 0),
    );
}
