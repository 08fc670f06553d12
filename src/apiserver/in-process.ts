// In-process connections to the API server: components inside `kubets server` (controllers,
// scheduler, the local kubelet) reach the API over an in-memory byte stream carrying plain HTTP
// into the same request path as the HTTPS port (route, authenticate, authorize, handle), so they
// have no back door into storage. The identity is bound to the connection when it is made, as a
// client certificate binds it to a TLS connection.
import { createServer, type Server } from 'node:http';
import { Duplex } from 'node:stream';
import type { UserInfo } from './handlers/context.js';

/** One end of an in-memory connection; what one end writes, the other reads. */
export class InMemorySocket extends Duplex {
  peer: InMemorySocket | undefined;
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 0;
  readonly encrypted = false;
  constructor(readonly user?: UserInfo) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.peer?.push(chunk);
    cb();
  }
  override _read(): void {}
  override _final(cb: (e?: Error | null) => void): void {
    this.peer?.push(null);
    cb();
  }
  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    if (this.peer && !this.peer.destroyed) this.peer.destroy();
    cb(err);
  }
  // The socket methods node:http calls on its connections.
  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

/** Accepts in-memory connections into an HTTP server whose requests go to `serve`. */
export class InProcessListener {
  private readonly server: Server;
  private readonly open = new Set<InMemorySocket>();

  constructor(serve: Parameters<typeof createServer>[1]) {
    this.server = createServer(serve!);
    this.server.keepAliveTimeout = 0;
  }

  /** A new connection authenticated as `user`; the caller's end is returned. */
  connect(user: UserInfo): InMemorySocket {
    const client = new InMemorySocket();
    const server = new InMemorySocket(user);
    client.peer = server;
    server.peer = client;
    this.open.add(server);
    server.once('close', () => this.open.delete(server));
    this.server.emit('connection', server);
    return client;
  }

  close(): void {
    for (const s of this.open) s.destroy();
    this.open.clear();
  }
}
