// SPDY/3 header blocks: name/value pairs (32-bit lengths, names lower-case, several values of one
// name joined by NUL) compressed with zlib over one context per direction that spans the whole
// connection, each block ending on a sync-flush boundary, seeded with the SPDY/3 dictionary.
//
// Decompression runs on node:zlib's streaming inflate, which is asynchronous: a block's headers
// are handed back once the inflated bytes hold a complete header block, whatever order zlib's
// callbacks fire in. Compression needs no zlib at all: the blocks this server sends are written
// as "stored" (uncompressed) deflate blocks, after a zlib header naming the dictionary and each
// followed by the empty block a sync flush ends with; any inflater (Go's compress/zlib included)
// reads them, and every frame's bytes are made synchronously.
import { constants, createInflate, type Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary.js';
import { SpdyProtocolError } from './spdy-frames.js';

/** Header values by lower-case name (a name may carry several values). */
export type SpdyHeaders = Record<string, string[]>;

/** The first value of header `name` (case-insensitive), as Go's http.Header.Get. */
export function headerValue(headers: SpdyHeaders, name: string): string | undefined {
  return headers[name.toLowerCase()]?.[0];
}

export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const names = Object.keys(headers);
  parts.push(u32(names.length));
  for (const name of names) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(headers[name]!.join('\0'), 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

/** Parses one header block from the start of `buf`; undefined while it is incomplete. */
export function parseHeaderBlock(buf: Buffer): { headers: SpdyHeaders; consumed: number } | undefined {
  if (buf.length < 4) return undefined;
  const count = buf.readUInt32BE(0);
  let offset = 4;
  const headers: SpdyHeaders = {};
  for (let i = 0; i < count; i++) {
    if (buf.length < offset + 4) return undefined;
    const nameLength = buf.readUInt32BE(offset);
    if (buf.length < offset + 4 + nameLength + 4) return undefined;
    const name = buf.toString('utf8', offset + 4, offset + 4 + nameLength).toLowerCase();
    offset += 4 + nameLength;
    const valueLength = buf.readUInt32BE(offset);
    if (buf.length < offset + 4 + valueLength) return undefined;
    const values = buf.toString('utf8', offset + 4, offset + 4 + valueLength).split('\0');
    offset += 4 + valueLength;
    (headers[name] ??= []).push(...values);
  }
  return { headers, consumed: offset };
}

function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** zlib header: deflate with a 32 KiB window, FDICT set, then the dictionary's Adler-32 (RFC 1950). */
function zlibHeaderWithDictionary(): Buffer {
  const cmf = 0x78;
  let flg = 0x20;
  flg += 31 - ((cmf * 256 + flg) % 31);
  const header = Buffer.alloc(6);
  header.writeUInt8(cmf, 0);
  header.writeUInt8(flg, 1);
  header.writeUInt32BE(adler32(SPDY3_DICTIONARY), 2);
  return header;
}

const MAX_STORED_BLOCK = 0xffff;
const SYNC_FLUSH_MARKER = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);

/** This side's header compression context: one per connection. */
export class HeaderCompressor {
  private started = false;

  compress(headers: SpdyHeaders): Buffer {
    const raw = encodeHeaderBlock(headers);
    const parts: Buffer[] = [];
    if (!this.started) {
      parts.push(zlibHeaderWithDictionary());
      this.started = true;
    }
    for (let offset = 0; offset < raw.length; offset += MAX_STORED_BLOCK) {
      const chunk = raw.subarray(offset, offset + MAX_STORED_BLOCK);
      // BFINAL=0, BTYPE=00 (stored), padded to the byte; then LEN and its one's complement.
      const head = Buffer.alloc(5);
      head.writeUInt8(0, 0);
      head.writeUInt16LE(chunk.length, 1);
      head.writeUInt16LE(~chunk.length & 0xffff, 3);
      parts.push(head, chunk);
    }
    // The sync-flush marker, an empty stored block: Go's inflater hands a stored block's bytes over
    // only when the next block begins; without it, it reads on into the next frame and fails.
    parts.push(SYNC_FLUSH_MARKER);
    return Buffer.concat(parts);
  }
}

interface Waiter {
  resolve(headers: SpdyHeaders): void;
  reject(err: Error): void;
}

/** The peer's header compression context: blocks must be given in the order they arrived. */
export class HeaderDecompressor {
  private readonly inflate: Inflate;
  private inflated: Buffer = Buffer.alloc(0);
  private readonly waiting: Waiter[] = [];
  private failed: Error | undefined;

  constructor() {
    this.inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
    this.inflate.on('data', (chunk: Buffer) => {
      this.inflated = this.inflated.length === 0 ? chunk : Buffer.concat([this.inflated, chunk]);
      this.settle();
    });
    this.inflate.on('error', (e: Error) => this.fail(new SpdyProtocolError(`header block: ${e.message}`)));
  }

  decompress(block: Buffer): Promise<SpdyHeaders> {
    if (this.failed) return Promise.reject(this.failed);
    // A block always holds at least the pair count: an empty one could never complete.
    if (block.length === 0) return Promise.reject(new SpdyProtocolError('empty header block'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.inflate.write(block);
      this.inflate.flush(constants.Z_SYNC_FLUSH);
    });
  }

  close(): void {
    this.fail(new SpdyProtocolError('connection closed'));
    this.inflate.destroy();
  }

  private settle(): void {
    while (this.waiting.length > 0) {
      let parsed: ReturnType<typeof parseHeaderBlock>;
      try {
        parsed = parseHeaderBlock(this.inflated);
      } catch (e) {
        return this.fail(new SpdyProtocolError(`header block: ${(e as Error).message}`));
      }
      if (!parsed) return;
      this.inflated = this.inflated.subarray(parsed.consumed);
      this.waiting.shift()!.resolve(parsed.headers);
    }
  }

  private fail(err: Error): void {
    this.failed ??= err;
    for (const w of this.waiting.splice(0)) w.reject(err);
  }
}
