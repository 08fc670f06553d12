import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect, isIP, isIPv6 } from 'node:net';
import { randomInt } from 'node:crypto';

/**
 * Forwards queries for names outside the cluster zone to the host's resolvers (CoreDNS's
 * `forward . /etc/resolv.conf`): UDP first, the same query over TCP when the UDP answer comes
 * back truncated, each upstream in resolv.conf order with a per-attempt timeout. Each query goes
 * out with a fresh random ID from a fresh socket (random source port), and only a reply carrying
 * that ID and the same question is accepted, so off-path spoofing must guess both.
 */

export interface Upstream {
  host: string;
  port: number;
}

export interface ForwarderOptions {
  /** Explicit upstreams; otherwise read from resolvConf. */
  upstreams?: Upstream[];
  /** Default /etc/resolv.conf, read once at construction. */
  resolvConf?: string;
  /** Port for resolv.conf nameservers (53; tests point it at a fake upstream). */
  port?: number;
  /** Per attempt, per upstream; default 2000 ms. */
  timeoutMs?: number;
  /**
   * Our own listening addresses: a nameserver equal to one of them would forward to ourselves
   * in a loop, so it is dropped. Other loopback nameservers (systemd-resolved's 127.0.0.53) are
   * kept: this server runs in the host network namespace, where they work.
   */
  selfAddresses?: Upstream[];
}

export class ForwardError extends Error {
  override name = 'ForwardError';
}

/** Nameserver addresses from resolv.conf text, in order (IPv6 zone suffixes are dropped). */
export function parseResolvConf(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const fields = line.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (fields[0] !== 'nameserver' || !fields[1]) continue;
    const host = fields[1].replace(/%.*$/, '');
    if (isIP(host) !== 0) out.push(host);
  }
  return out;
}

export class Forwarder {
  readonly upstreams: Upstream[];
  private readonly timeoutMs: number;

  constructor(opts: ForwarderOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 2000;
    let upstreams = opts.upstreams;
    if (!upstreams) {
      let text = '';
      try {
        text = readFileSync(opts.resolvConf ?? '/etc/resolv.conf', 'utf8');
      } catch {
        // No resolv.conf: nothing to forward to; queries answer SERVFAIL.
      }
      upstreams = parseResolvConf(text).map((host) => ({ host, port: opts.port ?? 53 }));
    }
    const self = opts.selfAddresses ?? [];
    this.upstreams = upstreams.filter((u) => !self.some((s) => s.port === u.port && (s.host === u.host || isWildcard(s.host))));
  }

  /**
   * Sends a query (wire format, any ID) upstream and resolves with the reply re-stamped with the
   * query's ID. Rejects with ForwardError when every upstream failed or timed out.
   */
  async forward(query: Buffer, signal?: AbortSignal): Promise<Buffer> {
    if (this.upstreams.length === 0) throw new ForwardError('no upstream nameservers');
    const clientId = query.readUInt16BE(0);
    let lastError: unknown;
    for (const upstream of this.upstreams) {
      if (signal?.aborted) break;
      const id = randomInt(0, 0x10000);
      const out = Buffer.from(query);
      out.writeUInt16BE(id, 0);
      try {
        let reply = await this.udp(upstream, out, signal);
        if (reply.readUInt16BE(2) & 0x0200) reply = await this.tcp(upstream, out, signal);
        reply.writeUInt16BE(clientId, 0);
        return reply;
      } catch (e) {
        lastError = e;
      }
    }
    throw new ForwardError(`all upstreams failed: ${lastError instanceof Error ? lastError.message : String(lastError)}`);
  }

  private udp(upstream: Upstream, query: Buffer, signal?: AbortSignal): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket = createSocket(isIPv6(upstream.host) ? 'udp6' : 'udp4');
      const finish = (err: Error | undefined, reply?: Buffer) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.close();
        if (err) reject(err);
        else resolve(reply!);
      };
      const onAbort = () => finish(new ForwardError('aborted'));
      const timer = setTimeout(() => finish(new ForwardError(`udp timeout from ${upstream.host}:${upstream.port}`)), this.timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.on('error', (e) => finish(e));
      socket.on('message', (msg, rinfo) => {
        // Ignore stray datagrams: wrong source, wrong ID or a different question.
        if (rinfo.port !== upstream.port || !matchesQuery(query, msg)) return;
        finish(undefined, msg);
      });
      socket.connect(upstream.port, upstream.host, () => socket.send(query));
    });
  }

  private tcp(upstream: Upstream, query: Buffer, signal?: AbortSignal): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: upstream.host, port: upstream.port });
      let buffered = Buffer.alloc(0);
      const finish = (err: Error | undefined, reply?: Buffer) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        if (err) reject(err);
        else resolve(reply!);
      };
      const onAbort = () => finish(new ForwardError('aborted'));
      const timer = setTimeout(() => finish(new ForwardError(`tcp timeout from ${upstream.host}:${upstream.port}`)), this.timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.on('error', (e) => finish(e));
      socket.on('connect', () => {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(query.length);
        socket.write(Buffer.concat([len, query]));
      });
      socket.on('data', (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        if (buffered.length < 2) return;
        const len = buffered.readUInt16BE(0);
        if (buffered.length < 2 + len) return;
        const msg = Buffer.from(buffered.subarray(2, 2 + len));
        if (!matchesQuery(query, msg)) return finish(new ForwardError('tcp reply does not match the query'));
        finish(undefined, msg);
      });
      socket.on('end', () => finish(new ForwardError('tcp connection closed before a reply')));
    });
  }
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/** Same ID, QR set, and the question section equal (case-insensitively, RFC 5452 9.1). */
function matchesQuery(query: Buffer, reply: Buffer): boolean {
  if (reply.length < 12 || reply.readUInt16BE(0) !== query.readUInt16BE(0) || (reply[2] & 0x80) === 0) return false;
  // A FORMERR reply may carry no question; accept it (it is still a reply to our ID).
  if (reply.readUInt16BE(4) === 0) return true;
  const qEnd = questionEnd(query);
  if (qEnd < 0 || reply.readUInt16BE(4) !== query.readUInt16BE(4) || reply.length < qEnd) return false;
  return reply.subarray(12, qEnd).toString('latin1').toLowerCase() === query.subarray(12, qEnd).toString('latin1').toLowerCase();
}

/** End offset of the first question of an uncompressed query, or -1. */
function questionEnd(buf: Buffer): number {
  let pos = 12;
  while (pos < buf.length && buf[pos] !== 0) {
    if ((buf[pos] & 0xc0) !== 0) return -1;
    pos += buf[pos] + 1;
  }
  return pos + 5 <= buf.length ? pos + 5 : -1;
}
