import type { Engine, EngineState, LogEntry, StoredRow } from '../engine.js';

/**
 * An engine held in memory: an array of log entries in revision order, each holding the row it
 * replaced. For tests and simulation; nothing survives the process, so there is never a current
 * state to load and compaction can forget every entry before the compacted revision.
 */
export class MemoryEngine implements Engine {
  /** log[i].revision increases with i. */
  private log: LogEntry[] = [];
  private revision = 0;
  private compactRevision = 0;

  loadState(): EngineState {
    return { revision: this.revision, compactRevision: this.compactRevision };
  }

  loadCurrent(): Iterable<StoredRow> {
    return [];
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
    this.log.push(entry);
    this.revision = entry.revision;
  }

  setCompactRevision(revision: number): void {
    this.compactRevision = revision;
  }

  compactStep(revision: number, maxRevisions: number): number {
    const n = Math.min(this.indexOfRevision(revision), maxRevisions);
    if (n > 0) this.log = this.log.slice(n);
    return n;
  }

  close(): void {
    this.log = [];
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
