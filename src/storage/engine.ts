// The physical layer under the log-structured backend (log-backend.ts). An engine keeps two
// things: the current value of every key, and a log with one entry per revision that also holds
// the value the key had before. The log is what watches replay and what lets a list read at an
// older revision: a key's state at revision R is the "before" of its first change after R.
// Engines are synchronous; the backend groups writes into transactions (group commit).

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
  getCurrent(key: string): StoredRow | undefined;
  /** Current rows with start <= key < end, in key order. */
  scanCurrent(start: string, end: string): Iterable<StoredRow>;
  /**
   * For each key in [start, end) changed after `revision`, the row it held at `revision`
   * (undefined: it did not exist then), taken from its first log entry after `revision`.
   */
  stateAtForChangedKeys(revision: number, start: string, end: string): Map<string, StoredRow | undefined>;
  /** Log entries with from <= revision <= to and start <= key < end, oldest first, at most `limit`. */
  readLog(from: number, to: number, start: string, end: string, limit: number): LogEntry[];
  /** Runs fn atomically and durably: all of its appends are kept, or none. */
  transaction(fn: () => void): void;
  /** Appends a log entry and applies it to the current rows. */
  append(entry: LogEntry): void;
  setCompactRevision(revision: number): void;
  /** Deletes up to `maxEntries` log entries older than `revision`; returns how many it deleted. */
  deleteLogBefore(revision: number, maxEntries: number): number;
  close(): void;
}
