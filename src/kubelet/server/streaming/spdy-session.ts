// The server side of a SPDY/3.1 connection as Kubernetes uses it (moby/spdystream behind
// apimachinery's httpstream/spdy): the client opens every stream with SYN_STREAM carrying headers
// (streamType, port, requestID ...); the server accepts one with an empty SYN_REPLY or refuses it
// with RST_STREAM; bytes flow in DATA frames, FIN half-closes. Pings are echoed. Like spdystream,
// flow control is not enforced in either direction: spdystream never sends WINDOW_UPDATE, so a
// sender that waited for one would stall after 64 KiB.
import { Duplex } from 'node:stream';
import {
  encodeData,
  encodeGoAway,
  encodePing,
  encodeRstStream,
  encodeSynReply,
  RstStatus,
  FLAG_FIN,
  type SpdyFrame,
  SpdyFrameParser,
} from './spdy-frames.js';
import { HeaderCompressor, HeaderDecompressor, type SpdyHeaders } from './spdy-headers.js';

/** DATA payloads are cut to this size so that one large write does not hold up the other streams. */
const DATA_CHUNK = 32 * 1024;

/** Accepts (returns nothing) or refuses (returns why) a stream the client opened; what it writes
 * to an accepted stream goes out after the SYN_REPLY. */
export type StreamHandler = (stream: SpdyStream) => string | undefined;

export class SpdyStream extends Duplex {
  private localFin = false;
  private remoteFin = false;

  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: SpdyHeaders,
  ) {
    super({ allowHalfOpen: true });
  }

  /** The first value of a header, by case-insensitive name. */
  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()]?.[0];
  }

  /** Closes both directions at once (RST_STREAM CANCEL), as httpstream's Stream.Reset. */
  reset(): void {
    if (this.destroyed) return;
    this.session.sendFrame(encodeRstStream(this.id, RstStatus.Cancel));
    this.destroy();
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    if (this.localFin || !this.session.open) return cb();
    let flushed = true;
    for (let offset = 0; offset < chunk.length; offset += DATA_CHUNK) {
      flushed = this.session.sendFrame(encodeData(this.id, chunk.subarray(offset, offset + DATA_CHUNK)));
    }
    if (flushed) cb();
    else this.session.whenDrained(() => cb());
  }

  override _final(cb: (e?: Error | null) => void): void {
    if (!this.localFin && this.session.open) this.session.sendFrame(encodeData(this.id, Buffer.alloc(0), true));
    this.localFin = true;
    this.settle();
    cb();
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.session.forget(this.id);
    cb(err);
  }

  /** @internal the session hands over what the client sent. */
  receive(data: Buffer, fin: boolean): void {
    if (this.remoteFin || this.destroyed) return;
    if (data.length > 0) this.push(data);
    if (fin) {
      this.remoteFin = true;
      this.push(null);
      this.settle();
    }
  }

  private settle(): void {
    if (this.localFin && this.remoteFin) this.session.forget(this.id);
  }
}

export interface SpdySessionOptions {
  onStream: StreamHandler;
  /** Called once the connection is gone, whoever closed it. */
  onClose?: () => void;
}

export class SpdySession {
  private readonly parser = new SpdyFrameParser();
  private readonly compressor = new HeaderCompressor();
  private readonly decompressor = new HeaderDecompressor();
  private readonly streams = new Map<number, SpdyStream>();
  /** Frames are handled one after the other: a header block may take an asynchronous inflate. */
  private chain: Promise<void> = Promise.resolve();
  private lastStreamId = 0;
  private goneAway = false;
  private closed = false;

  constructor(
    private readonly socket: Duplex,
    private readonly opts: SpdySessionOptions,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', () => this.teardown());
    socket.on('close', () => this.teardown());
    socket.on('end', () => this.teardown());
  }

  /** Bytes that arrived with the upgrade request, before the socket was handed over. */
  feed(head: Buffer): void {
    if (head.length > 0) this.receive(head);
  }

  get open(): boolean {
    return !this.closed;
  }

  /** Sends GOAWAY and closes the connection; streams still open are torn down. */
  close(): void {
    if (this.closed) return;
    this.sendFrame(encodeGoAway(this.lastStreamId, 0));
    this.socket.end();
    this.teardown();
  }

  /** @internal */
  sendFrame(frame: Buffer): boolean {
    if (this.closed || this.socket.writableEnded || this.socket.destroyed) return true;
    return this.socket.write(frame);
  }

  /** @internal */
  whenDrained(cb: () => void): void {
    if (this.closed) return cb();
    const done = () => {
      this.socket.off('drain', done);
      this.socket.off('close', done);
      cb();
    };
    this.socket.on('drain', done);
    this.socket.on('close', done);
  }

  /** @internal */
  forget(id: number): void {
    this.streams.delete(id);
    if (this.goneAway && this.streams.size === 0) this.close();
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    let frames: SpdyFrame[];
    try {
      frames = this.parser.push(chunk);
    } catch {
      // A stream of bytes that is not SPDY: nothing sensible can follow.
      this.socket.destroy();
      return;
    }
    for (const frame of frames) {
      this.chain = this.chain.then(() => this.handle(frame)).catch(() => void this.socket.destroy());
    }
  }

  private async handle(frame: SpdyFrame): Promise<void> {
    if (this.closed) return;
    switch (frame.type) {
      case 'syn_stream':
        return this.openStream(frame.streamId, frame.flags, await this.decompressor.decompress(frame.headerBlock));
      case 'data':
        this.streams.get(frame.streamId)?.receive(frame.data, (frame.flags & FLAG_FIN) !== 0);
        return;
      case 'rst_stream':
        this.streams.get(frame.streamId)?.destroy();
        return;
      case 'headers':
      case 'syn_reply':
        // Nothing to do with them, but the compression context must move past their blocks.
        await this.decompressor.decompress(frame.headerBlock);
        if ((frame.flags & FLAG_FIN) !== 0) this.streams.get(frame.streamId)?.receive(Buffer.alloc(0), true);
        return;
      case 'ping':
        // The client's pings have odd ids (spdystream): answer them; ours would be even.
        if (frame.id % 2 === 1) this.sendFrame(encodePing(frame.id));
        return;
      case 'goaway':
        this.goneAway = true;
        if (this.streams.size === 0) this.close();
        return;
      default:
        // SETTINGS, WINDOW_UPDATE and unknown frames carry nothing this server acts on.
        return;
    }
  }

  private openStream(id: number, flags: number, headers: SpdyHeaders): void {
    // Client streams are odd and increasing (spdystream's validateStreamId).
    if (id % 2 === 0 || id <= this.lastStreamId || this.goneAway) {
      this.sendFrame(encodeRstStream(id, RstStatus.ProtocolError));
      return;
    }
    this.lastStreamId = id;
    const stream = new SpdyStream(this, id, headers);
    this.streams.set(id, stream);
    if ((flags & FLAG_FIN) !== 0) stream.receive(Buffer.alloc(0), true);
    // Whatever the handler writes waits for the SYN_REPLY: spdystream drops DATA on a stream it
    // has no reply for.
    stream.cork();
    const refusal = this.opts.onStream(stream);
    if (refusal !== undefined) {
      stream.reset();
      return;
    }
    this.sendFrame(encodeSynReply(id, this.compressor.compress({})));
    stream.uncork();
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    this.decompressor.close();
    for (const s of [...this.streams.values()]) s.destroy();
    this.streams.clear();
    if (!this.socket.destroyed && this.socket.writableEnded) {
      // Ended by us: give the FIN a moment, then make sure the socket goes.
      setTimeout(() => this.socket.destroy(), 1000).unref();
    } else {
      this.socket.destroy();
    }
    this.opts.onClose?.();
  }
}

