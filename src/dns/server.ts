import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer, isIPv6 } from 'node:net';
import type { AddressInfo, Server as TcpServer, Socket } from 'node:net';
import { silentLogger } from '../logging/index.js';
import type { Logger } from '../logging/index.js';
import type { Runnable } from '../manager/runnable.js';
import type { Forwarder } from './forwarder.js';
import { answerQuery, formErr, type Transport } from './responder.js';
import type { DnsMetrics } from './responder.js';
import type { KubernetesZone } from './zone.js';

/**
 * The cluster DNS server: one UDP socket and one TCP listener on the same address and port
 * (CoreDNS's `.:53`), answering the kubernetes zone from memory and forwarding the rest.
 */

export interface DnsServerOptions {
  zone: KubernetesZone;
  forwarder?: Forwarder;
  /** Default 0.0.0.0. */
  address?: string;
  /** Default 53; 0 picks a free port shared by UDP and TCP. */
  port?: number;
  logger?: Logger;
  /** RFC 7766 6.2.3 suggests seconds; default 10 s. */
  tcpIdleTimeoutMs?: number;
  /** Connections beyond this are closed at once. Default 1000. */
  maxTcpConnections?: number;
}

export class DnsServer implements Runnable {
  readonly name = 'cluster-dns';
  readonly metrics: DnsMetrics = { queries: 0, udp: 0, tcp: 0, forwarded: 0, dropped: 0, byRcode: {} };
  private udp?: UdpSocket;
  private tcp?: TcpServer;
  private readonly connections = new Set<Socket>();
  private readonly logger: Logger;
  private readonly stopping = new AbortController();
  private readyResolve!: () => void;
  /** Resolves once both sockets listen. */
  readonly ready = new Promise<void>((r) => (this.readyResolve = r));

  constructor(private readonly opts: DnsServerOptions) {
    this.logger = opts.logger ?? silentLogger;
  }

  /** The bound UDP/TCP address (same port on both), once ready. */
  address(): AddressInfo {
    return this.udp!.address();
  }

  async start(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    await this.listen();
    this.readyResolve();
    this.logger.info({ address: this.address() }, 'cluster DNS listening');
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    this.stopping.abort();
    for (const c of this.connections) c.destroy();
    await Promise.all([
      new Promise<void>((r) => this.udp!.close(() => r())),
      new Promise<void>((r) => this.tcp!.close(() => r())),
    ]);
  }

  /** Answers one query packet (exposed for tests and fuzzing); undefined means send nothing. */
  async handle(packet: Buffer, transport: Transport): Promise<Buffer | undefined> {
    this.metrics.queries++;
    this.metrics[transport]++;
    try {
      const reply = await answerQuery(packet, transport, this.opts.zone, this.opts.forwarder, this.metrics, this.stopping.signal);
      if (!reply) this.metrics.dropped++;
      return reply;
    } catch (e) {
      // Nothing a client sends may take the server down; answer SERVFAIL when the ID is known.
      this.logger.error({ err: e }, 'dns query failed');
      if (packet.length < 12) { this.metrics.dropped++; return undefined; }
      return formErr(packet, 2, this.metrics);
    }
  }

  private async listen(): Promise<void> {
    const address = this.opts.address ?? '0.0.0.0';
    const wanted = this.opts.port ?? 53;
    // With port 0, take the UDP port the kernel picks and retry if TCP finds it taken.
    for (let attempt = 0; ; attempt++) {
      const udp = await bindUdp(address, wanted);
      try {
        this.tcp = await listenTcp(address, udp.address().port, (s) => this.onConnection(s));
        this.udp = udp;
        break;
      } catch (e) {
        await new Promise<void>((r) => udp.close(() => r()));
        if (wanted !== 0 || attempt >= 10) throw e;
      }
    }
    const udp = this.udp;
    udp.on('message', (msg, rinfo) => {
      void this.handle(msg, 'udp').then((reply) => {
        if (reply && !this.stopping.signal.aborted) udp.send(reply, rinfo.port, rinfo.address);
      });
    });
    udp.on('error', (e) => this.logger.warn({ err: e }, 'dns udp socket error'));
  }

  private onConnection(socket: Socket): void {
    if (this.connections.size >= (this.opts.maxTcpConnections ?? 1000)) {
      socket.destroy();
      return;
    }
    this.connections.add(socket);
    socket.setTimeout(this.opts.tcpIdleTimeoutMs ?? 10_000, () => socket.destroy());
    socket.on('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const len = buffered.readUInt16BE(0);
        if (len === 0) { socket.destroy(); return; }
        if (buffered.length < 2 + len) break;
        const packet = Buffer.from(buffered.subarray(2, 2 + len));
        buffered = buffered.subarray(2 + len);
        // RFC 7766 6.2.1.1: pipelined queries may be answered out of order.
        void this.handle(packet, 'tcp').then((reply) => {
          if (!reply || socket.destroyed) return;
          const prefix = Buffer.alloc(2);
          prefix.writeUInt16BE(reply.length);
          socket.write(Buffer.concat([prefix, reply]));
        });
      }
    });
  }
}

function bindUdp(address: string, port: number): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

function listenTcp(address: string, port: number, onConnection: (s: Socket) => void): Promise<TcpServer> {
  return new Promise((resolve, reject) => {
    const server = createServer(onConnection);
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
