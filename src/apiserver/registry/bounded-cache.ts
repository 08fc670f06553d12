/**
 * A small cache of the most recently added entries (insertion order, oldest dropped first).
 * Watch fan-out uses it to decode and serialise each event once for all watchers without
 * keeping every object ever watched alive.
 */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    if (this.map.size >= this.max) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(key, value);
  }
}
