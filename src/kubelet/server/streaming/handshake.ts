// Turning an HTTP request into a streaming connection, the two ways Kubernetes clients ask:
// WebSocket (Upgrade: websocket, subprotocol in Sec-WebSocket-Protocol) and SPDY/3.1
// (Upgrade: SPDY/3.1, version in X-Stream-Protocol-Version, upstream's httpstream.Handshake).
// A request arrives either as an upgrade (Node's 'upgrade' event: a raw socket) or as a plain
// request (a ServerResponse); both can be refused with an HTTP error in the same words.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { negotiateSubprotocol } from './websocket-channels.js';

export const HEADER_STREAM_PROTOCOL_VERSION = 'X-Stream-Protocol-Version';
export const HEADER_ACCEPTED_STREAM_PROTOCOL_VERSIONS = 'X-Accepted-Stream-Protocol-Versions';
export const SPDY_31 = 'SPDY/3.1';

/** An HTTP request for a stream, with what is needed to answer it. */
export type StreamRequest =
  | { req: IncomingMessage; socket: Duplex; head: Buffer; res?: undefined }
  | { req: IncomingMessage; res: ServerResponse; socket?: undefined; head?: undefined };

const header = (req: IncomingMessage, name: string): string => {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
};

/** Comma-separated values of every instance of a header. */
export function headerList(req: IncomingMessage, name: string): string[] {
  return header(req, name)
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** upstream wsstream.IsWebSocketRequest */
export function isWebSocketRequest(req: IncomingMessage): boolean {
  if (header(req, 'upgrade').toLowerCase() !== 'websocket') return false;
  return /(^|.*,\s*)upgrade($|\s*,)/.test(header(req, 'connection').toLowerCase());
}

/** Answers with an HTTP error, on a raw socket or through the response (Go's http.Error shape). */
export function refuse(r: StreamRequest, code: number, body: string, headers: Record<string, string | string[]> = {}): void {
  const all: Record<string, string | string[]> = { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', ...headers };
  if (r.res) {
    if (r.res.headersSent) return void r.res.destroy();
    r.res.writeHead(code, { ...all, 'Content-Length': String(Buffer.byteLength(body)) });
    r.res.end(body);
    return;
  }
  if (r.socket.destroyed) return;
  const lines = [`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}`];
  for (const [k, v] of Object.entries(all)) for (const one of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${one}`);
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close');
  r.socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/** Go's %#v of an http.Header, for upstream's "missing upgrade headers" message. */
function goHeaderString(req: IncomingMessage): string {
  const canonical = (k: string) => k.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
  const byName = new Map<string, string[]>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = canonical(req.rawHeaders[i]!.toLowerCase());
    if (name === 'Host') continue;
    byName.set(name, [...(byName.get(name) ?? []), req.rawHeaders[i + 1]!]);
  }
  const entries = [...byName.keys()].sort().map((k) => `${JSON.stringify(k)}:[]string{${byName.get(k)!.map((v) => JSON.stringify(v)).join(', ')}}`);
  return `http.Header{${entries.join(', ')}}`;
}

/**
 * SPDY: negotiates the stream protocol version and answers 101 (upstream httpstream.Handshake and
 * spdy.responseUpgrader). Returns the chosen version and the raw socket, or undefined once the
 * request was refused.
 */
export function upgradeSpdy(r: StreamRequest, serverProtocols: readonly string[]): { protocol: string; socket: Duplex; head: Buffer } | undefined {
  const clientProtocols = headerList(r.req, HEADER_STREAM_PROTOCOL_VERSION);
  if (clientProtocols.length === 0) {
    refuse(r, 400, `unable to upgrade: ${HEADER_STREAM_PROTOCOL_VERSION} is required\n`);
    return undefined;
  }
  const protocol = clientProtocols.find((p) => serverProtocols.includes(p));
  if (!protocol) {
    const message = `unable to upgrade: unable to negotiate protocol: client supports [${clientProtocols.join(' ')}], server accepts [${serverProtocols.join(' ')}]`;
    refuse(r, 403, `${message}\n`, { [HEADER_ACCEPTED_STREAM_PROTOCOL_VERSIONS]: [...serverProtocols] });
    return undefined;
  }
  const connection = header(r.req, 'connection').toLowerCase();
  const upgrade = header(r.req, 'upgrade').toLowerCase();
  if (!r.socket || !connection.includes('upgrade') || !upgrade.includes(SPDY_31.toLowerCase())) {
    refuse(r, 400, `unable to upgrade: missing upgrade headers in request: ${goHeaderString(r.req)}\n`);
    return undefined;
  }
  r.socket.write(
    ['HTTP/1.1 101 Switching Protocols', 'Connection: Upgrade', `Upgrade: ${SPDY_31}`, `${HEADER_STREAM_PROTOCOL_VERSION}: ${protocol}`, `Date: ${new Date().toUTCString()}`].join('\r\n') +
      '\r\n\r\n',
  );
  return { protocol, socket: r.socket, head: r.head };
}

/**
 * WebSocket: completes the handshake with the first offered subprotocol the server supports.
 * Resolves with the socket and the chosen subprotocol, or undefined once the request was refused
 * (no common subprotocol: 403 as upstream's x/net/websocket; a malformed handshake: ws's 400).
 */
export function upgradeWebSocket(r: StreamRequest, serverProtocols: readonly string[]): Promise<{ ws: WebSocket; protocol: string } | undefined> {
  const protocol = negotiateSubprotocol(headerList(r.req, 'sec-websocket-protocol'), serverProtocols);
  if (protocol === undefined || !r.socket) {
    refuse(r, 403, '');
    return Promise.resolve(undefined);
  }
  // The subprotocol is negotiated here, not by ws: ws refuses names that are not RFC 7230 tokens,
  // and client-go's "SPDY/3.1+portforward.k8s.io" is not one (gorilla/websocket does not mind).
  delete r.req.headers['sec-websocket-protocol'];
  const server = new WebSocketServer({ noServer: true, clientTracking: false, perMessageDeflate: false });
  if (protocol) server.on('headers', (headers: string[]) => headers.push(`Sec-WebSocket-Protocol: ${protocol}`));
  const socket = r.socket;
  return new Promise((resolve) => {
    const onClose = () => resolve(undefined);
    socket.once('close', onClose);
    server.handleUpgrade(r.req, socket, r.head, (ws) => {
      socket.off('close', onClose);
      resolve({ ws, protocol });
    });
  });
}
