// A work queue of keys, as client-go's rate-limited work queue: a key is queued once however often
// it is added, is never worked on by two workers at once, and failed keys come back after the
// larger of a per-key exponential delay and a global token bucket's (client-go's default
// controller rate limiter: 5 ms doubling to 1000 s per key; 10/s with a burst of 100 overall).

export interface WorkQueueOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Global rate of rate-limited re-adds, per second. */
  qps?: number;
  burst?: number;
}

/** How long keys waited between being added and being handed to a worker (the last 4096). */
export interface QueueLatency {
  count: number;
  p50Ms: number;
  p99Ms: number;
}

const LATENCY_SAMPLES = 4096;

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  /** Keys added again while being processed: queued once processing is done. */
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly qps: number;
  private readonly burst: number;
  private tokens: number;
  private tokensAt = performance.now();
  private readonly addedAt = new Map<string, number>();
  private readonly latencies = new Float64Array(LATENCY_SAMPLES);
  private latencyCount = 0;

  constructor(opts: WorkQueueOptions = {}) {
    this.baseDelayMs = opts.baseDelayMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 1_000_000;
    this.qps = opts.qps ?? 10;
    this.burst = opts.burst ?? 100;
    this.tokens = this.burst;
  }

  add(key: string): void {
    if (this.shuttingDown) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    const waiter = this.waiters.shift();
    if (waiter) {
      this.queued.delete(key);
      this.processing.add(key);
      this.sample(0);
      waiter(key);
    } else {
      this.queue.push(key);
      this.addedAt.set(key, performance.now());
    }
  }

  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.add(key);
    }, ms);
    this.timers.add(t);
  }

  /** Re-adds a failed key after max(base * 2^failures ms (capped), the global bucket's wait). */
  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.addAfter(key, Math.max(Math.min(this.baseDelayMs * 2 ** n, this.maxDelayMs), this.reserveToken()));
  }

  /** How often the key failed since it was last forgotten. */
  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Takes a token from the global bucket; returns how long to wait until it is really there. */
  private reserveToken(): number {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.tokensAt) * this.qps) / 1000);
    this.tokensAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  latency(): QueueLatency {
    const n = Math.min(this.latencyCount, LATENCY_SAMPLES);
    const sorted = Array.from(this.latencies.subarray(0, n)).sort((a, b) => a - b);
    const at = (q: number) => (n ? sorted[Math.min(n - 1, Math.floor(q * n))]! : 0);
    return { count: this.latencyCount, p50Ms: at(0.5), p99Ms: at(0.99) };
  }

  /** Told of every key's wait (for metrics). */
  onLatency: ((ms: number) => void) | undefined;

  private sample(ms: number): void {
    this.latencies[this.latencyCount++ % LATENCY_SAMPLES] = ms;
    this.onLatency?.(ms);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  /** The next key to work on; undefined once the queue shuts down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) {
      const at = this.addedAt.get(key);
      this.addedAt.delete(key);
      if (at !== undefined) this.sample(performance.now() - at);
      this.queued.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  get length(): number {
    return this.queue.length;
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const w of this.waiters) w(undefined);
    this.waiters = [];
  }
}
