// GET /stats/summary: the kubelet's Summary API (k8s.io/kubelet/pkg/apis/stats/v1alpha1), what
// metrics-server's older versions, `kubectl get --raw /api/v1/nodes/<n>/proxy/stats/summary` and
// eviction read. Built as upstream's CRI stats provider builds it without cAdvisor: the node from
// the machine (here /proc/stat, /proc/meminfo, /proc/vmstat and the file system of the kubelet's
// directory), pods from the runtime's sandboxes and ListContainerStats, a pod's cpu and memory the
// sum of its containers'.
import { readFileSync, statfsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { rfc3339 } from '../../apimachinery/time.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID } from '../pods/pod-worker.js';
import type { Container, ContainerStats, PodSandbox, RuntimeService } from '../runtime/types.js';
import { writeTextError } from './respond.js';

// ---- the v1alpha1 types (JSON names as upstream's; optional fields are left out, as omitempty does)

export interface CPUStats {
  time: string;
  usageNanoCores?: number;
  usageCoreNanoSeconds?: number;
}

export interface MemoryStats {
  time: string;
  availableBytes?: number;
  usageBytes?: number;
  workingSetBytes?: number;
  rssBytes?: number;
  pageFaults?: number;
  majorPageFaults?: number;
}

export interface FsStats {
  time: string;
  availableBytes?: number;
  capacityBytes?: number;
  usedBytes?: number;
  inodesFree?: number;
  inodes?: number;
  inodesUsed?: number;
}

export interface SummaryContainerStats {
  name: string;
  startTime: string;
  cpu?: CPUStats;
  memory?: MemoryStats;
}

export interface PodStats {
  podRef: { name: string; namespace: string; uid: string };
  startTime: string;
  containers: SummaryContainerStats[];
  cpu?: CPUStats;
  memory?: MemoryStats;
}

export interface NodeStats {
  nodeName: string;
  startTime: string;
  cpu?: CPUStats;
  memory?: MemoryStats;
  fs?: FsStats;
}

export interface Summary {
  node: NodeStats;
  pods: PodStats[];
}

/** The node's own usage. */
export interface NodeStatsSource {
  sample(): Omit<NodeStats, 'nodeName'>;
}

export interface StatsSummaryDeps {
  nodeName: string;
  runtime: Pick<RuntimeService, 'listPodSandbox' | 'listContainers' | 'listContainerStats'>;
  node: NodeStatsSource;
}

/** USER_HZ, /proc/stat's tick: 100 on every architecture Linux runs Node on. */
const NANOS_PER_TICK = 10_000_000;

const nsToTime = (ns: bigint) => rfc3339(new Date(Number(ns / 1_000_000n)));

export interface HostNodeStatsOptions {
  /** A path on the file system reported as the node's (the kubelet's data directory). */
  fsPath?: string;
  /** Default /proc. */
  procRoot?: string;
  /** A monotonic clock in nanoseconds (default process.hrtime.bigint). */
  clock?: () => bigint;
}

/**
 * The host's usage from /proc, with the cpu rate measured from the sample before (the first one is
 * taken at construction, so the first summary already has a rate).
 */
export class HostNodeStats implements NodeStatsSource {
  private readonly procRoot: string;
  private readonly clock: () => bigint;
  private prev: { at: bigint; busy: number };
  private rate: number | undefined;

  constructor(private readonly options: HostNodeStatsOptions = {}) {
    this.procRoot = options.procRoot ?? '/proc';
    this.clock = options.clock ?? (() => process.hrtime.bigint());
    this.prev = { at: this.clock(), busy: this.busyNanos().busy };
  }

  sample(): Omit<NodeStats, 'nodeName'> {
    const time = rfc3339();
    const { busy, bootTime } = this.busyNanos();
    const at = this.clock();
    const window = Number(at - this.prev.at);
    // Two requests close together would measure a few microseconds: the last rate stands then.
    if (window >= 1e9 || (this.rate === undefined && window > 0)) this.rate = Math.max(0, Math.round(((busy - this.prev.busy) * 1e9) / window));
    if (window >= 1e9) this.prev = { at, busy };
    const mem = this.meminfo();
    const vm = this.keyValues('vmstat', ' ');
    const usage = mem('MemTotal') - mem('MemFree');
    const workingSet = Math.max(0, usage - mem('Inactive(file)'));
    const fs = this.options.fsPath === undefined ? undefined : fsStats(this.options.fsPath, time);
    return compact({
      startTime: rfc3339(new Date(bootTime * 1000)),
      cpu: compact({ time, usageNanoCores: this.rate, usageCoreNanoSeconds: busy }),
      memory: compact({
        time,
        // The node's limit is its capacity (upstream: capacity - working set).
        availableBytes: Math.max(0, mem('MemTotal') - workingSet),
        usageBytes: usage,
        workingSetBytes: workingSet,
        rssBytes: mem('AnonPages'),
        pageFaults: vm.get('pgfault'),
        majorPageFaults: vm.get('pgmajfault'),
      }),
      fs,
    });
  }

  /** Cpu time spent not idle (user, nice, system, irq, softirq, steal; guest is within user). */
  private busyNanos(): { busy: number; bootTime: number } {
    const text = readFileSync(`${this.procRoot}/stat`, 'utf8');
    const [user, nice, system, , , irq, softirq, steal] = (/^cpu\s+(.*)$/m.exec(text)?.[1] ?? '').split(/\s+/).map(Number);
    const ticks = [user, nice, system, irq, softirq, steal].reduce<number>((a, b) => a + (b ?? 0), 0);
    return { busy: ticks * NANOS_PER_TICK, bootTime: Number(/^btime (\d+)$/m.exec(text)?.[1] ?? 0) };
  }

  private meminfo(): (key: string) => number {
    const kb = this.keyValues('meminfo', ':');
    return (key) => (kb.get(key) ?? 0) * 1024;
  }

  private keyValues(file: string, separator: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const line of readFileSync(`${this.procRoot}/${file}`, 'utf8').split('\n')) {
      const i = line.indexOf(separator);
      if (i > 0) out.set(line.slice(0, i), Number.parseInt(line.slice(i + 1).trim(), 10));
    }
    return out;
  }
}

function fsStats(path: string, time: string): FsStats | undefined {
  try {
    const s = statfsSync(path);
    return {
      time,
      availableBytes: s.bavail * s.bsize,
      capacityBytes: s.blocks * s.bsize,
      usedBytes: (s.blocks - s.bfree) * s.bsize,
      inodesFree: s.ffree,
      inodes: s.files,
      inodesUsed: s.files - s.ffree,
    };
  } catch {
    return undefined;
  }
}

/** Without its undefined fields, as Go's omitempty leaves nil pointers out. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function cpuOf(s: ContainerStats): CPUStats | undefined {
  return s.cpu && compact({ time: nsToTime(s.cpu.timestamp), usageNanoCores: s.cpu.usageNanoCores, usageCoreNanoSeconds: s.cpu.usageCoreNanoSeconds });
}

function memoryOf(s: ContainerStats): MemoryStats | undefined {
  const m = s.memory;
  return (
    m &&
    compact({
      time: nsToTime(m.timestamp),
      availableBytes: m.availableBytes,
      usageBytes: m.usageBytes,
      workingSetBytes: m.workingSetBytes,
      rssBytes: m.rssBytes,
      pageFaults: m.pageFaults,
      majorPageFaults: m.majorPageFaults,
    })
  );
}

/** Sums of the containers' samples; a field some container lacks is left out (availableBytes always: the pod has no limit of its own here). */
function sum<T extends { time: string }>(parts: (T | undefined)[], keys: (keyof T)[]): T | undefined {
  const present = parts.filter((p): p is T => p !== undefined);
  if (present.length === 0 || present.length < parts.length) return undefined;
  const out = { time: present.map((p) => p.time).sort().at(-1)! } as T;
  for (const k of keys) {
    if (present.every((p) => typeof p[k] === 'number')) (out as Record<keyof T, unknown>)[k] = present.reduce((a, p) => a + (p[k] as number), 0);
  }
  return out;
}

/** The newest sandbox of each pod, a ready one first (a pod being restarted has an old one too). */
function currentSandboxes(sandboxes: PodSandbox[]): Map<string, PodSandbox> {
  const byUid = new Map<string, PodSandbox>();
  const rank = (s: PodSandbox) => [s.state === 'SANDBOX_READY' ? 1 : 0, s.createdAt] as const;
  for (const s of sandboxes) {
    const held = byUid.get(s.metadata.uid);
    const [r, c] = rank(s);
    if (!held || r > rank(held)[0] || (r === rank(held)[0] && c > rank(held)[1])) byUid.set(s.metadata.uid, s);
  }
  return byUid;
}

export async function buildSummary(deps: StatsSummaryDeps): Promise<Summary> {
  const [sandboxes, containers, stats] = await Promise.all([deps.runtime.listPodSandbox(), deps.runtime.listContainers(), deps.runtime.listContainerStats()]);
  const pods = currentSandboxes(sandboxes);
  const containerById = new Map<string, Container>(containers.map((c) => [c.id, c]));
  const sandboxById = new Map(sandboxes.map((s) => [s.id, s]));
  const grouped = new Map<string, PodStats>();
  for (const [uid, s] of pods) {
    if (s.state !== 'SANDBOX_READY') continue;
    grouped.set(uid, { podRef: { name: s.metadata.name, namespace: s.metadata.namespace, uid }, startTime: nsToTime(s.createdAt), containers: [] });
  }
  for (const s of stats) {
    const { labels } = s.attributes;
    const container = containerById.get(s.attributes.id);
    const uid = labels[LABEL_POD_UID] ?? (container && sandboxById.get(container.podSandboxId)?.metadata.uid);
    if (uid === undefined) continue;
    let pod = grouped.get(uid);
    if (!pod) {
      // A container whose pod has no ready sandbox: named from its labels, as upstream's do.
      const name = labels[LABEL_POD_NAME];
      const namespace = labels[LABEL_POD_NAMESPACE];
      if (name === undefined || namespace === undefined) continue;
      pod = { podRef: { name, namespace, uid }, startTime: nsToTime(container?.createdAt ?? 0n), containers: [] };
      grouped.set(uid, pod);
    }
    pod.containers.push({
      name: labels[LABEL_CONTAINER_NAME] ?? s.attributes.metadata.name,
      startTime: nsToTime(container?.createdAt ?? 0n),
      cpu: cpuOf(s),
      memory: memoryOf(s),
    });
  }
  for (const pod of grouped.values()) {
    pod.containers.sort((a, b) => a.name.localeCompare(b.name));
    const cpu = sum(pod.containers.map((c) => c.cpu), ['usageNanoCores', 'usageCoreNanoSeconds']);
    const memory = sum(pod.containers.map((c) => c.memory), ['usageBytes', 'workingSetBytes', 'rssBytes', 'pageFaults', 'majorPageFaults']);
    if (cpu) pod.cpu = cpu;
    if (memory) pod.memory = memory;
  }
  const podList = [...grouped.values()].sort((a, b) => `${a.podRef.namespace}/${a.podRef.name}`.localeCompare(`${b.podRef.namespace}/${b.podRef.name}`));
  return { node: { nodeName: deps.nodeName, ...deps.node.sample() }, pods: podList };
}

/**
 * GET /stats/summary[?only_cpu_and_memory=true]. With only_cpu_and_memory (what the eviction
 * manager and metrics-server ask for) the node's file system is left out.
 */
export async function serveStatsSummary(req: IncomingMessage, res: ServerResponse, deps: StatsSummaryDeps): Promise<void> {
  if (req.method !== 'GET') return writeTextError(res, 405, 'Method Not Allowed', { Allow: 'GET' });
  const url = new URL(req.url ?? '/', 'https://kubelet');
  const summary = await buildSummary(deps);
  if (url.searchParams.get('only_cpu_and_memory') === 'true') delete summary.node.fs;
  res.writeHead(200, { 'Content-Type': 'application/json' });
  // JSON.stringify leaves out undefined fields, as omitempty does with nil pointers.
  res.end(JSON.stringify(summary, null, 2));
}
