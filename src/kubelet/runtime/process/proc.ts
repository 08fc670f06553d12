// What /proc says about a process: Linux only, as the process runtime is. The start time
// (field 22 of /proc/<pid>/stat, clock ticks since boot) tells a container's process apart from
// an unrelated one that got the same pid after it exited, so a stale record never signals it.
import { readFileSync } from 'node:fs';

export interface ProcStat {
  /** R, S, D, Z (zombie: exited, not yet reaped), X (dead), ... */
  state: string;
  pgid: number;
  /** Field 22: when the process started, in clock ticks after boot. */
  startTime: number;
}

export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 (the command name, in parentheses) may itself hold spaces and parentheses: split after
  // the last ')'. What follows starts at field 3, so field n is at index n - 3.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const pgid = Number(fields[2]);
  const startTime = Number(fields[19]);
  if (!state || !Number.isFinite(pgid) || !Number.isFinite(startTime)) return undefined;
  return { state, pgid, startTime };
}

/** Whether `pid` is still the process started at `startTime`, and has not exited (zombies have). */
export function isSameLiveProcess(pid: number, startTime: number): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && stat.startTime === startTime && stat.state !== 'Z' && stat.state !== 'X';
}

/**
 * Signals the process group led by `pid`, but only while its leader is still the process started at
 * `startTime`. Returns false when it is not (the container has exited).
 */
export function signalGroup(pid: number, startTime: number, signal: NodeJS.Signals): boolean {
  if (!isSameLiveProcess(pid, startTime)) return false;
  return killGroup(pid, signal);
}

/**
 * Kills what is left of a container's process group once its leader exited, as the kernel kills
 * every process of a container's pid namespace when its init dies. Safe against pid reuse: a
 * group id is the pid of its leader, so while no other process holds `pid` (or only our own
 * zombie does) the group can only be the container's.
 */
export function killOrphanedGroup(pid: number, startTime: number | undefined): void {
  const stat = readProcStat(pid);
  if (stat !== undefined && stat.startTime !== startTime) return;
  killGroup(pid, 'SIGKILL');
}

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    // ESRCH: the group is empty already.
    return false;
  }
}

/** Whether a process with this pid exists (signal 0 delivers nothing, only checks). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
