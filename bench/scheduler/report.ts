// The scheduler benchmark's figures: per case, its counts, setup times, binds, throughput windows
// beside upstream's threshold, pod latency and the process's cpu; then one summary line per case.
import type { CaseCounts } from './cases.js';
import type { CaseResult } from './run.js';
import { percentile } from './throughput.js';

const int = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const dec = (n: number, d = 1) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const secs = (ms: number) => `${dec(ms / 1000)} s`;
const line = (label: string, value: string) => `  ${label.padEnd(34)} ${value}\n`;
const countsText = (c: CaseCounts) => `${int(c.nodes)} nodes, ${int(c.initPods)} existing pods, ${int(c.measurePods)} measured pods`;

/** The heading printed before a case runs. */
export function caseHeading(r: Pick<CaseResult, 'case' | 'counts'>, scale: number): string {
  return `\n${r.case.name}: ${countsText(r.counts)}${scale === 1 ? '' : ` (scale ${scale})`}\n`;
}

export function overallRate(r: CaseResult): number {
  return r.totalMs > 0 ? r.bound / (r.totalMs / 1000) : NaN;
}

function thresholdText(r: CaseResult): string {
  const t = r.case.threshold;
  if (t === undefined) return 'none upstream';
  const avg = r.throughput.samples.length ? r.throughput.average : overallRate(r);
  return `${int(t)} pods/s; ratio ${dec(avg / t, 2)}`;
}

export function caseReport(r: CaseResult): string {
  const { counts, throughput: tp } = r;
  let out = '';
  out += line('nodes created', secs(r.nodesMs));
  out += line('existing pods scheduled', `${int(r.initBound)}/${int(counts.initPods)} in ${secs(r.initMs)}`);
  out += line('measured creates sent', secs(r.createMs));
  out += line('measured pods bound', `${int(r.bound)}/${int(counts.measurePods)} in ${secs(r.totalMs)}, ${int(overallRate(r))} pods/s overall${r.stalled ? ' (STALLED)' : ''}`);
  out += line(
    'throughput (1 s windows)',
    tp.samples.length
      ? `avg ${int(tp.average)} pods/s, p50 ${int(tp.p50)}, p90 ${int(tp.p90)}, p99 ${int(tp.p99)} (${tp.samples.length} windows)`
      : 'n/a (no complete window: the run was too short)',
  );
  out += line('upstream threshold', thresholdText(r));
  const lat = [...r.latenciesMs].sort((a, b) => a - b);
  out += line('latency unbound -> bound', lat.length ? `p50 ${dec(percentile(lat, 0.5))} ms, p99 ${dec(percentile(lat, 0.99))} ms (${int(lat.length)} pods)` : 'n/a');
  // Below ~90% the process waited: on the API, or for CPU other processes held.
  // pods per cpu-second holds when other processes share the cores; pods/s does not.
  const perCpu = r.cpuMs > 0 ? `, ${int(r.bound / (r.cpuMs / 1000))} pods per cpu-second` : '';
  out += line('process cpu while measuring', `${secs(r.cpuMs)} in ${secs(r.wallMs)} (${int((100 * r.cpuMs) / Math.max(1, r.wallMs))}% of one core)${perCpu}`);
  const s = r.scheduler;
  out += line('scheduler', `${int(s.scheduled)} bound, ${int(s.unschedulable)} unschedulable attempts, ${int(s.preemptions)} preemptions, ${int(s.errors)} errors`);
  return out;
}

export function summary(results: CaseResult[]): string {
  let out = `\nsummary (average of 1 s windows, else overall; upstream threshold)\n`;
  for (const r of results) {
    const avg = r.throughput.samples.length ? r.throughput.average : overallRate(r);
    const t = r.case.threshold;
    out += `  ${r.case.name.padEnd(46)} ${int(avg).padStart(6)} pods/s  ${t === undefined ? 'threshold: none' : `threshold ${int(t)}, ratio ${dec(avg / t, 2)}`}${r.stalled ? '  STALLED' : ''}\n`;
  }
  return out;
}
