// The arithmetic of one budget's status (upstream's getExpectedPodCount, getExpectedScale,
// buildDisruptedPodMap, countHealthyPods and updatePdbStatus): how many pods are expected, how
// many must stay healthy, how many are, and so how many may be disrupted now.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { getScaledValueFromIntOrPercent } from '../../apimachinery/intstr.js';
import { DELETION_TIMEOUT_MS, conditionsAreUpToDate, isPodReady, withDisruptionAllowedCondition } from './budget.js';

/** A pod's controller and its desired scale (upstream controllerAndScale). */
export interface ControllerScale {
  uid: string;
  scale: number;
}

/**
 * Finds the controller an owner reference names and its scale: undefined when this finder does
 * not handle the reference or the controller is gone; throws when it cannot tell.
 */
export type ScaleFinder = (ref: OwnerReference, namespace: string) => Promise<ControllerScale | undefined>;

export interface ExpectedCounts {
  expectedCount: number;
  desiredHealthy: number;
  /** Names of selected pods without a controller (they make a percentage meaningless). */
  unmanagedPods: string[];
}

const controllerOf = (pod: Pod): OwnerReference | undefined => pod.metadata?.ownerReferences?.find((r) => r.controller);

/**
 * The sum of the scales of the pods' controllers (each counted once); pods without a controller
 * are listed, not counted. A pod whose controller no finder knows is an error.
 */
export async function expectedScale(pods: readonly Pod[], findScale: ScaleFinder): Promise<{ expectedCount: number; unmanagedPods: string[] }> {
  const scales = new Map<string, number>();
  const unmanagedPods: string[] = [];
  for (const pod of pods) {
    const ref = controllerOf(pod);
    if (!ref) {
      unmanagedPods.push(pod.metadata?.name ?? '');
      continue;
    }
    if (scales.has(ref.uid)) continue;
    const found = await findScale(ref, pod.metadata?.namespace ?? '');
    if (!found) throw new Error(`found no controllers for pod ${JSON.stringify(pod.metadata?.name ?? '')}`);
    scales.set(found.uid, found.scale);
  }
  let expectedCount = 0;
  for (const s of scales.values()) expectedCount += s;
  return { expectedCount, unmanagedPods };
}

/**
 * expectedCount and desiredHealthy from the spec: an integer minAvailable needs only the pods;
 * a percentage, or any maxUnavailable, needs the controllers' scale.
 */
export async function expectedPodCount(pdb: PodDisruptionBudget, pods: readonly Pod[], findScale: ScaleFinder): Promise<ExpectedCounts> {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const { expectedCount, unmanagedPods } = await expectedScale(pods, findScale);
    const maxUnavailable = getScaledValueFromIntOrPercent(spec.maxUnavailable, expectedCount, true);
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - maxUnavailable), unmanagedPods };
  }
  if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
    if (typeof spec.minAvailable === 'number') return { expectedCount: pods.length, desiredHealthy: spec.minAvailable, unmanagedPods: [] };
    const { expectedCount, unmanagedPods } = await expectedScale(pods, findScale);
    return { expectedCount, desiredHealthy: getScaledValueFromIntOrPercent(spec.minAvailable, expectedCount, true), unmanagedPods };
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanagedPods: [] };
}

export interface DisruptedPods {
  /** The entries of status.disruptedPods still standing: pod name to the eviction's time. */
  disrupted: Record<string, string>;
  /** Epoch ms when the earliest standing entry expires: the budget is looked at again then. */
  recheckAt?: number;
  /** Pods evicted more than DELETION_TIMEOUT_MS ago that were never marked for deletion. */
  overdue: Pod[];
}

const parseTime = (t: string | undefined): number => (t ? Date.parse(t) : NaN);

/**
 * The standing status.disruptedPods entries: kept for selected pods not yet marked for deletion
 * whose timeout has not passed. Entries of pods gone, no longer selected, or already being
 * deleted are dropped.
 */
export function disruptedPodMap(pods: readonly Pod[], pdb: PodDisruptionBudget, now: number): DisruptedPods {
  const previous = pdb.status?.disruptedPods ?? {};
  const out: DisruptedPods = { disrupted: {}, overdue: [] };
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const name = pod.metadata?.name ?? '';
    const at = previous[name];
    if (at === undefined) continue;
    const expires = parseTime(at) + DELETION_TIMEOUT_MS;
    // An unreadable time has expired: the entry cannot protect anything.
    if (!(expires >= now)) {
      out.overdue.push(pod);
      continue;
    }
    out.disrupted[name] = at;
    if (out.recheckAt === undefined || expires < out.recheckAt) out.recheckAt = expires;
  }
  return out;
}

/** Ready pods not being deleted and not about to be (a standing disruptedPods entry). */
export function countHealthyPods(pods: readonly Pod[], disrupted: Record<string, string>, now: number): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const at = disrupted[pod.metadata?.name ?? ''];
    if (at !== undefined && parseTime(at) + DELETION_TIMEOUT_MS > now) continue;
    if (isPodReady(pod)) healthy++;
  }
  return healthy;
}

export interface Observed {
  currentHealthy: number;
  desiredHealthy: number;
  expectedCount: number;
  disrupted: Record<string, string>;
}

/**
 * Disruptions allowed: healthy pods beyond the desired, and none while no pod is expected (so a
 * budget whose first pods appear before its status caught up is safe).
 */
export const disruptionsAllowed = (o: Pick<Observed, 'currentHealthy' | 'desiredHealthy' | 'expectedCount'>): number =>
  o.expectedCount <= 0 ? 0 : Math.max(0, o.currentHealthy - o.desiredHealthy);

function sameDisrupted(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b).length && ka.every((k) => a?.[k] === b[k]);
}

/** The status to write, or undefined when the current one already says all of it. */
export function nextStatus(pdb: PodDisruptionBudget, o: Observed, now: Date = new Date()): PodDisruptionBudgetStatus | undefined {
  const allowed = disruptionsAllowed(o);
  const cur = pdb.status;
  const generation = pdb.metadata?.generation ?? 0;
  if (
    cur &&
    cur.currentHealthy === o.currentHealthy &&
    cur.desiredHealthy === o.desiredHealthy &&
    cur.expectedPods === o.expectedCount &&
    cur.disruptionsAllowed === allowed &&
    sameDisrupted(cur.disruptedPods, o.disrupted) &&
    (cur.observedGeneration ?? 0) === generation &&
    conditionsAreUpToDate(pdb)
  ) {
    return undefined;
  }
  const status: PodDisruptionBudgetStatus = {
    currentHealthy: o.currentHealthy,
    desiredHealthy: o.desiredHealthy,
    expectedPods: o.expectedCount,
    disruptionsAllowed: allowed,
    observedGeneration: generation,
    conditions: cur?.conditions,
  };
  if (Object.keys(o.disrupted).length > 0) status.disruptedPods = o.disrupted;
  return withDisruptionAllowedCondition(status, now);
}
