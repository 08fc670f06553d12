// Service proxy and cluster DNS benchmark (issue 7). Not a test: it prints figures, as a table.
// Needs root (network namespaces, nft). `npm run bench:proxy`; `--quick` for a short run; `--help`.
// Everything it creates (namespaces kbp-<pid>-*, the processes in them) is removed at the end, on
// failure and on Ctrl-C too; all traffic stays inside those namespaces or on loopback.
//
// What the figures mean:
//
// 1. Network programming latency (sync-latency.ts). The nftables proxier (src/proxy) programs
//    1,000 services x 10 endpoints into a fresh network namespace with the real `nft`.
//    - "first sync": one full sync, from calling sync() until the promise resolves, i.e. until
//      `nft -f` exited successfully (the kernel committed the whole table); "generate" is the
//      proxier building the ruleset and script, "nft" running it (the proxier's own SyncResult).
//    - "1 endpoint change -> nft applied": N changes, one at a time, each one endpoint of a
//      random service becoming not ready, removed or added; timed from handing the changed
//      Service/EndpointSlice lists to sync() until nft applied the incremental script. This is
//      kube-proxy's network programming latency minus the informer and the batching period.
//      The last row checks the kernel's listing holds one DNAT rule per ready endpoint.
//
// 2. ClusterIP throughput ratio (throughput.ts, topology.ts, loadgen.ts). A "node" namespace with
//    a bridge, 2 server pods (a Node.js http server each) and a client pod on veths, the
//    proxier programming the node namespace with a ClusterIP over the pods (among 1,000 filler
//    services). The load generator runs in the client pod as its own process and keeps C
//    connections busy for a fixed time, alternately against the pod IPs (connections spread
//    over them by the client) and against the clusterIP (spread by the proxy), a few rounds.
//    - "keep-alive": connections opened once: requests/s measures the per-packet cost of the
//      DNAT'd path (conntrack lookups on established flows).
//    - "new connection per request": a TCP handshake, a conntrack entry and a DNAT decision (the
//      nftables service lookup and random endpoint pick) per request.
//    - "clusterIP / pod IPs": the ratio of the two rates (1.0 = the proxy costs nothing; the
//      issue's target is >= 0.9), with the per-round ratios for the spread. The loadgen's CPU is
//      printed: near 100% would mean it was the limit (for both targets alike).
//    - "cpu/req": CPU per request over the measured windows, the loadgen's, the servers' (all
//      threads, /proc schedstat) and the machine's irq+softirq time (where the kernel runs most
//      of the packet path: veth, bridge, conntrack, NAT); its pod/clusterIP ratio is the rate
//      ratio to expect when CPU alone limits both, and is less skewed than req/s when other
//      processes share the CPUs (batching under contention still moves it).
//
// 3. Cluster DNS (dns.ts, dns-client.ts). A DnsServer on 127.0.0.1 answering from a
//    ClusterRecords fed with 1,000 services (every 10th headless) and their EndpointSlices; the
//    records are all in memory (nothing forwarded, no separate response cache). A client process
//    keeps a window of queries outstanding for a fixed time: 50% service A, 20% headless A (10
//    records), 15% SRV, 15% NXDOMAIN. Queries/s, per-query latency p50/p99 (send -> reply read),
//    lost and wrong answers (rcode or answer count not what the query must get), and the CPU of
//    the server and of the client (server near 100%: the figure is the server's ceiling on one
//    core; below, the machine was busy elsewhere, and queries per server cpu-second says what the
//    server would do with a core of its own). Then the same over TCP with a few pipelined
//    connections.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release } from 'node:os';
import { CommandRunner } from '../../src/kubelet/runtime/process/command-runner.js';
import { type BenchOptionSpec, parseBenchOptions } from '../common/options.js';
import { runCleanup } from './cleanup.js';
import { measureDns } from './dns.js';
import { dnsSection, header, syncSection, throughputSection } from './report.js';
import { measureSyncLatency } from './sync-latency.js';
import { measureThroughput } from './throughput.js';

interface Sizes extends Record<string, number> {
  services: number;
  endpoints: number;
  changes: number;
  pods: number;
  connections: number;
  rounds: number;
  runMs: number;
  warmupMs: number;
  filler: number;
  dnsServices: number;
  dnsUdpMs: number;
  dnsTcpMs: number;
  window: number;
}

const USAGE = `Usage: node dist/bench/proxy/main.js [--quick] [--name=N]...   (as root)
  Network programming latency, clusterIP/pod IP throughput ratio and cluster DNS queries/s.
  Sizes (full / --quick), each settable as --name=N or BENCH_NAME=N:
  --services, --endpoints   services x endpoints for the programming latency (1000 x 10 / 200 x 10)
  --changes                 single-endpoint changes timed (100 / 20)
  --pods, --connections     server pods and load generator connections (2, 32 / 2, 16)
  --rounds, --run-ms        alternating pod IP / clusterIP runs per mode and their length (5, 2000 / 2, 1000)
  --warmup-ms               load before each measured window (500 / 300)
  --filler                  other services in the throughput node's table (1000 / 100)
  --dns-services            services in the DNS records (1000 / 1000)
  --dns-udp-ms, --dns-tcp-ms, --window   DNS run lengths and UDP queries in flight (8000, 4000, 64 / 1500, 1000, 64)`;

const SPEC: BenchOptionSpec<Sizes> = {
  usage: USAGE,
  full: { services: 1000, endpoints: 10, changes: 100, pods: 2, connections: 32, rounds: 5, runMs: 2000, warmupMs: 500, filler: 1000, dnsServices: 1000, dnsUdpMs: 8000, dnsTcpMs: 4000, window: 64 },
  quick: { services: 200, endpoints: 10, changes: 20, pods: 2, connections: 16, rounds: 2, runMs: 1000, warmupMs: 300, filler: 100, dnsServices: 1000, dnsUdpMs: 1500, dnsTcpMs: 1000, window: 64 },
  numeric: {
    services: 'services', endpoints: 'endpoints', changes: 'changes', pods: 'pods', connections: 'connections', rounds: 'rounds',
    'run-ms': 'runMs', 'warmup-ms': 'warmupMs', filler: 'filler', 'dns-services': 'dnsServices', 'dns-udp-ms': 'dnsUdpMs',
    'dns-tcp-ms': 'dnsTcpMs', window: 'window',
  },
  // The shared parser wants a list option; this benchmark has no datastore and ignores it.
  listOption: 'datastores',
  listNoun: 'datastore',
};

// Other processes on the machine take CPU from every figure here: say how busy it was.
const load = () => `load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`;

const progress = (line: string) => process.stderr.write(`    ... ${line}\n`);

function environment(): string {
  let nft = 'nft ?';
  try {
    nft = execFileSync('nft', ['--version']).toString().trim().split(' (')[0]!;
  } catch {
    // reported below when the first sync fails
  }
  const cpu = cpus();
  return `kubets bench:proxy, ${cpu.length} CPUs (${cpu[0]?.model.trim() ?? '?'}), Linux ${release()}, ${nft}, Node ${process.version}; ${load()} at start`;
}

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseBenchOptions(process.argv.slice(2), process.env, SPEC);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('bench:proxy needs root (network namespaces and nft)\n');
    return 2;
  }
  const s = opts.sizes;
  const tag = String(process.pid);
  const started = performance.now();
  process.stdout.write(header(environment()));
  try {
    progress('1/3 network programming latency');
    process.stdout.write(syncSection(await measureSyncLatency({ services: s.services, endpoints: s.endpoints, changes: s.changes, tag, seed: 7, progress })));
    progress('2/3 clusterIP vs pod IP throughput');
    const tp = await measureThroughput({ tag, pods: s.pods, connections: s.connections, rounds: s.rounds, runMs: s.runMs, warmupMs: s.warmupMs, fillerServices: s.filler, progress });
    process.stdout.write(throughputSection(tp));
    runCleanup();
    progress('3/3 cluster DNS');
    const dns = await measureDns({
      services: s.dnsServices, namespaces: 10, headlessEvery: 10, endpoints: 10, udpMs: s.dnsUdpMs, tcpMs: s.dnsTcpMs, warmupMs: s.warmupMs,
      udpWindow: s.window, tcpConnections: 4, tcpWindow: 16, progress,
    });
    process.stdout.write(dnsSection(dns));
    return 0;
  } catch (e) {
    process.stdout.write(`  FAILED: ${(e as Error).stack ?? e}\n`);
    return 1;
  } finally {
    runCleanup();
    await CommandRunner.shared().close();
    process.stdout.write(`  whole run: ${((performance.now() - started) / 1000).toFixed(0)} s${opts.quick ? ' (--quick)' : ''}; ${load()} at the end\n`);
  }
}

process.exitCode = await main();
