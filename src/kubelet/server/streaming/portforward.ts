// Port forwarding (upstream kubelet/cri/streaming/portforward), three ways in:
// - SPDY/3.1 with stream protocol portforward.k8s.io (kubectl 1.27-1.30): per forwarded
//   connection the client opens an error stream and a data stream, both with headers
//   streamType, port and requestID; they are paired by requestID;
// - the same SPDY frames tunnelled in WebSocket binary messages, subprotocol
//   SPDY/3.1+portforward.k8s.io (kubectl 1.31+; upstream's API server unwraps the tunnel, here
//   the API server passes it through and the kubelet does);
// - WebSocket channels (v4.channel.k8s.io, client-node): ?port=P[,Q], channels 2i data and
//   2i+1 error per port, each starting with the port as a little-endian uint16.
// A failure reaches the client as text on the error stream, in the kubelet's words.
import { Duplex } from 'node:stream';
import { createWebSocketStream } from 'ws';
import { headerList, isWebSocketRequest, refuse, type StreamRequest, upgradeSpdy, upgradeWebSocket } from './handshake.js';
import { STREAM_CREATION_TIMEOUT_MS } from './remotecommand.js';
import { SpdySession, type SpdyStream } from './spdy-session.js';
import { ChannelConnection, type ChannelMode, V4_BASE64_CHANNEL_PROTOCOL, V4_CHANNEL_PROTOCOL } from './websocket-channels.js';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/** client-go's WebsocketsSPDYTunnelingPrefix + the port-forward protocol. */
export const SPDY_TUNNEL_PREFIX = 'SPDY/3.1+';
export const SPDY_TUNNEL_PROTOCOL = `${SPDY_TUNNEL_PREFIX}${PORT_FORWARD_PROTOCOL}`;
export const WEBSOCKET_PORTFORWARD_PROTOCOLS = [V4_CHANNEL_PROTOCOL, V4_BASE64_CHANNEL_PROTOCOL, ''];

export interface PortForwardTarget {
  /** Opens a connection to `port` inside the pod's network (the runtime's PortForward). */
  connect(port: number): Promise<Duplex>;
  /** How the kubelet names the pod in error messages ("error forwarding port P to pod X, uid U: ..."). */
  pod: string;
  uid: string;
  streamCreationTimeoutMs?: number;
}

/** A port as upstream parses it (strconv.ParseUint(s, 10, 16), then > 0); a string is the error. */
function parsePort(s: string): number | string {
  if (!/^[0-9]+$/.test(s)) return `strconv.ParseUint: parsing ${JSON.stringify(s)}: invalid syntax`;
  const n = Number(s);
  if (n > 0xffff) return `strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`;
  return n;
}

/** upstream portforward.NewV4Options: the `port` query parameter (repeated or comma-separated). */
export function portForwardPorts(query: URLSearchParams): number[] | { error: string } {
  const values = query.getAll('port');
  if (values.length === 0) return { error: 'query parameter "port" is required' };
  const ports: number[] = [];
  for (const value of values) {
    if (value === '') return { error: 'query parameter "port" cannot be empty' };
    for (const p of value.split(',')) {
      const port = parsePort(p);
      if (typeof port === 'string') return { error: `unable to parse ${JSON.stringify(value)} as a port: ${port}` };
      if (port < 1) return { error: `port ${JSON.stringify(value)} must be > 0` };
      ports.push(port);
    }
  }
  return ports;
}

const failure = (port: number, target: PortForwardTarget, e: unknown) =>
  `error forwarding port ${port} to pod ${target.pod}, uid ${target.uid}: ${e instanceof Error ? e.message : String(e)}`;

/**
 * Copies between the client's data stream and a connection into the pod, each direction ending the
 * other's writing side, until the pod's connection is gone; then the client's streams are closed.
 */
async function forward(port: number, data: Duplex, reportError: (message: string) => void, target: PortForwardTarget): Promise<void> {
  let conn: Duplex;
  try {
    conn = await target.connect(port);
  } catch (e) {
    reportError(failure(port, target, e));
    return;
  }
  conn.on('error', () => {});
  data.on('error', () => {});
  await new Promise<void>((resolve) => {
    conn.pipe(data);
    data.pipe(conn);
    conn.once('close', () => resolve());
    data.once('close', () => {
      conn.destroy();
      resolve();
    });
  });
}

/** Upgrades the request and forwards until the client disconnects; refusals are already answered. */
export async function servePortForward(r: StreamRequest, target: PortForwardTarget): Promise<void> {
  if (isWebSocketRequest(r.req)) {
    if (headerList(r.req, 'sec-websocket-protocol').some((p) => p.startsWith(SPDY_TUNNEL_PREFIX))) return serveTunnel(r, target);
    return serveWebSocket(r, target);
  }
  const upgraded = upgradeSpdy(r, [PORT_FORWARD_PROTOCOL]);
  if (!upgraded) return;
  await serveSpdy(upgraded.socket, upgraded.head, target);
}

async function serveTunnel(r: StreamRequest, target: PortForwardTarget): Promise<void> {
  const upgraded = await upgradeWebSocket(r, [SPDY_TUNNEL_PROTOCOL]);
  if (!upgraded) return;
  const tunnel = createWebSocketStream(upgraded.ws);
  tunnel.on('error', () => tunnel.destroy());
  await serveSpdy(tunnel, Buffer.alloc(0), target);
}

interface StreamPair {
  data?: SpdyStream;
  error?: SpdyStream;
  timer: NodeJS.Timeout;
}

/** upstream httpStreamReceived: the headers every port-forward stream must carry; a string is the refusal. */
function checkStream(stream: SpdyStream): string | undefined {
  const portString = stream.header('port');
  if (!portString) return '"port" header is required';
  const port = parsePort(portString);
  if (typeof port === 'string') return `unable to parse ${JSON.stringify(portString)} as a port: ${port}`;
  if (port < 1) return `port ${JSON.stringify(portString)} must be > 0`;
  const type = stream.header('streamType');
  if (!type) return '"streamType" header is required';
  if (type !== 'error' && type !== 'data') return `invalid stream type ${JSON.stringify(type)}`;
  return undefined;
}

function serveSpdy(socket: Duplex, head: Buffer, target: PortForwardTarget): Promise<void> {
  const pairs = new Map<string, StreamPair>();
  const timeoutMs = target.streamCreationTimeoutMs ?? STREAM_CREATION_TIMEOUT_MS;
  return new Promise((resolve) => {
    const session = new SpdySession(socket, {
      onStream: (stream) => {
        const refusal = checkStream(stream);
        if (refusal) return refusal;
        const type = stream.header('streamType') as 'data' | 'error';
        stream.on('error', () => {});
        // Clients older than the requestID header: pair an error stream with the data stream two ids later.
        const requestId = stream.header('requestID') ?? String(type === 'error' ? stream.id : stream.id - 2);
        let pair = pairs.get(requestId);
        if (!pair) {
          const created: StreamPair = {
            timer: setTimeout(() => {
              pairs.delete(requestId);
              created.error?.end(`(conn=${session.open ? 'open' : 'closed'}, request=${requestId}) timed out waiting for streams`);
            }, timeoutMs),
          };
          pair = created;
          pairs.set(requestId, pair);
        }
        if (pair[type]) {
          pair.error?.write(`error processing stream for request ${requestId}: ${type} stream already assigned`);
          return undefined;
        }
        pair[type] = stream;
        if (pair.data && pair.error) {
          clearTimeout(pair.timer);
          pairs.delete(requestId);
          const { data, error } = pair;
          const port = Number(data.header('port'));
          void forward(port, data, (message) => error.write(message), target).finally(() => {
            data.end();
            error.end();
          });
        }
        return undefined;
      },
      onClose: () => {
        for (const p of pairs.values()) clearTimeout(p.timer);
        resolve();
      },
    });
    session.feed(head);
  });
}

async function serveWebSocket(r: StreamRequest, target: PortForwardTarget): Promise<void> {
  const ports = portForwardPorts(new URL(r.req.url ?? '/', 'https://kubelet').searchParams);
  if (!Array.isArray(ports)) return refuse(r, 400, ports.error);
  const upgraded = await upgradeWebSocket(r, WEBSOCKET_PORTFORWARD_PROTOCOLS);
  if (!upgraded) return;
  const modes: ChannelMode[] = ports.flatMap((): ChannelMode[] => ['readwrite', 'write']);
  const conn = new ChannelConnection(upgraded.ws, upgraded.protocol, modes);
  await Promise.all(
    ports.map(async (port, i) => {
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16LE(port);
      conn.send(2 * i, prefix);
      conn.send(2 * i + 1, prefix);
      const data = duplexOf(conn, 2 * i);
      await forward(port, data, (message) => conn.send(2 * i + 1, Buffer.from(message)), target);
    }),
  );
  conn.close();
}

/** Channel `n` of a connection as one Duplex: reads what the client sends on it, writes back on it. */
function duplexOf(conn: ChannelConnection, n: number): Duplex {
  const reader = conn.reader(n);
  const writer = conn.writer(n);
  return Duplex.from({ readable: reader, writable: writer });
}
