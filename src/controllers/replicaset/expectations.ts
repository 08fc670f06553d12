// Per-controller records of the pod creations and deletions a sync has asked for but the pod
// informer has not shown yet (upstream's UIDTrackingControllerExpectations). While a record is
// pending, the controller does not create or delete again, so a slow watch never makes it act
// twice on the same shortfall. A record counts down as the informer observes the writes, and is
// considered satisfied once both counts reach zero, or after five minutes in case an event was
// lost (upstream's ExpectationsTimeout).

/** upstream controller.ExpectationsTimeout. */
export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Pending {
  add: number;
  del: number;
  /** When the record was set; expiry counts from here. */
  setAt: number;
  /** The pods (namespace/name) whose deletion is awaited: each counts once, whether seen as a
   *  deletionTimestamp update or as the final delete. */
  deleteKeys: Set<string>;
}

export class Expectations {
  private readonly records = new Map<string, Pending>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly timeoutMs = EXPECTATIONS_TIMEOUT_MS,
  ) {}

  /** True when the controller may act: nothing recorded, all observed, or the record expired. */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.add <= 0 && r.del <= 0) return true;
    return this.now() - r.setAt > this.timeoutMs;
  }

  /** Replaces the record: `adds` creations to observe. */
  expectCreations(key: string, adds: number): void {
    this.records.set(key, { add: adds, del: 0, setAt: this.now(), deleteKeys: new Set() });
  }

  /** Replaces the record: the deletion of each of `podKeys` to observe. */
  expectDeletions(key: string, podKeys: readonly string[]): void {
    const deleteKeys = new Set(podKeys);
    this.records.set(key, { add: 0, del: deleteKeys.size, setAt: this.now(), deleteKeys });
  }

  /** A pod of the controller appeared (or a create it expected will never happen). */
  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r) r.add--;
  }

  /** A pod of the controller went (or started going); only awaited pods count, each once. */
  deletionObserved(key: string, podKey: string): void {
    const r = this.records.get(key);
    if (r?.deleteKeys.delete(podKey)) r.del--;
  }

  /** Forgets the controller (it was deleted: a new one of the same name starts clean). */
  delete(key: string): void {
    this.records.delete(key);
  }

  /** The outstanding counts, for logs and tests. */
  pending(key: string): { add: number; del: number } | undefined {
    const r = this.records.get(key);
    return r && { add: r.add, del: r.del };
  }
}
