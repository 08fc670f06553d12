// Watch responses: one JSON event per line, flushed per event (client-node splits on newlines),
// closed after an ERROR event, on timeoutSeconds, or when the client goes away.
import type { KubeObject } from '../../api/types.js';
import { badRequest, toStatus } from '../../apimachinery/errors.js';
import { buildPredicate } from '../registry/selection.js';
import { watchObjects } from '../registry/watch.js';
import { partialObjectMetadata, toTable } from '../table.js';
import { BoundedCache } from '../registry/bounded-cache.js';
import type { RequestContext } from './context.js';

/** Without timeoutSeconds a watch ends after 30 to 60 minutes, as upstream's minRequestTimeout. */
const DEFAULT_TIMEOUT_S = 1800;

export async function handleWatch(ctx: RequestContext): Promise<void> {
  const q = ctx.query;
  const timeoutParam = q.get('timeoutSeconds');
  if (timeoutParam !== null && !/^\d+$/.test(timeoutParam)) {
    throw badRequest(`timeoutSeconds: Invalid value: "${timeoutParam}": must be a non-negative integer`);
  }
  const timeoutS = timeoutParam ? Number(timeoutParam) : DEFAULT_TIMEOUT_S * (1 + Math.random());
  const sendInitial = q.get('sendInitialEvents');
  const predicate = buildPredicate(ctx.def, q.get('labelSelector'), q.get('fieldSelector'));
  const rv = q.get('resourceVersion') ?? '';
  if (rv && !/^\d+$/.test(rv)) throw badRequest(`resourceVersion: Invalid value: "${rv}": must be a non-negative integer`);
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => abort.abort(), timeoutS * 1000);
  const events = watchObjects(ctx.store, {
    namespace: ctx.info.namespace,
    predicate,
    resourceVersion: rv,
    sendInitialEvents: sendInitial === null ? undefined : sendInitial === 'true',
    allowWatchBookmarks: q.get('allowWatchBookmarks') === 'true',
    signal: abort.signal,
  });
  const res = ctx.res;
  // Headers go out at once: clients (client-node's informer) wait for them before they go on.
  // From here on, failures are ERROR events in the stream, as upstream sends them.
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  let first = true;
  const endStream = () => {
    if (!res.writableEnded) res.end();
  };
  abort.signal.addEventListener('abort', endStream, { once: true });
  try {
    for await (const ev of events) {
      let object = ev.object as KubeObject;
      const r = ctx.rendering;
      if (ev.type !== 'ERROR' && ev.type !== 'BOOKMARK') {
        if (r.as === 'Table') {
          object = toTable(ctx.def, [object], { resourceVersion: object.metadata?.resourceVersion }, {
            version: r.version,
            includeObject: (q.get('includeObject') as 'None' | 'Object' | 'Metadata' | null) ?? 'Metadata',
            noHeaders: !first,
          }) as KubeObject;
          first = false;
        } else if (r.as === 'PartialObjectMetadata') {
          object = partialObjectMetadata(object, r.version);
        }
      }
      res.write(r.as === 'object' ? eventLine(ev.type, object) : JSON.stringify({ type: ev.type, object }) + '\n');
      if (ev.type === 'ERROR') break;
      if (abort.signal.aborted) break;
    }
  } catch (e) {
    if (!res.writableEnded) res.write(JSON.stringify({ type: 'ERROR', object: toStatus(e) }) + '\n');
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
    abort.abort();
    await events.return(undefined);
    endStream();
  }
}

/** Serialised events, shared by every watcher that sends the same object with the same type. */
const lines = new BoundedCache<object, Map<string, string>>(2048);

function eventLine(type: string, object: KubeObject): string {
  let byType = lines.get(object);
  if (!byType) {
    byType = new Map();
    lines.set(object, byType);
  }
  let line = byType.get(type);
  if (line === undefined) {
    line = JSON.stringify({ type, object }) + '\n';
    byType.set(type, line);
  }
  return line;
}
