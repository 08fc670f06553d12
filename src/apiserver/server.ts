// The API server: an HTTPS listener whose requests pass named phases (route, authenticate,
// authorize, then the handler: decode, admission and validation happen in the store, then
// respond). Errors of every phase leave as a metav1.Status from writeError.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ResourceRegistry } from '../api/registry.js';
import type { ResourceDefinition } from '../api/types.js';
import { methodNotSupported, pathNotFound } from '../apimachinery/errors.js';
import type { Logger } from '../logging/index.js';
import type { Runnable } from '../manager/index.js';
import { authenticate, authorize, type ServiceAccountTokens } from './authn.js';
import type { RequestContext, UserInfo } from './handlers/context.js';
import { InProcessListener } from './in-process.js';
import { handleCreate, handleDelete, handleDeleteCollection, handleGet, handleList, handlePatch, handleUpdate } from './handlers/crud.js';
import type { FieldProblemFinder } from './handlers/field-validation.js';
import { handleEviction } from './handlers/eviction.js';
import { handleBinding, handleFinalize, handleScale } from './handlers/subresources.js';
import { handlePodLog, type KubeletClientConfig } from './handlers/pod-log.js';
import { handleNodeProxy } from './handlers/node-proxy.js';
import { handlePodStream, handlePodStreamUpgrade, POD_STREAM_SUBRESOURCES } from './handlers/pod-stream.js';
import { handleTokenRequest } from './handlers/token-request.js';
import { handleWatch } from './handlers/watch.js';
import { chooseRendering } from './http/negotiation.js';
import { writeError } from './http/respond.js';
import { handleNonResource, type NonResourceDeps } from './non-resource.js';
import { DEFAULT_VERBS } from './discovery.js';
import type { ResourceStore } from './registry/store.js';
import { parseRequestInfo, type ResourceRequestInfo } from './request-info.js';

export interface TlsMaterial {
  certPem: string;
  keyPem: string;
  caPem: string;
}

export interface ApiServerOptions {
  host: string;
  port: number;
  tls: TlsMaterial;
  registry: ResourceRegistry;
  storeFor: (def: ResourceDefinition) => ResourceStore;
  logger: Logger;
  nonResource: Omit<NonResourceDeps, 'registry' | 'serverAddress'>;
  findFieldProblems?: FieldProblemFinder;
  /** How to reach kubelets (pods/log); without it those requests fail with a 500. */
  kubeletClient?: KubeletClientConfig;
  /** Issues (serviceaccounts/token) and authenticates (bearer) service account tokens; absent: neither. */
  serviceAccountTokens?: ServiceAccountTokens;
}

export class ApiServer implements Runnable {
  readonly name = 'apiserver';
  private server: Server | undefined;
  private listening: Promise<AddressInfo>;
  private resolveListening!: (a: AddressInfo) => void;
  private readonly inflight = new Set<AbortController>();
  private readonly inProcess = new InProcessListener((req, res) => void this.serve(req, res));

  constructor(private readonly opts: ApiServerOptions) {
    this.listening = new Promise((r) => (this.resolveListening = r));
  }

  /** Resolves with the bound address once the server accepts connections. */
  address(): Promise<AddressInfo> {
    return this.listening;
  }

  /** An in-memory connection into the request path, authenticated as `user` (see in-process.ts). */
  connectInProcess(user: UserInfo): Duplex {
    return this.inProcess.connect(user);
  }

  async start(signal: AbortSignal): Promise<void> {
    const { tls } = this.opts;
    const server = createServer(
      { cert: tls.certPem, key: tls.keyPem, ca: tls.caPem, requestCert: true, rejectUnauthorized: false },
      (req, res) => void this.serve(req, res),
    );
    this.server = server;
    // Connection: Upgrade requests (exec, attach, port-forward) arrive here instead of 'request'.
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.serveUpgrade(req, socket, head));
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.resolveListening(server.address() as AddressInfo);
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    // Stop accepting, end watches and other long requests, then let the rest finish.
    for (const c of this.inflight) c.abort();
    this.inProcess.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 2000).unref();
    });
  }

  /** Upgrade requests: pod streams are proxied to the kubelet (handlers/pod-stream.ts), others served as usual. */
  private serveUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const abort = new AbortController();
    this.inflight.add(abort);
    socket.once('close', () => this.inflight.delete(abort));
    return handlePodStreamUpgrade(req, socket, head, {
      authenticate: (r) => authenticate(r, this.opts.serviceAccountTokens),
      storeOf: (group, version, plural) => {
        const def = this.opts.registry.get(group, version, plural);
        if (!def) throw new Error(`no resource ${plural} in ${group}/${version}`);
        return this.opts.storeFor(def);
      },
      kubeletClient: this.opts.kubeletClient,
      signal: abort.signal,
      serve: (r, res) => this.serve(r, res),
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const abort = new AbortController();
    this.inflight.add(abort);
    res.on('close', () => {
      // Only a request cut short needs its work stopped (abort() is not free: it builds an error).
      if (!res.writableFinished) abort.abort();
      this.inflight.delete(abort);
    });
    const started = performance.now();
    let phase = 'route';
    try {
      const url = new URL(req.url ?? '/', 'https://kubets');
      const info = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
      phase = 'authenticate';
      const user = await authenticate(req, this.opts.serviceAccountTokens);
      phase = 'authorize';
      authorize(user, info);
      phase = 'handle';
      if (!info.isResourceRequest) {
        const addr = this.server?.address() as AddressInfo | undefined;
        await handleNonResource(req, res, url, info, {
          ...this.opts.nonResource,
          registry: this.opts.registry,
          serverAddress: `${req.headers.host ?? `${this.opts.host}:${addr?.port ?? this.opts.port}`}`,
        });
        return;
      }
      const def = this.opts.registry.get(info.group, info.version, info.resource);
      if (!def || (!def.namespaced && info.namespace)) throw pathNotFound();
      const ctx: RequestContext = {
        req,
        res,
        url,
        query: url.searchParams,
        info,
        def,
        store: this.opts.storeFor(def),
        storeOf: (group, version, plural) => {
          const other = this.opts.registry.get(group, version, plural);
          if (!other) throw new Error(`no resource ${plural} in ${group}/${version}`);
          return this.opts.storeFor(other);
        },
        user,
        rendering: chooseRendering(req.headers.accept),
        logger: this.opts.logger,
        // Made on first use: most requests never look at it, and making one is not free.
        get signal() {
          return abort.signal;
        },
        warnings: [],
        findFieldProblems: this.opts.findFieldProblems,
      };
      await dispatch(ctx, this.opts.kubeletClient, this.opts.serviceAccountTokens);
    } catch (e) {
      writeError(res, e);
    } finally {
      this.opts.logger.debug(
        { method: req.method, path: req.url, status: res.statusCode, phase, ms: Math.round(performance.now() - started) },
        'request',
      );
    }
  }
}

async function dispatch(ctx: RequestContext, kubeletClient: KubeletClientConfig | undefined, tokens?: ServiceAccountTokens): Promise<void> {
  const { info, def } = ctx;
  const verbs = def.verbs ?? DEFAULT_VERBS;
  if (info.subresource) return dispatchSubresource(ctx, info, kubeletClient, tokens);
  if (!verbs.includes(info.verb)) throw methodNotSupported(ctx.store.qualified, info.verb);
  switch (info.verb) {
    case 'get':
      return handleGet(ctx);
    case 'list':
      return handleList(ctx);
    case 'watch':
      return handleWatch(ctx);
    case 'create':
      if (info.name) throw methodNotSupported(ctx.store.qualified, 'create');
      return handleCreate(ctx);
    case 'update':
      return handleUpdate(ctx);
    case 'patch':
      return handlePatch(ctx);
    case 'delete':
      return handleDelete(ctx);
    case 'deletecollection':
      return handleDeleteCollection(ctx);
    default:
      throw methodNotSupported(ctx.store.qualified, info.verb);
  }
}

async function dispatchSubresource(ctx: RequestContext, info: ResourceRequestInfo, kubeletClient: KubeletClientConfig | undefined, tokens?: ServiceAccountTokens): Promise<void> {
  const { def } = ctx;
  const sub = info.subresource;
  if (sub === 'status' && def.subresources?.status) {
    if (info.verb === 'get') return handleGet(ctx);
    if (info.verb === 'update') return handleUpdate(ctx);
    if (info.verb === 'patch') return handlePatch(ctx);
  } else if (sub === 'scale' && def.subresources?.scale) {
    if (info.verb === 'get' || info.verb === 'update' || info.verb === 'patch') return handleScale(ctx);
  } else if (def.group === '' && def.plural === 'pods' && sub === 'binding') {
    if (info.verb === 'create') return handleBinding(ctx);
  } else if (def.group === '' && def.plural === 'pods' && sub === 'eviction') {
    if (info.verb === 'create') return handleEviction(ctx);
  } else if (def.group === '' && def.plural === 'pods' && sub === 'log') {
    if (info.verb === 'get') return handlePodLog(ctx, kubeletClient);
  } else if (def.group === '' && def.plural === 'pods' && POD_STREAM_SUBRESOURCES.includes(sub)) {
    return handlePodStream(ctx, kubeletClient);
  } else if (def.group === '' && def.plural === 'nodes' && sub === 'proxy') {
    return handleNodeProxy(ctx, info.rest, kubeletClient);
  } else if (def.group === '' && def.plural === 'serviceaccounts' && sub === 'token') {
    if (info.verb === 'create') return handleTokenRequest(ctx, tokens);
  } else if (def.group === '' && def.plural === 'namespaces' && sub === 'finalize') {
    if (info.verb === 'update') return handleFinalize(ctx);
  } else {
    throw pathNotFound();
  }
  throw methodNotSupported({ group: def.group, resource: `${def.plural}/${sub}` }, info.verb);
}
