// Kubernetes' channel protocols over WebSocket (apimachinery wsstream): every message starts with
// its channel number, one byte in the binary protocols ("channel.k8s.io", "v4.channel.k8s.io",
// "v5.channel.k8s.io"), an ASCII digit followed by base64 in the text ones
// ("base64.channel.k8s.io", "v4.base64.channel.k8s.io"). Exec/attach use 0 stdin, 1 stdout,
// 2 stderr, 3 error, 4 resize; v5 adds 255 "close", whose one-byte payload names the channel the
// client will not write to any more (its stdin ended).
import { Readable, Writable } from 'node:stream';
import { WebSocket } from 'ws';

export const Channel = { Stdin: 0, Stdout: 1, Stderr: 2, Error: 3, Resize: 4, Close: 255 } as const;

export const CHANNEL_PROTOCOL = 'channel.k8s.io';
export const BASE64_CHANNEL_PROTOCOL = 'base64.channel.k8s.io';
export const V4_CHANNEL_PROTOCOL = 'v4.channel.k8s.io';
export const V4_BASE64_CHANNEL_PROTOCOL = 'v4.base64.channel.k8s.io';
export const V5_CHANNEL_PROTOCOL = 'v5.channel.k8s.io';

export const isBase64Protocol = (protocol: string): boolean => protocol.includes('base64.');

/** One channel message as it goes on the wire. */
export function encodeChannelMessage(channel: number, data: Buffer, base64: boolean): Buffer | string {
  if (base64) return String.fromCharCode(0x30 + channel) + data.toString('base64');
  const message = Buffer.alloc(data.length + 1);
  message[0] = channel;
  data.copy(message, 1);
  return message;
}

/** The channel and payload of a message; undefined for an empty one (upstream skips those). */
export function decodeChannelMessage(message: Buffer, base64: boolean): { channel: number; data: Buffer } | undefined {
  if (message.length === 0) return undefined;
  if (!base64) return { channel: message[0]!, data: message.subarray(1) };
  return { channel: message[0]! - 0x30, data: Buffer.from(message.subarray(1).toString('latin1'), 'base64') };
}

/**
 * The subprotocol to answer with: the first one the client offered that the server supports,
 * upstream's wsstream handshake. A client that offered none gets "" if "" is supported.
 * undefined: no match (upstream answers 403).
 */
export function negotiateSubprotocol(offered: readonly string[], supported: readonly string[]): string | undefined {
  const candidates = offered.length === 0 ? [''] : offered;
  return candidates.find((p) => supported.includes(p));
}

export type ChannelMode = 'read' | 'write' | 'readwrite' | 'ignore';

/** A negotiated WebSocket seen as numbered channels: a Readable per read channel, a Writable per write one. */
export class ChannelConnection {
  private readonly readers = new Map<number, Readable>();
  private readonly base64: boolean;
  private readonly supportsClose: boolean;

  constructor(
    private readonly ws: WebSocket,
    readonly protocol: string,
    private readonly modes: readonly ChannelMode[],
  ) {
    this.base64 = isBase64Protocol(protocol);
    this.supportsClose = protocol === V5_CHANNEL_PROTOCOL;
    modes.forEach((mode, i) => {
      if (mode === 'read' || mode === 'readwrite') this.readers.set(i, new Readable({ read() {} }));
    });
    ws.on('message', (data: Buffer) => this.receive(data));
    ws.on('close', () => {
      for (const r of this.readers.values()) r.push(null);
    });
    ws.on('error', () => {});
  }

  /** What the client sends on `channel` (an empty, ended stream for a channel that is not read). */
  reader(channel: number): Readable {
    const r = this.readers.get(channel);
    if (r) return r;
    const empty = new Readable({ read() {} });
    empty.push(null);
    return empty;
  }

  /** A stream whose writes go out on `channel` (dropped for a channel that is not written). */
  writer(channel: number): Writable {
    const w = new Writable({
      write: (chunk: Buffer, _enc, cb) => this.send(channel, chunk, cb),
    });
    // Destroyed with the connection, so that a writer to it learns the client is gone (attach detaches).
    this.onClose(() => w.destroy());
    return w;
  }

  /** Sends one message on `channel`, an empty one included (upstream's "connection is ready" signal). */
  send(channel: number, data: Buffer, cb: () => void = () => {}): void {
    const mode = this.modes[channel];
    if ((mode !== 'write' && mode !== 'readwrite') || this.ws.readyState !== WebSocket.OPEN) return cb();
    this.ws.send(encodeChannelMessage(channel, data, this.base64), { binary: !this.base64 }, () => cb());
  }

  get closed(): boolean {
    return this.ws.readyState === WebSocket.CLOSED || this.ws.readyState === WebSocket.CLOSING;
  }

  /** Normal closure: the client's readers end with EOF once it arrives. */
  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
  }

  onClose(listener: () => void): void {
    if (this.ws.readyState === WebSocket.CLOSED) listener();
    else this.ws.once('close', listener);
  }

  private receive(message: Buffer): void {
    const decoded = decodeChannelMessage(message, this.base64);
    if (!decoded) return;
    if (this.supportsClose && decoded.channel === Channel.Close) {
      const target = decoded.data.length === 1 ? decoded.data[0]! : undefined;
      if (target !== undefined) this.readers.get(target)?.push(null);
      return;
    }
    this.readers.get(decoded.channel)?.push(decoded.data);
  }
}
