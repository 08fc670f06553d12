// Event recording (client-go's record.EventBroadcaster/EventRecorder for core/v1 Events): events
// are written in the background, never blocking or failing the caller; the same event repeated
// (same object, type, reason, message and source) raises the count and lastTimestamp of the
// existing Event instead of creating another; a burst of events about one object is capped.
import type { Event } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../apimachinery/errors.js';
import type { Logger } from '../../logging/index.js';
import { EVENTS } from '../resources.js';
import type { Client, KubeObject } from '../types.js';
import type { EventRecorder, EventType } from './types.js';
import { rfc3339 } from '../../apimachinery/time.js';

const CACHE_SIZE = 4096;
/** Upstream's spam filter: 25 events per object at once, then one every five minutes. */
const BURST = 25;
const REFILL_MS = 5 * 60_000;

interface Seen {
  name: string;
  namespace: string;
  count: number;
}

export class EventBroadcaster {
  private readonly seen = new Map<string, Seen>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    private readonly client: Client,
    private readonly logger: Logger,
    private readonly host = '',
  ) {}

  recorder(component: string): EventRecorder {
    return { event: (obj, type, reason, message) => this.record(component, obj, type, reason, message) };
  }

  /** Resolves once every event recorded so far has been written (for tests and shutdown). */
  flush(): Promise<void> {
    return this.chain;
  }

  private record(component: string, obj: KubeObject, type: EventType, reason: string, message: string): void {
    const meta = obj.metadata ?? {};
    const objectKey = `${obj.kind}/${meta.namespace ?? ''}/${meta.name}/${meta.uid ?? ''}`;
    // Throttled per source and object, as upstream's spam key (component, host, object): one
    // component's burst must not silence another's events about the same object.
    if (!this.allow(`${component}\u0000${objectKey}`)) return;
    if (this.pending > 10_000) return; // the API is unreachable; dropping beats unbounded memory
    this.pending++;
    const key = `${component}\u0000${objectKey}\u0000${type}\u0000${reason}\u0000${message}`;
    this.chain = this.chain
      .then(() => this.write(key, component, obj, type, reason, message))
      .catch((e) => this.logger.debug({ err: e, reason }, 'event not recorded'))
      .finally(() => this.pending--);
  }

  private allow(spamKey: string): boolean {
    const now = Date.now();
    let b = this.buckets.get(spamKey);
    if (!b) {
      if (this.buckets.size >= CACHE_SIZE) this.buckets.delete(this.buckets.keys().next().value!);
      b = { tokens: BURST, at: now };
      this.buckets.set(spamKey, b);
    }
    const refill = Math.floor((now - b.at) / REFILL_MS);
    if (refill > 0) {
      b.tokens = Math.min(BURST, b.tokens + refill);
      b.at = now;
    }
    if (b.tokens <= 0) return false;
    b.tokens--;
    return true;
  }

  private async write(key: string, component: string, obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const now = rfc3339();
    const events = this.client.resource<Event>(EVENTS);
    const prior = this.seen.get(key);
    if (prior) {
      try {
        await events.patch(prior.namespace, prior.name, 'merge', { count: prior.count + 1, lastTimestamp: now });
        prior.count++;
        this.remember(key, prior);
        return;
      } catch (e) {
        if (!isNotFound(e)) throw e;
        // The event expired or was deleted: create it afresh.
      }
    }
    const meta = obj.metadata ?? {};
    const namespace = meta.namespace || 'default';
    // upstream names events <object>.<nanoseconds in hex>; the clock's sub-millisecond part keeps
    // two events of one millisecond apart (no randomBytes: it costs a syscall per event).
    const name = `${meta.name}.${(BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n)).toString(16)}`;
    await events.create({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        namespace: meta.namespace,
        name: meta.name,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
      },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component, ...(this.host ? { host: this.host } : {}) },
      reportingComponent: component,
      reportingInstance: this.host,
    });
    this.remember(key, { name, namespace, count: 1 });
  }

  private remember(key: string, seen: Seen): void {
    this.seen.delete(key);
    this.seen.set(key, seen);
    if (this.seen.size > CACHE_SIZE) this.seen.delete(this.seen.keys().next().value!);
  }
}
