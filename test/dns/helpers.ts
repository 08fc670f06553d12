import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import type { Server as TcpServer } from 'node:net';
import { decodeMessage, encodeMessage, Type } from '../../src/dns/message.js';
import type { Message, Question } from '../../src/dns/message.js';

/** A query message for one question (EDNS when udpSize is given). */
export function query(name: string, type: number = Type.A, opts: { id?: number; udpSize?: number } = {}): Buffer {
  return encodeMessage(queryMessage({ name, type, class: 1 }, opts));
}

export function queryMessage(q: Question, opts: { id?: number; udpSize?: number } = {}): Message {
  return {
    id: opts.id ?? 0x1234, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: 0,
    questions: [q], answers: [], authority: [], additional: [],
    edns: opts.udpSize ? { udpSize: opts.udpSize, version: 0, extendedRcode: 0, dnssecOk: false } : undefined,
  };
}

export function udpExchange(port: number, packet: Buffer, timeoutMs = 2000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => { s.close(); reject(new Error('udp timeout')); }, timeoutMs);
    s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(m); });
    s.send(packet, port, '127.0.0.1');
  });
}

export function tcpExchange(port: number, packets: Buffer[], timeoutMs = 2000): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    const out: Buffer[] = [];
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => { s.destroy(); reject(new Error('tcp timeout')); }, timeoutMs);
    s.on('error', (e) => { clearTimeout(timer); reject(e); });
    s.on('connect', () => {
      for (const p of packets) {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(p.length);
        s.write(Buffer.concat([len, p]));
      }
    });
    s.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        out.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (out.length === packets.length) { clearTimeout(timer); s.destroy(); resolve(out); }
    });
  });
}

export interface FakeUpstream {
  port: number;
  udpQueries: number;
  tcpQueries: number;
  close(): Promise<void>;
}

/**
 * A fake upstream resolver on 127.0.0.1 (UDP + TCP, same port). `answer` builds the reply; return
 * undefined to stay silent (timeouts). `truncateUdp` answers every UDP query with TC and no records.
 */
export async function fakeUpstream(
  answer: (q: Message, transport: 'udp' | 'tcp') => Message | undefined,
  opts: { truncateUdp?: boolean } = {},
): Promise<FakeUpstream> {
  const udp: UdpSocket = createSocket('udp4');
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
  const port = udp.address().port;
  const state = { port, udpQueries: 0, tcpQueries: 0, close: async () => {} };
  udp.on('message', (m, rinfo) => {
    state.udpQueries++;
    const q = decodeMessage(m);
    const reply = answer(q, 'udp');
    if (!reply) return;
    if (opts.truncateUdp) {
      udp.send(encodeMessage({ ...reply, answers: [], authority: [], additional: [], tc: true }), rinfo.port, rinfo.address);
    } else {
      udp.send(encodeMessage(reply), rinfo.port, rinfo.address);
    }
  });
  const sockets = new Set<import('node:net').Socket>();
  const tcp: TcpServer = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    let buf = Buffer.alloc(0);
    s.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      state.tcpQueries++;
      const reply = answer(decodeMessage(buf.subarray(2, 2 + buf.readUInt16BE(0))), 'tcp');
      buf = Buffer.alloc(0);
      if (!reply) return;
      const body = encodeMessage(reply);
      const len = Buffer.alloc(2);
      len.writeUInt16BE(body.length);
      s.write(Buffer.concat([len, body]));
    });
  });
  await new Promise<void>((r) => tcp.listen(port, '127.0.0.1', () => r()));
  state.close = async () => {
    for (const s of sockets) s.destroy();
    await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
  };
  return state;
}

/** A reply to `q` with A records for its name. */
export function aReply(q: Message, addresses: string[], rcode = 0): Message {
  return {
    ...q, qr: true, ra: true, rcode, edns: undefined,
    answers: addresses.map((address) => ({ name: q.questions[0].name, ttl: 60, type: Type.A as 1, address })),
  };
}
