// Which cgroup hierarchy this machine has and where kubets's pods go in it, from
// /proc/self/mountinfo (the cgroup mounts) and /proc/self/cgroup (kubets's own cgroups).
//
// The pods' root is placed relative to kubets's own cgroup rather than at the top of the hierarchy,
// so that kubets run inside a container, a systemd unit or a sandbox keeps its pods inside the
// limits it was given (what a cgroup namespace does for a containerized kubelet):
// - v1: `<own cgroup>/<name>` in each controller's tree (v1 allows processes beside child cgroups);
// - v2: `/<name>` when kubets is in the root cgroup, else a sibling `<parent of own>/<name>`,
//   because a v2 cgroup that holds processes cannot give controllers to its children.
import { accessSync, constants, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { enableControllers } from './cgroups-fs.js';

export interface CgroupMount {
  mountPoint: string;
  /** The directory of the hierarchy mounted there ("/" unless bind-mounted from deeper). */
  root: string;
  fsType: 'cgroup' | 'cgroup2';
  /** v1: the controllers the mount holds (from its super options). */
  controllers: string[];
}

/** The v1 controllers the runtime uses; pids is optional (its absence only leaves pids limits out). */
export const V1_CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'pids'] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];
export type V1Roots = Partial<Record<V1Controller, string>> & { memory: string; cpu: string; cpuacct: string };

export const V2_CONTROLLERS = ['memory', 'cpu', 'pids'] as const;

export type DetectedCgroups =
  | { kind: 'v1'; roots: V1Roots; unsupported?: string }
  | { kind: 'v2'; root: string; controllers: string[]; unsupported?: string }
  | { kind: 'none'; reason: string };

/** Octal escapes (\040 for a space) as mountinfo writes them. */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export function parseMountInfo(text: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    // id parent major:minor root mountpoint options [optional fields...] - fstype source superoptions
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const fields = left.split(' ');
    const [fsType, , superOptions = ''] = right.split(' ');
    if (fsType !== 'cgroup' && fsType !== 'cgroup2') continue;
    const controllers = fsType === 'cgroup' ? superOptions.split(',').filter((o) => (V1_CONTROLLERS as readonly string[]).includes(o)) : [];
    mounts.push({ root: unescape(fields[3] ?? '/'), mountPoint: unescape(fields[4] ?? ''), fsType, controllers });
  }
  return mounts;
}

/** controller -> own cgroup path; the v2 path is under "". Named v1 hierarchies (name=systemd) are left out. */
export function parseProcCgroup(text: string): Map<string, string> {
  const paths = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    const [, controllers, path] = m as unknown as [string, string, string];
    if (controllers === '') paths.set('', path);
    else for (const c of controllers.split(',')) if (!c.startsWith('name=')) paths.set(c, path);
  }
  return paths;
}

/** Where `cgroupPath` (as /proc/<pid>/cgroup names it) is in the file system under `mount`. */
export function cgroupDir(mount: CgroupMount, cgroupPath: string): string {
  const rel = relative(mount.root, cgroupPath);
  return rel.startsWith('..') ? mount.mountPoint : join(mount.mountPoint, rel);
}

export function planCgroups(mounts: CgroupMount[], own: Map<string, string>, name: string): DetectedCgroups {
  const v1 = new Map<string, string>();
  for (const c of V1_CONTROLLERS) {
    const mount = mounts.find((m) => m.fsType === 'cgroup' && m.controllers.includes(c));
    if (mount) v1.set(c, join(cgroupDir(mount, own.get(c) ?? '/'), name));
  }
  // Hybrid hosts bind the controllers to v1 and mount an empty cgroup2 beside: v1 wins there.
  if (v1.has('memory') && v1.has('cpu') && v1.has('cpuacct')) {
    const roots = Object.fromEntries(v1) as V1Roots;
    return { kind: 'v1', roots, unsupported: roots.pids ? undefined : 'pids limits are not enforced: the pids cgroup controller is not mounted' };
  }
  const unified = mounts.find((m) => m.fsType === 'cgroup2');
  if (!unified) return { kind: 'none', reason: 'no cgroup hierarchy with the memory and cpu controllers is mounted' };
  const ownPath = own.get('') ?? '/';
  const ownDir = cgroupDir(unified, ownPath);
  const parent = ownPath === '/' ? ownDir : dirname(ownDir);
  return { kind: 'v2', root: join(parent, name), controllers: [] };
}

/** The plan for this machine, with v2's controllers read from the parent of the pods' root. */
export function detectCgroups(name: string): DetectedCgroups {
  let plan: DetectedCgroups;
  try {
    plan = planCgroups(parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8')), parseProcCgroup(readFileSync('/proc/self/cgroup', 'utf8')), name);
  } catch (e) {
    return { kind: 'none', reason: `cannot read this process's cgroups: ${(e as Error).message}` };
  }
  if (plan.kind === 'none') return plan;
  const parents = plan.kind === 'v1' ? Object.values(plan.roots).map((r) => dirname(r)) : [dirname(plan.root)];
  for (const dir of parents) {
    try {
      accessSync(dir, constants.W_OK);
    } catch (e) {
      return { kind: 'none', reason: `cannot create cgroups in ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
    }
  }
  if (plan.kind === 'v1') return plan;
  let available: string[];
  try {
    available = readFileSync(join(dirname(plan.root), 'cgroup.controllers'), 'utf8').trim().split(/\s+/);
  } catch (e) {
    return { kind: 'none', reason: `cannot read the cgroup v2 controllers: ${(e as Error).message}` };
  }
  const controllers = V2_CONTROLLERS.filter((c) => available.includes(c));
  if (!controllers.includes('memory') || !controllers.includes('cpu')) {
    return { kind: 'none', reason: `the cgroup v2 controllers memory and cpu are not available in ${dirname(plan.root)} (it has: ${available.join(' ') || 'none'})` };
  }
  try {
    // Done here rather than at the first pod: a parent that holds processes (the root of a cgroup
    // namespace in a container) refuses, and then no limit can be enforced at all.
    enableControllers(dirname(plan.root), controllers);
  } catch (e) {
    return { kind: 'none', reason: `cannot give the cgroup v2 controllers to ${plan.root}: ${(e as Error).message}` };
  }
  const missing = V2_CONTROLLERS.filter((c) => !controllers.includes(c));
  return { ...plan, controllers, unsupported: missing.length ? `${missing.join(', ')} limits are not enforced: the cgroup v2 controller is not available` : undefined };
}
