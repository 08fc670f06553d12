// Prints the figures of the API server benchmark: one table per datastore (kubets beside the bare
// HTTPS server's ceiling), then the targets of the issue.

import { fmtInt, fmtMs, fmtRate, median } from '../storage/measure.js';
import type { BenchConfig, Datastore } from './config.js';
import type { Latency, ListResult, RateResult, WatchResult } from './protocol.js';

/** What one server answered: kubets, or the bare server with kubets's bytes. */
export interface SideFigures {
  createsClosed: RateResult;
  gets: RateResult;
  list: ListResult;
  table: ListResult;
  watch: WatchResult;
}

export interface DatastoreFigures {
  datastore: Datastore;
  /** Creates while loading the pods that are listed. */
  fill: RateResult;
  createsOpen: RateResult;
  kubets: SideFigures;
  bare: SideFigures;
}

export const TARGETS = {
  openRate: 500,
  createP99Ms: 50,
  getsRatio: 0.3,
  listPods: 10_000,
  listMs: 250,
};

const W = { label: 50, value: 13, lat: 10, bare: 13, ratio: 12 };

function row(label: string, value = '', p50 = '', p99 = '', bare = '', ratio = ''): string {
  return (
    `  ${label.padEnd(W.label)} ${value.padStart(W.value)} ${p50.padStart(W.lat)} ${p99.padStart(W.lat)}` +
    ` ${bare.padStart(W.bare)} ${ratio.padStart(W.ratio)}`
  ).trimEnd();
}

const ms = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '' : fmtMs(x));
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
const lat = (l: Latency | undefined): [string, string] => [ms(l?.p50), ms(l?.p99)];

export function fmtRatio(r: number): string {
  return `${r.toFixed(2)} (${(r * 100).toFixed(0)}%)`;
}

/** Throughput as a share of the ceiling; for lists (timed, one at a time) bare ms / kubets ms. */
export const getsRatio = (f: DatastoreFigures): number => f.kubets.gets.perSec / f.bare.gets.perSec;

export const LEGEND = [
  'Every figure is taken by a separate load process over HTTPS (keep-alive, the admin client certificate).',
  '"bare" is a bare Node HTTPS server (same certificates, client certificate asked for) answering the bytes',
  'kubets answered, measured in the same run; "kubets/bare" is the share of that ceiling (lists: bare time /',
  'kubets time). Open-loop latency counts from the moment a request was due; watch p50/p99 is from a create',
  'being sent to its event reaching a watcher.',
].join('\n');

export function datastoreTable(f: DatastoreFigures, cfg: BenchConfig, url: string): string {
  const k = f.kubets;
  const b = f.bare;
  const n = fmtInt(k.list.items);
  const listRatio = (kk: number, bb: number): string => fmtRatio(bb / kk);
  const lines = [
    `== ${f.datastore} datastore (kubets server child process at ${url}) ==`,
    row('measurement', 'kubets', 'p50', 'p99', 'bare', 'kubets/bare'),
    row('-'.repeat(W.label), '-'.repeat(W.value), '-'.repeat(W.lat), '-'.repeat(W.lat), '-'.repeat(W.bare), '-'.repeat(W.ratio)),
    row(`creates/s, open loop at ${fmtInt(cfg.openRate)}/s for ${(cfg.openMs / 1000).toFixed(1)} s`, fmtRate(f.createsOpen.perSec), ...lat(f.createsOpen.latency)),
    row(
      `creates/s, ${cfg.createConcurrency} concurrent`,
      fmtRate(k.createsClosed.perSec),
      ...lat(k.createsClosed.latency),
      fmtRate(b.createsClosed.perSec),
      fmtRatio(k.createsClosed.perSec / b.createsClosed.perSec),
    ),
    row(
      `gets/s, ${cfg.getConcurrency} concurrent, over ${n} pods`,
      fmtRate(k.gets.perSec),
      ...lat(k.gets.latency),
      fmtRate(b.gets.perSec),
      fmtRatio(getsRatio(f)),
    ),
    row(`list ${n} pods (${mb(k.list.bytes)}), best of ${k.list.runsMs.length}`, ms(Math.min(...k.list.runsMs)), '', '', ms(Math.min(...b.list.runsMs)), listRatio(Math.min(...k.list.runsMs), Math.min(...b.list.runsMs))),
    row(`list ${n} pods, median of ${k.list.runsMs.length}`, ms(median(k.list.runsMs)), '', '', ms(median(b.list.runsMs)), listRatio(median(k.list.runsMs), median(b.list.runsMs))),
    row(`list ${n} pods as Table (${mb(k.table.bytes)}), once`, ms(k.table.runsMs[0]), '', '', ms(b.table.runsMs[0]), listRatio(k.table.runsMs[0]!, b.table.runsMs[0]!)),
    row(
      `watch events/s, ${k.watch.watchers} watchers x ${fmtInt(k.watch.events)} creates`,
      fmtRate(k.watch.perSec),
      ...lat(k.watch.delivery),
      fmtRate(b.watch.perSec),
      fmtRatio(k.watch.perSec / b.watch.perSec),
    ),
    row(`creates/s while loading the ${n} pods, ${cfg.createConcurrency} concurrent`, fmtRate(f.fill.perSec), ...lat(f.fill.latency)),
    `  list runs: ${runs(k.list)} (bare: ${runs(b.list)})`,
    `  watch: ${fmtInt(k.watch.deliveries)} events delivered in ${fmtMs(k.watch.ms)}; the creates were answered after ` +
      `${fmtMs(k.watch.writesMs)} (p50 ${ms(k.watch.creates.p50)}, p99 ${ms(k.watch.creates.p99)}); bare: ${fmtMs(b.watch.ms)}`,
    `  open loop: ${fmtInt(f.createsOpen.ops)} creates, max latency ${ms(f.createsOpen.latency.max)}; ` +
      `${cfg.createConcurrency} concurrent: ${fmtInt(k.createsClosed.ops)} creates in ${fmtMs(k.createsClosed.ms)}, max ${ms(k.createsClosed.latency.max)}`,
  ];
  return lines.join('\n');
}

function runs(l: ListResult): string {
  return l.runsMs.map((x) => x.toFixed(1)).join(', ') + ' ms';
}

function tRow(label: string, value: string, verdict: string): string {
  return `  ${label.padEnd(W.label)} ${value.padStart(W.value)}   ${verdict}`;
}

export function targetLines(all: DatastoreFigures[], cfg: BenchConfig): string {
  const verdict = (ok: boolean): string => (ok ? 'ok' : 'MISS');
  const lines = ['== targets =='];
  for (const f of all) {
    const d = f.datastore.padEnd(6);
    const open = f.createsOpen;
    const kept = open.perSec >= cfg.openRate * 0.95;
    const rateNote =
      `achieved ${fmtRate(open.perSec)}` + (cfg.openRate === TARGETS.openRate ? '' : `; target is for ${TARGETS.openRate}/s`);
    lines.push(
      tRow(
        `${d} creates p99 at ${fmtInt(cfg.openRate)}/s < ${TARGETS.createP99Ms} ms`,
        ms(open.latency.p99),
        `${verdict(open.latency.p99 < TARGETS.createP99Ms && kept)} (${rateNote})`,
      ),
      tRow(`${d} gets/s >= ${TARGETS.getsRatio * 100}% of the bare server's`, fmtRatio(getsRatio(f)), verdict(getsRatio(f) >= TARGETS.getsRatio)),
    );
    const pods = f.kubets.list.items;
    const listMedian = median(f.kubets.list.runsMs);
    const scaled = pods === TARGETS.listPods ? '' : ` (scaled run: ${fmtInt(pods)} pods, target is for ${fmtInt(TARGETS.listPods)})`;
    lines.push(tRow(`${d} list ${fmtInt(pods)} pods (median) < ${TARGETS.listMs} ms`, ms(listMedian), verdict(listMedian < TARGETS.listMs) + scaled));
  }
  return lines.join('\n');
}
