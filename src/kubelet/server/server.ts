// The kubelet's HTTPS API (upstream pkg/kubelet/server): what the API server proxies to. Served
// with a certificate signed by the cluster CA; every request but /healthz must present a client
// certificate signed by that CA (the API server's kubelet client credentials), else 401. Errors
// are plain text with upstream's wording and codes. Served today:
//   GET /healthz                                          -> "ok"
//   GET /containerLogs/{namespace}/{pod}/{container}?...  -> the container's log (see log-reader.ts)
//   GET|POST /exec/..., /attach/..., /portForward/...     -> SPDY or WebSocket streams (streaming/)
//   GET /stats/summary                                    -> node and pod cpu/memory (stats.ts)
//   GET /metrics                                          -> the process's Prometheus metrics
//   GET /debug/proxy/rules                                -> the service proxy's dataplane
import { registry } from '../../metrics/registry.js';
import { createServer, type Server } from 'node:https';
import { type IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { silentLogger, type Logger } from '../../logging/index.js';
import type { Runnable } from '../../manager/index.js';
import { serveContainerLogs } from './container-logs.js';
import type { FindPod } from './container-logs.js';
import { writeTextError } from './respond.js';
import { serveStatsSummary, type StatsSummaryDeps } from './stats.js';
import { parseStreamingPath, refuse, StreamingServer, type StreamingOptions } from './streaming/index.js';

export const DEFAULT_KUBELET_PORT = 10250;

export interface KubeletServerTls {
  certPem: string;
  keyPem: string;
  /** CA whose client certificates are accepted (the cluster CA). */
  clientCaPem: string;
}

export interface KubeletServerOptions {
  /** Default 0.0.0.0. */
  host?: string;
  /** Default 10250; 0 picks a free port. */
  port?: number;
  tls: KubeletServerTls;
  /** The root of the pods' log directories (`<logRoot>/<ns>_<name>_<uid>/<container>/<n>.log`). */
  logRoot: string;
  findPod: FindPod;
  logger?: Logger;
  /** How often a follower looks for new lines without a change notification (default 1000 ms). */
  followPollMs?: number;
  /** exec, attach and port-forward; without it those paths answer 404. */
  streams?: Omit<StreamingOptions, 'logger'>;
  /** Serves /stats/summary when given. */
  stats?: StatsSummaryDeps;
  /** Serves /debug/proxy/rules (the service proxy's dataplane, as `kubets proxy rules` shows it) when given. */
  debug?: { proxyRules(): Promise<string> };
}

export class KubeletServer implements Runnable {
  readonly name = 'kubelet-server';
  private server: Server | undefined;
  private readonly listening: Promise<AddressInfo>;
  private resolveListening!: (a: AddressInfo) => void;
  private readonly inflight = new Set<AbortController>();
  private readonly logger: Logger;
  private readonly streaming: StreamingServer | undefined;

  constructor(private readonly opts: KubeletServerOptions) {
    this.listening = new Promise((r) => (this.resolveListening = r));
    this.logger = opts.logger ?? silentLogger;
    this.streaming = opts.streams ? new StreamingServer({ ...opts.streams, logger: this.logger }) : undefined;
  }

  /** Resolves with the bound address once the server accepts connections. */
  address(): Promise<AddressInfo> {
    return this.listening;
  }

  async start(signal: AbortSignal): Promise<void> {
    const { tls } = this.opts;
    // Client certificates are checked per request (rejectUnauthorized: false) so that /healthz
    // stays open and the others get a 401 rather than a failed handshake.
    const server = createServer(
      { cert: tls.certPem, key: tls.keyPem, ca: tls.clientCaPem, requestCert: true, rejectUnauthorized: false },
      (req, res) => void this.serve(req, res),
    );
    // Connection: Upgrade requests (exec, attach, port-forward) arrive here instead of 'request'.
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.serveUpgrade(req, socket, head));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? DEFAULT_KUBELET_PORT, this.opts.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.resolveListening(server.address() as AddressInfo);
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    for (const c of this.inflight) c.abort();
    this.streaming?.closeAll();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 2000).unref();
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const abort = new AbortController();
    this.inflight.add(abort);
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
      this.inflight.delete(abort);
    });
    const started = performance.now();
    try {
      const url = new URL(req.url ?? '/', 'https://kubelet');
      const parts = url.pathname.split('/').filter((p) => p !== '');
      if (url.pathname === '/healthz') {
        if (req.method !== 'GET' && req.method !== 'HEAD') return writeTextError(res, 405, 'Method Not Allowed', { Allow: 'GET' });
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
        res.end('ok');
        return;
      }
      if (!(req.socket as TLSSocket).authorized) return writeTextError(res, 401, 'Unauthorized');
      const route = this.streaming && parseStreamingPath(url.pathname);
      if (route) {
        if (req.method !== 'GET' && req.method !== 'POST') return writeTextError(res, 405, 'Method Not Allowed', { Allow: 'GET, POST' });
        // Without an upgrade this ends in upstream's "unable to upgrade" refusal.
        await this.streaming!.handle({ req, res }, route, url.searchParams);
        return;
      }
      if (url.pathname === '/stats/summary' && this.opts.stats) return await serveStatsSummary(req, res, this.opts.stats);
      if (url.pathname === '/metrics' || (url.pathname === '/debug/proxy/rules' && this.opts.debug)) {
        if (req.method !== 'GET') return writeTextError(res, 405, 'Method Not Allowed', { Allow: 'GET' });
        const metrics = url.pathname === '/metrics';
        const body = metrics ? await registry.metrics() : await this.opts.debug!.proxyRules();
        res.writeHead(200, { 'Content-Type': metrics ? registry.contentType : 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
        res.end(body);
        return;
      }
      if (parts[0] === 'containerLogs' && parts.length === 4) {
        if (req.method !== 'GET') return writeTextError(res, 405, 'Method Not Allowed', { Allow: 'GET' });
        const [, namespace, pod, container] = parts.map((p) => decodeURIComponent(p));
        await serveContainerLogs(res, url.searchParams, { namespace: namespace!, pod: pod!, container: container! }, {
          logRoot: this.opts.logRoot,
          findPod: this.opts.findPod,
          followPollMs: this.opts.followPollMs,
          signal: abort.signal,
        });
        return;
      }
      writeTextError(res, 404, '404 page not found\n');
    } catch (e) {
      this.logger.error({ err: e, path: req.url }, 'kubelet server request failed');
      writeTextError(res, 500, e instanceof Error ? e.message : String(e));
    } finally {
      this.logger.debug({ method: req.method, path: req.url, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'kubelet request');
    }
  }

  /** An upgrade request: a stream if it names one, else served as a plain request on its socket. */
  private async serveUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const route = this.streaming && parseStreamingPath(url.pathname);
    if (!route) {
      const res = new ServerResponse(req);
      res.shouldKeepAlive = false;
      res.assignSocket(socket as Socket);
      res.once('finish', () => socket.end());
      return this.serve(req, res);
    }
    const r = { req, socket, head };
    if (!(req.socket as TLSSocket).authorized) return refuse(r, 401, 'Unauthorized');
    if (req.method !== 'GET' && req.method !== 'POST') return refuse(r, 405, 'Method Not Allowed', { Allow: 'GET, POST' });
    try {
      await this.streaming!.handle(r, route, url.searchParams);
    } catch (e) {
      this.logger.error({ err: e, path: req.url }, 'kubelet stream failed');
      refuse(r, 500, e instanceof Error ? e.message : String(e));
    }
  }
}
