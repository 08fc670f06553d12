// DNS load client of the proxy benchmark, run as its own process: keeps a window of queries
// outstanding against the server for a fixed time and reports queries/s and per-query latency.
// UDP: one socket, --window queries in flight; a query unanswered after 1 s counts as lost and
// its slot is reused. TCP: --connections connections, --window queries pipelined on each
// (length-prefixed, answered in any order, RFC 7766). Queries are encoded once up front (a mix of
// service A, headless A, SRV and NXDOMAIN, names from dns-names.ts); per reply it reads only the
// header (ID, rcode, answer count) and checks them against what that query must get.
// Prints `MEASURING` when the measured window opens and `RESULT <json>` at its end.
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { encodeMessage, Type } from '../../src/dns/message.js';
import { type DnsClusterSpec, expected, fqdn, isHeadless, namespaceOf, QUERY_KINDS, QUERY_WEIGHTS, type QueryKind, serviceName, ZONE } from './dns-names.js';
import { cpuMsSince, percentile, prng, RESULT_PREFIX, Samples } from './stats.js';

export interface DnsClientResult {
  transport: 'udp' | 'tcp';
  answered: number;
  lost: number;
  /** Replies whose rcode or answer count was not what the query must get. */
  wrong: number;
  elapsedMs: number;
  queriesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuPercent: number;
  byKind: Record<QueryKind, number>;
}

interface Args extends DnsClusterSpec {
  port: number;
  transport: 'udp' | 'tcp';
  window: number;
  connections: number;
  durationMs: number;
  warmupMs: number;
}

const LOST_AFTER_MS = 1000;

function query(name: string, type: number): Buffer {
  return encodeMessage({
    id: 0, qr: false, opcode: 0, aa: false, tc: false, rd: true, ra: false, rcode: 0,
    questions: [{ name, type, class: 1 }], answers: [], authority: [], additional: [],
  });
}

/** The query mix, drawn once: packets and the kind of each. */
function buildMix(spec: DnsClusterSpec, count: number): { packets: Buffer[]; kinds: number[] } {
  const rand = prng(42);
  const regular = Array.from({ length: spec.services }, (_, i) => i).filter((i) => !isHeadless(spec, i));
  const headless = Array.from({ length: spec.services }, (_, i) => i).filter((i) => isHeadless(spec, i));
  const pick = (xs: number[]) => xs[Math.floor(rand() * xs.length)]!;
  const packets: Buffer[] = [];
  const kinds: number[] = [];
  for (let n = 0; n < count; n++) {
    let r = rand();
    let k = 0;
    while (k < QUERY_WEIGHTS.length - 1 && r >= QUERY_WEIGHTS[k]!) r -= QUERY_WEIGHTS[k++]!;
    const kind = QUERY_KINDS[k]!;
    if (kind === 'service A') packets.push(query(fqdn(spec, pick(regular)), Type.A));
    else if (kind === 'headless A') packets.push(query(fqdn(spec, pick(headless)), Type.A));
    else if (kind === 'SRV') packets.push(query(`_http._tcp.${fqdn(spec, pick(regular))}`, Type.SRV));
    else {
      const i = pick(regular);
      packets.push(query(`missing-${serviceName(i)}.${namespaceOf(spec, i)}.svc.${ZONE}.`, Type.A));
    }
    kinds.push(k);
  }
  return { packets, kinds };
}

class Window {
  measuring = false;
  answered = 0;
  lost = 0;
  wrong = 0;
  readonly latencies = new Samples();
  readonly byKind = new Uint32Array(QUERY_KINDS.length);
  private readonly sentAt = new Float64Array(65536);
  private readonly kindOf = new Int8Array(65536).fill(-1);
  private readonly inFlight = new Set<number>();
  private nextId = 0;
  private next = 0;
  private readonly expect: { rcode: number; answers: number }[];

  constructor(spec: DnsClusterSpec, private readonly mix: { packets: Buffer[]; kinds: number[] }) {
    this.expect = QUERY_KINDS.map((k) => expected(spec, k));
  }

  /** The next query of the mix with a free ID, marked in flight. */
  take(): Buffer {
    while (this.kindOf[this.nextId] !== -1) this.nextId = (this.nextId + 1) & 0xffff;
    const id = this.nextId;
    this.nextId = (id + 1) & 0xffff;
    const i = this.next++ % this.mix.packets.length;
    const packet = Buffer.from(this.mix.packets[i]!);
    packet.writeUInt16BE(id, 0);
    this.kindOf[id] = this.mix.kinds[i]!;
    this.sentAt[id] = performance.now();
    this.inFlight.add(id);
    return packet;
  }

  /** Accounts a reply; false when it answers nothing in flight (late, after being counted lost). */
  reply(msg: Buffer): boolean {
    const id = msg.readUInt16BE(0);
    const kind = this.kindOf[id]!;
    if (kind < 0) return false;
    this.kindOf[id] = -1;
    this.inFlight.delete(id);
    if (!this.measuring) return true;
    const want = this.expect[kind]!;
    if ((msg[3]! & 0xf) !== want.rcode || msg.readUInt16BE(6) !== want.answers || (msg[2]! & 0x02) !== 0) this.wrong++;
    this.answered++;
    this.byKind[kind] += 1;
    this.latencies.push(performance.now() - this.sentAt[id]!);
    return true;
  }

  /** Forgets queries unanswered for too long; returns how many slots that freed. */
  expire(now: number): number {
    let freed = 0;
    for (const id of this.inFlight) {
      if (now - this.sentAt[id]! < LOST_AFTER_MS) continue;
      this.inFlight.delete(id);
      this.kindOf[id] = -1;
      if (this.measuring) this.lost++;
      freed++;
    }
    return freed;
  }
}

function runUdp(a: Args, w: Window): () => void {
  const socket = createSocket('udp4');
  const send = () => socket.send(w.take(), a.port, '127.0.0.1');
  socket.on('message', (msg) => {
    if (w.reply(msg)) send();
  });
  socket.bind(0, '127.0.0.1', () => {
    for (let i = 0; i < a.window; i++) send();
  });
  const timer = setInterval(() => {
    for (let n = w.expire(performance.now()); n > 0; n--) send();
  }, 100);
  return () => {
    clearInterval(timer);
    socket.close();
  };
}

function runTcp(a: Args, w: Window): () => void {
  const sockets: Socket[] = [];
  const frame = (packet: Buffer) => {
    const out = Buffer.allocUnsafe(packet.length + 2);
    out.writeUInt16BE(packet.length, 0);
    packet.copy(out, 2);
    return out;
  };
  for (let c = 0; c < a.connections; c++) {
    const socket = connect({ host: '127.0.0.1', port: a.port, noDelay: true });
    sockets.push(socket);
    let buf: Buffer = Buffer.alloc(0);
    socket.on('connect', () => {
      for (let i = 0; i < a.window; i++) socket.write(frame(w.take()));
    });
    socket.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        if (w.reply(buf.subarray(2, 2 + len))) socket.write(frame(w.take()));
        buf = buf.subarray(2 + len);
      }
    });
    socket.on('error', (e) => {
      process.stderr.write(`dns-client: tcp connection ${c}: ${e.message}\n`);
      process.exit(3);
    });
  }
  return () => sockets.forEach((s) => s.destroy());
}

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2] ?? '{}') as Args;
  const w = new Window(a, buildMix(a, 8192));
  const stop = a.transport === 'udp' ? runUdp(a, w) : runTcp(a, w);
  await new Promise((r) => setTimeout(r, a.warmupMs));
  process.stdout.write('MEASURING\n');
  const cpu = process.cpuUsage();
  const start = performance.now();
  w.measuring = true;
  await new Promise((r) => setTimeout(r, a.durationMs));
  w.measuring = false;
  const elapsedMs = performance.now() - start;
  const cpuMs = cpuMsSince(cpu);
  stop();
  const lat = w.latencies.values();
  const result: DnsClientResult = {
    transport: a.transport,
    answered: w.answered,
    lost: w.lost,
    wrong: w.wrong,
    elapsedMs,
    queriesPerSec: w.answered / (elapsedMs / 1000),
    p50Ms: percentile(lat, 0.5),
    p99Ms: percentile(lat, 0.99),
    cpuPercent: (100 * cpuMs) / elapsedMs,
    byKind: Object.fromEntries(QUERY_KINDS.map((k, i) => [k, w.byKind[i]!])) as Record<QueryKind, number>,
  };
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`dns-client: ${(e as Error).message}\n`);
    process.exit(2);
  },
);
