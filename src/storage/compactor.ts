import type { Logger } from '../logging/index.js';
import { silentLogger } from '../logging/index.js';
import { type Runnable, sleep } from '../manager/index.js';
import type { Backend } from './backend.js';

export interface CompactionPolicy {
  /** How often to compact. */
  intervalMs: number;
  /** Keep at least this much time of history (kube-apiserver compacts etcd every 5 minutes). */
  retainMs: number;
  /** ...but never more than this many revisions of it. */
  retainRevisions: number;
}

export const DEFAULT_COMPACTION: CompactionPolicy = {
  intervalMs: 30_000,
  retainMs: 5 * 60_000,
  retainRevisions: 50_000,
};

interface Sample {
  at: number;
  revision: number;
}

/**
 * Keeps the store's history bounded: every interval it compacts away what is older than the
 * time window, or beyond the revision count, whichever forgets more.
 */
export class Compactor implements Runnable {
  readonly name = 'storage-compactor';
  private samples: Sample[] = [];
  private readonly backend: Backend;
  private readonly policy: CompactionPolicy;
  private readonly now: () => number;
  private readonly logger: Logger;

  constructor(opts: { backend: Backend; policy?: Partial<CompactionPolicy>; now?: () => number; logger?: Logger }) {
    this.backend = opts.backend;
    this.policy = { ...DEFAULT_COMPACTION, ...opts.policy };
    this.now = opts.now ?? Date.now;
    this.logger = opts.logger ?? silentLogger;
  }

  async start(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.policy.intervalMs, signal);
      if (signal.aborted) break;
      try {
        await this.compactOnce();
      } catch (e) {
        this.logger.warn({ err: e }, 'storage compaction failed; will try again');
      }
    }
  }

  /** One round: returns the revision compacted to, or undefined when nothing was old enough. */
  async compactOnce(): Promise<number | undefined> {
    const now = this.now();
    const current = await this.backend.currentRevision();
    this.samples.push({ at: now, revision: current });
    // The newest sample taken at least retainMs ago: everything up to its revision is old enough.
    let byTime = 0;
    while (this.samples.length > 0 && this.samples[0]!.at <= now - this.policy.retainMs) {
      byTime = this.samples.shift()!.revision;
    }
    if (byTime > 0) this.samples.unshift({ at: now - this.policy.retainMs, revision: byTime });
    const byCount = current - this.policy.retainRevisions;
    const target = Math.max(byTime, byCount);
    if (target <= (await this.backend.compactedRevision())) return undefined;
    await this.backend.compact(target);
    this.logger.debug({ revision: target, current }, 'compacted storage');
    return target;
  }
}
