import type {
  Backend,
  DeleteResult,
  KeyValue,
  ListOptions,
  ListResult,
  Watch,
  WatchEvent,
  WatchOptions,
} from './backend.js';
import type { Engine, LogEntry, StoredRow } from './engine.js';
import {
  CompactedError,
  ConflictError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  StorageError,
  StoreClosedError,
} from './errors.js';
import { decodeContinue, encodeContinue, prefixEnd } from './keys.js';
import { DEFAULT_MAX_BUFFERED_EVENTS, WatchHub } from './watch-hub.js';
import { listAtRevision } from './list-at-revision.js';
import { CurrentIndex } from './current-index.js';

type WriteOp =
  | { kind: 'create'; key: string; value: Buffer }
  | { kind: 'update'; key: string; value: Buffer; expected: number }
  | { kind: 'delete'; key: string; expected?: number };

interface PendingWrite {
  op: WriteOp;
  resolve: (entry: LogEntry) => void;
  reject: (e: unknown) => void;
}

const COMPACT_CHUNK = 10_000;

/**
 * The Backend over an Engine: validates writes, numbers them with one global revision, commits
 * the writes issued in the same turn of the event loop as one transaction (group commit), and
 * only then acknowledges them and fans their events out to watchers.
 */
export class LogBackend implements Backend {
  private revision: number;
  private compactRevision: number;
  private pending: PendingWrite[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly hub = new WatchHub();
  private readonly current = new CurrentIndex();
  private compacting: Promise<void> = Promise.resolve();

  constructor(private readonly engine: Engine) {
    const state = engine.loadState();
    this.revision = state.revision;
    this.compactRevision = state.compactRevision;
    this.current.load(engine.loadCurrent());
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.assertOpen();
    const row = this.current.get(key);
    return row && toKeyValue(row);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.assertOpen();
    const end = prefixEnd(prefix);
    let start = prefix;
    let revision = options.revision && options.revision > 0 ? options.revision : this.revision;
    if (options.continue) {
      const token = decodeContinue(options.continue);
      start = prefix + token.start;
      revision = token.revision;
    }
    if (revision > this.revision) throw new FutureRevisionError(revision, this.revision);
    if (revision < this.compactRevision) throw new CompactedError(revision, this.compactRevision);
    const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
    const { rows, nextKey } = listAtRevision(this.current, this.engine, {
      start,
      end,
      revision,
      limit,
      latest: revision === this.revision,
    });
    const result: ListResult = { items: rows.map(toKeyValue), revision };
    if (nextKey !== undefined) result.continue = encodeContinue(prefix, revision, nextKey);
    return result;
  }

  create(key: string, value: Uint8Array): Promise<KeyValue> {
    return this.write({ kind: 'create', key, value: asBuffer(value) }).then(entryToKeyValue);
  }

  update(key: string, value: Uint8Array, expectedModRevision: number): Promise<KeyValue> {
    return this.write({ kind: 'update', key, value: asBuffer(value), expected: expectedModRevision }).then(
      entryToKeyValue,
    );
  }

  async delete(key: string, expectedModRevision?: number): Promise<DeleteResult> {
    const entry = await this.write({ kind: 'delete', key, expected: expectedModRevision });
    return { deleted: toKeyValue(entry.prev!), revision: entry.revision };
  }

  watch(prefix: string, fromRevision?: number, options: WatchOptions = {}): Watch {
    this.assertOpen();
    const from = fromRevision && fromRevision > 0 ? fromRevision : this.revision + 1;
    if (from < this.compactRevision) throw new CompactedError(from, this.compactRevision);
    const end = prefixEnd(prefix);
    return this.hub.add(
      {
        prefix,
        fromRevision: from,
        replayUntil: this.revision,
        maxBufferedEvents: options.maxBufferedEvents ?? DEFAULT_MAX_BUFFERED_EVENTS,
        currentRevision: () => this.revision,
        readHistory: (lo, hi, limit) => {
          if (lo < this.compactRevision) throw new CompactedError(lo, this.compactRevision);
          return this.engine.readLog(lo, hi, prefix, end, limit).map(toWatchEvent);
        },
      },
      options.signal,
    );
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    if (revision > this.revision) throw new FutureRevisionError(revision, this.revision);
    if (revision <= this.compactRevision) return;
    this.compactRevision = revision;
    this.engine.transaction(() => this.engine.setCompactRevision(revision));
    // Forget the history in chunks so that writers and readers run in between.
    const run = this.compacting.then(async () => {
      while (!this.closed && this.engine.compactStep(revision, COMPACT_CHUNK) === COMPACT_CHUNK) {
        await new Promise<void>((r) => setImmediate(r));
      }
    });
    this.compacting = run.catch(() => undefined);
    return run;
  }

  async currentRevision(): Promise<number> {
    this.assertOpen();
    return this.revision;
  }

  async compactedRevision(): Promise<number> {
    this.assertOpen();
    return this.compactRevision;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    await this.compacting;
    this.hub.closeAll();
    this.engine.close();
    this.current.clear();
  }

  /** Number of open watches (for metrics and tests). */
  get watcherCount(): number {
    return this.hub.size;
  }

  private write(op: WriteOp): Promise<LogEntry> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    return new Promise((resolve, reject) => {
      this.pending.push({ op, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits every pending write in one transaction, then acknowledges and publishes them. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const startRevision = this.revision;
    const outcomes: (LogEntry | StorageError)[] = [];
    try {
      this.engine.transaction(() => {
        for (const w of batch) {
          try {
            outcomes.push(this.apply(w.op));
          } catch (e) {
            if (!(e instanceof StorageError)) throw e;
            outcomes.push(e);
          }
        }
      });
    } catch (e) {
      // Nothing of the batch was kept: give its revisions back and fail every write in it.
      this.current.discardStaged();
      this.revision = startRevision;
      for (const w of batch) w.reject(e);
      return;
    }
    this.current.commitStaged();
    const events: WatchEvent[] = [];
    for (let i = 0; i < batch.length; i++) {
      const outcome = outcomes[i]!;
      if (outcome instanceof StorageError) {
        batch[i]!.reject(outcome);
      } else {
        events.push(toWatchEvent(outcome));
        batch[i]!.resolve(outcome);
      }
    }
    this.hub.publish(events);
  }

  private apply(op: WriteOp): LogEntry {
    const current = this.current.get(op.key);
    let entry: LogEntry;
    if (op.kind === 'create') {
      if (current) throw new KeyExistsError(op.key);
      const revision = this.revision + 1;
      entry = { revision, key: op.key, deleted: false, value: op.value, createRevision: revision };
    } else {
      if (!current) throw new KeyNotFoundError(op.key);
      if (op.expected !== undefined && op.expected !== current.modRevision) {
        throw new ConflictError(op.key, op.expected, current.modRevision);
      }
      const revision = this.revision + 1;
      entry =
        op.kind === 'update'
          ? { revision, key: op.key, deleted: false, value: op.value, createRevision: current.createRevision, prev: current }
          : { revision, key: op.key, deleted: true, value: current.value, createRevision: current.createRevision, prev: current };
    }
    this.engine.append(entry);
    this.current.stage(
      op.key,
      entry.deleted
        ? null
        : { key: op.key, value: entry.value, createRevision: entry.createRevision, modRevision: entry.revision },
    );
    this.revision = entry.revision;
    return entry;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }
}

/** A private copy, so that a caller reusing its buffer can not change what is stored. */
function asBuffer(value: Uint8Array): Buffer {
  return Buffer.from(value);
}

function toKeyValue(row: StoredRow): KeyValue {
  return { key: row.key, value: row.value, createRevision: row.createRevision, modRevision: row.modRevision };
}

function entryToKeyValue(entry: LogEntry): KeyValue {
  return { key: entry.key, value: entry.value, createRevision: entry.createRevision, modRevision: entry.revision };
}

const EMPTY = Buffer.alloc(0);

function toWatchEvent(entry: LogEntry): WatchEvent {
  const event: WatchEvent = {
    type: entry.deleted ? 'DELETE' : 'PUT',
    key: entry.key,
    value: entry.deleted ? EMPTY : entry.value,
    modRevision: entry.revision,
    createRevision: entry.createRevision,
  };
  if (entry.prev) event.prevValue = entry.prev.value;
  return event;
}
