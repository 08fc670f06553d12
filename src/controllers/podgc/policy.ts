// Which pods the pod garbage collector removes (upstream's pkg/controller/podgc), decided from the
// informer caches. Pure: the controller does the writes.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';

/** The taint that tells the pod GC the node is gone for good (upstream's v1.TaintNodeOutOfService). */
export const OUT_OF_SERVICE_TAINT = 'node.kubernetes.io/out-of-service';

/**
 * Terminated, as upstream counts it: any phase but Pending, Running and Unknown (the API server
 * defaults the phase to Pending, so in practice Succeeded and Failed).
 */
export function isPodTerminated(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Pending' && phase !== 'Running' && phase !== 'Unknown';
}

/** Evicted by a kubelet (upstream's eviction.PodIsEvicted). */
export function isPodEvicted(pod: Pod): boolean {
  return pod.status?.phase === 'Failed' && pod.status?.reason === 'Evicted';
}

/** Evicted pods first, then oldest first, names breaking ties (upstream's byEvictionAndCreationTimestamp). */
export function byEvictionAndCreation(a: Pod, b: Pod): number {
  const ea = isPodEvicted(a);
  const eb = isPodEvicted(b);
  if (ea !== eb) return ea ? -1 : 1;
  const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  const na = a.metadata?.name ?? '';
  const nb = b.metadata?.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** The terminated pods beyond `threshold`, in the order they go. A threshold of 0 or less disables this. */
export function terminatedPodsToDelete(pods: readonly Pod[], threshold: number): Pod[] {
  if (threshold <= 0) return [];
  const terminated = pods.filter(isPodTerminated);
  const excess = terminated.length - threshold;
  if (excess <= 0) return [];
  return terminated.sort(byEvictionAndCreation).slice(0, excess);
}

/** Pods being deleted that no node was ever going to stop (never scheduled). */
export function unscheduledTerminatingPods(pods: readonly Pod[]): Pod[] {
  return pods.filter((p) => p.metadata?.deletionTimestamp && !p.spec?.nodeName);
}

export function isNodeReady(node: Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/**
 * Pods being deleted on a node that is not ready and carries the out-of-service taint: no kubelet
 * will finish them, an administrator said so.
 */
export function terminatingPodsOnOutOfServiceNodes(pods: readonly Pod[], nodes: ReadonlyMap<string, Node>): Pod[] {
  return pods
    .filter((p) => {
      if (!p.metadata?.deletionTimestamp || !p.spec?.nodeName) return false;
      const node = nodes.get(p.spec.nodeName);
      if (!node) return false;
      return !isNodeReady(node) && (node.spec?.taints ?? []).some((t) => t.key === OUT_OF_SERVICE_TAINT);
    })
    .sort(byEvictionAndCreation);
}

/**
 * Node names pods are bound to but the node cache does not know. A name stays in quarantine for
 * `quarantineMs` before the controller asks the API whether the node really is gone, as caches
 * lag behind a node that was just created (upstream's 40 s delaying queue).
 */
export class NodeQuarantine {
  private readonly since = new Map<string, number>();

  constructor(private readonly quarantineMs: number) {}

  /**
   * Records the node names pods use that are not among `known`, and returns those whose
   * quarantine is over (to be checked against the API).
   */
  update(pods: readonly Pod[], known: ReadonlySet<string>, now: number): string[] {
    const missing = new Set<string>();
    for (const p of pods) {
      const n = p.spec?.nodeName;
      if (n && !known.has(n)) missing.add(n);
    }
    for (const n of this.since.keys()) if (!missing.has(n)) this.since.delete(n);
    const due: string[] = [];
    for (const n of missing) {
      const first = this.since.get(n);
      if (first === undefined) this.since.set(n, now);
      if (now - (first ?? now) >= this.quarantineMs) due.push(n);
    }
    return due.sort();
  }

  /** Ends the quarantine of a checked name: a later sighting starts a new one. */
  release(name: string): void {
    this.since.delete(name);
  }
}
