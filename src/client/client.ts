// The API client: typed verbs per resource over a Transport. Replies are JSON; error replies
// become StatusErrors carrying the server's reason, code, message and details, so callers test
// them with isNotFound/isConflict as they test errors from inside the server.
import type { IncomingMessage } from 'node:http';
import type { Status } from 'kubernetes-types/meta/v1.js';
import type { Scale } from 'kubernetes-types/autoscaling/v1.js';
import { StatusError, type StatusReason } from '../apimachinery/errors.js';
import type { Transport } from './transport.js';
import type {
  Client,
  DeleteOptions,
  KubeObject,
  ListOptions,
  ObjectList,
  PartialObjectMetadata,
  PatchType,
  RawRequest,
  ResourceClient,
  ResourceType,
  WatchEvent,
  WatchOptions,
  WriteOptions,
} from './types.js';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/** Accept header asking for metadata only (upstream's metadata client). */
const METADATA_ACCEPT = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';

export class ApiClient implements Client {
  constructor(
    private readonly transport: Transport,
    /** fieldValidation sent with writes that do not say (components writing typed objects may say Ignore). */
    readonly defaultFieldValidation?: 'Ignore' | 'Warn' | 'Strict',
  ) {}

  resource<T extends KubeObject>(type: ResourceType): ResourceClient<T> {
    return new TypedResourceClient<T>(this, type, false);
  }

  /** get/list/watch/patch/delete answering PartialObjectMetadata (for caches of any resource). */
  metadata(type: ResourceType): ResourceClient<PartialObjectMetadata> {
    return new TypedResourceClient<PartialObjectMetadata>(this, type, true);
  }

  async request<R = unknown>(req: RawRequest & { accept?: string; signal?: AbortSignal }): Promise<R> {
    const res = await this.send(req);
    const body = await readBody(res);
    if ((res.statusCode ?? 500) >= 300) throw errorFromReply(res.statusCode ?? 500, body);
    return (body.length ? JSON.parse(body.toString('utf8')) : undefined) as R;
  }

  /** The response of a request whose body the caller streams (watch). */
  async stream(req: RawRequest & { accept?: string; signal?: AbortSignal }): Promise<IncomingMessage> {
    const res = await this.send(req);
    if ((res.statusCode ?? 500) >= 300) throw errorFromReply(res.statusCode ?? 500, await readBody(res));
    return res;
  }

  close(): void {
    this.transport.close();
  }

  private send(req: RawRequest & { accept?: string; signal?: AbortSignal }): Promise<IncomingMessage> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined && v !== '') qs.set(k, String(v));
    const q = qs.toString();
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    return this.transport.send({
      method: req.method,
      path: q ? `${req.path}?${q}` : req.path,
      headers: {
        accept: req.accept ?? 'application/json',
        ...(body ? { 'content-type': req.contentType ?? 'application/json' } : {}),
      },
      body,
      signal: req.signal,
    });
  }
}

class TypedResourceClient<T extends KubeObject> implements ResourceClient<T> {
  constructor(
    private readonly client: ApiClient,
    readonly type: ResourceType,
    private readonly metadataOnly: boolean,
  ) {}

  private path(namespace: string, name?: string, subresource?: string): string {
    const t = this.type;
    let p = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
    if (t.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
    p += `/${t.resource}`;
    if (name !== undefined) p += `/${encodeURIComponent(name)}`;
    if (subresource) p += `/${subresource}`;
    return p;
  }

  private accept(list: boolean): string | undefined {
    return this.metadataOnly ? (list ? METADATA_LIST_ACCEPT : METADATA_ACCEPT) : undefined;
  }

  get(namespace: string, name: string): Promise<T> {
    return this.client.request<T>({ method: 'GET', path: this.path(namespace, name), accept: this.accept(false) });
  }

  list(namespace: string, opts: ListOptions = {}): Promise<ObjectList<T>> {
    return this.client.request<ObjectList<T>>({ method: 'GET', path: this.path(namespace), query: { ...opts }, accept: this.accept(true) });
  }

  async *watch(namespace: string, opts: WatchOptions = {}): AsyncIterable<WatchEvent<T>> {
    const { signal, ...query } = opts;
    if (signal?.aborted) return;
    let res: IncomingMessage;
    try {
      res = await this.client.stream({ method: 'GET', path: this.path(namespace), query: { ...query, watch: true }, accept: this.accept(false), signal });
    } catch (e) {
      if (signal?.aborted) return;
      throw e;
    }
    let pending = '';
    // Decoded as a stream: a multi-byte character may straddle two chunks (TLS records split
    // large events anywhere).
    res.setEncoding('utf8');
    try {
      for await (const chunk of res) {
        pending += chunk as string;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          if (line.trim()) yield JSON.parse(line) as WatchEvent<T>;
        }
      }
    } catch (e) {
      // An aborted or cut connection ends the watch; the caller re-watches from its last version.
      if (signal?.aborted || (e as NodeJS.ErrnoException).code === 'ECONNRESET' || (e as Error).name === 'AbortError') return;
      throw e;
    } finally {
      res.destroy();
    }
  }

  create(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.client.request<T>({ method: 'POST', path: this.path(obj.metadata?.namespace ?? ''), query: writeQuery(opts, this.client.defaultFieldValidation), body: obj });
  }

  update(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.client.request<T>({ method: 'PUT', path: this.path(obj.metadata?.namespace ?? '', obj.metadata?.name ?? ''), query: writeQuery(opts, this.client.defaultFieldValidation), body: obj });
  }

  updateStatus(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.client.request<T>({
      method: 'PUT',
      path: this.path(obj.metadata?.namespace ?? '', obj.metadata?.name ?? '', 'status'),
      query: writeQuery(opts, this.client.defaultFieldValidation),
      body: obj,
    });
  }

  patch(namespace: string, name: string, type: PatchType, patch: unknown, opts: WriteOptions & { subresource?: 'status' | 'scale' } = {}): Promise<T> {
    return this.client.request<T>({
      method: 'PATCH',
      path: this.path(namespace, name, opts.subresource),
      query: writeQuery(opts, this.client.defaultFieldValidation),
      body: patch,
      contentType: PATCH_CONTENT_TYPES[type],
      accept: this.accept(false),
    });
  }

  delete(namespace: string, name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    return this.client.request<T | Status>({
      method: 'DELETE',
      path: this.path(namespace, name),
      body: deleteBody(opts),
      accept: this.accept(false),
    });
  }

  async deleteCollection(namespace: string, opts: ListOptions & DeleteOptions = {}): Promise<void> {
    const { propagationPolicy, gracePeriodSeconds, preconditions, dryRun, ...list } = opts;
    await this.client.request({
      method: 'DELETE',
      path: this.path(namespace),
      query: { ...list },
      body: deleteBody({ propagationPolicy, gracePeriodSeconds, preconditions, dryRun }),
    });
  }

  getScale(namespace: string, name: string): Promise<Scale> {
    return this.client.request<Scale>({ method: 'GET', path: this.path(namespace, name, 'scale') });
  }

  updateScale(namespace: string, name: string, scale: Scale): Promise<Scale> {
    return this.client.request<Scale>({ method: 'PUT', path: this.path(namespace, name, 'scale'), body: scale });
  }
}

function writeQuery(opts: WriteOptions, fieldValidation: string | undefined): Record<string, string | undefined> {
  return { dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager, fieldValidation: opts.fieldValidation ?? fieldValidation };
}

function deleteBody(opts: DeleteOptions): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'DeleteOptions',
    ...(opts.propagationPolicy ? { propagationPolicy: opts.propagationPolicy } : {}),
    ...(opts.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: opts.gracePeriodSeconds } : {}),
    ...(opts.preconditions ? { preconditions: opts.preconditions } : {}),
    ...(opts.dryRun ? { dryRun: ['All'] } : {}),
  };
}

async function readBody(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The server's Status as a StatusError (or a generic one when the reply is not a Status). */
export function errorFromReply(code: number, body: Buffer): StatusError {
  try {
    const s = JSON.parse(body.toString('utf8')) as Status;
    if (s.kind === 'Status') return new StatusError(s.code ?? code, (s.reason ?? 'InternalError') as StatusReason, s.message ?? '', s.details);
  } catch {
    // not JSON: fall through
  }
  return new StatusError(code, code === 404 ? 'NotFound' : 'InternalError', body.toString('utf8').slice(0, 500) || `HTTP ${code}`);
}

