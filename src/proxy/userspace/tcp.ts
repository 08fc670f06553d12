// One TCP service port of the userspace proxy: a listening socket whose accepted connections are
// spliced to an endpoint chosen by the balancer. Like upstream's userspace proxier (proxysocket.go)
// a failed dial moves on to the next endpoint with a growing timeout, and a connection keeps its
// endpoint for its whole life: endpoint changes only steer new connections.
import net from 'node:net';
import type { ProxyEndpoint } from '../model.js';
import { type HostAddressCheck, ListenerBalancers, type RoundRobinBalancer } from './balancer.js';

export interface ListenAddress {
  host: string;
  port: number;
}

export interface PortProxyOptions {
  /** Dial timeout per attempt; attempt i uses the i-th entry, or the last one (upstream: 250ms, 500ms, 1s, 2s). */
  dialTimeoutsMs: readonly number[];
  now: () => number;
  /** Which clients are this host itself, for `hostEndpoints` (default: none). */
  isHostAddress?: HostAddressCheck;
}

/** What the proxier needs from a TCP or UDP port proxy. */
export interface PortProxy {
  readonly address: ListenAddress;
  /** The balancer of clients from elsewhere (all clients unless `hostEndpoints` were given). */
  readonly balancer: RoundRobinBalancer;
  /** Opens the listening socket; rejects when the address cannot be bound. */
  start(): Promise<void>;
  /** `hostEndpoints`: where clients on this host go instead (externalTrafficPolicy Local). */
  update(endpoints: readonly ProxyEndpoint[], affinityTimeoutSeconds: number | undefined, hostEndpoints?: readonly ProxyEndpoint[]): void;
  /** Stops accepting; established TCP connections are left to finish on their own. */
  stop(): Promise<void>;
  /** Stops accepting and tears down every connection or session. */
  destroy(): Promise<void>;
  /** Open connections or sessions (debugging and tests). */
  readonly active: number;
}

/** Strips the IPv4-mapped prefix so that affinity keys on the client's real address. */
export function clientAddress(raw: string | undefined): string | undefined {
  return raw?.startsWith('::ffff:') ? raw.slice(7) : raw;
}

export class TcpPortProxy implements PortProxy {
  private readonly balancers: ListenerBalancers;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    readonly address: ListenAddress,
    private readonly options: PortProxyOptions,
  ) {
    this.balancers = new ListenerBalancers(options.now, options.isHostAddress);
    // Half-open on both legs: a client that shuts down its write side still gets the reply.
    this.server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => this.accept(client));
  }

  get active(): number {
    return this.sockets.size;
  }

  get balancer(): RoundRobinBalancer {
    return this.balancers.main;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host: this.address.host, port: this.address.port, exclusive: true }, () => {
        this.server.off('error', onError);
        // Later accept errors (EMFILE...) must not crash the process; node retries accepting.
        this.server.on('error', () => undefined);
        resolve();
      });
    });
  }

  update(endpoints: readonly ProxyEndpoint[], affinityTimeoutSeconds: number | undefined, hostEndpoints?: readonly ProxyEndpoint[]): void {
    this.balancers.update(endpoints, affinityTimeoutSeconds, hostEndpoints);
  }

  stop(): Promise<void> {
    // close() releases the port at once; its callback would wait for every connection, so it is
    // not awaited here: connections to a removed service keep running, as they do through conntrack.
    if (this.server.listening) this.server.close();
    return Promise.resolve();
  }

  async destroy(): Promise<void> {
    const closed = new Promise<void>((resolve) => (this.server.listening ? this.server.close(() => resolve()) : resolve()));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  private accept(client: net.Socket): void {
    client.on('error', () => undefined);
    const clientIP = clientAddress(client.remoteAddress);
    const balancer = this.balancers.for(clientIP);
    if (balancer.size === 0) {
      // Upstream rejects with a TCP reset when a service has no endpoints: the client fails fast
      // with "connection refused/reset" instead of hanging.
      client.resetAndDestroy();
      return;
    }
    this.track(client);
    void this.dial(balancer, clientIP, client).then((backend) => {
      if (!backend) {
        if (!client.destroyed) client.resetAndDestroy();
        return;
      }
      if (client.destroyed) {
        backend.destroy();
        return;
      }
      this.track(backend);
      backend.setNoDelay(true);
      client.setNoDelay(true);
      // A reset on one leg is passed on as a reset on the other; a clean end as a clean end (pipe
      // forwards the FIN and each socket closes once both directions are done). A clean close must
      // not destroy the other leg: that would drop data still queued for a slow peer.
      backend.on('error', () => (client.destroyed ? undefined : client.resetAndDestroy()));
      client.on('error', () => (backend.destroyed ? undefined : backend.resetAndDestroy()));
      client.pipe(backend);
      backend.pipe(client);
      client.resume();
    });
  }

  /** Tries endpoints in balancer order until one accepts, at most once per endpoint. */
  private async dial(balancer: RoundRobinBalancer, clientIP: string | undefined, client: net.Socket): Promise<net.Socket | undefined> {
    const attempts = balancer.size;
    for (let i = 0; i < attempts && !client.destroyed; i++) {
      const endpoint = balancer.next(clientIP);
      if (!endpoint) return undefined;
      const timeouts = this.options.dialTimeoutsMs;
      const socket = await connect(endpoint, timeouts[Math.min(i, timeouts.length - 1)] ?? 1000);
      if (socket) return socket;
      // The pinned endpoint failed: let the client be re-pinned to whichever endpoint answers.
      balancer.forget(clientIP);
    }
    return undefined;
  }
}

function connect(endpoint: ProxyEndpoint, timeoutMs: number): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: endpoint.ip, port: endpoint.port, allowHalfOpen: true });
    const timer = setTimeout(() => fail(), timeoutMs);
    const fail = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(undefined);
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      resolve(socket);
    });
  });
}
