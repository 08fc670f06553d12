import {
  Class, decodeMessage, DnsFormatError, encodeMessage, Opcode, Rcode, Type, UDP_MIN_SIZE,
} from './message.js';
import type { Message, Question, ResourceRecord } from './message.js';
import type { Forwarder } from './forwarder.js';
import type { KubernetesZone } from './zone.js';

/**
 * One query in, one reply out: validation (FORMERR / NOTIMP / REFUSED / BADVERS), the zone's
 * answer with ExternalName CNAMEs chased, or the upstream's, sized for the client's transport.
 */

export type Transport = 'udp' | 'tcp';

export interface DnsMetrics {
  queries: number;
  udp: number;
  tcp: number;
  forwarded: number;
  /** Queries not answered at all (responses sent to us, packets shorter than a header). */
  dropped: number;
  /** Replies by rcode name (NOERROR, NXDOMAIN, SERVFAIL...). */
  byRcode: Record<string, number>;
}

/** Our advertised EDNS buffer: 1232 is the DNS Flag Day 2020 value that avoids fragmentation. */
export const EDNS_UDP_SIZE = 1232;
const MAX_CNAME_CHAIN = 8;
const RCODE_NAMES = new Map<number, string>(Object.entries(Rcode).map(([k, v]) => [v, k]));

function count(metrics: DnsMetrics, rcode: number): void {
  const name = RCODE_NAMES.get(rcode) ?? String(rcode);
  metrics.byRcode[name] = (metrics.byRcode[name] ?? 0) + 1;
}

/** An error reply built from the raw header alone (the packet may not decode). */
export function formErr(packet: Buffer, rcode: number, metrics: DnsMetrics): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt16BE(packet.readUInt16BE(0), 0);
  // Keep opcode and RD, set QR; no sections (RFC 1035 4.1.1 allows an empty question).
  out.writeUInt16BE(0x8000 | (packet.readUInt16BE(2) & 0x7900) | (rcode & 0xf), 2);
  count(metrics, rcode);
  return out;
}

export async function answerQuery(
  packet: Buffer, transport: Transport, zone: KubernetesZone, forwarder: Forwarder | undefined,
  metrics: DnsMetrics, signal: AbortSignal,
): Promise<Buffer | undefined> {
  // Without a full header there is no ID to answer to; a QR=1 packet is a response, and answering
  // responses lets two servers bounce errors at each other forever.
  if (packet.length < 12 || (packet[2] & 0x80) !== 0) return undefined;
  let query: Message;
  try {
    query = decodeMessage(packet);
  } catch (e) {
    if (e instanceof DnsFormatError) return formErr(packet, Rcode.FORMERR, metrics);
    throw e;
  }
  const reply: Message = {
    id: query.id, qr: true, opcode: query.opcode, aa: false, tc: false, rd: query.rd, ra: forwarder !== undefined,
    rcode: Rcode.NOERROR, questions: query.questions.slice(0, 1), answers: [], authority: [], additional: [],
    edns: query.edns ? { udpSize: EDNS_UDP_SIZE, version: 0, extendedRcode: 0, dnssecOk: false } : undefined,
  };
  const maxSize = transport === 'tcp' ? 0xffff
    : Math.min(Math.max(query.edns?.udpSize ?? UDP_MIN_SIZE, UDP_MIN_SIZE), EDNS_UDP_SIZE * 4);
  const send = (m: Message) => {
    count(metrics, m.rcode);
    return encodeMessage(m, { maxSize });
  };

  if (query.opcode !== Opcode.QUERY) return send({ ...reply, rcode: Rcode.NOTIMP });
  if (query.questions.length !== 1) return send({ ...reply, questions: [], rcode: Rcode.FORMERR });
  // RFC 6891 6.1.3: we speak EDNS version 0 only.
  if (query.edns && query.edns.version > 0) return send({ ...reply, rcode: Rcode.BADVERS });
  const q = query.questions[0];
  if (q.type === Type.OPT) return send({ ...reply, rcode: Rcode.FORMERR });
  if (q.class !== Class.IN && q.class !== Class.ANY) return send({ ...reply, rcode: Rcode.REFUSED });
  // Zone transfers are not offered (CoreDNS without the transfer plugin refuses them too).
  if (q.type === Type.AXFR || q.type === Type.IXFR) return send({ ...reply, rcode: Rcode.REFUSED });
  if (q.type >= 128 && q.type <= 254) return send({ ...reply, rcode: Rcode.NOTIMP });

  const local = zone.answer(q);
  if (local) {
    reply.aa = true;
    reply.rcode = local.rcode;
    reply.answers = local.answers;
    reply.authority = local.authority;
    reply.additional = local.additional;
    if (local.chase) await chase(reply, q, local.chase, zone, forwarder, metrics, signal);
    return send(reply);
  }
  if (zone.contains(q.name)) return send({ ...reply, rcode: Rcode.NXDOMAIN });
  if (!forwarder) return send({ ...reply, rcode: Rcode.REFUSED });
  const upstream = await forwardQuestion(forwarder, q, query.rd, metrics, signal);
  if (!upstream) return send({ ...reply, rcode: Rcode.SERVFAIL });
  // Relay the upstream answer re-encoded for this client (its ID, its EDNS, its size limit).
  return send({
    ...reply, aa: false, rcode: upstream.rcode, answers: upstream.answers, authority: upstream.authority,
    additional: upstream.additional, tc: transport === 'udp' && upstream.tc,
  });
}

/** Asks the upstream one question; undefined on failure (timeouts, garbage replies). */
async function forwardQuestion(
  forwarder: Forwarder, q: Question, rd: boolean, metrics: DnsMetrics, signal: AbortSignal,
): Promise<Message | undefined> {
  metrics.forwarded++;
  const out = encodeMessage({
    id: 0, qr: false, opcode: Opcode.QUERY, aa: false, tc: false, rd, ra: false, rcode: 0,
    questions: [q], answers: [], authority: [], additional: [],
    edns: { udpSize: EDNS_UDP_SIZE, version: 0, extendedRcode: 0, dnssecOk: false },
  });
  try {
    return decodeMessage(await forwarder.forward(out, signal));
  } catch {
    return undefined;
  }
}

/**
 * Follows an ExternalName CNAME for the asked type, as CoreDNS does (in-zone targets from the
 * zone, others upstream). The final name's rcode is the reply's (RFC 6604); an upstream failure
 * leaves the bare CNAME.
 */
async function chase(
  reply: Message, q: Question, target: string, zone: KubernetesZone, forwarder: Forwarder | undefined,
  metrics: DnsMetrics, signal: AbortSignal,
): Promise<void> {
  const seen = new Set<string>([q.name.toLowerCase()]);
  for (let i = 0; i < MAX_CNAME_CHAIN && !seen.has(target.toLowerCase()); i++) {
    seen.add(target.toLowerCase());
    const next: Question = { name: target, type: q.type, class: Class.IN };
    const local = zone.answer(next);
    if (local) {
      reply.answers.push(...local.answers);
      reply.rcode = local.rcode;
      reply.authority = local.answers.length === 0 ? local.authority : [];
      if (!local.chase) return;
      target = local.chase;
      continue;
    }
    if (zone.contains(target) || !forwarder) return;
    const upstream = await forwardQuestion(forwarder, next, true, metrics, signal);
    if (!upstream) return;
    reply.answers.push(...upstream.answers.filter((rr: ResourceRecord) => rr.type !== 0));
    reply.rcode = upstream.rcode;
    reply.ra = true;
    return;
  }
}
