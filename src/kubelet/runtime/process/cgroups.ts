// Resource limits for the process runtime's containers: a cgroup per container, as runc makes one,
// laid out like the kubelet's (`<root>/pod<uid>/<containerId>`), holding the limits of the
// container's CRI LinuxContainerResources, the kernel's count of OOM kills, and its cpu and memory
// usage. The cgroup hierarchy is the machine's: v1 (one tree per controller, hybrid hosts too), v2
// (one unified tree), or none where kubets is not root, in which case limits are not enforced and
// limitsUnsupportedReason() says why, for the node's events.
//
// A container's process enters its cgroup before anything of it runs: its command is wrapped in a
// shell that writes its own pid into the cgroup and then execs the command, so the pid the runtime
// records (and the process group it signals) is the command's.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { Logger } from '../../../logging/index.js';
import { silentLogger } from '../../../logging/index.js';
import type { ContainerAttributes, ContainerConfig, ContainerStats } from '../types.js';
import { CgroupV1 } from './cgroup-v1.js';
import { CgroupV2 } from './cgroup-v2.js';
import { detectCgroups } from './cgroups-detect.js';

export { cgroupMoveCommand } from './cgroups-fs.js';

/** CRI's LinuxContainerResources, as far as the process runtime applies them. */
export type ContainerResources = NonNullable<NonNullable<ContainerConfig['linux']>['resources']>;

/** A container's usage, read from its cgroup (or, without one, from /proc). */
export interface ResourceSample {
  /** Nanoseconds since the epoch. */
  timestamp: bigint;
  cpuUsageCoreNanoSeconds: number;
  /** From the previous sample of the same container; absent for the first. */
  cpuUsageNanoCores?: number;
  memoryUsageBytes: number;
  memoryWorkingSetBytes: number;
  rssBytes: number;
  /** The memory limit less the working set, when there is a limit. */
  memoryAvailableBytes?: number;
  pageFaults?: number;
  majorPageFaults?: number;
}

export interface ContainerCgroups {
  readonly kind: 'v1' | 'v2' | 'none';
  /** Creates the container's cgroup with its limits; throws a RuntimeError (CreateContainerError) when it cannot. */
  prepare(containerId: string, podUid: string, resources: ContainerResources | undefined): Promise<void>;
  /** The argv that moves itself into the container's cgroup, then execs `argv` (same pid). */
  wrapCommand(containerId: string, argv: string[]): string[];
  /** 'OOMKilled' once the kernel's OOM killer killed a process of the container's cgroup. */
  exitReason(containerId: string): 'OOMKilled' | undefined;
  /** The container's usage; undefined when it has no cgroup (the caller falls back to /proc). */
  stats(containerId: string): ResourceSample | undefined;
  /** Kills what is left in the container's cgroup and removes it (and its pod's, once empty); idempotent. */
  release(containerId: string): Promise<void>;
  /** Why limits (all or some) are not enforced on this machine, in one line; undefined when they are. */
  limitsUnsupportedReason(): string | undefined;
}

/** No cgroups (not root, or no usable hierarchy): limits are not enforced, usage comes from /proc. */
export class NoCgroups implements ContainerCgroups {
  readonly kind = 'none';
  constructor(private readonly reason: string) {}
  async prepare(): Promise<void> {}
  wrapCommand(_containerId: string, argv: string[]): string[] {
    return argv;
  }
  exitReason(): undefined {
    return undefined;
  }
  stats(): undefined {
    return undefined;
  }
  async release(): Promise<void> {}
  limitsUnsupportedReason(): string {
    return this.reason;
  }
}

export interface ChooseCgroupsOptions {
  logger?: Logger;
  /** The directory that holds the pods' cgroups, under kubets's own cgroup (default "kubepods"). */
  name?: string;
  /** The effective uid (default the process's): cgroups are managed only as root. */
  uid?: number;
}

export const DEFAULT_CGROUP_ROOT_NAME = 'kubepods';

/** The machine's cgroups as the process runtime can use them: v1, v2, or none (with the reason). */
export function chooseContainerCgroups(options: ChooseCgroupsOptions = {}): ContainerCgroups {
  const logger = options.logger ?? silentLogger;
  const uid = options.uid ?? process.getuid?.();
  if (uid !== 0) return none(logger, `resource limits are not enforced: the process runtime needs root to manage cgroups (running as uid ${uid ?? 'unknown'})`);
  const found = detectCgroups(options.name ?? DEFAULT_CGROUP_ROOT_NAME);
  switch (found.kind) {
    case 'v1': {
      logger.info({ roots: found.roots }, 'process runtime: cgroup v1');
      return new CgroupV1(found.roots, logger, found.unsupported);
    }
    case 'v2': {
      logger.info({ root: found.root, controllers: found.controllers }, 'process runtime: cgroup v2');
      return new CgroupV2(found.root, found.controllers, logger, found.unsupported);
    }
    default:
      return none(logger, `resource limits are not enforced: ${found.reason}`);
  }
}

function none(logger: Logger, reason: string): NoCgroups {
  logger.warn(`process runtime: ${reason}`);
  return new NoCgroups(reason);
}

/**
 * What the node says once, at start, when limits are not (all) enforced: the cgroups' reason, or
 * undefined when every limit is.
 */
export function limitsEnforcementMessage(cgroups: ContainerCgroups): string | undefined {
  return cgroups.limitsUnsupportedReason();
}

/**
 * What execvp would fail with for `command`, looked up the way it would be (PATH for a bare name,
 * `cwd` for a relative path): a command run through a wrapper (the cgroup move, nsenter, ...) is
 * exec'd by the wrapper, whose failure is only an exit code, so the runtime checks first to keep
 * runc's start errors. undefined when it would run.
 */
export function missingExecutable(command: string, path: string | undefined, cwd: string): NodeJS.ErrnoException | undefined {
  const under = (dir: string, name: string) => (isAbsolute(name) ? name : join(dir, name));
  // Without PATH, execvp searches glibc's default.
  const dirs = (path ?? '/bin:/usr/bin').split(delimiter).filter((d) => d !== '');
  const candidates = command.includes('/') ? [under(cwd, command)] : dirs.map((d) => join(under(cwd, d), command));
  let denied = false;
  for (const file of candidates) {
    try {
      if (!statSync(file).isFile()) {
        denied = true;
        continue;
      }
      accessSync(file, constants.X_OK);
      return undefined;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EACCES') denied = true;
    }
  }
  // execvp goes on past a file it may not run and reports EACCES only when nothing else ran.
  const err: NodeJS.ErrnoException = new Error(denied ? 'permission denied' : 'no such file or directory');
  err.code = denied ? 'EACCES' : 'ENOENT';
  return err;
}

/** A sample in CRI's shape; without one (not running, or unreadable) only the attributes. */
export function toContainerStats(attributes: ContainerAttributes, sample: ResourceSample | undefined): ContainerStats {
  if (!sample) return { attributes };
  return {
    attributes,
    cpu: { timestamp: sample.timestamp, usageCoreNanoSeconds: sample.cpuUsageCoreNanoSeconds, usageNanoCores: sample.cpuUsageNanoCores },
    memory: {
      timestamp: sample.timestamp,
      workingSetBytes: sample.memoryWorkingSetBytes,
      availableBytes: sample.memoryAvailableBytes,
      usageBytes: sample.memoryUsageBytes,
      rssBytes: sample.rssBytes,
      pageFaults: sample.pageFaults,
      majorPageFaults: sample.majorPageFaults,
    },
  };
}
