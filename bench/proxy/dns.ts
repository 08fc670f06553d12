// Cluster DNS throughput: a DnsServer on 127.0.0.1 (a free port) in this process, answering from
// a ClusterRecords fed with S services and their EndpointSlices (some headless), nothing
// forwarded; the load client (dns-client.ts) runs as a separate process so that it does not take
// the server's event loop. This process does nothing else while it measures, so its CPU over the
// client's measured window is the server's.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ClusterRecords } from '../../src/dns/records.js';
import { DnsServer } from '../../src/dns/server.js';
import { KubernetesZone } from '../../src/dns/zone.js';
import { killAtCleanup } from './cleanup.js';
import type { DnsClientResult } from './dns-client.js';
import { type DnsClusterSpec, dnsObjects } from './dns-names.js';
import { cpuMsSince, parseResult } from './stats.js';

const CLIENT = fileURLToPath(new URL('./dns-client.js', import.meta.url));

export interface DnsOptions extends DnsClusterSpec {
  udpMs: number;
  tcpMs: number;
  warmupMs: number;
  udpWindow: number;
  tcpConnections: number;
  tcpWindow: number;
  progress(line: string): void;
}

export interface DnsRun {
  client: DnsClientResult;
  /** The server's (this process's) CPU over the measured window, % of one core. */
  serverCpuPercent: number;
  window: string;
}

export interface DnsFigures {
  spec: DnsClusterSpec;
  udp: DnsRun;
  tcp?: DnsRun;
  /** Replies by rcode, from the server's own metrics (all runs, warm-up included). */
  byRcode: Record<string, number>;
}

function runClient(args: object): Promise<{ client: DnsClientResult; serverCpuPercent: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLIENT, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stopKilling = killAtCleanup(child);
    let out = '';
    let err = '';
    let cpu: NodeJS.CpuUsage | undefined;
    let serverCpuMs = NaN;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!cpu && out.includes('MEASURING\n')) cpu = process.cpuUsage();
      if (cpu && Number.isNaN(serverCpuMs) && out.includes('RESULT ')) serverCpuMs = cpuMsSince(cpu);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      stopKilling();
      if (code !== 0) return reject(new Error(`dns-client exited with ${code}: ${err.trim()}`));
      try {
        const client = parseResult<DnsClientResult>(out, 'dns-client');
        resolve({ client, serverCpuPercent: (100 * serverCpuMs) / client.elapsedMs });
      } catch (e) {
        reject(e);
      }
    });
  });
}

export async function measureDns(o: DnsOptions): Promise<DnsFigures> {
  const spec: DnsClusterSpec = { services: o.services, namespaces: o.namespaces, headlessEvery: o.headlessEvery, endpoints: o.endpoints };
  const records = new ClusterRecords();
  const { services, slices } = dnsObjects(spec);
  for (const s of services) records.upsertService(s);
  for (const s of slices) records.upsertEndpointSlice(s);
  const server = new DnsServer({ zone: new KubernetesZone(records), address: '127.0.0.1', port: 0 });
  const ac = new AbortController();
  const running = server.start(ac.signal);
  try {
    await server.ready;
    const port = server.address().port;
    const base = { ...spec, port, warmupMs: o.warmupMs };
    o.progress(`DNS over UDP: ${o.udpWindow} queries outstanding for ${o.udpMs} ms against 127.0.0.1:${port}`);
    const udp = await runClient({ ...base, transport: 'udp', window: o.udpWindow, connections: 1, durationMs: o.udpMs });
    let tcp: DnsRun | undefined;
    if (o.tcpMs > 0) {
      o.progress(`DNS over TCP: ${o.tcpConnections} connections x ${o.tcpWindow} pipelined for ${o.tcpMs} ms`);
      const r = await runClient({ ...base, transport: 'tcp', window: o.tcpWindow, connections: o.tcpConnections, durationMs: o.tcpMs });
      tcp = { ...r, window: `${o.tcpConnections} connections x ${o.tcpWindow} in flight` };
    }
    return { spec, udp: { ...udp, window: `${o.udpWindow} in flight` }, tcp, byRcode: { ...server.metrics.byRcode } };
  } finally {
    ac.abort();
    await running;
  }
}
