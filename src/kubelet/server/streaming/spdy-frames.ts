// SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00 with the 3.1 flow-control amendment), the part
// of it that Kubernetes' streaming protocols use: control frames (SYN_STREAM, SYN_REPLY,
// RST_STREAM, SETTINGS, PING, GOAWAY, HEADERS, WINDOW_UPDATE) and DATA frames. Encoding and
// incremental decoding only; header blocks stay compressed here (see spdy-headers.ts) because
// their compression context spans the whole connection.

export const SPDY_VERSION = 3;

export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const RstStatus = {
  ProtocolError: 1,
  InvalidStream: 2,
  RefusedStream: 3,
  UnsupportedVersion: 4,
  Cancel: 5,
  InternalError: 6,
  FlowControlError: 7,
  StreamInUse: 8,
  StreamAlreadyClosed: 9,
} as const;

/** The largest DATA payload a frame can carry (24-bit length). */
export const MAX_DATA_LENGTH = 0xffffff;

export type SpdyFrame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedStreamId: number; priority: number; flags: number; headerBlock: Buffer }
  | { type: 'syn_reply'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'headers'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; flags: number; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'window_update'; streamId: number; delta: number }
  | { type: 'unknown'; frameType: number; flags: number; payload: Buffer };

export class SpdyProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpdyProtocolError';
  }
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_DATA_LENGTH) throw new SpdyProtocolError(`control frame too large: ${payload.length} bytes`);
  const frame = Buffer.alloc(8 + payload.length);
  frame.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  frame.writeUInt16BE(type, 2);
  frame.writeUInt32BE(((flags & 0xff) << 24 | payload.length) >>> 0, 4);
  payload.copy(frame, 8);
  return frame;
}

const uint32s = (...values: number[]): Buffer => {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
};

export function encodeData(streamId: number, data: Buffer, fin = false): Buffer {
  if (data.length > MAX_DATA_LENGTH) throw new SpdyProtocolError(`data frame too large: ${data.length} bytes`);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(streamId & 0x7fffffff, 0);
  header.writeUInt32BE(((fin ? FLAG_FIN : 0) << 24 | data.length) >>> 0, 4);
  return Buffer.concat([header, data]);
}

export function encodeSynStream(streamId: number, headerBlock: Buffer, opts: { associatedStreamId?: number; priority?: number; flags?: number } = {}): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt32BE(streamId & 0x7fffffff, 0);
  fixed.writeUInt32BE((opts.associatedStreamId ?? 0) & 0x7fffffff, 4);
  fixed.writeUInt8(((opts.priority ?? 0) & 0x7) << 5, 8);
  return controlFrame(FrameType.SynStream, opts.flags ?? 0, Buffer.concat([fixed, headerBlock]));
}

export function encodeSynReply(streamId: number, headerBlock: Buffer, flags = 0): Buffer {
  return controlFrame(FrameType.SynReply, flags, Buffer.concat([uint32s(streamId & 0x7fffffff), headerBlock]));
}

export function encodeHeaders(streamId: number, headerBlock: Buffer, flags = 0): Buffer {
  return controlFrame(FrameType.Headers, flags, Buffer.concat([uint32s(streamId & 0x7fffffff), headerBlock]));
}

export function encodeRstStream(streamId: number, status: number): Buffer {
  return controlFrame(FrameType.RstStream, 0, uint32s(streamId & 0x7fffffff, status));
}

export function encodeSettings(entries: { flags?: number; id: number; value: number }[], flags = 0): Buffer {
  const payload = Buffer.alloc(4 + entries.length * 8);
  payload.writeUInt32BE(entries.length, 0);
  entries.forEach((e, i) => {
    payload.writeUInt32BE((((e.flags ?? 0) & 0xff) << 24 | (e.id & 0xffffff)) >>> 0, 4 + i * 8);
    payload.writeUInt32BE(e.value >>> 0, 8 + i * 8);
  });
  return controlFrame(FrameType.Settings, flags, payload);
}

export function encodePing(id: number): Buffer {
  return controlFrame(FrameType.Ping, 0, uint32s(id));
}

export function encodeGoAway(lastGoodStreamId: number, status = 0): Buffer {
  return controlFrame(FrameType.GoAway, 0, uint32s(lastGoodStreamId & 0x7fffffff, status));
}

export function encodeWindowUpdate(streamId: number, delta: number): Buffer {
  return controlFrame(FrameType.WindowUpdate, 0, uint32s(streamId & 0x7fffffff, delta & 0x7fffffff));
}

function need(payload: Buffer, bytes: number, what: string): void {
  if (payload.length < bytes) throw new SpdyProtocolError(`${what} frame too short: ${payload.length} bytes`);
}

function decodeControl(type: number, flags: number, p: Buffer): SpdyFrame {
  switch (type) {
    case FrameType.SynStream:
      need(p, 10, 'SYN_STREAM');
      return {
        type: 'syn_stream',
        streamId: p.readUInt32BE(0) & 0x7fffffff,
        associatedStreamId: p.readUInt32BE(4) & 0x7fffffff,
        priority: p.readUInt8(8) >> 5,
        flags,
        headerBlock: p.subarray(10),
      };
    case FrameType.SynReply:
      need(p, 4, 'SYN_REPLY');
      return { type: 'syn_reply', streamId: p.readUInt32BE(0) & 0x7fffffff, flags, headerBlock: p.subarray(4) };
    case FrameType.Headers:
      need(p, 4, 'HEADERS');
      return { type: 'headers', streamId: p.readUInt32BE(0) & 0x7fffffff, flags, headerBlock: p.subarray(4) };
    case FrameType.RstStream:
      need(p, 8, 'RST_STREAM');
      return { type: 'rst_stream', streamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) };
    case FrameType.Settings: {
      need(p, 4, 'SETTINGS');
      const count = p.readUInt32BE(0);
      need(p, 4 + count * 8, 'SETTINGS');
      const entries = [];
      for (let i = 0; i < count; i++) {
        const idAndFlags = p.readUInt32BE(4 + i * 8);
        entries.push({ flags: idAndFlags >>> 24, id: idAndFlags & 0xffffff, value: p.readUInt32BE(8 + i * 8) });
      }
      return { type: 'settings', flags, entries };
    }
    case FrameType.Ping:
      need(p, 4, 'PING');
      return { type: 'ping', id: p.readUInt32BE(0) };
    case FrameType.GoAway:
      need(p, 4, 'GOAWAY');
      // SPDY/2 peers send no status: treat it as OK.
      return { type: 'goaway', lastGoodStreamId: p.readUInt32BE(0) & 0x7fffffff, status: p.length >= 8 ? p.readUInt32BE(4) : 0 };
    case FrameType.WindowUpdate:
      need(p, 8, 'WINDOW_UPDATE');
      return { type: 'window_update', streamId: p.readUInt32BE(0) & 0x7fffffff, delta: p.readUInt32BE(4) & 0x7fffffff };
    default:
      return { type: 'unknown', frameType: type, flags, payload: p };
  }
}

/** Splits a byte stream into frames as bytes arrive, in any chunking. */
export class SpdyFrameParser {
  private buffered: Buffer = Buffer.alloc(0);

  /** Returns every frame completed by `chunk`; throws SpdyProtocolError on a frame it cannot read. */
  push(chunk: Buffer): SpdyFrame[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const frames: SpdyFrame[] = [];
    let offset = 0;
    while (this.buffered.length - offset >= 8) {
      const b = this.buffered;
      const length = b.readUInt32BE(offset + 4) & 0xffffff;
      if (b.length - offset < 8 + length) break;
      const flags = b.readUInt8(offset + 4);
      // Copied out: the parser's buffer is reused, a frame's payload may be kept (DATA pushed to a reader).
      const payload = Buffer.from(b.subarray(offset + 8, offset + 8 + length));
      const first = b.readUInt32BE(offset);
      if (first & 0x80000000) {
        const version = (first >>> 16) & 0x7fff;
        if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
        frames.push(decodeControl(first & 0xffff, flags, payload));
      } else {
        frames.push({ type: 'data', streamId: first & 0x7fffffff, flags, data: payload });
      }
      offset += 8 + length;
    }
    this.buffered = offset === this.buffered.length ? Buffer.alloc(0) : this.buffered.subarray(offset);
    return frames;
  }
}
