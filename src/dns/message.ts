import { isIPv4, isIPv6 } from 'node:net';

/**
 * DNS wire format: RFC 1035 messages, RFC 2782 SRV, RFC 3596 AAAA and the RFC 6891 EDNS0 OPT
 * pseudo-record. Decoding never trusts the packet: every read is bounds-checked and compression
 * pointers must point strictly backwards, so a malformed packet raises DnsFormatError and nothing
 * else.
 */

export const Type = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41,
  IXFR: 251, AXFR: 252, ANY: 255,
} as const;

export const Class = { IN: 1, CH: 3, ANY: 255 } as const;

export const Rcode = {
  NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16,
} as const;

export const Opcode = { QUERY: 0 } as const;

/** The largest UDP payload when the client sent no OPT record (RFC 1035 4.2.1). */
export const UDP_MIN_SIZE = 512;
const MAX_NAME_LENGTH = 255;
const MAX_LABEL_LENGTH = 63;

/** A packet that cannot be decoded; `id` is set when the header was readable (for a FORMERR). */
export class DnsFormatError extends Error {
  constructor(message: string, readonly id?: number) {
    super(message);
    this.name = 'DnsFormatError';
  }
}

export interface Question {
  name: string;
  type: number;
  class: number;
}

export type RecordData =
  | { type: 1 | 28; address: string }
  | { type: 2 | 5 | 12; target: string }
  | { type: 15; preference: number; exchange: string }
  | { type: 33; priority: number; weight: number; port: number; target: string }
  | { type: 16; texts: string[] }
  | { type: 6; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  | { type: 0; rawType: number; data: Buffer };

export type ResourceRecord = RecordData & { name: string; ttl: number; class?: number };

export interface Edns {
  udpSize: number;
  version: number;
  /** Extended rcode bits (upper 8 of the 12-bit rcode). */
  extendedRcode: number;
  dnssecOk: boolean;
}

export interface Message {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  /** Full rcode: the header's 4 bits plus EDNS extended bits when decoded or encoded with OPT. */
  rcode: number;
  questions: Question[];
  answers: ResourceRecord[];
  authority: ResourceRecord[];
  additional: ResourceRecord[];
  edns?: Edns;
}

/** The wire type number of a record. */
export function recordType(rr: RecordData): number {
  return rr.type === 0 ? rr.rawType : rr.type;
}

// ---------------------------------------------------------------------------------------------
// Decoding

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer, readonly id?: number) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new DnsFormatError(`truncated at offset ${this.pos}`, this.id);
  }
  u8(): number { this.need(1); return this.buf[this.pos++]; }
  u16(): number { this.need(2); const v = this.buf.readUInt16BE(this.pos); this.pos += 2; return v; }
  u32(): number { this.need(4); const v = this.buf.readUInt32BE(this.pos); this.pos += 4; return v; }
  bytes(n: number): Buffer { this.need(n); const v = this.buf.subarray(this.pos, this.pos + n); this.pos += n; return v; }

  /** A domain name, following compression pointers (each must point before the previous one). */
  name(): string {
    const labels: string[] = [];
    let pos = this.pos;
    let jumped = false;
    let wireLength = 1;
    let lowest = pos;
    for (;;) {
      if (pos >= this.buf.length) throw new DnsFormatError(`name runs past the end at ${pos}`, this.id);
      const len = this.buf[pos];
      if ((len & 0xc0) === 0xc0) {
        if (pos + 1 >= this.buf.length) throw new DnsFormatError('truncated compression pointer', this.id);
        const target = ((len & 0x3f) << 8) | this.buf[pos + 1];
        // Strictly backwards pointers make loops impossible and bound the walk by the packet size.
        if (target >= lowest) throw new DnsFormatError(`compression pointer loop at ${pos}`, this.id);
        if (!jumped) this.pos = pos + 2;
        jumped = true;
        lowest = target;
        pos = target;
        continue;
      }
      if ((len & 0xc0) !== 0) throw new DnsFormatError(`unsupported label type 0x${len.toString(16)}`, this.id);
      if (len === 0) {
        if (!jumped) this.pos = pos + 1;
        break;
      }
      if (pos + 1 + len > this.buf.length) throw new DnsFormatError('label runs past the end', this.id);
      wireLength += len + 1;
      if (wireLength > MAX_NAME_LENGTH) throw new DnsFormatError('name longer than 255 octets', this.id);
      labels.push(escapeLabel(this.buf.subarray(pos + 1, pos + 1 + len)));
      pos += 1 + len;
    }
    return labels.length === 0 ? '.' : labels.join('.') + '.';
  }
}

/** Presentation form of a label: dots and non-printable octets escaped so names round-trip. */
function escapeLabel(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) {
    if (b === 0x2e || b === 0x5c) out += '\\' + String.fromCharCode(b);
    else if (b <= 0x20 || b >= 0x7f) out += '\\' + b.toString().padStart(3, '0');
    else out += String.fromCharCode(b);
  }
  return out;
}

function decodeRecord(r: Reader): ResourceRecord {
  const name = r.name();
  const type = r.u16();
  const cls = r.u16();
  const ttl = r.u32();
  const rdlength = r.u16();
  r.need(rdlength);
  const end = r.pos + rdlength;
  const base = { name, ttl, class: cls };
  let rec: ResourceRecord;
  switch (type) {
    case Type.A:
      if (rdlength !== 4) throw new DnsFormatError('A record of wrong length', r.id);
      rec = { ...base, type, address: Array.from(r.bytes(4)).join('.') };
      break;
    case Type.AAAA:
      if (rdlength !== 16) throw new DnsFormatError('AAAA record of wrong length', r.id);
      rec = { ...base, type, address: ipv6ToString(r.bytes(16)) };
      break;
    case Type.NS: case Type.CNAME: case Type.PTR:
      rec = { ...base, type, target: r.name() };
      break;
    case Type.MX:
      rec = { ...base, type, preference: r.u16(), exchange: r.name() };
      break;
    case Type.SRV:
      rec = { ...base, type, priority: r.u16(), weight: r.u16(), port: r.u16(), target: r.name() };
      break;
    case Type.SOA:
      rec = { ...base, type, mname: r.name(), rname: r.name(), serial: r.u32(), refresh: r.u32(), retry: r.u32(), expire: r.u32(), minimum: r.u32() };
      break;
    case Type.TXT: {
      const texts: string[] = [];
      while (r.pos < end) texts.push(r.bytes(r.u8()).toString('latin1'));
      rec = { ...base, type, texts };
      break;
    }
    default:
      rec = { ...base, type: 0, rawType: type, data: Buffer.from(r.bytes(rdlength)) };
  }
  if (r.pos !== end) throw new DnsFormatError(`record data length mismatch for type ${type}`, r.id);
  return rec;
}

/** Decodes a whole message (query or response). Throws DnsFormatError on any malformation. */
export function decodeMessage(buf: Buffer): Message {
  if (buf.length < 12) throw new DnsFormatError('shorter than a DNS header');
  const id = buf.readUInt16BE(0);
  const r = new Reader(buf, id);
  r.pos = 2;
  const flags = r.u16();
  const counts = [r.u16(), r.u16(), r.u16(), r.u16()];
  // Each question needs at least 5 octets and each record 11: reject absurd counts before looping.
  if (counts[0] * 5 + (counts[1] + counts[2] + counts[3]) * 11 > buf.length - 12) {
    throw new DnsFormatError('section counts exceed the packet size', id);
  }
  const msg: Message = {
    id,
    qr: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    aa: (flags & 0x0400) !== 0,
    tc: (flags & 0x0200) !== 0,
    rd: (flags & 0x0100) !== 0,
    ra: (flags & 0x0080) !== 0,
    rcode: flags & 0xf,
    questions: [],
    answers: [],
    authority: [],
    additional: [],
  };
  for (let i = 0; i < counts[0]; i++) msg.questions.push({ name: r.name(), type: r.u16(), class: r.u16() });
  for (let i = 0; i < counts[1]; i++) msg.answers.push(decodeRecord(r));
  for (let i = 0; i < counts[2]; i++) msg.authority.push(decodeRecord(r));
  for (let i = 0; i < counts[3]; i++) {
    const rec = decodeRecord(r);
    if (rec.type === 0 && rec.rawType === Type.OPT) {
      // RFC 6891 6.1.1: at most one OPT, owned by the root.
      if (msg.edns || rec.name !== '.') throw new DnsFormatError('invalid OPT record', id);
      msg.edns = {
        udpSize: rec.class ?? UDP_MIN_SIZE,
        extendedRcode: rec.ttl >>> 24,
        version: (rec.ttl >>> 16) & 0xff,
        dnssecOk: (rec.ttl & 0x8000) !== 0,
      };
      msg.rcode |= msg.edns.extendedRcode << 4;
    } else {
      msg.additional.push(rec);
    }
  }
  // Trailing garbage is tolerated (as most servers do); the declared sections decoded fine.
  return msg;
}

function ipv6ToString(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return groups.slice(0, best).join(':') + '::' + groups.slice(best + bestLen).join(':');
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Splits a presentation-form name into raw labels, undoing escapes. */
export function nameLabels(name: string): Buffer[] {
  if (name === '.' || name === '') return [];
  const labels: Buffer[] = [];
  let cur: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x5c && i + 1 < name.length) {
      const d = name.slice(i + 1, i + 4);
      if (/^\d{3}$/.test(d)) { cur.push(Number(d) & 0xff); i += 3; }
      else { cur.push(name.charCodeAt(i + 1) & 0xff); i += 1; }
    } else if (c === 0x2e) {
      labels.push(Buffer.from(cur));
      cur = [];
    } else {
      cur.push(c & 0xff);
    }
  }
  if (cur.length > 0) labels.push(Buffer.from(cur));
  for (const l of labels) {
    if (l.length === 0 || l.length > MAX_LABEL_LENGTH) throw new RangeError(`invalid label in ${JSON.stringify(name)}`);
  }
  return labels;
}

class Writer {
  buf = Buffer.alloc(512);
  len = 0;
  /** Lowercased name suffix -> offset, for compression (RFC 1035 4.1.4). */
  private names = new Map<string, number>();

  private grow(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  u8(v: number): void { this.grow(1); this.buf[this.len++] = v; }
  u16(v: number): void { this.grow(2); this.buf.writeUInt16BE(v & 0xffff, this.len); this.len += 2; }
  u32(v: number): void { this.grow(4); this.buf.writeUInt32BE(v >>> 0, this.len); this.len += 4; }
  bytes(b: Uint8Array): void { this.grow(b.length); this.buf.set(b, this.len); this.len += b.length; }

  name(name: string, compress = true): void {
    const labels = nameLabels(name);
    for (let i = 0; i < labels.length; i++) {
      const key = labels.slice(i).map((l) => l.toString('latin1').toLowerCase()).join('.');
      const at = compress ? this.names.get(key) : undefined;
      if (at !== undefined) { this.u16(0xc000 | at); return; }
      if (compress && this.len < 0x4000) this.names.set(key, this.len);
      this.u8(labels[i].length);
      this.bytes(labels[i]);
    }
    this.u8(0);
  }
}

function encodeRecord(w: Writer, rr: ResourceRecord): void {
  w.name(rr.name);
  w.u16(recordType(rr));
  w.u16(rr.class ?? Class.IN);
  w.u32(rr.ttl);
  const lenAt = w.len;
  w.u16(0);
  switch (rr.type) {
    case Type.A: {
      if (!isIPv4(rr.address)) throw new RangeError(`invalid IPv4 address ${rr.address}`);
      w.bytes(Buffer.from(rr.address.split('.').map(Number)));
      break;
    }
    case Type.AAAA: w.bytes(ipv6ToBytes(rr.address)); break;
    case Type.NS: case Type.CNAME: case Type.PTR: w.name(rr.target); break;
    case Type.MX: w.u16(rr.preference); w.name(rr.exchange); break;
    // RFC 2782: the SRV target must not be compressed.
    case Type.SRV: w.u16(rr.priority); w.u16(rr.weight); w.u16(rr.port); w.name(rr.target, false); break;
    case Type.SOA:
      w.name(rr.mname); w.name(rr.rname);
      w.u32(rr.serial); w.u32(rr.refresh); w.u32(rr.retry); w.u32(rr.expire); w.u32(rr.minimum);
      break;
    case Type.TXT:
      for (const t of rr.texts) {
        const b = Buffer.from(t, 'latin1');
        if (b.length > 255) throw new RangeError('TXT string longer than 255 octets');
        w.u8(b.length); w.bytes(b);
      }
      break;
    case 0: w.bytes(rr.data); break;
  }
  w.buf.writeUInt16BE(w.len - lenAt - 2, lenAt);
}

function ipv6ToBytes(address: string): Buffer {
  if (!isIPv6(address)) throw new RangeError(`invalid IPv6 address ${address}`);
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number);
    text = text.slice(0, -v4[1].length) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

export interface EncodeOptions {
  /** Maximum size (UDP); records that do not fit are dropped and TC is set. */
  maxSize?: number;
}

/**
 * Encodes a message. With maxSize, answers are kept while they fit (whole records only), the
 * rest dropped with TC set, as resolvers then retry over TCP (RFC 2181 9); the OPT record is
 * always kept so the client still learns our buffer size.
 */
export function encodeMessage(msg: Message, opts: EncodeOptions = {}): Buffer {
  const w = new Writer();
  const rcode = msg.rcode & 0xf;
  const flagsAt = 2;
  w.u16(msg.id);
  w.u16(0);
  w.u16(msg.questions.length);
  w.u16(0); w.u16(0); w.u16(0);
  for (const q of msg.questions) { w.name(q.name); w.u16(q.type); w.u16(q.class); }
  const optSize = msg.edns ? 11 : 0;
  const limit = opts.maxSize === undefined ? Infinity : opts.maxSize - optSize;
  let tc = msg.tc;
  const counts = [0, 0, 0];
  const sections = [msg.answers, msg.authority, msg.additional];
  outer: for (let s = 0; s < 3; s++) {
    for (const rr of sections[s]) {
      const before = w.len;
      encodeRecord(w, rr);
      if (w.len > limit) {
        w.len = before;
        // Missing glue in the additional section is not truncation (RFC 2181 9).
        if (s < 2) tc = true;
        break outer;
      }
      counts[s]++;
    }
  }
  if (w.len > limit) tc = true; // the question alone does not fit
  let arcount = counts[2];
  if (msg.edns) {
    w.u8(0);
    w.u16(Type.OPT);
    w.u16(msg.edns.udpSize);
    w.u32((((msg.rcode >> 4) & 0xff) << 24) | ((msg.edns.version & 0xff) << 16) | (msg.edns.dnssecOk ? 0x8000 : 0));
    w.u16(0);
    arcount++;
  }
  const flags = (msg.qr ? 0x8000 : 0) | ((msg.opcode & 0xf) << 11) | (msg.aa ? 0x0400 : 0) | (tc ? 0x0200 : 0)
    | (msg.rd ? 0x0100 : 0) | (msg.ra ? 0x0080 : 0) | rcode;
  w.buf.writeUInt16BE(flags, flagsAt);
  w.buf.writeUInt16BE(counts[0], 6);
  w.buf.writeUInt16BE(counts[1], 8);
  w.buf.writeUInt16BE(arcount, 10);
  return Buffer.from(w.buf.subarray(0, w.len));
}

/** Lowercase, absolute form of a name, for lookups (DNS names compare case-insensitively). */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : lower + '.';
}

/** Canonical text of an IP (IPv6 compressed per RFC 5952), so index keys compare equal. */
export function normalizeIP(ip: string): string {
  return isIPv6(ip) ? ipv6ToString(ipv6ToBytes(ip)) : ip;
}
