// Informer vocabulary: a local cache of one resource kept current by list+watch, indexed, with
// handlers told of every change (client-go's SharedIndexInformer and Indexer).
import type { KubeObject } from '../types.js';

/** Maps an object to the index values it is filed under (none: not indexed). */
export type IndexFunc<T> = (obj: T) => string[];

export interface Indexer<T extends KubeObject> {
  /** By key: `namespace/name`, or `name` for cluster-scoped objects. */
  get(key: string): T | undefined;
  list(): T[];
  keys(): string[];
  /** Objects filed under `value` in the index `indexName` (e.g. byIndex('namespace', 'default')). */
  byIndex(indexName: string, value: string): T[];
  readonly size: number;
}

export interface EventHandler<T extends KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** With the last state the cache knew (a deletion missed while disconnected also comes here). */
  onDelete?(obj: T): void;
}

export interface SharedInformer<T extends KubeObject> {
  readonly store: Indexer<T>;
  /** Handlers added after sync first get onAdd for every cached object, as client-go's do. */
  addEventHandler(handler: EventHandler<T>): void;
  /** Adds indexes; must be called before the informer starts. */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void;
  hasSynced(): boolean;
  /** The resourceVersion the cache reflects. */
  lastSyncResourceVersion(): string;
}

/** Index names every informer has. */
export const NAMESPACE_INDEX = 'namespace';
