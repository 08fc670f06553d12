// The proxy benchmark's table: one section per figure, a row per measurement with its value and
// what it is made of.
import type { DnsFigures, DnsRun } from './dns.js';
import { dec, int, ms, percentile } from './stats.js';
import type { SyncLatencyFigures } from './sync-latency.js';
import { cpuPerRequest, type Mode, rateOf, roundRatios, type Target, type ThroughputFigures } from './throughput.js';

const LABEL_WIDTH = 50;
const VALUE_WIDTH = 12;

function row(label: string, value: string, note = ''): string {
  return `  ${label.padEnd(LABEL_WIDTH)} ${value.padStart(VALUE_WIDTH)}${note ? '   ' + note : ''}\n`;
}

export function header(environment: string): string {
  return `\n${environment}\n${row('measurement', 'value', 'detail')}${row('-'.repeat(LABEL_WIDTH), '-'.repeat(VALUE_WIDTH), '-'.repeat(6))}`;
}

export function syncSection(f: SyncLatencyFigures): string {
  const wall = f.wallMs.values();
  const n = wall.length;
  let out = `== network programming: ${int(f.services)} services x ${f.endpoints} endpoints, nftables in a netns ==\n`;
  out += row(
    'first sync (whole table), call -> nft applied',
    ms(f.firstWallMs),
    `generate ${ms(f.first.generateMs)} + nft ${ms(f.first.applyMs)}; ${int(f.first.rules)} rules, ${int(f.first.chains)} chains, script ${dec(f.first.scriptBytes / 1e6)} MB`,
  );
  out += row(`1 endpoint change -> nft applied, p50 (${n})`, ms(percentile(wall, 0.5)), `proxier: generate p50 ${ms(percentile(f.generateMs.values(), 0.5))}, nft p50 ${ms(percentile(f.applyMs.values(), 0.5))}`);
  out += row(`1 endpoint change -> nft applied, p99 (${n})`, ms(percentile(wall, 0.99)), `max ${ms(percentile(wall, 1))}; script p50 ${int(percentile(f.scriptBytes.values(), 0.5))} bytes`);
  const kinds = Object.entries(f.byKind).map(([k, c]) => `${c} ${k}`).join(', ');
  const check = f.dnatListed === f.dnatExpected ? 'matches' : `MISMATCH: expected ${int(f.dnatExpected)}`;
  out += row('changes made', int(n), `${kinds}; kernel lists ${int(f.dnatListed)} DNAT rules at the end (${check})`);
  return out;
}

const MODE_TEXT: Record<Mode, string> = { keepalive: 'keep-alive', close: 'conn/request' };

export function throughputSection(f: ThroughputFigures): string {
  let out = `== clusterIP vs pod IPs: client pod -> ${f.pods} pods (bridge), ${f.connections} connections, ${f.rounds} x ${dec(f.runMs / 1000)} s per target ==\n`;
  for (const mode of ['keepalive', 'close'] as const) {
    const detail = (target: Target) => {
      const rs = f.runs.filter((r) => r.mode === mode && r.target === target);
      const c = cpuPerRequest(f.runs, mode, target);
      const p50 = Math.max(...rs.map((r) => r.result.p50Ms));
      const p99 = Math.max(...rs.map((r) => r.result.p99Ms));
      const cpu = rs.map((r) => r.result.cpuPercent);
      const errors = rs.reduce((a, r) => a + r.result.errors, 0);
      const firstError = rs.find((r) => r.result.errors > 0)?.result.firstError;
      return (
        `cpu/req ${int(c.total)} µs (loadgen ${int(c.loadgen)} + servers ${int(c.servers)} + irq ${int(c.softirq)}); ` +
        `p50 ${ms(p50)} p99 ${ms(p99)} (worst round); loadgen cpu ${int(Math.min(...cpu))}-${int(Math.max(...cpu))}%; ${errors} errors${firstError ? ` (${firstError})` : ''}`
      );
    };
    const pod = rateOf(f.runs, mode, 'pod IPs');
    const cluster = rateOf(f.runs, mode, 'clusterIP');
    const ratios = roundRatios(f.runs, mode);
    const cpuRatio = cpuPerRequest(f.runs, mode, 'pod IPs').total / cpuPerRequest(f.runs, mode, 'clusterIP').total;
    out += row(`${MODE_TEXT[mode]}: req/s to pod IPs`, int(pod), detail('pod IPs'));
    out += row(`${MODE_TEXT[mode]}: req/s to the clusterIP`, int(cluster), detail('clusterIP'));
    out += row(
      `${MODE_TEXT[mode]}: clusterIP / pod IPs`,
      dec(cluster / pod, 2),
      `per round ${ratios.map((r) => dec(r, 2)).join(', ')} (median ${dec(percentile(ratios, 0.5), 2)}); cpu/req pod IPs / clusterIP ${dec(cpuRatio, 2)}; target >= 0.90`,
    );
  }
  const spread = Object.entries(f.spread).map(([k, v]) => `${k} ${v}`).join(', ');
  out += `  (conn/request: a new TCP connection per request, so a DNAT decision each. cpu/req: the loadgen's and the servers' CPU and the\n`;
  out += `   machine's irq+softirq time (packet path; other processes' too) per request over the measured windows: less skewed by other load\n`;
  out += `   than req/s, though batching still moves it. Node table: ${int(f.rules)} rules; 40 new connections to the clusterIP reached ${spread}.\n`;
  out += `   loadgen, one process per run: ${f.command})\n`;
  return out;
}

function dnsRows(label: string, r: DnsRun): string {
  const c = r.client;
  return (
    row(`${label} queries/s (${r.window})`, int(c.queriesPerSec), `${int(c.answered)} answered in ${dec(c.elapsedMs / 1000)} s; ${c.lost} lost, ${c.wrong} wrong answers`) +
    row(`${label} latency p50 / p99`, `${dec(c.p50Ms, 2)} / ${dec(c.p99Ms, 2)}`, `ms; server cpu ${int(r.serverCpuPercent)}% of one core (${int((100 * c.queriesPerSec) / r.serverCpuPercent)} queries per server cpu-second), client cpu ${int(c.cpuPercent)}%`)
  );
}

export function dnsSection(f: DnsFigures): string {
  const headless = Math.ceil(f.spec.services / f.spec.headlessEvery);
  let out = `== cluster DNS from memory: ${int(f.spec.services)} services (${headless} headless) in ${f.spec.namespaces} namespaces, ${f.spec.endpoints} endpoints each ==\n`;
  out += dnsRows('UDP', f.udp);
  if (f.tcp) out += dnsRows('TCP', f.tcp);
  const mix = Object.entries(f.udp.client.byKind).map(([k, v]) => `${k} ${dec((100 * v) / Math.max(1, f.udp.client.answered), 0)}%`).join(', ');
  const rcodes = Object.entries(f.byRcode).map(([k, v]) => `${k} ${int(v)}`).join(', ');
  out += `  (query mix: ${mix}; server replies by rcode: ${rcodes})\n`;
  return out;
}
