// The durable layer under the log-structured backend (log-backend.ts). An engine is a log with one
// entry per revision; each entry knows the entry it replaced, so a key's state at revision R is
// the "before" of its first change after R. The newest state of every key is kept in memory by
// the backend (as etcd keeps its key index, and kube-apiserver its watch cache), loaded from the
// engine at start. Engines are synchronous; the backend groups writes into transactions.

export interface StoredRow {
  key: string;
  value: Buffer;
  createRevision: number;
  modRevision: number;
}

export interface LogEntry {
  revision: number;
  key: string;
  deleted: boolean;
  /** The new value; for a deletion, the value that was deleted. */
  value: Buffer;
  createRevision: number;
  /** What the key held just before this entry; absent when it did not exist. */
  prev?: StoredRow;
}

export interface EngineState {
  /** Newest revision written (0 for an empty store). */
  revision: number;
  /** Revisions before this one have been forgotten. */
  compactRevision: number;
}

export interface Engine {
  loadState(): EngineState;
  /** The newest row of every live key, in any order (read once, at start). */
  loadCurrent(): Iterable<StoredRow>;
  /**
   * For each key in [start, end) changed after `revision`, the row it held at `revision`
   * (undefined: it did not exist then), taken from its first log entry after `revision`.
   */
  stateAtForChangedKeys(revision: number, start: string, end: string): Map<string, StoredRow | undefined>;
  /** Log entries with from <= revision <= to and start <= key < end, oldest first, at most `limit`. */
  readLog(from: number, to: number, start: string, end: string, limit: number): LogEntry[];
  /** Runs fn atomically and durably: all of its appends are kept, or none. */
  transaction(fn: () => void): void;
  append(entry: LogEntry): void;
  setCompactRevision(revision: number): void;
  /**
   * One step of forgetting history before `revision`: entries that neither hold a key's newest
   * state nor the "before" of a kept entry. Returns how many revisions the step covered; the
   * step is repeated until it covers fewer than `maxRevisions`.
   */
  compactStep(revision: number, maxRevisions: number): number;
  close(): void;
}
