import sortedBtree from 'sorted-btree';
import type { Engine, EngineState, LogEntry, StoredRow } from '../engine.js';

const BTree = sortedBtree.default;

/**
 * An engine held in memory: a B+ tree of current rows in key order and an array of log entries
 * in revision order. For tests and simulation; nothing survives the process.
 */
export class MemoryEngine implements Engine {
  private readonly current = new BTree<string, StoredRow>();
  /** log[i].revision increases with i; entries before the compacted revision are removed. */
  private log: LogEntry[] = [];
  private revision = 0;
  private compactRevision = 0;

  loadState(): EngineState {
    return { revision: this.revision, compactRevision: this.compactRevision };
  }

  getCurrent(key: string): StoredRow | undefined {
    return this.current.get(key);
  }

  *scanCurrent(start: string, end: string): Iterable<StoredRow> {
    for (const [key, row] of this.current.entries(start)) {
      if (key >= end) return;
      yield row;
    }
  }

  stateAtForChangedKeys(revision: number, start: string, end: string): Map<string, StoredRow | undefined> {
    const states = new Map<string, StoredRow | undefined>();
    for (let i = this.indexOfRevision(revision + 1); i < this.log.length; i++) {
      const e = this.log[i]!;
      if (e.key >= start && e.key < end && !states.has(e.key)) states.set(e.key, e.prev);
    }
    return states;
  }

  readLog(from: number, to: number, start: string, end: string, limit: number): LogEntry[] {
    const out: LogEntry[] = [];
    for (let i = this.indexOfRevision(from); i < this.log.length && out.length < limit; i++) {
      const e = this.log[i]!;
      if (e.revision > to) break;
      if (e.key >= start && e.key < end) out.push(e);
    }
    return out;
  }

  transaction(fn: () => void): void {
    fn();
  }

  append(entry: LogEntry): void {
    // Copy the bytes so that a caller reusing its buffer can not change what is stored.
    const stored: LogEntry = { ...entry, value: Buffer.from(entry.value) };
    this.log.push(stored);
    this.revision = entry.revision;
    if (entry.deleted) {
      this.current.delete(entry.key);
    } else {
      this.current.set(entry.key, {
        key: entry.key,
        value: stored.value,
        createRevision: entry.createRevision,
        modRevision: entry.revision,
      });
    }
  }

  setCompactRevision(revision: number): void {
    this.compactRevision = revision;
  }

  deleteLogBefore(revision: number, maxEntries: number): number {
    const n = Math.min(this.indexOfRevision(revision), maxEntries);
    if (n > 0) this.log = this.log.slice(n);
    return n;
  }

  close(): void {
    this.log = [];
    this.current.clear();
  }

  /** Index of the first log entry with a revision >= `revision`. */
  private indexOfRevision(revision: number): number {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.log[mid]!.revision < revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
