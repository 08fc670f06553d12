// Containers' cgroups on a cgroup v2 (unified) host: one directory per container, written as runc
// writes them (cpu.max, cpu.weight, memory.max, pids.max), with memory.oom.group set as the
// kubelet sets it on v2 since 1.28 (an OOM kill takes the whole container, not one process of it)
// and swap off. Usage is read the way cAdvisor reads v2: working set = memory.current -
// inactive_file, rss = anon, cpu = cpu.stat usage_usec.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../../../logging/index.js';
import { RuntimeError } from '../types.js';
import { nowNanos } from './clock.js';
import type { ContainerCgroups, ContainerResources, ResourceSample } from './cgroups.js';
import { cgroupMoveCommand, CpuRate, enableControllers, findContainerPath, makeCgroupDir, readKeyValues, readNumber, removeCgroup, removeIfEmpty, writeControl } from './cgroups-fs.js';

/** CRI's cpu shares as a v2 weight: runc's linear map of [2, 262144] onto [1, 10000]. */
export function cpuSharesToWeight(shares: number): number {
  return 1 + Math.floor(((Math.min(Math.max(shares, 2), 262144) - 2) * 9999) / 262142);
}

const DEFAULT_CPU_PERIOD = 100000;

export class CgroupV2 implements ContainerCgroups {
  readonly kind = 'v2';
  private readonly paths = new Map<string, string>();
  private readonly cpu = new CpuRate();

  constructor(
    private readonly root: string,
    /** The controllers available to the root (memory, cpu, pids). */
    private readonly controllers: string[],
    private readonly logger: Logger,
    private readonly unsupported?: string,
  ) {}

  limitsUnsupportedReason(): string | undefined {
    return this.unsupported;
  }

  async prepare(containerId: string, podUid: string, resources: ContainerResources | undefined): Promise<void> {
    const path = join(`pod${podUid}`, containerId);
    const dir = join(this.root, path);
    try {
      // Each level gives its children the controllers ("+memory +cpu +pids"); a cgroup gets its
      // interface files (memory.max, ...) only from a parent that enabled them.
      for (const parent of [dirname(this.root), this.root, dirname(dir)]) {
        makeCgroupDir(parent);
        enableControllers(parent, this.controllers);
      }
      makeCgroupDir(dir);
      const r = resources ?? {};
      if (r.memoryLimitInBytes && r.memoryLimitInBytes > 0) {
        writeControl(dir, 'memory.max', r.memoryLimitInBytes);
        if (existsSync(join(dir, 'memory.swap.max'))) writeControl(dir, 'memory.swap.max', 0);
      }
      if (existsSync(join(dir, 'memory.oom.group'))) writeControl(dir, 'memory.oom.group', 1);
      if (r.cpuShares && r.cpuShares > 0) writeControl(dir, 'cpu.weight', cpuSharesToWeight(r.cpuShares));
      if ((r.cpuQuota && r.cpuQuota > 0) || (r.cpuPeriod && r.cpuPeriod > 0)) {
        writeControl(dir, 'cpu.max', `${r.cpuQuota && r.cpuQuota > 0 ? r.cpuQuota : 'max'} ${r.cpuPeriod && r.cpuPeriod > 0 ? r.cpuPeriod : DEFAULT_CPU_PERIOD}`);
      }
      if (r.pidsLimit && r.pidsLimit > 0 && this.controllers.includes('pids')) writeControl(dir, 'pids.max', r.pidsLimit);
    } catch (e) {
      await this.remove(dir);
      throw new RuntimeError('CreateContainerError', `failed to create the cgroup of container "${containerId}": ${(e as Error).message}`);
    }
    this.paths.set(containerId, path);
    this.cpu.baseline(containerId, nowNanos(), 0);
  }

  wrapCommand(containerId: string, argv: string[]): string[] {
    const path = this.pathOf(containerId);
    return path ? cgroupMoveCommand([join(this.root, path, 'cgroup.procs')], argv) : argv;
  }

  exitReason(containerId: string): 'OOMKilled' | undefined {
    const path = this.pathOf(containerId);
    if (!path) return undefined;
    return (readKeyValues(join(this.root, path, 'memory.events')).get('oom_kill') ?? 0) > 0 ? 'OOMKilled' : undefined;
  }

  stats(containerId: string): ResourceSample | undefined {
    const path = this.pathOf(containerId);
    if (!path) return undefined;
    const dir = join(this.root, path);
    const timestamp = nowNanos();
    const usec = readKeyValues(join(dir, 'cpu.stat')).get('usage_usec');
    const usage = readNumber(join(dir, 'memory.current'));
    if (usec === undefined || usage === undefined) return undefined;
    const cpu = usec * 1000;
    const stat = readKeyValues(join(dir, 'memory.stat'));
    const workingSet = Math.max(0, usage - (stat.get('inactive_file') ?? 0));
    const limit = readNumber(join(dir, 'memory.max'));
    return {
      timestamp,
      cpuUsageCoreNanoSeconds: cpu,
      cpuUsageNanoCores: this.cpu.rate(containerId, timestamp, cpu),
      memoryUsageBytes: usage,
      memoryWorkingSetBytes: workingSet,
      rssBytes: stat.get('anon') ?? 0,
      memoryAvailableBytes: limit !== undefined ? Math.max(0, limit - workingSet) : undefined,
      pageFaults: stat.get('pgfault'),
      majorPageFaults: stat.get('pgmajfault'),
    };
  }

  async release(containerId: string): Promise<void> {
    const path = this.pathOf(containerId);
    this.paths.delete(containerId);
    this.cpu.forget(containerId);
    if (path) await this.remove(join(this.root, path));
  }

  private async remove(dir: string): Promise<void> {
    try {
      // cgroup.kill (Linux 5.14+) kills everything at once, forks racing the kill included.
      if (existsSync(join(dir, 'cgroup.kill'))) writeControl(dir, 'cgroup.kill', 1);
      await removeCgroup(dir);
      removeIfEmpty(dirname(dir));
      removeIfEmpty(this.root);
    } catch (e) {
      this.logger.warn({ err: e, cgroup: dir }, 'process runtime: cannot remove a container cgroup');
    }
  }

  private pathOf(containerId: string): string | undefined {
    let path = this.paths.get(containerId);
    if (!path) {
      path = findContainerPath(this.root, containerId);
      if (path) this.paths.set(containerId, path);
    }
    return path;
  }
}
