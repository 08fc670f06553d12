// What the scheduler benchmark measures, as upstream scheduler_perf's throughputCollector: binds
// are counted from the scheduler's own pod informer (sharing it guarantees every pod is seen
// unbound, since the scheduler needs that to schedule it, and then bound); the count is sampled
// once a second into pods/s windows. The first window is skipped (sampling and creating start
// independently) and a window with no new bind is merged into the next rather than recorded as
// 0 pods/s. Each pod's latency runs from the informer seeing it unbound to seeing it bound.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { SharedInformer } from '../../src/client/cache/types.js';

/** Counts the pods of one namespace that get bound, with each one's latency. */
export class BindWatch {
  bound = 0;
  /** performance.now() of the latest bind. */
  lastBoundAt = 0;
  /** Milliseconds from seen unbound to seen bound, per pod seen both ways. */
  readonly latencies: number[] = [];
  private readonly seenAt = new Map<string, number>();
  private stopped = false;

  constructor(pods: SharedInformer<Pod>, private readonly namespace: string) {
    pods.addEventHandler({
      onAdd: (p) => this.observe(undefined, p),
      onUpdate: (old, p) => this.observe(old, p),
      onDelete: (p) => this.seenAt.delete(p.metadata?.uid ?? ''),
    });
  }

  private observe(old: Pod | undefined, p: Pod): void {
    if (this.stopped || p.metadata?.namespace !== this.namespace) return;
    const uid = p.metadata?.uid ?? '';
    if (!p.spec?.nodeName) {
      if (!this.seenAt.has(uid)) this.seenAt.set(uid, performance.now());
      return;
    }
    if (old?.spec?.nodeName) return;
    const now = performance.now();
    this.bound++;
    this.lastBoundAt = now;
    const since = this.seenAt.get(uid);
    if (since !== undefined) {
      this.latencies.push(now - since);
      this.seenAt.delete(uid);
    }
  }

  /** Stops counting (the informer keeps the handler: it has no way to remove one). */
  stop(): void {
    this.stopped = true;
    this.seenAt.clear();
  }
}

export interface ThroughputSummary {
  /** pods/s per window. */
  samples: number[];
  average: number;
  p50: number;
  p90: number;
  p99: number;
}

/** Samples a BindWatch's count into pods/s windows. */
export class ThroughputCollector {
  private readonly samples: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private lastCount = 0;
  private lastAt = 0;
  private skipped = 0;

  constructor(
    private readonly watch: BindWatch,
    private readonly intervalMs = 1000,
    /** Called after each recorded window (progress lines). */
    private readonly onSample?: (bound: number, podsPerSecond: number) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.intervalMs);
  }

  private tick(): void {
    const now = performance.now();
    const count = this.watch.bound;
    if (count === 0) return;
    if (!this.started) {
      this.started = true;
      this.lastCount = count;
      this.lastAt = now;
      return;
    }
    const added = count - this.lastCount;
    if (added === 0) {
      this.skipped++;
      return;
    }
    // Timers fire late under load: the window's real length counts, not the nominal one.
    const rate = added / ((now - this.lastAt) / 1000);
    // A merged window stands for each interval it spans, so percentiles stay per interval.
    for (let i = 0; i <= this.skipped; i++) this.samples.push(rate);
    this.skipped = 0;
    this.lastCount = count;
    this.lastAt = now;
    this.onSample?.(count, rate);
  }

  stop(): ThroughputSummary {
    clearInterval(this.timer);
    return summarize(this.samples);
  }
}

/** Nearest-rank percentile of sorted values (upstream's ceil(n*q)-1 index). */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.max(0, Math.ceil(sorted.length * q) - 1)]!;
}

export function summarize(samples: number[]): ThroughputSummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const average = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN;
  return { samples: sorted, average, p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99) };
}
