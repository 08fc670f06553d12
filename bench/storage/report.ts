// Prints the figures of the storage benchmark: one table per backend, then the targets.

import type { DatastoreKind } from '../../src/storage/index.js';
import type { CeilingFigures } from './ceiling.js';
import type { BenchConfig } from './config.js';
import { fmtInt, fmtMs, fmtRate, type Rate } from './measure.js';
import type { ListResultFigures, WatchFigures } from './phases.js';

export interface BackendFigures {
  kind: DatastoreKind;
  /** How the backend was set up, for the table's heading. */
  setup: string;
  write1: Rate;
  writeMany: Rate;
  read: Rate;
  list: ListResultFigures;
  watch: WatchFigures;
  ceiling?: CeilingFigures;
  /** SQLite: time to open the store holding the listed keys again (it loads them into memory). */
  reopenMs?: number;
}

export const TARGETS = {
  writesPerSec: 20_000,
  listKeys: 100_000,
  listMs: 300,
  watchEventsPerSec: 200_000,
};

const LABEL_WIDTH = 52;
const VALUE_WIDTH = 16;

function row(label: string, value: string, note = ''): string {
  return `  ${label.padEnd(LABEL_WIDTH)} ${value.padStart(VALUE_WIDTH)}${note ? '   ' + note : ''}`;
}

const opsNote = (r: Rate): string => `${fmtInt(r.ops)} ops in ${fmtMs(r.ms)}`;

export function backendTable(f: BackendFigures, cfg: BenchConfig): string {
  const kib = cfg.writeValueBytes % 1024 === 0 ? `${cfg.writeValueBytes / 1024} KiB` : `${cfg.writeValueBytes} B`;
  const lines = [
    `== ${f.kind} backend (${f.setup}) ==`,
    row('measurement', 'value'),
    row('-'.repeat(LABEL_WIDTH), '-'.repeat(VALUE_WIDTH)),
    row(`writes/s, 1 writer (acknowledged creates, ${kib})`, fmtRate(f.write1.perSec), opsNote(f.write1)),
    row(`writes/s, ${cfg.writers} writers (acknowledged creates, ${kib})`, fmtRate(f.writeMany.perSec), opsNote(f.writeMany)),
    row(`reads/s, ${cfg.readers} readers (get of existing keys)`, fmtRate(f.read.perSec), opsNote(f.read)),
    row(`list ${fmtInt(f.list.keys)} keys (${cfg.listValueBytes} B values), best of ${f.list.runsMs.length}`, fmtMs(f.list.bestMs)),
    row(
      `list ${fmtInt(f.list.keys)} keys, median of ${f.list.runsMs.length}`,
      fmtMs(f.list.medianMs),
      `runs: ${f.list.runsMs.map((ms) => ms.toFixed(1)).join(', ')} ms; loading took ${fmtMs(f.list.loadMs)}`,
    ),
    row(
      `watch events/s, ${f.watch.watchers} watchers x ${f.watch.events} writes`,
      fmtRate(f.watch.perSec),
      `${fmtInt(f.watch.deliveries)} deliveries in ${fmtMs(f.watch.ms)} (writes acknowledged after ${fmtMs(f.watch.writesMs)})`,
    ),
  ];
  if (f.reopenMs !== undefined) {
    lines.push(row(`reopen with ${fmtInt(f.list.keys)} keys (loads them into memory)`, fmtMs(f.reopenMs)));
  }
  if (f.ceiling) {
    const c = f.ceiling;
    lines.push(
      row(`ceiling: raw better-sqlite3 rows/s, ${c.rowsPerTransaction} rows/txn`, fmtRate(c.grouped.perSec), opsNote(c.grouped)),
      row('ceiling: raw better-sqlite3 rows/s, 1 row/txn', fmtRate(c.single.perSec), opsNote(c.single)),
      row(`${cfg.writers}-writer rate / ceiling (${c.rowsPerTransaction} rows/txn)`, ratio(f.writeMany.perSec, c.grouped.perSec)),
      row('1-writer rate / ceiling (1 row/txn)', ratio(f.write1.perSec, c.single.perSec)),
    );
  }
  return lines.join('\n');
}

function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)} (${((a / b) * 100).toFixed(0)}%)`;
}

export function targetLines(all: BackendFigures[], cfg: BenchConfig): string {
  const verdict = (ok: boolean): string => (ok ? 'ok' : 'MISS');
  const scaled = (n: number, full: number, what: string): string =>
    n === full ? '' : ` (scaled run: ${fmtInt(n)} ${what}, target is for ${fmtInt(full)})`;
  const lines = ['== targets =='];
  for (const f of all) {
    const k = f.kind.padEnd(6);
    lines.push(
      row(
        `${k} writes/s, ${cfg.writers} writers >= ${fmtInt(TARGETS.writesPerSec)}`,
        fmtRate(f.writeMany.perSec),
        verdict(f.writeMany.perSec >= TARGETS.writesPerSec),
      ),
      row(
        `${k} list ${fmtInt(f.list.keys)} keys (median) < ${TARGETS.listMs} ms`,
        fmtMs(f.list.medianMs),
        verdict(f.list.medianMs < TARGETS.listMs) + scaled(f.list.keys, TARGETS.listKeys, 'keys'),
      ),
      row(
        `${k} watch events/s delivered >= ${fmtInt(TARGETS.watchEventsPerSec)}`,
        fmtRate(f.watch.perSec),
        verdict(f.watch.perSec >= TARGETS.watchEventsPerSec) + scaled(f.watch.watchers, 1000, 'watchers'),
      ),
    );
  }
  return lines.join('\n');
}
