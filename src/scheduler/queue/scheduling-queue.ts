// The scheduling queue, as upstream's PriorityQueue: an active queue ordered by priority then by
// when the pod was queued; a back-off queue holding pods that failed until their back-off ends
// (1 s doubling per attempt to 10 s); and unschedulable pods parked until a cluster event that may
// make them schedulable (a node added or changed, a pod deleted ...) moves them back, or until
// they have waited 5 minutes. A pod whose attempt overlapped such an event goes to back-off
// instead of being parked, so no event is missed.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ClusterEvent } from '../framework/types.js';
import { KeyedHeap } from './heap.js';

export interface QueuedPod {
  pod: Pod;
  key: string;
  /** When the pod entered the queue (first add), for ordering and latency. */
  initialAttemptAt: number;
  /** When it was last queued. */
  queuedAt: number;
  attempts: number;
  /** Back-off ends at (back-off queue only). */
  backoffUntil: number;
  /** The plugins that rejected the pod in its last attempt (which events may help it); empty: any event. */
  unschedulablePlugins?: ReadonlySet<string>;
}

export interface SchedulingQueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Unschedulable pods go back to the active queue after this long without an event. */
  maxUnschedulableMs?: number;
  now?: () => number;
}

const priorityOf = (p: Pod) => p.spec?.priority ?? 0;
export const podKey = (p: Pod) => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;

export class SchedulingQueue {
  private readonly active = new KeyedHeap<QueuedPod>((a, b) => {
    const pa = priorityOf(a.pod);
    const pb = priorityOf(b.pod);
    return pa !== pb ? pa > pb : a.queuedAt < b.queuedAt;
  });
  private readonly backoff = new KeyedHeap<QueuedPod>((a, b) => a.backoffUntil < b.backoffUntil);
  private readonly unschedulable = new Map<string, QueuedPod>();
  /** Pods handed out by pop() and not yet done. */
  private readonly inFlight = new Map<string, QueuedPod>();
  private moveRequestCycle = -1;
  /** The scheduling cycle in which each kind of event last happened. */
  private readonly eventCycles = new Map<ClusterEvent, number>();
  /** The events each plugin registered (undefined: every event). */
  private registrations: (plugin: string) => readonly ClusterEvent[] | undefined = () => undefined;
  private schedulingCycle = 0;
  private waiters: ((p: QueuedPod | undefined) => void)[] = [];
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxUnschedulableMs: number;
  private readonly now: () => number;

  constructor(opts: SchedulingQueueOptions = {}) {
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulableMs = opts.maxUnschedulableMs ?? 5 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** A new pending pod (or one seen again): into the active queue unless already queued. */
  add(pod: Pod): void {
    const key = podKey(pod);
    if (this.inFlight.has(key)) {
      this.inFlight.get(key)!.pod = pod;
      return;
    }
    const existing = this.active.get(key) ?? this.backoff.get(key) ?? this.unschedulable.get(key);
    if (existing) return this.update(pod);
    const now = this.now();
    this.pushActive({ pod, key, initialAttemptAt: now, queuedAt: now, attempts: 0, backoffUntil: 0 });
  }

  /** A queued pod changed: updated in place; an unschedulable one is retried (its spec may now fit). */
  update(pod: Pod): void {
    const key = podKey(pod);
    const inFlight = this.inFlight.get(key);
    if (inFlight) {
      inFlight.pod = pod;
      return;
    }
    const a = this.active.get(key);
    if (a) return this.active.set(key, { ...a, pod });
    const b = this.backoff.get(key);
    if (b) return this.backoff.set(key, { ...b, pod });
    const u = this.unschedulable.get(key);
    if (u) {
      this.unschedulable.delete(key);
      this.requeue({ ...u, pod });
      return;
    }
    this.add(pod);
  }

  delete(pod: Pod): void {
    const key = podKey(pod);
    this.active.delete(key);
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    this.inFlight.delete(key);
  }

  /** The next pod to schedule; waits for one; undefined once closed. */
  pop(): Promise<QueuedPod | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    this.flushBackoff();
    const next = this.active.pop();
    if (next) return Promise.resolve(this.handOut(next));
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The pod's attempt is over (bound, or handed back with addUnschedulable). */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /**
   * A pod that did not fit: parked until an event, or into back-off if an event arrived while it
   * was being scheduled (upstream's moveRequestCycle rule).
   */
  addUnschedulable(qp: QueuedPod, podSchedulingCycle: number): void {
    this.inFlight.delete(qp.key);
    const now = this.now();
    const entry = { ...qp, queuedAt: now, backoffUntil: now + this.backoffFor(qp.attempts) };
    if (this.moveRequestCycle >= podSchedulingCycle || this.missedEvent(entry, podSchedulingCycle)) this.pushBackoff(entry);
    else this.unschedulable.set(qp.key, entry);
  }

  /** Which events each plugin registered, for onClusterEvent (upstream EventsToRegister). */
  setEventRegistrations(f: (plugin: string) => readonly ClusterEvent[] | undefined): void {
    this.registrations = f;
  }

  /** Whether `event` may help a pod its plugins rejected (no plugin named: any event may). */
  interestedIn(qp: QueuedPod, event: ClusterEvent): boolean {
    const plugins = qp.unschedulablePlugins;
    if (!plugins || plugins.size === 0) return true;
    for (const p of plugins) {
      const events = this.registrations(p);
      if (!events || events.includes(event)) return true;
    }
    return false;
  }

  /** A cluster event: parked pods it may help go back (upstream MoveAllToActiveOrBackoffQueue with queueing hints). */
  onClusterEvent(event: ClusterEvent): void {
    this.eventCycles.set(event, this.schedulingCycle);
    for (const [key, qp] of this.unschedulable) {
      if (!this.interestedIn(qp, event)) continue;
      this.unschedulable.delete(key);
      this.requeue(qp);
    }
  }

  /** An event the pod cares about happened while it was being scheduled: parking it would miss it. */
  private missedEvent(qp: QueuedPod, podSchedulingCycle: number): boolean {
    for (const [event, cycle] of this.eventCycles) if (cycle >= podSchedulingCycle && this.interestedIn(qp, event)) return true;
    return false;
  }

  /** A pod whose attempt failed with an error (not unschedulable): retried after back-off. */
  addBackoff(qp: QueuedPod): void {
    this.inFlight.delete(qp.key);
    const now = this.now();
    this.pushBackoff({ ...qp, queuedAt: now, backoffUntil: now + this.backoffFor(qp.attempts) });
  }

  /** A cluster event that may make parked pods schedulable: they go back (to back-off if still backing off). */
  moveAllToActiveOrBackoff(accept: (qp: QueuedPod) => boolean = () => true): void {
    for (const [key, qp] of this.unschedulable) {
      if (!accept(qp)) continue;
      this.unschedulable.delete(key);
      this.requeue(qp);
    }
    this.moveRequestCycle = this.schedulingCycle;
  }

  /** Pods parked longer than maxUnschedulableMs go back (upstream flushes every 30 s). */
  flushUnschedulable(): void {
    const now = this.now();
    for (const [key, qp] of this.unschedulable) {
      if (now - qp.queuedAt < this.maxUnschedulableMs) continue;
      this.unschedulable.delete(key);
      this.requeue(qp);
    }
  }

  get currentSchedulingCycle(): number {
    return this.schedulingCycle;
  }

  counts(): { active: number; backoff: number; unschedulable: number } {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size };
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const w of this.waiters) w(undefined);
    this.waiters = [];
  }

  private backoffFor(attempts: number): number {
    return Math.min(this.initialBackoffMs * 2 ** Math.max(0, attempts - 1), this.maxBackoffMs);
  }

  private requeue(qp: QueuedPod): void {
    if (qp.backoffUntil > this.now()) this.pushBackoff(qp);
    else this.pushActive({ ...qp, queuedAt: this.now() });
  }

  private handOut(qp: QueuedPod): QueuedPod {
    this.schedulingCycle++;
    const out = { ...qp, attempts: qp.attempts + 1 };
    this.inFlight.set(qp.key, out);
    return out;
  }

  private pushActive(qp: QueuedPod): void {
    const w = this.waiters.shift();
    if (w) w(this.handOut(qp));
    else this.active.set(qp.key, qp);
  }

  private pushBackoff(qp: QueuedPod): void {
    this.backoff.set(qp.key, qp);
    this.armTimer();
  }

  private flushBackoff(): void {
    const now = this.now();
    for (let top = this.backoff.peek(); top && top.backoffUntil <= now; top = this.backoff.peek()) {
      this.backoff.pop();
      this.pushActive({ ...top, queuedAt: now });
    }
  }

  /** Wakes waiting poppers when the earliest back-off ends (polling at most every 5 ms). */
  private armTimer(): void {
    clearTimeout(this.timer);
    const top = this.backoff.peek();
    if (!top || this.closed) return;
    this.timer = setTimeout(() => {
      this.flushBackoff();
      this.armTimer();
    }, Math.max(5, top.backoffUntil - this.now()));
  }
}
