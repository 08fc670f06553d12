// Runs inside a pod's network namespace, started through nsenter by the port forwarder
// (netns-port-forward.ts) with an IPC channel to it. For each request it connects to localhost:port
// here and hands the connected socket itself back over the channel: the socket stays in the pod's
// namespace, and the forwarder reads and writes it directly, with no copy through this process.
//
// Like containerd's port-forward, IPv4 localhost is dialled first, then IPv6 (a server may listen
// on one family only). The socket is paused before it connects so that nothing it receives (a
// server's greeting) is read here and lost when the socket is handed over.
import { connect, type Socket } from 'node:net';

/** containerd's dialTimeout: a dial that hangs does not hold the request forever. */
const DIAL_TIMEOUT_MS = 5000;

export interface RelayRequest {
  id: number;
  port: number;
}

export interface RelayReply {
  id: number;
  /** Set when both dials failed: one message per address tried. */
  errors?: { address: string; code: string; message: string }[];
}

function dial(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: DIAL_TIMEOUT_MS });
    socket.pause();
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.removeAllListeners('error');
      socket.removeAllListeners('timeout');
      resolve(socket);
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(Object.assign(new Error(`dial ${host}:${port}: i/o timeout`), { code: 'ETIMEDOUT' }));
    });
    socket.once('error', (e) => {
      socket.destroy();
      reject(e);
    });
  });
}

async function serve(request: RelayRequest): Promise<void> {
  const errors: NonNullable<RelayReply['errors']> = [];
  for (const address of ['127.0.0.1', '::1']) {
    try {
      const socket = await dial(address, request.port);
      process.send!({ id: request.id } satisfies RelayReply, socket);
      return;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      errors.push({ address, code: err.code ?? 'UNKNOWN', message: err.message });
    }
  }
  process.send!({ id: request.id, errors } satisfies RelayReply);
}

if (process.send) {
  process.on('message', (m: RelayRequest) => void serve(m));
  // The forwarder is gone (exited, crashed, or let this helper go): nothing more to serve.
  process.on('disconnect', () => process.exit(0));
}
