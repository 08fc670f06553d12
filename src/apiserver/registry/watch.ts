// WATCH: storage events become API watch events (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR),
// with upstream's resourceVersion semantics and selector filtering: an object that stops
// matching is DELETED for this watcher, one that starts matching is ADDED.
import type { Status } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../api/types.js';
import { badRequest, expired, toStatus } from '../../apimachinery/errors.js';
import { type WatchEvent, isCompacted } from '../../storage/index.js';
import { BoundedCache } from './bounded-cache.js';
import type { SelectionPredicate } from './selection.js';
import type { ResourceStore } from './store.js';

export type ApiWatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface ApiWatchEvent {
  type: ApiWatchEventType;
  object: KubeObject | Status;
}

export interface WatchParams {
  namespace: string;
  predicate: SelectionPredicate;
  resourceVersion?: string;
  /** sendInitialEvents=true: initial state, then a bookmark marking its end. */
  sendInitialEvents?: boolean;
  allowWatchBookmarks?: boolean;
  /** How often to offer a bookmark when bookmarks are allowed. */
  bookmarkIntervalMs?: number;
  signal: AbortSignal;
}

const DEFAULT_BOOKMARK_INTERVAL_MS = 30_000;

/** Decoded event values, shared by all watchers; watch handlers must not change them. */
const decodedValues = new BoundedCache<Uint8Array, KubeObject>(2048);

export async function* watchObjects(store: ResourceStore, p: WatchParams): AsyncGenerator<ApiWatchEvent> {
  const storage = store.backend;
  const def = store.def;
  const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
  const rv = p.resourceVersion ?? '';
  if (rv && !/^\d+$/.test(rv)) throw badRequest(`resourceVersion: Invalid value: "${rv}": must be a non-negative integer`);
  const prefix = store.prefix(p.namespace);
  const bookmark = (revision: number, initialEnd = false): ApiWatchEvent => ({
    type: 'BOOKMARK',
    object: {
      apiVersion,
      kind: def.kind,
      metadata: {
        resourceVersion: String(revision),
        ...(initialEnd ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}),
      },
    },
  });

  // resourceVersion unset or "0": the current state as ADDED events first (unless the client
  // said sendInitialEvents=false), then what changes after it.
  let from: number;
  const initial = p.sendInitialEvents ?? (rv === '' || rv === '0');
  if (initial) {
    const page = await storage.list(prefix);
    for (const kv of page.items) {
      const obj = store.decode(kv.value, kv.modRevision);
      if (p.predicate.matches(obj)) yield { type: 'ADDED', object: obj };
    }
    if (p.sendInitialEvents && p.allowWatchBookmarks) yield bookmark(page.revision, true);
    from = page.revision + 1;
  } else {
    from = rv === '' || rv === '0' ? (await storage.currentRevision()) + 1 : Number(rv) + 1;
  }

  let watch;
  try {
    watch = storage.watch(prefix, from, { signal: p.signal });
  } catch (e) {
    if (isCompacted(e)) {
      yield { type: 'ERROR', object: toStatus(expired(`too old resource version: ${rv} (${e.compactedRevision - 1})`)) };
      return;
    }
    throw e;
  }
  let timer: NodeJS.Timeout | undefined;
  if (p.allowWatchBookmarks) {
    timer = setInterval(() => watch.requestProgress(), p.bookmarkIntervalMs ?? DEFAULT_BOOKMARK_INTERVAL_MS);
    timer.unref();
  }
  let lastRevision = from - 1;
  // Every watcher of a resource gets the same storage event objects: decode each value once for
  // all of them (built-ins only: a custom resource's apiVersion depends on the version watched).
  const decode = (value: Uint8Array, revision: number): KubeObject => {
    if (def.builtin === false) return store.decode(value, revision);
    let obj = decodedValues.get(value);
    if (!obj) {
      obj = store.decode(value, revision);
      decodedValues.set(value, obj);
    }
    return obj;
  };
  try {
    for await (const ev of watch) {
      if (ev.type === 'PROGRESS') {
        if (ev.modRevision > lastRevision) {
          lastRevision = ev.modRevision;
          yield bookmark(ev.modRevision);
        }
        continue;
      }
      lastRevision = ev.modRevision;
      const out = toApiEvent(ev, p.predicate, decode);
      if (out) yield out;
    }
  } catch (e) {
    if (isCompacted(e)) {
      yield { type: 'ERROR', object: toStatus(expired(`too old resource version: ${rv} (${e.compactedRevision - 1})`)) };
      return;
    }
    // A watcher that fell behind is closed, as upstream's cacher does: the client watches again
    // from the last resourceVersion it saw.
    if (e instanceof Error && 'code' in e && (e as { code: string }).code === 'WatchOverflow') return;
    throw e;
  } finally {
    if (timer) clearInterval(timer);
    watch.close();
  }
}

function toApiEvent(
  ev: WatchEvent,
  predicate: SelectionPredicate,
  decodeObject: (value: Uint8Array, revision: number) => KubeObject,
): ApiWatchEvent | undefined {
  if (ev.type === 'DELETE') {
    const old = decodeObject(ev.prevValue!, ev.modRevision);
    return predicate.matches(old) ? { type: 'DELETED', object: old } : undefined;
  }
  const obj = decodeObject(ev.value, ev.modRevision);
  if (!ev.prevValue) return predicate.matches(obj) ? { type: 'ADDED', object: obj } : undefined;
  if (predicate.everything) return { type: 'MODIFIED', object: obj };
  const now = predicate.matches(obj);
  const before = predicate.matches(decodeObject(ev.prevValue, ev.modRevision));
  if (now && before) return { type: 'MODIFIED', object: obj };
  if (now) return { type: 'ADDED', object: obj };
  if (before) return { type: 'DELETED', object: obj };
  return undefined;
}
