// Restart back-off per container, as upstream's kubelet (flowcontrol.Backoff, CrashLoopBackOff):
// the first restart is immediate; while a container keeps failing, each restart waits for the
// current delay after it finished (10 s, doubling to 5 min); 10 minutes without a restart
// (twice the maximum) start over.
export const INITIAL_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 300_000;

interface Entry {
  delayMs: number;
  lastUpdate: number;
}

export class RestartBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly initialMs = INITIAL_BACKOFF_MS,
    private readonly maxMs = MAX_BACKOFF_MS,
  ) {}

  private expired(e: Entry, at: number): boolean {
    return at - e.lastUpdate > 2 * this.maxMs;
  }

  /** Milliseconds the container that finished at `finishedAt` must still wait (0: restart now). */
  remaining(key: string, finishedAt: number): number {
    const e = this.entries.get(key);
    if (!e || this.expired(e, finishedAt)) return 0;
    return Math.max(0, finishedAt + e.delayMs - this.now());
  }

  /** A restart happens now: the next one waits longer. */
  restarted(key: string): void {
    const at = this.now();
    const e = this.entries.get(key);
    const delayMs = !e || this.expired(e, at) ? this.initialMs : Math.min(e.delayMs * 2, this.maxMs);
    this.entries.set(key, { delayMs, lastUpdate: at });
  }

  /** The delay a waiting container is in, for the message ("back-off 20s restarting failed ..."). */
  delay(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  forgetPod(uid: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(`${uid}/`)) this.entries.delete(k);
  }
}
