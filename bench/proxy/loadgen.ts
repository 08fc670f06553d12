// HTTP load generator of the proxy benchmark, run as its own process inside the client pod's
// namespace (`ip netns exec <client> node loadgen.js ...`). It keeps C connections busy with one
// request in flight each (no pipelining), over raw sockets with a preformatted request and a
// minimal response parser, so that it spends as little CPU per request as it can:
//   --mode=keepalive  C keep-alive connections opened before measuring, reused for every request;
//   --mode=close      C slots, each opening a new connection per request (Connection: close) and
//                     waiting for the server to close it: one TCP handshake, hence one conntrack
//                     entry and one DNAT decision, per request.
// Connection i goes to target i mod T (client-side spreading over the pod IPs; one target, the
// clusterIP, leaves the spreading to the proxy). After --warmup-ms it counts the responses that
// complete during --duration-ms and their latency (keepalive: request sent -> response read;
// close: connect -> response read and closed), and prints `RESULT <json>` on stdout.
// Over the same window it also takes the CPU time of the --watch-pids (the servers, all their
// threads) and the machine's irq + softirq time, where the kernel does most of the packet path
// (veth, bridge, conntrack, NAT): CPU per request holds when other processes share the cores,
// requests/s does not.
import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { cpuMsSince, percentile, RESULT_PREFIX, Samples } from './stats.js';

export interface LoadgenResult {
  requests: number;
  errors: number;
  elapsedMs: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** This process's CPU (user + system) over the measured window, in % of one core. */
  cpuPercent: number;
  /** CPU over the window, in ms: this process, the watched servers, the machine's irq + softirq. */
  cpuMs: { loadgen: number; servers: number; softirq: number };
  firstError?: string;
}

interface Target {
  host: string;
  port: number;
}

/** CPU time of every thread of these processes, in ms (schedstat: nanoseconds on a CPU). */
function tasksCpuMs(pids: number[]): number {
  let ns = 0;
  for (const pid of pids) {
    for (const task of readdirSync(`/proc/${pid}/task`)) ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'latin1').split(' ')[0]);
  }
  return ns / 1e6;
}

/** The machine's irq + softirq time in ms (/proc/stat counts USER_HZ = 100 ticks a second). */
function softirqMs(): number {
  const f = readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!.trim().split(/\s+/);
  return (Number(f[6]) + Number(f[7])) * 10;
}

function parseArgs(argv: string[]): { targets: Target[]; connections: number; mode: 'keepalive' | 'close'; durationMs: number; warmupMs: number; watchPids: number[] } {
  const flags = new Map(argv.map((a) => /^--([a-z-]+)=(.*)$/.exec(a)).filter((m): m is RegExpExecArray => !!m).map((m) => [m[1]!, m[2]!]));
  const targets = (flags.get('targets') ?? '').split(',').filter(Boolean).map((t) => {
    const [host, port] = t.split(':');
    return { host: host!, port: Number(port ?? 80) };
  });
  const mode = flags.get('mode');
  if (targets.length === 0 || (mode !== 'keepalive' && mode !== 'close')) {
    throw new Error('usage: loadgen.js --targets=ip:port[,ip:port...] --mode=keepalive|close [--connections=N] [--duration-ms=N] [--warmup-ms=N]');
  }
  return {
    targets,
    mode,
    connections: Number(flags.get('connections') ?? 32),
    durationMs: Number(flags.get('duration-ms') ?? 3000),
    warmupMs: Number(flags.get('warmup-ms') ?? 500),
    watchPids: (flags.get('watch-pids') ?? '').split(',').filter(Boolean).map(Number),
  };
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:\s*(\d+)/i;

class Load {
  measuring = false;
  stopped = false;
  requests = 0;
  errors = 0;
  firstError?: string;
  readonly latencies = new Samples();
  readonly sockets = new Set<Socket>();

  done(startedAt: number, ok: boolean): void {
    if (!this.measuring) return;
    if (!ok) {
      this.error('a response that is not 200 OK');
      return;
    }
    this.requests++;
    this.latencies.push(performance.now() - startedAt);
  }

  error(message: string): void {
    if (this.stopped) return;
    if (this.measuring) this.errors++;
    this.firstError ??= message;
  }

  keepalive(target: Target, request: Buffer): void {
    const socket = connect({ host: target.host, port: target.port, noDelay: true });
    this.sockets.add(socket);
    let buf: Buffer = Buffer.alloc(0);
    let sentAt = 0;
    const send = () => {
      sentAt = performance.now();
      socket.write(request);
    };
    socket.on('connect', send);
    socket.on('data', (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      const end = buf.indexOf(HEADER_END);
      if (end < 0) return;
      const head = buf.toString('latin1', 0, end);
      const length = Number(CONTENT_LENGTH.exec(head)?.[1] ?? 0);
      if (buf.length < end + 4 + length) return;
      buf = buf.subarray(end + 4 + length);
      this.done(sentAt, head.startsWith('HTTP/1.1 200'));
      if (!this.stopped) send();
    });
    socket.on('error', (e) => this.error(e.message));
    socket.on('close', () => {
      this.sockets.delete(socket);
      // A connection the server closed is replaced, as a client's pool would.
      if (!this.stopped) this.keepalive(target, request);
    });
  }

  oneShot(target: Target, request: Buffer): void {
    const startedAt = performance.now();
    const socket = connect({ host: target.host, port: target.port, noDelay: true });
    this.sockets.add(socket);
    let head = '';
    let failed = false;
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      if (head.length < 12) head += chunk.toString('latin1', 0, 12);
    });
    // The server closes after the response (Connection: close); its FIN marks the end.
    socket.on('end', () => this.done(startedAt, head.startsWith('HTTP/1.1 200')));
    socket.on('error', (e) => {
      failed = true;
      this.error(e.message);
    });
    socket.on('close', () => {
      this.sockets.delete(socket);
      if (this.stopped) return;
      // After a failure (e.g. no free port) pause a little rather than spin.
      if (failed) setTimeout(() => this.oneShot(target, request), 10);
      else this.oneShot(target, request);
    });
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const load = new Load();
  const host = o.targets[0]!.host;
  const keepaliveRequest = Buffer.from(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
  const closeRequest = Buffer.from(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  for (let i = 0; i < o.connections; i++) {
    const target = o.targets[i % o.targets.length]!;
    if (o.mode === 'keepalive') load.keepalive(target, keepaliveRequest);
    else load.oneShot(target, closeRequest);
  }
  await new Promise((r) => setTimeout(r, o.warmupMs));
  const cpu = process.cpuUsage();
  const servers = tasksCpuMs(o.watchPids);
  const softirq = softirqMs();
  const start = performance.now();
  load.measuring = true;
  await new Promise((r) => setTimeout(r, o.durationMs));
  load.measuring = false;
  const elapsedMs = performance.now() - start;
  const cpuMs = cpuMsSince(cpu);
  const serversMs = tasksCpuMs(o.watchPids) - servers;
  const softirqDeltaMs = softirqMs() - softirq;
  load.stopped = true;
  for (const s of load.sockets) s.destroy();
  const lat = load.latencies.values();
  const result: LoadgenResult = {
    requests: load.requests,
    errors: load.errors,
    elapsedMs,
    requestsPerSec: load.requests / (elapsedMs / 1000),
    p50Ms: percentile(lat, 0.5),
    p99Ms: percentile(lat, 0.99),
    cpuPercent: (100 * cpuMs) / elapsedMs,
    cpuMs: { loadgen: cpuMs, servers: serversMs, softirq: softirqDeltaMs },
    firstError: load.firstError,
  };
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`loadgen: ${(e as Error).message}\n`);
    process.exit(2);
  },
);
