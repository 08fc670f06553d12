// Zones and the pace of NoExecute tainting (upstream's node lifecycle controller disruption
// handling and scheduler.RateLimitedTimedQueue): nodes are tainted one zone queue at a time at a
// limited rate; a zone where most nodes are down slows or stops (the failure is more likely the
// network's or the control plane's than the nodes'), and when every node of every zone is down
// nothing is evicted at all.
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js';

export type ZoneState = 'Initial' | 'Normal' | 'PartialDisruption' | 'FullDisruption';

/** A label that keeps a node out of the zone's disruption arithmetic. */
export const LABEL_EXCLUDE_DISRUPTION = 'node.kubernetes.io/exclude-disruption';

/** upstream's topology GetZoneKey: region and zone (stable labels, else the deprecated beta ones). */
export function zoneKey(node: Node): string {
  const labels = node.metadata?.labels ?? {};
  const region = labels['topology.kubernetes.io/region'] ?? labels['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? '';
  if (!region && !zone) return '';
  return `${region}:\x00:${zone}`;
}

/** upstream's ComputeZoneState: how many nodes are not Ready, and what that makes the zone. */
export function computeZoneState(readyConditions: readonly (NodeCondition | undefined)[], unhealthyThreshold: number): { notReady: number; state: ZoneState } {
  let ready = 0;
  let notReady = 0;
  for (const c of readyConditions) {
    if (c?.status === 'True') ready++;
    else notReady++;
  }
  if (ready === 0 && notReady > 0) return { notReady, state: 'FullDisruption' };
  if (notReady > 2 && notReady / (notReady + ready) >= unhealthyThreshold) return { notReady, state: 'PartialDisruption' };
  return { notReady, state: 'Normal' };
}

interface Item {
  name: string;
  processAt: number;
  addedAt: number;
}

/**
 * Node names waiting to be tainted, handed out at `qps` (a token bucket holding one token, as
 * upstream's burst of 1). A name processed successfully stays known until remove(), so a node is
 * tainted once per episode however often it is marked.
 */
export class RateLimitedTaintQueue {
  private items: Item[] = [];
  private readonly known = new Set<string>();
  private tokens = 1;
  private refilledAt: number;

  constructor(
    private qps: number,
    now: number,
  ) {
    this.refilledAt = now;
  }

  /** Queues a name unless it is queued or was processed since its last remove(). */
  add(name: string, now: number): boolean {
    if (this.known.has(name)) return false;
    this.known.add(name);
    this.items.push({ name, processAt: now, addedAt: now });
    return true;
  }

  /** Forgets a name (the node is healthy again): true when it was known. */
  remove(name: string): boolean {
    this.items = this.items.filter((i) => i.name !== name);
    return this.known.delete(name);
  }

  /** A new rate; 0 stops handing names out. */
  swapLimiter(qps: number, now: number): void {
    if (qps === this.qps) return;
    this.qps = qps;
    this.tokens = 1;
    this.refilledAt = now;
  }

  get rate(): number {
    return this.qps;
  }

  /**
   * Hands due names to `fn` while the rate allows. `fn` says whether it is done with the name;
   * if not, the name comes back after `retryMs`.
   */
  async try(now: number, fn: (name: string) => Promise<{ done: boolean; retryMs?: number }>): Promise<void> {
    this.items.sort((a, b) => a.processAt - b.processAt || a.addedAt - b.addedAt);
    while (this.items.length) {
      const head = this.items[0]!;
      if (head.processAt > now || !this.take(now)) return;
      this.items.shift();
      const { done, retryMs } = await fn(head.name);
      // remove() may have forgotten it meanwhile (the node recovered): then it stays out.
      if (!done && this.known.has(head.name)) this.items.push({ ...head, processAt: now + (retryMs ?? 0) + 1 });
    }
  }

  private take(now: number): boolean {
    if (this.qps <= 0) return false;
    this.tokens = Math.min(1, this.tokens + ((now - this.refilledAt) / 1000) * this.qps);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
