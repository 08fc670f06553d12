import type { Watch, WatchEvent } from './backend.js';
import { StorageError, WatchOverflowError } from './errors.js';

export const DEFAULT_MAX_BUFFERED_EVENTS = 10_000;

/** Reads history for a watcher that starts in the past, a page at a time. */
export type HistoryReader = (from: number, to: number, limit: number) => WatchEvent[];

const HISTORY_PAGE = 1000;
const EMPTY = Buffer.alloc(0);

interface WatcherInit {
  prefix: string;
  fromRevision: number;
  /** Newest revision when the watch started: history covers [fromRevision, replayUntil]. */
  replayUntil: number;
  readHistory: HistoryReader;
  maxBufferedEvents: number;
  /** The newest committed revision: every change up to it has been offered to the watcher. */
  currentRevision: () => number;
  onClose: (w: Watcher) => void;
}

/**
 * One watch. Writers only ever append to its buffer (never wait on it); a reader that falls more
 * than maxBufferedEvents behind is cut off with WatchOverflowError naming where to resume, so no
 * event is ever dropped silently.
 */
export class Watcher implements Watch, AsyncIterator<WatchEvent> {
  readonly prefix: string;
  private queue: WatchEvent[] = [];
  private head = 0;
  private history: WatchEvent[] = [];
  private historyHead = 0;
  private nextHistoryRevision: number;
  private readonly replayUntil: number;
  /** The revision a new watch would resume from to miss nothing this one has not handed out. */
  private resumeRevision: number;
  private waiting: ((r: IteratorResult<WatchEvent>) => void) | undefined;
  private waitingReject: ((e: unknown) => void) | undefined;
  private failure: StorageError | undefined;
  private closed = false;

  constructor(private readonly init: WatcherInit) {
    this.prefix = init.prefix;
    this.nextHistoryRevision = init.fromRevision;
    this.replayUntil = init.replayUntil;
    this.resumeRevision = init.fromRevision;
  }

  /** Called by the hub, in revision order, with the events of one commit. Never blocks. */
  offer(events: readonly WatchEvent[]): void {
    if (this.closed || this.failure) return;
    for (const ev of events) {
      // A watch may start in the future (etcd allows it): events before its start are not its.
      if (ev.modRevision < this.init.fromRevision || !ev.key.startsWith(this.prefix)) continue;
      if (this.waiting && this.historyDone() && this.head === this.queue.length) {
        this.deliver(ev);
        continue;
      }
      this.queue.push(ev);
    }
    if (this.queue.length - this.head > this.init.maxBufferedEvents) {
      // Drop what is buffered at once (bounded memory) and say where to pick up again.
      this.queue = [];
      this.head = 0;
      this.fail(new WatchOverflowError(this.resumeRevision, this.init.maxBufferedEvents));
    }
  }

  requestProgress(): void {
    if (this.closed || this.failure) return;
    const progress: WatchEvent = {
      type: 'PROGRESS',
      key: '',
      value: EMPTY,
      modRevision: Math.max(this.init.currentRevision(), this.init.fromRevision - 1),
      createRevision: 0,
    };
    // Behind any history still to replay: the replay is all older than the current revision.
    if (this.waiting && this.historyDone() && this.head === this.queue.length) this.deliverProgress(progress);
    else this.queue.push(progress);
  }

  fail(error: StorageError): void {
    if (this.closed || this.failure) return;
    this.failure = error;
    this.init.onClose(this);
    if (this.waitingReject && this.head === this.queue.length) {
      const reject = this.waitingReject;
      this.waiting = this.waitingReject = undefined;
      reject(error);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.head = 0;
    this.history = [];
    this.init.onClose(this);
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.waitingReject = undefined;
      resolve({ done: true, value: undefined });
    }
  }

  next(): Promise<IteratorResult<WatchEvent>> {
    if (this.closed) return Promise.resolve({ done: true, value: undefined });
    try {
      const fromHistory = this.takeHistory();
      if (fromHistory) return Promise.resolve(this.handOut(fromHistory));
    } catch (e) {
      this.fail(e as StorageError);
      return Promise.reject(e);
    }
    if (this.head < this.queue.length) {
      const ev = this.queue[this.head++]!;
      if (this.head === this.queue.length) {
        this.queue = [];
        this.head = 0;
      }
      return Promise.resolve(this.handOut(ev));
    }
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.waitingReject = reject;
    });
  }

  return(): Promise<IteratorResult<WatchEvent>> {
    this.close();
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): AsyncIterator<WatchEvent> {
    return this;
  }

  private deliver(ev: WatchEvent): void {
    const resolve = this.waiting!;
    this.waiting = this.waitingReject = undefined;
    resolve(this.handOut(ev));
  }

  private handOut(ev: WatchEvent): IteratorResult<WatchEvent> {
    if (ev.type !== 'PROGRESS') this.resumeRevision = ev.modRevision + 1;
    return { done: false, value: ev };
  }

  private deliverProgress(ev: WatchEvent): void {
    const resolve = this.waiting!;
    this.waiting = this.waitingReject = undefined;
    resolve({ done: false, value: ev });
  }

  private historyDone(): boolean {
    return this.historyHead === this.history.length && this.nextHistoryRevision > this.replayUntil;
  }

  private takeHistory(): WatchEvent | undefined {
    while (this.historyHead === this.history.length) {
      if (this.nextHistoryRevision > this.replayUntil) return undefined;
      const page = this.init.readHistory(this.nextHistoryRevision, this.replayUntil, HISTORY_PAGE);
      this.history = page;
      this.historyHead = 0;
      this.nextHistoryRevision =
        page.length < HISTORY_PAGE ? this.replayUntil + 1 : page[page.length - 1]!.modRevision + 1;
    }
    return this.history[this.historyHead++];
  }
}

/** Fans committed events out to every watcher. Publishing never waits on a reader. */
export class WatchHub {
  private readonly watchers = new Set<Watcher>();

  add(init: Omit<WatcherInit, 'onClose'>, signal?: AbortSignal): Watcher {
    const watcher = new Watcher({ ...init, onClose: (w) => this.watchers.delete(w) });
    if (signal?.aborted) {
      watcher.close();
      return watcher;
    }
    this.watchers.add(watcher);
    signal?.addEventListener('abort', () => watcher.close(), { once: true });
    return watcher;
  }

  publish(events: readonly WatchEvent[]): void {
    if (events.length === 0) return;
    for (const w of this.watchers) w.offer(events);
  }

  get size(): number {
    return this.watchers.size;
  }

  closeAll(): void {
    for (const w of [...this.watchers]) w.close();
  }
}
