// Container usage without cgroups (kubets not root): summed over the container's process group
// from /proc, in one pass over /proc for all the containers asked about. Less than a cgroup
// counts: processes that left the group (setsid daemons) are missed, and memory is resident set
// size (VmRSS), page cache of the container not included.
import { readdirSync, readFileSync } from 'node:fs';
import type { ResourceSample } from './cgroups.js';
import { CpuRate } from './cgroups-fs.js';
import { nowNanos } from './clock.js';

/** USER_HZ: /proc's clock ticks, 100 on every architecture Linux runs Node on. */
const NANOS_PER_TICK = 10_000_000;

interface GroupUsage {
  cpuNanos: number;
  rssBytes: number;
  anonBytes: number;
}

/** utime, stime, cutime, cstime (fields 14-17) and pgrp (field 5) of /proc/<pid>/stat. */
function readStat(pid: string): { pgid: number; ticks: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name, which may hold spaces: field n is at index n - 3.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  return { pgid: Number(f[2]), ticks: Number.isFinite(ticks) ? ticks : 0 };
}

/** VmRSS and RssAnon of /proc/<pid>/status, in bytes (0 for a zombie, which has none). */
function readRss(pid: string): { rss: number; anon: number } {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return { rss: 0, anon: 0 };
  }
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon') };
}

/**
 * Usage of the process groups led by `pgids` (a container's main process leads its group): cpu
 * time of the members and of the children they reaped, resident memory of the members.
 */
export function processGroupUsage(pgids: Iterable<number>): Map<number, GroupUsage> {
  const out = new Map<number, GroupUsage>();
  for (const pgid of pgids) out.set(pgid, { cpuNanos: 0, rssBytes: 0, anonBytes: 0 });
  if (out.size === 0) return out;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = readStat(pid);
    const usage = stat && out.get(stat.pgid);
    if (!stat || !usage) continue;
    const { rss, anon } = readRss(pid);
    usage.cpuNanos += stat.ticks * NANOS_PER_TICK;
    usage.rssBytes += rss;
    usage.anonBytes += anon;
  }
  return out;
}

/** Samples of containers' process groups, with a cpu rate kept per container. */
export class ProcessGroupStats {
  private readonly cpu = new CpuRate();

  /** `containers`: id -> the pid leading its process group, and when it started (ns since the epoch). */
  sample(containers: Map<string, { pid: number; startedAt: bigint }>): Map<string, ResourceSample> {
    const usage = processGroupUsage([...containers.values()].map((c) => c.pid));
    const timestamp = nowNanos();
    const out = new Map<string, ResourceSample>();
    for (const [id, { pid, startedAt }] of containers) {
      const u = usage.get(pid);
      if (!u || u.rssBytes === 0) continue;
      // The process had used no cpu when it started: the first sample has a rate already.
      if (!this.cpu.has(id)) this.cpu.baseline(id, startedAt, 0);
      out.set(id, {
        timestamp,
        cpuUsageCoreNanoSeconds: u.cpuNanos,
        cpuUsageNanoCores: this.cpu.rate(id, timestamp, u.cpuNanos),
        memoryUsageBytes: u.rssBytes,
        memoryWorkingSetBytes: u.rssBytes,
        rssBytes: u.anonBytes,
      });
    }
    return out;
  }

  forget(id: string): void {
    this.cpu.forget(id);
  }
}
