// Port-forward into a pod's network namespace. Node cannot setns(2), so a socket on the pod's
// loopback is made by a helper running there (netns-relay.ts, started through nsenter): it dials
// localhost:port and passes the connected socket back over its IPC channel, and the stream handed
// to the kubelet is that very socket. A helper starts on the first port-forward to a sandbox (a
// Node start, ~150 ms) and serves later ones (~1 ms each) until it has been idle for a while;
// sockets already handed over do not depend on it.
//
// As containerd's: localhost over IPv4, then IPv6, inside the namespace; then the pod's IP from
// the node's namespace (a server bound to the pod IP only). The error names each address tried.
import { type ChildProcess, spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../../logging/index.js';
import { RuntimeError } from '../types.js';
import type { RelayReply, RelayRequest } from './netns-relay.js';

const RELAY_SCRIPT = fileURLToPath(new URL('./netns-relay.js', import.meta.url));
export const DEFAULT_RELAY_IDLE_MS = 30_000;

export interface ForwardTarget {
  sandboxId: string;
  netnsPath: string;
  /** Dialled from the node's namespace when nothing listens on the pod's localhost. */
  podIp?: string;
}

/** Go's words for the connect errors a port-forward meets (containerd reports Go errors). */
const GO_ERRNO: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EADDRNOTAVAIL: 'cannot assign requested address',
  ENETUNREACH: 'network is unreachable',
  EHOSTUNREACH: 'no route to host',
  EAFNOSUPPORT: 'address family not supported by protocol',
};

/** `dial tcp4 127.0.0.1:80: connect: connection refused`, as Go's net.Dial says it. */
function dialError(network: string, address: string, port: number, code: string, message: string): string {
  const hostPort = address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
  if (code === 'ETIMEDOUT') return `dial ${network} ${hostPort}: i/o timeout`;
  return `dial ${network} ${hostPort}: connect: ${GO_ERRNO[code] ?? message}`;
}

interface Pending {
  resolve(reply: { socket?: Socket; errors?: RelayReply['errors'] }): void;
  reject(e: Error): void;
}

/** One helper inside one namespace. */
class RelayHelper {
  readonly exited: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | undefined;
  private stderr = '';
  private gone = false;

  constructor(
    private readonly child: ChildProcess,
    private readonly idleMs: number,
    onGone: () => void,
  ) {
    child.stderr?.on('data', (c: Buffer) => (this.stderr = (this.stderr + c.toString()).slice(-2000)));
    child.on('message', (reply: RelayReply, handle: unknown) => this.settle(reply, handle as Socket | undefined));
    this.exited = new Promise((resolve) => {
      const done = () => {
        if (this.gone) return;
        this.gone = true;
        clearTimeout(this.idleTimer);
        onGone();
        const why = this.stderr.trim() || 'the port-forward helper exited';
        for (const p of this.pending.values()) p.reject(new Error(why));
        this.pending.clear();
        resolve();
      };
      // 'close', not 'exit': its stderr (nsenter's complaint) is read by then.
      child.once('close', done);
      child.once('error', (e) => {
        this.stderr += e.message;
        done();
      });
    });
    this.idle();
  }

  request(port: number): Promise<{ socket?: Socket; errors?: RelayReply['errors'] }> {
    if (this.gone) return Promise.reject(new Error(this.stderr.trim() || 'the port-forward helper exited'));
    const id = this.nextId++;
    clearTimeout(this.idleTimer);
    // Held while a request waits, so a caller awaiting nothing else keeps the process alive.
    this.child.channel?.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, port } satisfies RelayRequest, (e) => {
        if (!e) return;
        this.pending.delete(id);
        reject(e);
      });
    });
  }

  stop(): Promise<void> {
    if (!this.gone) {
      // Held until it exited: whoever awaits this may have nothing else keeping the process alive.
      this.child.ref();
      this.child.kill('SIGKILL');
    }
    return this.exited;
  }

  private settle(reply: RelayReply, socket: Socket | undefined): void {
    const p = this.pending.get(reply.id);
    if (!p) {
      socket?.destroy();
      return;
    }
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.idle();
    p.resolve({ socket, errors: reply.errors });
  }

  private idle(): void {
    this.child.channel?.unref();
    this.child.unref();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.stop(), this.idleMs);
    this.idleTimer.unref();
  }
}

export class NetnsPortForwarder {
  private readonly helpers = new Map<string, RelayHelper>();

  constructor(
    private readonly nsenter: string,
    private readonly logger: Logger,
    private readonly idleMs = DEFAULT_RELAY_IDLE_MS,
  ) {}

  /** A connected socket to `port` of the target's network namespace; a PortForwardError when nothing answers. */
  async connect(target: ForwardTarget, port: number): Promise<Socket> {
    const fail = (detail: string) => new RuntimeError('PortForwardError', `failed to execute portforward in network namespace "${target.netnsPath}": ${detail}`);
    let reply: Awaited<ReturnType<RelayHelper['request']>>;
    try {
      reply = await this.helper(target.netnsPath).request(port);
    } catch (e) {
      throw fail((e as Error).message);
    }
    if (reply.socket) return settled(reply.socket);
    const [v4, v6] = (reply.errors ?? []).map((e) => dialError(e.address.includes(':') ? 'tcp6' : 'tcp4', e.address, port, e.code, e.message));
    const local = `failed to connect to localhost:${port} inside namespace "${target.sandboxId}", IPv4: ${v4} IPv6: ${v6}`;
    if (!target.podIp) throw fail(local);
    try {
      return await dialHost(target.podIp, port);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw fail(`${local}; ${dialError('tcp', target.podIp, port, err.code ?? '', err.message)}`);
    }
  }

  /** Stops the namespace's helper (before the namespace goes: the helper would keep it alive). */
  async stop(netnsPath: string): Promise<void> {
    await this.helpers.get(netnsPath)?.stop();
  }

  async close(): Promise<void> {
    await Promise.all([...this.helpers.values()].map((h) => h.stop()));
  }

  private helper(netnsPath: string): RelayHelper {
    let helper = this.helpers.get(netnsPath);
    if (helper) return helper;
    const child = spawn(this.nsenter, [`--net=${netnsPath}`, '--', process.execPath, RELAY_SCRIPT], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    this.logger.debug({ netns: netnsPath, pid: child.pid }, 'process runtime: port-forward helper started');
    const created: RelayHelper = new RelayHelper(child, this.idleMs, () => {
      if (this.helpers.get(netnsPath) === created) this.helpers.delete(netnsPath);
    });
    helper = created;
    this.helpers.set(netnsPath, helper);
    return helper;
  }
}

/** A reset after the caller got the socket must not crash the runtime when the caller listens only for 'close'. */
function settled(socket: Socket): Socket {
  socket.on('error', () => {});
  return socket;
}

function dialHost(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(settled(socket));
    });
    socket.once('error', (e) => {
      socket.destroy();
      reject(e);
    });
  });
}
