// How much CPU other processes took while the benchmark ran: the servers and the load process share
// the machine's cores with whatever else runs, and a busy machine lowers every figure. Linux only
// (/proc); elsewhere the line is left out.

import { readFileSync } from 'node:fs';

/** Clock ticks, in USER_HZ (100 per second on Linux). */
export interface CpuSnapshot {
  /** Non-idle ticks of all CPUs together. */
  busy: number;
  /** All ticks of all CPUs together (busy + idle). */
  total: number;
  /** This process and its exited, waited-for children (the servers and the load process). */
  own: number;
}

const USER_HZ = 100;

export function cpuSnapshot(): CpuSnapshot | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    // cpu user nice system idle iowait irq softirq steal ...
    const t = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const idle = t[3]! + t[4]!;
    const total = t.reduce((a, b) => a + b, 0);
    const self = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name "(...)": state is field 3, utime..cstime are fields 14..17.
    const f = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number);
    const own = f[11]! + f[12]! + f[13]! + f[14]!;
    return { busy: total - idle, total, own };
  } catch {
    return undefined;
  }
}

/** One line on the CPU the benchmark's processes and the others used between two snapshots. */
export function cpuLine(start: CpuSnapshot | undefined, end: CpuSnapshot | undefined): string | undefined {
  if (!start || !end) return undefined;
  const s = (ticks: number): string => `${(ticks / USER_HZ).toFixed(1)} s`;
  const own = end.own - start.own;
  const others = Math.max(0, end.busy - start.busy - own);
  return (
    `CPU time during the run: ${s(own)} by the benchmark's processes, ${s(others)} by other processes ` +
    `(of ${s(end.total - start.total)} on all CPUs)`
  );
}
