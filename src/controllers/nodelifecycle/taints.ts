// The taints the node lifecycle controller owns (upstream's node_lifecycle_controller.go maps and
// pkg/util/taints): NoSchedule taints that follow the node's conditions and spec.unschedulable
// (TaintNodesByCondition), and the NoExecute not-ready / unreachable taints that evict pods.
import type { Node, Taint } from 'kubernetes-types/core/v1.js';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

export const UNREACHABLE_NO_EXECUTE: Taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute' };
export const NOT_READY_NO_EXECUTE: Taint = { key: TAINT_NOT_READY, effect: 'NoExecute' };

/** Which condition status puts which taint key on a node. */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: TAINT_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_DISK_PRESSURE },
  NetworkUnavailable: { True: TAINT_NETWORK_UNAVAILABLE },
  PIDPressure: { True: TAINT_PID_PRESSURE },
};

const CONDITION_TAINT_KEYS = new Set(Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)));

/** Same key and effect: the identity of a taint on a node (upstream's MatchTaint). */
export const matchTaint = (a: Taint, b: Taint): boolean => a.key === b.key && a.effect === b.effect;

export const taintExists = (taints: readonly Taint[] | undefined, t: Taint): boolean => (taints ?? []).some((x) => matchTaint(x, t));

/** The NoSchedule taints a node should carry for its conditions and spec.unschedulable. */
export function wantedNoScheduleTaints(node: Node): Taint[] {
  const taints: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) taints.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) taints.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
  return taints;
}

/** The node's NoSchedule taints this controller manages (condition taints and unschedulable). */
export function managedNoScheduleTaints(node: Node): Taint[] {
  return (node.spec?.taints ?? []).filter((t) => t.effect === 'NoSchedule' && (t.key === TAINT_UNSCHEDULABLE || CONDITION_TAINT_KEYS.has(t.key)));
}

/** What to add and remove to go from `current` to `wanted` (upstream's TaintSetDiff). */
export function taintDiff(wanted: readonly Taint[], current: readonly Taint[]): { add: Taint[]; remove: Taint[] } {
  return {
    add: wanted.filter((t) => !taintExists(current, t)),
    remove: current.filter((t) => !taintExists(wanted, t)),
  };
}

/**
 * The node's taints with `add` added (replacing a taint of the same key and effect) and `remove`
 * removed, or undefined when that changes nothing. Added NoExecute taints carry timeAdded, which
 * the API documents as written only for NoExecute taints.
 */
export function swapTaints(taints: readonly Taint[] | undefined, add: readonly Taint[], remove: readonly Taint[], now: string): Taint[] | undefined {
  let next = [...(taints ?? [])];
  let changed = false;
  for (const t of remove) {
    const kept = next.filter((x) => !matchTaint(x, t));
    if (kept.length !== next.length) changed = true;
    next = kept;
  }
  for (const t of add) {
    const existing = next.find((x) => matchTaint(x, t));
    if (existing && (existing.value ?? '') === (t.value ?? '')) continue;
    const taint: Taint = { ...t, ...(t.effect === 'NoExecute' ? { timeAdded: now } : {}) };
    next = existing ? next.map((x) => (x === existing ? taint : x)) : [...next, taint];
    changed = true;
  }
  return changed ? next : undefined;
}
