// Exec and attach sessions (upstream kubelet/cri/streaming/remotecommand): the client's streams
// are gathered over SPDY (a stream per streamType: error, stdin, stdout, stderr, resize) or
// WebSocket (channels 0-4), the command runs with them, and its outcome is written to the error
// stream before everything is closed.
import type { Readable, Writable } from 'node:stream';
import type { StreamOptions } from '../../runtime/types.js';
import { isWebSocketRequest, type StreamRequest, upgradeSpdy, upgradeWebSocket } from './handshake.js';
import { resizeEvents, type TerminalSize } from './resize.js';
import { SpdySession, type SpdyStream } from './spdy-session.js';
import { encodeStatus, type RemoteCommandStatus } from './status.js';
import {
  BASE64_CHANNEL_PROTOCOL,
  Channel,
  CHANNEL_PROTOCOL,
  ChannelConnection,
  type ChannelMode,
  V4_BASE64_CHANNEL_PROTOCOL,
  V4_CHANNEL_PROTOCOL,
  V5_CHANNEL_PROTOCOL,
} from './websocket-channels.js';

/** SPDY stream protocol versions, preferred first (kubelet's supported list). */
export const SPDY_REMOTECOMMAND_PROTOCOLS = [V4_CHANNEL_PROTOCOL, 'v3.channel.k8s.io', 'v2.channel.k8s.io', CHANNEL_PROTOCOL];
/** WebSocket subprotocols; "" is a client that named none (the v1 binary protocol). */
export const WEBSOCKET_REMOTECOMMAND_PROTOCOLS = [V5_CHANNEL_PROTOCOL, V4_CHANNEL_PROTOCOL, V4_BASE64_CHANNEL_PROTOCOL, CHANNEL_PROTOCOL, BASE64_CHANNEL_PROTOCOL, ''];

/** How long a client may take to open its SPDY streams (kubelet's streamCreationTimeout default). */
export const STREAM_CREATION_TIMEOUT_MS = 30_000;
/** After the status is written, how long the client gets to close the connection itself. */
const CLIENT_CLOSE_GRACE_MS = 5_000;

export interface RemoteCommandOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/**
 * upstream remotecommand.NewOptions: flags are "1", under the names the API server uses on the
 * kubelet's URL (api.ExecStdinParam "input", ExecStdoutParam "output", ExecStderrParam "error";
 * "stdin", "stdout", "stderr" are accepted too); a tty has no separate stderr.
 */
export function remoteCommandOptions(query: URLSearchParams): RemoteCommandOptions | { error: string } {
  const flag = (...names: string[]) => names.some((n) => query.get(n) === '1');
  const tty = flag('tty');
  const opts = { stdin: flag('input', 'stdin'), stdout: flag('output', 'stdout'), stderr: flag('error', 'stderr') && !tty, tty };
  if (!opts.stdin && !opts.stdout && !opts.stderr) return { error: 'you must specify at least 1 of stdin, stdout, stderr' };
  return opts;
}

/** The client's streams, once all of them are open. */
export interface RemoteCommandSession {
  protocol: string;
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  resize?: AsyncIterable<TerminalSize>;
  /** Writes the outcome, ends every stream, and closes the connection once the client is done. */
  finish(status: RemoteCommandStatus): void;
  /** Settles when the connection is gone. */
  closed: Promise<void>;
}

/** Upgrades the request and waits for the client's streams; undefined when that failed (already answered). */
export function openRemoteCommand(r: StreamRequest, opts: RemoteCommandOptions, timeoutMs = STREAM_CREATION_TIMEOUT_MS): Promise<RemoteCommandSession | undefined> {
  return isWebSocketRequest(r.req) ? openWebSocket(r, opts) : openSpdy(r, opts, timeoutMs);
}

const STREAM_TYPES = ['error', 'stdin', 'stdout', 'stderr', 'resize'] as const;
type StreamType = (typeof STREAM_TYPES)[number];

function openSpdy(r: StreamRequest, opts: RemoteCommandOptions, timeoutMs: number): Promise<RemoteCommandSession | undefined> {
  const upgraded = upgradeSpdy(r, SPDY_REMOTECOMMAND_PROTOCOLS);
  if (!upgraded) return Promise.resolve(undefined);
  const { protocol } = upgraded;
  const resizable = protocol === V4_CHANNEL_PROTOCOL || protocol === 'v3.channel.k8s.io';
  const expected = 1 + Number(opts.stdin) + Number(opts.stdout) + Number(opts.stderr) + Number(opts.tty && resizable);
  let markClosed!: () => void;
  const closed = new Promise<void>((res) => (markClosed = res));
  return new Promise((resolve) => {
    const streams: Partial<Record<StreamType, SpdyStream>> = {};
    let received = 0;
    let settled = false;
    const settle = (value: RemoteCommandSession | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(value);
    };
    const session = new SpdySession(upgraded.socket, {
      onStream: (stream) => {
        const type = stream.header('streamType') as StreamType | undefined;
        // Upstream accepts a stream of another type but does not count it.
        if (!type || !STREAM_TYPES.includes(type)) return undefined;
        streams[type] = stream;
        if (++received === expected) settle(spdySession(session, protocol, streams, closed));
        return undefined;
      },
      onClose: () => {
        markClosed();
        settle(undefined);
      },
    });
    // Upstream gives up on a client that does not open its streams in time and drops the connection.
    const timer = setTimeout(() => {
      session.close();
      settle(undefined);
    }, timeoutMs);
    session.feed(upgraded.head);
  });
}

function spdySession(session: SpdySession, protocol: string, streams: Partial<Record<StreamType, SpdyStream>>, closed: Promise<void>): RemoteCommandSession {
  for (const s of Object.values(streams)) s.on('error', () => {});
  return {
    protocol,
    stdin: streams.stdin,
    stdout: streams.stdout,
    stderr: streams.stderr,
    resize: streams.resize ? resizeEvents(streams.resize) : undefined,
    finish(status) {
      streams.stdout?.end();
      streams.stderr?.end();
      streams.error?.end(encodeStatus(status, protocol === V4_CHANNEL_PROTOCOL));
      // The client closes once it read every stream to its end; upstream closes at once, which
      // can cut output the client had not read yet.
      setTimeout(() => session.close(), CLIENT_CLOSE_GRACE_MS).unref();
    },
    closed,
  };
}

async function openWebSocket(r: StreamRequest, opts: RemoteCommandOptions): Promise<RemoteCommandSession | undefined> {
  const upgraded = await upgradeWebSocket(r, WEBSOCKET_REMOTECOMMAND_PROTOCOLS);
  if (!upgraded) return undefined;
  const { ws, protocol } = upgraded;
  const modes: ChannelMode[] = [opts.stdin ? 'read' : 'ignore', opts.stdout ? 'write' : 'ignore', opts.stderr ? 'write' : 'ignore', 'write', 'read'];
  const conn = new ChannelConnection(ws, protocol, modes);
  const closed = new Promise<void>((res) => conn.onClose(res));
  // Upstream tells the client the connection is ready with an empty message on the lowest
  // channel it writes.
  conn.send(opts.stdout ? Channel.Stdout : opts.stderr ? Channel.Stderr : Channel.Error, Buffer.alloc(0));
  const json = protocol === V4_CHANNEL_PROTOCOL || protocol === V4_BASE64_CHANNEL_PROTOCOL || protocol === V5_CHANNEL_PROTOCOL;
  return {
    protocol,
    stdin: opts.stdin ? conn.reader(Channel.Stdin) : undefined,
    stdout: opts.stdout ? conn.writer(Channel.Stdout) : undefined,
    stderr: opts.stderr ? conn.writer(Channel.Stderr) : undefined,
    resize: opts.tty ? resizeEvents(conn.reader(Channel.Resize)) : undefined,
    finish(status) {
      const bytes = encodeStatus(status, json);
      const close = () => conn.close();
      if (bytes.length > 0) conn.send(Channel.Error, bytes, close);
      else close();
    },
    closed,
  };
}

/** Streams for the runtime's exec/attach. */
export function runtimeStreams(session: RemoteCommandSession, tty: boolean): StreamOptions {
  return { stdin: session.stdin, stdout: session.stdout, stderr: session.stderr, tty, resize: session.resize };
}
