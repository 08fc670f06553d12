// Containers' cgroups on a cgroup v1 (or hybrid) host: one directory per controller tree
// (memory, cpu, cpuacct, pids; cpu and cpuacct may be one mount), written as runc writes them.
// Usage is read the way cAdvisor reads v1: working set = usage - total_inactive_file, rss =
// total_rss, cpu = cpuacct.usage.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../../../logging/index.js';
import { RuntimeError } from '../types.js';
import { nowNanos } from './clock.js';
import type { ContainerCgroups, ContainerResources, ResourceSample } from './cgroups.js';
import type { V1Controller, V1Roots } from './cgroups-detect.js';
import { cgroupMoveCommand, CpuRate, findContainerPath, makeCgroupDir, readKeyValues, readNumber, removeCgroup, removeIfEmpty, writeControl } from './cgroups-fs.js';

/** v1 reports "no limit" as the largest page-aligned value (2^63 - 4096 on 4 KiB pages). */
const UNLIMITED = 2 ** 62;

export class CgroupV1 implements ContainerCgroups {
  readonly kind = 'v1';
  private readonly paths = new Map<string, string>();
  private readonly cpu = new CpuRate();

  constructor(
    private readonly roots: V1Roots,
    private readonly logger: Logger,
    private readonly unsupported?: string,
  ) {}

  limitsUnsupportedReason(): string | undefined {
    return this.unsupported;
  }

  async prepare(containerId: string, podUid: string, resources: ContainerResources | undefined): Promise<void> {
    const path = join(`pod${podUid}`, containerId);
    const dirs = this.dirsAt(path);
    try {
      for (const dir of new Set(Object.values(dirs))) makeCgroupDir(dir);
      const r = resources ?? {};
      if (r.memoryLimitInBytes && r.memoryLimitInBytes > 0) {
        writeControl(dirs.memory, 'memory.limit_in_bytes', r.memoryLimitInBytes);
        // Memory+swap as high as memory: the container cannot swap past its limit (the kubelet's
        // default, swap off for containers). Absent when the kernel has no swap accounting.
        if (existsSync(join(dirs.memory, 'memory.memsw.limit_in_bytes'))) writeControl(dirs.memory, 'memory.memsw.limit_in_bytes', r.memoryLimitInBytes);
      }
      if (r.cpuShares && r.cpuShares > 0) writeControl(dirs.cpu, 'cpu.shares', r.cpuShares);
      // The period first: a quota is checked against the period in force.
      if (r.cpuPeriod && r.cpuPeriod > 0) writeControl(dirs.cpu, 'cpu.cfs_period_us', r.cpuPeriod);
      if (r.cpuQuota && r.cpuQuota > 0) writeControl(dirs.cpu, 'cpu.cfs_quota_us', r.cpuQuota);
      if (r.pidsLimit && r.pidsLimit > 0 && dirs.pids) writeControl(dirs.pids, 'pids.max', r.pidsLimit);
    } catch (e) {
      await this.remove(dirs);
      throw new RuntimeError('CreateContainerError', `failed to create the cgroup of container "${containerId}": ${(e as Error).message}`);
    }
    this.paths.set(containerId, path);
    // A new cgroup has used no cpu: the first stats already have a rate (since creation).
    this.cpu.baseline(containerId, nowNanos(), 0);
  }

  wrapCommand(containerId: string, argv: string[]): string[] {
    const path = this.pathOf(containerId);
    if (!path) return argv;
    return cgroupMoveCommand([...new Set(Object.values(this.dirsAt(path)))].map((d) => join(d, 'cgroup.procs')), argv);
  }

  exitReason(containerId: string): 'OOMKilled' | undefined {
    const path = this.pathOf(containerId);
    if (!path) return undefined;
    // oom_kill counts the processes the OOM killer took in this cgroup (Linux 4.13+).
    return (readKeyValues(join(this.roots.memory, path, 'memory.oom_control')).get('oom_kill') ?? 0) > 0 ? 'OOMKilled' : undefined;
  }

  stats(containerId: string): ResourceSample | undefined {
    const path = this.pathOf(containerId);
    if (!path) return undefined;
    const memoryDir = join(this.roots.memory, path);
    const timestamp = nowNanos();
    const cpu = readNumber(join(this.roots.cpuacct, path, 'cpuacct.usage'));
    const usage = readNumber(join(memoryDir, 'memory.usage_in_bytes'));
    if (cpu === undefined || usage === undefined) return undefined;
    const stat = readKeyValues(join(memoryDir, 'memory.stat'));
    const workingSet = Math.max(0, usage - (stat.get('total_inactive_file') ?? 0));
    const limit = readNumber(join(memoryDir, 'memory.limit_in_bytes'));
    return {
      timestamp,
      cpuUsageCoreNanoSeconds: cpu,
      cpuUsageNanoCores: this.cpu.rate(containerId, timestamp, cpu),
      memoryUsageBytes: usage,
      memoryWorkingSetBytes: workingSet,
      rssBytes: stat.get('total_rss') ?? 0,
      memoryAvailableBytes: limit !== undefined && limit < UNLIMITED ? Math.max(0, limit - workingSet) : undefined,
      pageFaults: stat.get('total_pgfault'),
      majorPageFaults: stat.get('total_pgmajfault'),
    };
  }

  async release(containerId: string): Promise<void> {
    const path = this.pathOf(containerId);
    this.paths.delete(containerId);
    this.cpu.forget(containerId);
    if (!path) return;
    await this.remove(this.dirsAt(path));
  }

  /** Removes the container's directories, then its pod's and the root once they are empty. */
  private async remove(dirs: Partial<Record<V1Controller, string>>): Promise<void> {
    for (const dir of new Set(Object.values(dirs))) {
      try {
        await removeCgroup(dir);
        removeIfEmpty(dirname(dir));
        removeIfEmpty(dirname(dirname(dir)));
      } catch (e) {
        this.logger.warn({ err: e, cgroup: dir }, 'process runtime: cannot remove a container cgroup');
      }
    }
  }

  private dirsAt(path: string): Partial<Record<V1Controller, string>> & { memory: string; cpu: string; cpuacct: string } {
    const { memory, cpu, cpuacct, pids } = this.roots;
    return { memory: join(memory, path), cpu: join(cpu, path), cpuacct: join(cpuacct, path), ...(pids ? { pids: join(pids, path) } : {}) };
  }

  private pathOf(containerId: string): string | undefined {
    let path = this.paths.get(containerId);
    if (!path) {
      path = findContainerPath(this.roots.memory, containerId);
      if (path) this.paths.set(containerId, path);
    }
    return path;
  }
}
