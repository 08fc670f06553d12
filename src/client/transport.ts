// How requests reach an API server: HTTP/1.1 with keep-alive, either over TLS to a URL (a
// kubeconfig's cluster and user) or over in-memory connections into this process's API server.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Duplex } from 'node:stream';

export interface TransportRequest {
  method: string;
  /** Path and query string. */
  path: string;
  headers: OutgoingHttpHeaders;
  body?: Buffer;
  signal?: AbortSignal;
}

export interface Transport {
  /** Resolves with the response once its headers arrived; its body is left to the caller. */
  send(req: TransportRequest): Promise<IncomingMessage>;
  close(): void;
}

/** Where and as whom to connect, as a kubeconfig context says it. */
export interface RestConfig {
  /** https://host:port */
  server: string;
  caPem?: string;
  certPem?: string;
  keyPem?: string;
  token?: string;
  insecureSkipTlsVerify?: boolean;
  userAgent?: string;
}

// No cap on connections per server: every open watch holds one HTTP/1.1 connection for its whole
// life, so a cap would let enough informers (the garbage collector watches every resource) starve
// all other requests. client-go does not cap them either (HTTP/2 multiplexes; MaxConnsPerHost 0).
const MAX_SOCKETS = Infinity;
/** Idle keep-alive connections kept for reuse. */
const MAX_FREE_SOCKETS = 64;

class AgentTransport implements Transport {
  constructor(
    private readonly agent: HttpAgent,
    private readonly target: { protocol: 'http:' | 'https:'; host: string; port: number },
    private readonly extraHeaders: OutgoingHttpHeaders,
  ) {}

  send(req: TransportRequest): Promise<IncomingMessage> {
    const make = this.target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const r = make(
        {
          agent: this.agent,
          protocol: this.target.protocol,
          host: this.target.host,
          port: this.target.port,
          method: req.method,
          path: req.path,
          headers: { ...this.extraHeaders, ...req.headers, ...(req.body ? { 'content-length': req.body.length } : {}) },
          signal: req.signal,
        },
        resolve,
      );
      r.on('error', reject);
      r.end(req.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** TLS to config.server, authenticated by client certificate or bearer token. */
export function httpsTransport(config: RestConfig): Transport {
  const url = new URL(config.server);
  const agent = new HttpsAgent({
    keepAlive: true,
    maxSockets: MAX_SOCKETS,
    maxFreeSockets: MAX_FREE_SOCKETS,
    ca: config.caPem,
    cert: config.certPem,
    key: config.keyPem,
    rejectUnauthorized: !config.insecureSkipTlsVerify,
  });
  const headers: OutgoingHttpHeaders = { 'user-agent': config.userAgent ?? 'kubets' };
  if (config.token) headers.authorization = `Bearer ${config.token}`;
  // URL keeps an IPv6 literal's brackets ([::1]); a socket address has none.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new AgentTransport(agent, { protocol: 'https:', host, port: Number(url.port || 443) }, headers);
}

/** In-memory connections made by `connect` (ApiServer.connectInProcess bound to a user). */
export function inProcessTransport(connect: () => Duplex, userAgent = 'kubets'): Transport {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS, maxFreeSockets: MAX_FREE_SOCKETS });
  (agent as unknown as { createConnection: () => Duplex }).createConnection = connect;
  return new AgentTransport(agent, { protocol: 'http:', host: 'kubets.in-process', port: 80 }, { 'user-agent': userAgent });
}
