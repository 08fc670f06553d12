import { join } from 'node:path';
import type { Backend } from './backend.js';
import { LogBackend } from './log-backend.js';
import { MemoryEngine } from './memory/memory-engine.js';
import { SqliteEngine } from './sqlite/sqlite-engine.js';

export type { Backend, KeyValue, ListOptions, ListResult, Watch, WatchEvent, WatchOptions, DeleteResult } from './backend.js';
export * from './errors.js';
export { Compactor, type CompactionPolicy, DEFAULT_COMPACTION } from './compactor.js';
export { prefixEnd } from './keys.js';

export type DatastoreKind = 'sqlite' | 'memory';

export interface StorageConfig {
  datastore: DatastoreKind;
  /** Where the SQLite file lives (`<dataDir>/db/state.db`). */
  dataDir?: string;
  sync?: 'full' | 'normal';
}

export function sqliteFile(dataDir: string): string {
  return join(dataDir, 'db', 'state.db');
}

/** Opens the configured backend. Throws StoreOpenError (one line naming the file) when it can not. */
export function openBackend(config: StorageConfig): Backend {
  switch (config.datastore) {
    case 'memory':
      return new LogBackend(new MemoryEngine());
    case 'sqlite': {
      if (!config.dataDir) throw new Error('the sqlite datastore needs a data directory');
      return new LogBackend(new SqliteEngine({ file: sqliteFile(config.dataDir), sync: config.sync }));
    }
  }
}
