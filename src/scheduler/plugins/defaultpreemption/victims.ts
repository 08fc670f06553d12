// Choosing victims on one node (upstream DefaultPreemption.SelectVictimsOnNode): take away every
// pod of lower priority than the preemptor; if the preemptor still does not fit, preemption on
// this node cannot help. Otherwise give pods back, most important first and those whose eviction
// would break a PodDisruptionBudget before the others, keeping each one that still leaves room.
// What could not be given back are the victims: as few, and as unimportant, as possible.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { selectorFromLabelSelector } from '../../../apimachinery/labels.js';
import { addPod, removePod } from '../../framework/node-info.js';
import { unresolvable, type CycleState, type NodeInfo, type PodInfo, type PostFilterContext, type Status } from '../../framework/types.js';

export const ERR_NO_VICTIMS = 'No preemption victims found for incoming pod';

export const priorityOf = (p: Pod): number => p.spec?.priority ?? 0;

/** When the pod started (status.startTime); pods not started yet count as starting now, as upstream. */
export function startTimeOf(p: Pod, now = Date.now()): number {
  const t = p.status?.startTime ? Date.parse(p.status.startTime) : NaN;
  return Number.isNaN(t) ? now : t;
}

/** upstream MoreImportantPod: higher priority first, then the one that started earlier. */
export function moreImportant(a: Pod, b: Pod): number {
  const d = priorityOf(b) - priorityOf(a);
  if (d !== 0) return d;
  // One "now" for both: two pods not started yet are equally important (a clock tick between
  // two reads made the order of such pods vary from run to run).
  const now = Date.now();
  return startTimeOf(a, now) - startTimeOf(b, now);
}

export interface Victims {
  /** Most important first. */
  pods: Pod[];
  /** How many of them a PodDisruptionBudget does not allow to go. */
  numPDBViolations: number;
}

/**
 * upstream filterPodsWithPDBViolation: walks the pods in order, spending each matching budget's
 * disruptionsAllowed; pods for which some budget runs out are "violating". A budget with an
 * empty selector protects nothing here; pods already in status.disruptedPods were counted.
 */
export function splitByPDBViolation(pods: PodInfo[], pdbs: readonly PodDisruptionBudget[]): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const selectors = pdbs.map((p) => {
    try {
      return selectorFromLabelSelector(p.spec?.selector);
    } catch {
      return undefined;
    }
  });
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const pi of pods) {
    const labels = pi.pod.metadata?.labels;
    let violated = false;
    if (labels && Object.keys(labels).length > 0) {
      pdbs.forEach((pdb, i) => {
        if (pdb.metadata?.namespace !== pi.pod.metadata?.namespace) return;
        const sel = selectors[i];
        if (!sel || sel.isEmpty() || !sel.matches(labels)) return;
        if (pdb.status?.disruptedPods?.[pi.pod.metadata?.name ?? '']) return;
        allowed[i]!--;
        if (allowed[i]! < 0) violated = true;
      });
    }
    (violated ? violating : nonViolating).push(pi);
  }
  return { violating, nonViolating };
}

/**
 * The victims on `info` for `pod`, or the status saying why preemption does not help there.
 * `state` and `info` must be copies: they are changed.
 */
export function selectVictimsOnNode(
  ctx: PostFilterContext,
  state: CycleState,
  pod: Pod,
  info: NodeInfo,
  pdbs: readonly PodDisruptionBudget[],
): { victims?: Victims; status?: Status } {
  const preemptorPriority = priorityOf(pod);
  const potential: PodInfo[] = [];
  for (const pi of [...info.pods]) {
    if (priorityOf(pi.pod) >= preemptorPriority) continue;
    potential.push(pi);
    removePod(info, pi.pod.metadata?.uid ?? '');
    const s = ctx.removePod(state, pod, pi, info);
    if (s.code !== 'Success') return { status: s };
  }
  if (potential.length === 0) return { status: unresolvable(ERR_NO_VICTIMS) };
  const fits = ctx.filterWithNominatedPods(state, pod, info);
  if (fits.code !== 'Success') return { status: fits };

  potential.sort((a, b) => moreImportant(a.pod, b.pod));
  const { violating, nonViolating } = splitByPDBViolation(potential, pdbs);
  const victims: Pod[] = [];
  let numPDBViolations = 0;
  // Gives the pod back; false if it must go. A PreFilter extension failing is an error for the node.
  const reprieve = (pi: PodInfo): boolean | Status => {
    addPod(info, pi);
    const added = ctx.addPod(state, pod, pi, info);
    if (added.code !== 'Success') return added;
    if (ctx.filterWithNominatedPods(state, pod, info).code === 'Success') return true;
    removePod(info, pi.pod.metadata?.uid ?? '');
    const removed = ctx.removePod(state, pod, pi, info);
    if (removed.code !== 'Success') return removed;
    victims.push(pi.pod);
    return false;
  };
  for (const pi of violating) {
    const r = reprieve(pi);
    if (typeof r !== 'boolean') return { status: r };
    if (!r) numPDBViolations++;
  }
  for (const pi of nonViolating) {
    const r = reprieve(pi);
    if (typeof r !== 'boolean') return { status: r };
  }
  victims.sort(moreImportant);
  return { victims: { pods: victims, numPDBViolations } };
}
