// Storage errors, as k8s.io/apiserver's storage package has them. The API server maps each to a
// metav1.Status in one place (KeyExists -> 409 AlreadyExists, Conflict -> 409 Conflict,
// KeyNotFound -> 404 NotFound, Compacted -> 410 Gone with reason Expired, ...).

export type StorageErrorCode =
  | 'KeyExists'
  | 'KeyNotFound'
  | 'Conflict'
  | 'Compacted'
  | 'FutureRevision'
  | 'WatchOverflow'
  | 'InvalidContinue'
  | 'Closed'
  | 'Open';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
  ) {
    super(message);
    this.name = `StorageError(${code})`;
  }
}

export class KeyExistsError extends StorageError {
  constructor(readonly key: string) {
    super('KeyExists', `key ${key} already exists`);
  }
}

export class KeyNotFoundError extends StorageError {
  constructor(readonly key: string) {
    super('KeyNotFound', `key ${key} not found`);
  }
}

export class ConflictError extends StorageError {
  constructor(
    readonly key: string,
    readonly expectedModRevision: number,
    readonly actualModRevision: number,
  ) {
    super(
      'Conflict',
      `key ${key} was modified (its revision is ${actualModRevision}, the write expected ${expectedModRevision}); read it again and retry`,
    );
  }
}

/** The revision asked for is older than the compacted revision: resume from a newer one. */
export class CompactedError extends StorageError {
  constructor(
    readonly requestedRevision: number,
    readonly compactedRevision: number,
  ) {
    super(
      'Compacted',
      `revision ${requestedRevision} has been compacted (the oldest kept is ${compactedRevision})`,
    );
  }
}

export class FutureRevisionError extends StorageError {
  constructor(
    readonly requestedRevision: number,
    readonly currentRevision: number,
  ) {
    super('FutureRevision', `revision ${requestedRevision} is newer than the current revision ${currentRevision}`);
  }
}

/** A watcher fell too far behind and was cut off; watch again from `resumeRevision`. */
export class WatchOverflowError extends StorageError {
  constructor(
    readonly resumeRevision: number,
    readonly maxBufferedEvents: number,
  ) {
    super(
      'WatchOverflow',
      `watcher fell more than ${maxBufferedEvents} events behind and was closed; watch again from revision ${resumeRevision}`,
    );
  }
}

export class InvalidContinueError extends StorageError {
  constructor(reason: string) {
    super('InvalidContinue', `invalid continue token: ${reason}`);
  }
}

export class StoreClosedError extends StorageError {
  constructor() {
    super('Closed', 'storage is closed');
  }
}

/** The data file can not be used; the message is one line that names the file. */
export class StoreOpenError extends StorageError {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super('Open', `cannot open storage file ${file}: ${reason}`);
  }
}

export function isStorageError(e: unknown, code?: StorageErrorCode): e is StorageError {
  return e instanceof StorageError && (code === undefined || e.code === code);
}
export const isKeyExists = (e: unknown): e is KeyExistsError => isStorageError(e, 'KeyExists');
export const isKeyNotFound = (e: unknown): e is KeyNotFoundError => isStorageError(e, 'KeyNotFound');
export const isConflict = (e: unknown): e is ConflictError => isStorageError(e, 'Conflict');
export const isCompacted = (e: unknown): e is CompactedError => isStorageError(e, 'Compacted');
