// Versions of services this controller has already written past. After a write, the service cache
// may still hold (or next deliver) a version older than the one the write produced; acting on it
// would redo the write and record its events twice. Resource versions are opaque, so the versions
// a write replaced are remembered instead: while the cache shows one of them it is behind, and the
// watch event of the newer version is still to come (and queues the service again).
export class OwnWrites {
  private readonly superseded = new Map<string, Set<string>>();

  /** `resourceVersion` of the service under `key` was replaced by a write of this controller. */
  replaced(key: string, resourceVersion: string | undefined): void {
    if (!resourceVersion) return;
    let set = this.superseded.get(key);
    if (!set) this.superseded.set(key, (set = new Set()));
    set.add(resourceVersion);
  }

  /**
   * Whether the cached version is one this controller already wrote past. A version it did not
   * write past means the cache has caught up: what was remembered for the key is dropped.
   */
  isBehind(key: string, resourceVersion: string | undefined): boolean {
    const set = this.superseded.get(key);
    if (!set) return false;
    if (resourceVersion && set.has(resourceVersion)) return true;
    this.superseded.delete(key);
    return false;
  }

  forget(key: string): void {
    this.superseded.delete(key);
  }

  get size(): number {
    return this.superseded.size;
  }
}
