// The informer's local cache: objects by key, plus secondary indexes kept current on every
// change (client-go's threadSafeMap with indexers).
import type { KubeObject } from '../types.js';
import { keyOf } from './indexes.js';
import { NAMESPACE_INDEX, type IndexFunc, type Indexer } from './types.js';

export class IndexedStore<T extends KubeObject> implements Indexer<T> {
  private readonly items = new Map<string, T>();
  private readonly funcs = new Map<string, IndexFunc<T>>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor() {
    this.addIndexers({ [NAMESPACE_INDEX]: (o) => (o.metadata?.namespace ? [o.metadata.namespace] : []) });
  }

  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      // Controllers sharing an informer may each ask for the same well-known index (same function).
      const existing = this.funcs.get(name);
      if (existing === fn) continue;
      if (existing) throw new Error(`indexer "${name}" already exists`);
      this.funcs.set(name, fn);
      const index = new Map<string, Set<string>>();
      this.indices.set(name, index);
      for (const [key, obj] of this.items) this.file(index, fn(obj), key);
    }
  }

  get size(): number {
    return this.items.size;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  byIndex(indexName: string, value: string): T[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index "${indexName}" does not exist`);
    const keys = index.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) out.push(this.items.get(k)!);
    return out;
  }

  /** Stores obj under its key; returns the object it replaced. */
  put(obj: T): T | undefined {
    const key = keyOf(obj);
    const old = this.items.get(key);
    this.items.set(key, obj);
    for (const [name, fn] of this.funcs) {
      const index = this.indices.get(name)!;
      if (old) this.unfile(index, fn(old), key);
      this.file(index, fn(obj), key);
    }
    return old;
  }

  /** Removes the object under key; returns it. */
  remove(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.items.delete(key);
    for (const [name, fn] of this.funcs) this.unfile(this.indices.get(name)!, fn(old), key);
    return old;
  }

  private file(index: Map<string, Set<string>>, values: string[], key: string): void {
    for (const v of values) {
      let set = index.get(v);
      if (!set) index.set(v, (set = new Set()));
      set.add(key);
    }
  }

  private unfile(index: Map<string, Set<string>>, values: string[], key: string): void {
    for (const v of values) {
      const set = index.get(v);
      if (!set) continue;
      set.delete(key);
      if (set.size === 0) index.delete(v);
    }
  }
}
