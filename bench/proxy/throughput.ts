// ClusterIP throughput against pod IPs: the nftables proxier programs the node namespace of the
// bench topology (topology.ts) with one ClusterIP service over the pods (plus filler services, so
// that the table has a realistic size), then the load generator runs from the client pod, for a
// fixed time, once against the pod IPs directly and once against the clusterIP, alternating the
// order each round. The figure is the ratio of the two request rates, per connection mode.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NftablesProxier } from '../../src/proxy/proxier.js';
import { killAtCleanup } from './cleanup.js';
import type { LoadgenResult } from './loadgen.js';
import { parseResult } from './stats.js';
import { benchService, benchSlice, buildCluster } from './sync-latency.js';
import { createTopology, SERVER_PORT, type Topology } from './topology.js';

const LOADGEN = fileURLToPath(new URL('./loadgen.js', import.meta.url));
export const CLUSTER_IP = '10.96.100.10';
const SERVICE_PORT = 80;

export type Mode = 'keepalive' | 'close';
export type Target = 'pod IPs' | 'clusterIP';

export interface ThroughputOptions {
  tag: string;
  pods: number;
  connections: number;
  rounds: number;
  runMs: number;
  warmupMs: number;
  fillerServices: number;
  progress(line: string): void;
}

export interface Run {
  mode: Mode;
  target: Target;
  round: number;
  result: LoadgenResult;
}

export interface ThroughputFigures {
  pods: number;
  connections: number;
  runMs: number;
  rounds: number;
  /** Rules in the node namespace's table while measuring. */
  rules: number;
  /** Which pods answered 40 new connections to the clusterIP before measuring. */
  spread: Record<string, number>;
  /** The load generator's command line (one run), to say what measured. */
  command: string;
  runs: Run[];
}

function loadgen(t: Topology, args: string[]): Promise<LoadgenResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', t.client.ns, process.execPath, LOADGEN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stopKilling = killAtCleanup(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      stopKilling();
      if (code !== 0) reject(new Error(`loadgen exited with ${code}: ${err.trim()}`));
      else {
        try {
          resolve(parseResult<LoadgenResult>(out, 'loadgen'));
        } catch (e) {
          reject(e);
        }
      }
    });
  });
}

/** New connections to the clusterIP from the client pod: which pods answered, and how often. */
function spreadOver(t: Topology, count: number): Record<string, number> {
  const out = t.exec(t.client.ns, ['curl', '-s', '--max-time', '2', '-w', '\\n', '-H', 'Connection: close', `http://${CLUSTER_IP}:${SERVICE_PORT}/?[1-${count}]`], 30_000);
  const got: Record<string, number> = {};
  for (const name of out.split('\n').filter(Boolean)) got[name] = (got[name] ?? 0) + 1;
  return got;
}

export async function measureThroughput(o: ThroughputOptions): Promise<ThroughputFigures> {
  o.progress(`building the topology: node namespace with a bridge, ${o.pods} server pods, a client pod`);
  const t = await createTopology(o.tag, o.pods);
  const proxier = new NftablesProxier({ nodeName: 'node-a', commandPrefix: ['ip', 'netns', 'exec', t.node], clusterCIDR: t.podCIDR });
  const filler = buildCluster(o.fillerServices, 10);
  const svc = benchService('web', 'default', CLUSTER_IP);
  const slice = benchSlice('web', 'default', t.pods.map((p) => ({ addresses: [p.ip], nodeName: 'node-a', conditions: { ready: true } })), SERVER_PORT);
  o.progress(`programming ${CLUSTER_IP}:${SERVICE_PORT} -> ${t.pods.map((p) => p.ip).join(', ')} (:${SERVER_PORT}) among ${o.fillerServices} other services`);
  const sync = await proxier.sync([svc, ...filler.services], [slice, ...filler.slices]);
  const spread = spreadOver(t, 40);
  const answered = Object.values(spread).reduce((a, b) => a + b, 0);
  if (answered !== 40 || Object.keys(spread).length !== o.pods) {
    throw new Error(`the clusterIP does not reach every pod from the client pod: ${JSON.stringify(spread)}`);
  }

  const podTargets = t.pods.map((p) => `${p.ip}:${SERVER_PORT}`).join(',');
  const argsFor = (mode: Mode, target: Target) => [
    `--targets=${target === 'clusterIP' ? `${CLUSTER_IP}:${SERVICE_PORT}` : podTargets}`,
    `--mode=${mode}`,
    `--connections=${o.connections}`,
    `--duration-ms=${o.runMs}`,
    `--warmup-ms=${o.warmupMs}`,
    `--watch-pids=${t.serverPids.join(',')}`,
  ];
  const runs: Run[] = [];
  for (const mode of ['keepalive', 'close'] as const) {
    for (let round = 0; round < o.rounds; round++) {
      // ABBA order: a drift over time (CPU frequency, conntrack growth) weighs on both alike.
      const order: Target[] = round % 2 === 0 ? ['pod IPs', 'clusterIP'] : ['clusterIP', 'pod IPs'];
      for (const target of order) {
        const result = await loadgen(t, argsFor(mode, target));
        runs.push({ mode, target, round, result });
        o.progress(`${mode.padEnd(9)} round ${round + 1}/${o.rounds} ${target.padEnd(9)} ${Math.round(result.requestsPerSec)} req/s, ${result.errors} errors, loadgen cpu ${Math.round(result.cpuPercent)}%`);
      }
    }
  }
  return {
    pods: o.pods,
    connections: o.connections,
    runMs: o.runMs,
    rounds: o.rounds,
    rules: sync.rules,
    spread,
    command: `ip netns exec ${t.client.ns} node ${LOADGEN.replace(process.cwd() + '/', '')} ${argsFor('keepalive', 'clusterIP').join(' ')}`,
    runs,
  };
}

/** Requests/s of one mode and target over all rounds (total requests / total measured time). */
export function rateOf(runs: Run[], mode: Mode, target: Target): number {
  const rs = runs.filter((r) => r.mode === mode && r.target === target);
  const requests = rs.reduce((n, r) => n + r.result.requests, 0);
  const seconds = rs.reduce((n, r) => n + r.result.elapsedMs, 0) / 1000;
  return seconds > 0 ? requests / seconds : NaN;
}

/** CPU per request over all rounds, in µs, by where it was spent. */
export function cpuPerRequest(runs: Run[], mode: Mode, target: Target): { loadgen: number; servers: number; softirq: number; total: number } {
  const rs = runs.filter((r) => r.mode === mode && r.target === target);
  const requests = rs.reduce((n, r) => n + r.result.requests, 0);
  const us = (k: 'loadgen' | 'servers' | 'softirq') => (1000 * rs.reduce((n, r) => n + r.result.cpuMs[k], 0)) / requests;
  const out = { loadgen: us('loadgen'), servers: us('servers'), softirq: us('softirq'), total: 0 };
  out.total = out.loadgen + out.servers + out.softirq;
  return out;
}

/** clusterIP / pod IPs of each round, for the spread. */
export function roundRatios(runs: Run[], mode: Mode): number[] {
  const out: number[] = [];
  for (const r of runs.filter((x) => x.mode === mode && x.target === 'clusterIP')) {
    const pod = runs.find((x) => x.mode === mode && x.target === 'pod IPs' && x.round === r.round);
    if (pod) out.push(r.result.requestsPerSec / pod.result.requestsPerSec);
  }
  return out;
}
