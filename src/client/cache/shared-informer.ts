// A shared informer: lists a resource, then watches it from the list's resourceVersion, keeping an
// indexed cache and telling handlers of every change (client-go's Reflector + SharedIndexInformer).
// A watch that ends is resumed from the last version seen (bookmarks keep it fresh); 410 Expired
// means a relist, which reconciles the cache with the list (deletions missed are reported).
import { isStatusError, StatusError } from '../../apimachinery/errors.js';
import type { Status } from 'kubernetes-types/meta/v1.js';
import type { Logger } from '../../logging/index.js';
import { sleep } from '../../manager/index.js';
import type { KubeObject, ResourceClient, ResourceType } from '../types.js';
import { apiVersionOf } from '../resources.js';
import { IndexedStore } from './indexer.js';
import { keyOf } from './indexes.js';
import type { EventHandler, IndexFunc, SharedInformer } from './types.js';

const LIST_PAGE = 500;
const MIN_WATCH_SECONDS = 300;
const MAX_BACKOFF_MS = 30_000;
const SHORT_WATCH_MS = 1000;

export class Informer<T extends KubeObject> implements SharedInformer<T> {
  readonly store = new IndexedStore<T>();
  private readonly handlers: EventHandler<T>[] = [];
  private synced = false;
  private markSynced!: () => void;
  private readonly syncedOnce = new Promise<void>((r) => (this.markSynced = r));
  private rv = '';
  private started = false;

  constructor(
    private readonly client: ResourceClient<T>,
    private readonly logger: Logger,
    /** Narrows the cache (the kubelet watches only its node's pods: `spec.nodeName=<node>`). */
    private readonly selectors: { fieldSelector?: string; labelSelector?: string } = {},
  ) {}

  get type(): ResourceType {
    return this.client.type;
  }

  addEventHandler(handler: EventHandler<T>): void {
    this.handlers.push(handler);
    if (this.synced) for (const obj of this.store.list()) this.call(handler, 'onAdd', obj);
  }

  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    this.store.addIndexers(indexers);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves once the first list has filled the cache (or when `signal` aborts). */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (!signal) return this.syncedOnce;
    return Promise.race([this.syncedOnce, new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }))]);
  }

  lastSyncResourceVersion(): string {
    return this.rv;
  }

  /** Lists and watches until the signal aborts. Called once. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.started) return;
    this.started = true;
    let failures = 0;
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.relist(signal);
          needList = false;
        }
        await this.watch(signal);
        failures = 0;
      } catch (e) {
        if (signal.aborted) return;
        if (isStatusError(e, 'Expired') || isStatusError(e, 'Gone')) {
          this.logger.debug({ resource: this.type.resource }, 'watch expired; relisting');
          needList = true;
          continue;
        }
        failures++;
        const delay = Math.min(100 * 2 ** Math.min(failures, 10), MAX_BACKOFF_MS);
        this.logger.debug({ resource: this.type.resource, err: e, delay }, 'list/watch failed; retrying');
        await sleep(delay, signal);
      }
    }
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const seen = new Set<string>();
    let cont: string | undefined;
    let rv = '';
    const fresh: T[] = [];
    do {
      const page = await this.client.list('', { ...this.selectors, limit: LIST_PAGE, continue: cont });
      if (signal.aborted) return;
      for (const item of page.items) fresh.push(this.typed(item));
      cont = page.metadata.continue || undefined;
      rv = page.metadata.resourceVersion ?? rv;
    } while (cont);
    for (const obj of fresh) {
      const key = keyOf(obj);
      seen.add(key);
      const old = this.store.put(obj);
      if (!old) this.emit('onAdd', obj);
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) this.emit('onUpdate', old, obj);
    }
    for (const key of this.store.keys()) {
      if (seen.has(key)) continue;
      const gone = this.store.remove(key);
      if (gone) this.emit('onDelete', gone);
    }
    this.rv = rv;
    this.synced = true;
    this.markSynced();
  }

  private async watch(signal: AbortSignal): Promise<void> {
    const timeoutSeconds = MIN_WATCH_SECONDS + Math.floor(Math.random() * MIN_WATCH_SECONDS);
    const events = this.client.watch('', { ...this.selectors, resourceVersion: this.rv, allowWatchBookmarks: true, timeoutSeconds, signal });
    const started = Date.now();
    let received = 0;
    for await (const ev of events) {
      received++;
      if (ev.type === 'ERROR') {
        const status = ev.object as unknown as Status;
        if (status.code === 410) throw new StatusError(410, 'Expired', status.message ?? 'expired');
        throw new Error(`watch error: ${status.message ?? JSON.stringify(status)}`);
      }
      const obj = this.typed(ev.object);
      const rv = obj.metadata?.resourceVersion;
      if (ev.type === 'BOOKMARK') {
        if (rv) this.rv = rv;
        continue;
      }
      if (ev.type === 'DELETED') {
        const old = this.store.remove(keyOf(obj));
        this.emit('onDelete', old ?? obj);
      } else {
        const old = this.store.put(obj);
        if (old) this.emit('onUpdate', old, obj);
        else this.emit('onAdd', obj);
      }
      if (rv) this.rv = rv;
    }
    // As client-go's reflector: a watch closed within a second with nothing received is a failure
    // (backed off), not a normal end, or a server that closes watches at once would be hammered.
    if (!signal.aborted && received === 0 && Date.now() - started < SHORT_WATCH_MS) {
      throw new Error('very short watch: closed within a second and no items received');
    }
  }

  private typed(obj: T): T {
    obj.apiVersion ??= apiVersionOf(this.type);
    obj.kind ??= this.type.kind;
    return obj;
  }

  private emit(what: 'onAdd' | 'onDelete', obj: T): void;
  private emit(what: 'onUpdate', old: T, obj: T): void;
  private emit(what: keyof EventHandler<T>, a: T, b?: T): void {
    for (const h of this.handlers) this.call(h, what, a, b);
  }

  private call(h: EventHandler<T>, what: keyof EventHandler<T>, a: T, b?: T): void {
    try {
      if (what === 'onUpdate') h.onUpdate?.(a, b!);
      else h[what]?.(a);
    } catch (e) {
      this.logger.error({ resource: this.type.resource, err: e }, 'informer event handler failed');
    }
  }
}
