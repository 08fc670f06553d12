// The storage interface every caller sees. It is shaped like etcd v3 (keys, one global revision,
// watches that resume from a revision) so the API server stands on it exactly as kube-apiserver
// stands on etcd, and a real etcd backend can be dropped in without changing any caller.

/** One stored key with the revisions etcd keeps beside it. */
export interface KeyValue {
  key: string;
  value: Uint8Array;
  /** Revision of the write that created the key (etcd's create_revision). */
  createRevision: number;
  /** Revision of the last write to the key; the API's resourceVersion. */
  modRevision: number;
}

export interface ListOptions {
  /** Return at most this many items; 0 or absent means all. */
  limit?: number;
  /** Token from a previous page; the list continues at that page's revision. */
  continue?: string;
  /** Read at this revision instead of the newest; fails with CompactedError if compacted away. */
  revision?: number;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the items were read at. */
  revision: number;
  /** Present when more items remain; pass it back as `continue`. */
  continue?: string;
}

/**
 * PROGRESS (asked for with Watch.requestProgress, as etcd's progress notify) carries no key: it
 * says every change up to its modRevision has been delivered.
 */
export type WatchEventType = 'PUT' | 'DELETE' | 'PROGRESS';

export interface WatchEvent {
  type: WatchEventType;
  key: string;
  /** The new value (PUT); for DELETE an empty value, as etcd sends. */
  value: Uint8Array;
  /** The value before this write; absent when the key was created. */
  prevValue?: Uint8Array;
  /** The revision of this write (for DELETE: the revision of the deletion). */
  modRevision: number;
  /** The key's create revision (PUT), or that of the deleted value (DELETE). */
  createRevision: number;
}

export interface WatchOptions {
  /** Stops the watch, as close() does. */
  signal?: AbortSignal;
  /** Events buffered for a slow reader before the watch is cut off with WatchOverflowError. */
  maxBufferedEvents?: number;
}

/**
 * An async stream of events. It ends (done) when closed, and throws CompactedError or
 * WatchOverflowError (both carry the revision to resume from) when it can not go on.
 */
export interface Watch extends AsyncIterable<WatchEvent> {
  close(): void;
  /** Queues a PROGRESS event behind every change delivered so far (for watch bookmarks). */
  requestProgress(): void;
}

export interface DeleteResult {
  /** The value the key held when it was deleted. */
  deleted: KeyValue;
  /** The revision of the deletion. */
  revision: number;
}

export interface Backend {
  get(key: string): Promise<KeyValue | undefined>;
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** Fails with KeyExistsError if the key exists. */
  create(key: string, value: Uint8Array): Promise<KeyValue>;
  /** Fails with ConflictError unless the key's modRevision is `expectedModRevision`; KeyNotFoundError if absent. */
  update(key: string, value: Uint8Array, expectedModRevision: number): Promise<KeyValue>;
  /** Fails with KeyNotFoundError if absent, ConflictError if `expectedModRevision` is given and stale. */
  delete(key: string, expectedModRevision?: number): Promise<DeleteResult>;
  /**
   * Streams every change under `prefix` from `fromRevision` on (inclusive, as etcd's start
   * revision: pass resourceVersion + 1 to see what came after a list). Absent: from now on.
   * Throws CompactedError at once when `fromRevision` is older than the compacted revision.
   */
  watch(prefix: string, fromRevision?: number, options?: WatchOptions): Watch;
  /** Forgets history before `revision`; reads and watches older than it fail with CompactedError. */
  compact(revision: number): Promise<void>;
  currentRevision(): Promise<number>;
  /** The oldest revision still readable. */
  compactedRevision(): Promise<number>;
  /** Acknowledges pending writes, ends all watches and releases the store. */
  close(): Promise<void>;
}
