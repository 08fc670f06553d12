// One UDP service port of the userspace proxy. UDP has no connections, so, as upstream's userspace
// proxier did, each client address gets a session: its own socket towards one endpoint, through
// which replies come back and are sent to the client from the service address. A session ends
// after an idle timeout (upstream's --udp-timeout, 250ms by default).
import dgram from 'node:dgram';
import type { ProxyEndpoint } from '../model.js';
import { endpointKey, type HostAddressCheck, ListenerBalancers, type RoundRobinBalancer } from './balancer.js';
import type { ListenAddress, PortProxy } from './tcp.js';

export interface UdpPortProxyOptions {
  idleTimeoutMs: number;
  now: () => number;
  /** Which clients are this host itself, for `hostEndpoints` (default: none). */
  isHostAddress?: HostAddressCheck;
}

interface Session {
  clientIP: string;
  socket: dgram.Socket;
  endpoint: ProxyEndpoint;
  timer?: NodeJS.Timeout;
}

const socketType = (host: string): dgram.SocketType => (host.includes(':') ? 'udp6' : 'udp4');

export class UdpPortProxy implements PortProxy {
  private readonly balancers: ListenerBalancers;
  private readonly socket: dgram.Socket;
  private readonly sessions = new Map<string, Session>();
  private bound = false;
  private socketClosed = false;

  constructor(
    readonly address: ListenAddress,
    private readonly options: UdpPortProxyOptions,
  ) {
    this.balancers = new ListenerBalancers(options.now, options.isHostAddress);
    this.socket = dgram.createSocket({ type: socketType(address.host) });
    this.socket.on('message', (msg, rinfo) => this.fromClient(msg, rinfo));
  }

  get active(): number {
    return this.sessions.size;
  }

  get balancer(): RoundRobinBalancer {
    return this.balancers.main;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.socket.once('error', onError);
      this.socket.bind({ address: this.address.host, port: this.address.port, exclusive: true }, () => {
        this.socket.off('error', onError);
        this.socket.on('error', () => undefined);
        this.bound = true;
        resolve();
      });
    });
  }

  /**
   * Sessions to endpoints that went away are ended: unlike TCP, nothing tells a UDP client its peer
   * is gone, so upstream kube-proxy deletes the conntrack entries of removed UDP endpoints and the
   * client's next datagram picks a live endpoint.
   */
  update(endpoints: readonly ProxyEndpoint[], affinityTimeoutSeconds: number | undefined, hostEndpoints?: readonly ProxyEndpoint[]): void {
    this.balancers.update(endpoints, affinityTimeoutSeconds, hostEndpoints);
    for (const [client, session] of this.sessions) {
      // Ended unless its endpoint is still one this client may be sent to.
      if (!this.balancers.for(session.clientIP).has(endpointKey(session.endpoint))) this.endSession(client, session);
    }
  }

  stop(): Promise<void> {
    return this.destroy();
  }

  async destroy(): Promise<void> {
    for (const [client, session] of this.sessions) this.endSession(client, session);
    if (this.socketClosed) return;
    this.socketClosed = true;
    this.bound = false;
    await new Promise<void>((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve(); // a failed bind can leave it closed already
      }
    });
  }

  private fromClient(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const client = `${rinfo.address}:${rinfo.port}`;
    let session = this.sessions.get(client);
    if (!session) {
      // No endpoint: the datagram is dropped (the kernel modes answer ICMP unreachable, which a
      // userspace socket cannot send).
      const endpoint = this.balancers.for(rinfo.address).next(rinfo.address);
      if (!endpoint) return;
      session = this.openSession(client, rinfo, endpoint);
    }
    this.touch(client, session);
    session.socket.send(msg, session.endpoint.port, session.endpoint.ip);
  }

  private openSession(client: string, rinfo: dgram.RemoteInfo, endpoint: ProxyEndpoint): Session {
    const socket = dgram.createSocket(socketType(endpoint.ip));
    const session: Session = { clientIP: rinfo.address, socket, endpoint };
    socket.on('error', () => this.endSession(client, session));
    socket.on('message', (reply, from) => {
      // Only the chosen endpoint may answer through this session.
      if (from.address !== endpoint.ip || from.port !== endpoint.port || !this.bound) return;
      this.touch(client, session);
      this.socket.send(reply, rinfo.port, rinfo.address);
    });
    this.sessions.set(client, session);
    return session;
  }

  private touch(client: string, session: Session): void {
    clearTimeout(session.timer);
    session.timer = setTimeout(() => this.endSession(client, session), this.options.idleTimeoutMs);
    session.timer.unref();
  }

  private endSession(client: string, session: Session): void {
    clearTimeout(session.timer);
    if (this.sessions.get(client) === session) this.sessions.delete(client);
    try {
      session.socket.close();
    } catch {
      // Already closed (an error ended it first).
    }
  }
}
