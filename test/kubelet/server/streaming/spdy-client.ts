// A minimal SPDY/3.1 client for tests: opens streams with headers compressed as a Go peer does
// (real deflate over one context, a sync flush per block) and collects what the server sends.
import type { Duplex } from 'node:stream';
import { constants, createDeflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from '../../../../src/kubelet/server/streaming/spdy-dictionary.js';
import { encodeData, encodePing, encodeRstStream, encodeSynStream, FLAG_FIN, type SpdyFrame, SpdyFrameParser } from '../../../../src/kubelet/server/streaming/spdy-frames.js';
import { encodeHeaderBlock, HeaderDecompressor, type SpdyHeaders } from '../../../../src/kubelet/server/streaming/spdy-headers.js';

export interface ClientStream {
  id: number;
  /** Resolves with 'reply' or 'reset' (and its status). */
  answer: Promise<{ kind: 'reply' } | { kind: 'reset'; status: number }>;
  data: Buffer[];
  /** Resolves when the server's FIN or RST arrived. */
  ended: Promise<void>;
  write(data: Buffer | string): void;
  end(): void;
  reset(): void;
  text(): string;
}

export class SpdyTestClient {
  private readonly parser = new SpdyFrameParser();
  private readonly inflater = new HeaderDecompressor();
  private readonly deflate = createDeflate({ dictionary: SPDY3_DICTIONARY });
  private readonly pending: Buffer[] = [];
  private nextId = 1;
  private readonly streams = new Map<number, { s: ClientStream; answer(a: Awaited<ClientStream['answer']>): void; end(): void }>();
  readonly pings: number[] = [];
  readonly frames: SpdyFrame[] = [];
  readonly closed: Promise<void>;

  constructor(readonly socket: Duplex) {
    this.deflate.on('data', (c: Buffer) => this.pending.push(c));
    socket.on('data', (chunk: Buffer) => {
      for (const f of this.parser.push(chunk)) this.handle(f);
    });
    this.closed = new Promise((r) => socket.once('close', () => r()));
    socket.on('error', () => {});
  }

  /** Sends `preamble` (an HTTP upgrade request) on `socket`; resolves after the response head (and, if not 101, the body). */
  static async upgrade(socket: Duplex, preamble: string): Promise<{ client: SpdyTestClient; head: string } | { head: string; body: string }> {
    socket.write(preamble);
    let buf = Buffer.alloc(0);
    return new Promise((resolve, reject) => {
      const onData = (c: Buffer) => {
        buf = Buffer.concat([buf, c]);
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString();
        if (!head.startsWith('HTTP/1.1 101')) {
          socket.off('data', onData);
          socket.once('close', () => resolve({ head, body: buf.subarray(end + 4).toString() }));
          socket.on('data', (more: Buffer) => (buf = Buffer.concat([buf, more])));
          return;
        }
        socket.off('data', onData);
        const client = new SpdyTestClient(socket);
        const rest = buf.subarray(end + 4);
        if (rest.length > 0) socket.emit('data', rest);
        resolve({ client, head });
      };
      socket.on('data', onData);
      socket.on('error', reject);
    });
  }

  async open(headers: SpdyHeaders, fin = false): Promise<ClientStream> {
    const id = this.nextId;
    this.nextId += 2;
    const block = await this.compress(headers);
    let answer!: (a: Awaited<ClientStream['answer']>) => void;
    let end!: () => void;
    const data: Buffer[] = [];
    const s: ClientStream = {
      id,
      answer: new Promise((r) => (answer = r)),
      data,
      ended: new Promise((r) => (end = r)),
      write: (d) => this.socket.write(encodeData(id, Buffer.from(d))),
      end: () => this.socket.write(encodeData(id, Buffer.alloc(0), true)),
      reset: () => this.socket.write(encodeRstStream(id, 5)),
      text: () => Buffer.concat(data).toString(),
    };
    this.streams.set(id, { s, answer, end });
    this.socket.write(encodeSynStream(id, block, { flags: fin ? FLAG_FIN : 0 }));
    return s;
  }

  ping(id: number): void {
    this.socket.write(encodePing(id));
  }

  close(): void {
    this.socket.destroy();
    this.inflater.close();
  }

  private compress(headers: SpdyHeaders): Promise<Buffer> {
    return new Promise((resolve) => {
      this.deflate.write(encodeHeaderBlock(headers));
      this.deflate.flush(constants.Z_SYNC_FLUSH, () => setImmediate(() => resolve(Buffer.concat(this.pending.splice(0)))));
    });
  }

  private handle(f: SpdyFrame): void {
    this.frames.push(f);
    if (f.type === 'syn_reply') {
      void this.inflater.decompress(f.headerBlock).catch(() => {});
      this.streams.get(f.streamId)?.answer({ kind: 'reply' });
    } else if (f.type === 'rst_stream') {
      const st = this.streams.get(f.streamId);
      st?.answer({ kind: 'reset', status: f.status });
      st?.end();
    } else if (f.type === 'data') {
      const st = this.streams.get(f.streamId);
      if (!st) return;
      if (f.data.length > 0) st.s.data.push(f.data);
      if (f.flags & FLAG_FIN) st.end();
    } else if (f.type === 'ping') {
      this.pings.push(f.id);
    }
  }
}
