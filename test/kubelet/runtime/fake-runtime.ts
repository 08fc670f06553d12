// An in-memory RuntimeService and ImageService for other components' unit tests (kubelet sync
// loop, probes, PLEG): containers "run" until stopped or until the test calls exit(id, code).
// It follows the same contract as the process runtime (test/kubelet/runtime/contract.ts) and
// records every call in `calls` so tests can assert what was asked of the runtime.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type {
  Container,
  ContainerConfig,
  ContainerEvent,
  ContainerFilter,
  ContainerStats,
  ContainerStatsFilter,
  ContainerStatus,
  CpuUsage,
  ExecSyncResult,
  Image,
  ImageService,
  ImageSpec,
  MemoryUsage,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
  RuntimeService,
  StreamOptions,
} from '../../../src/kubelet/runtime/types.js';
import { NotFoundError, RuntimeError } from '../../../src/kubelet/runtime/types.js';

interface FakeSandbox {
  id: string;
  config: PodSandboxConfig;
  state: PodSandbox['state'];
  createdAt: bigint;
}

interface FakeContainer {
  status: ContainerStatus;
  config: ContainerConfig;
  exited: Promise<void>;
  markExited: () => void;
  attached: Set<StreamOptions>;
  stdin: Buffer[];
}

/** What a test says a container uses; the fake stamps it with the time it is asked. */
export interface FakeUsage {
  cpu?: Omit<CpuUsage, 'timestamp'>;
  memory?: Omit<MemoryUsage, 'timestamp'>;
}

export type FakeExecHandler = (containerId: string, cmd: string[]) => ExecSyncResult | Promise<ExecSyncResult>;

const labelsMatch = (labels: Record<string, string>, selector?: Record<string, string>) =>
  !selector || Object.entries(selector).every(([k, v]) => labels[k] === v);

let last = 0n;
/** Strictly increasing, so that startedAt > createdAt even within one millisecond. */
const now = (): bigint => {
  const t = BigInt(Date.now()) * 1_000_000n;
  last = t > last ? t : last + 1n;
  return last;
};

export class FakeRuntime implements RuntimeService, ImageService {
  /** Every call, as `<method> <id or image>`. */
  readonly calls: string[] = [];
  /** The configs of the containers created, in order. */
  readonly created: ContainerConfig[] = [];
  /** Answers execSync and exec (whose streams get its stdout and stderr). */
  execHandler: FakeExecHandler = () => ({ stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 0 });
  /** When set, startContainer fails with the error it returns for a container (e.g. a missing binary). */
  startError: ((id: string, config: ContainerConfig) => RuntimeError | undefined) | undefined;
  /** Connects port-forwards; the host network's 127.0.0.1 by default. */
  portForwardHandler: (podSandboxId: string, port: number) => Promise<Duplex> = (_id, port) =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => resolve(socket));
      socket.once('error', (e) => reject(new RuntimeError('PortForwardError', e.message)));
    });
  private readonly sandboxes = new Map<string, FakeSandbox>();
  private readonly containers = new Map<string, FakeContainer>();
  private readonly listeners = new Set<(e: ContainerEvent) => void>();
  private readonly images = new Set<string>();
  private readonly usage = new Map<string, FakeUsage>();

  constructor(readonly nodeIp = '10.0.0.1') {}

  /** Makes a running container exit with `code` (reason Completed or Error unless given). */
  exit(id: string, code: number, reason = code === 0 ? 'Completed' : 'Error'): void {
    const c = this.get(id);
    if (c.status.state !== 'CONTAINER_RUNNING') throw new Error(`fake runtime: container ${id} is not running`);
    Object.assign(c.status, { state: 'CONTAINER_EXITED', exitCode: code, reason, finishedAt: now(), pid: undefined });
    c.markExited();
    this.emit(c, 'CONTAINER_STOPPED_EVENT');
  }

  /** Sets what a container's stats report while it runs (zeros until set). */
  setUsage(id: string, usage: FakeUsage): void {
    this.get(id);
    this.usage.set(id, usage);
  }

  /** Output from a running container's main process, to whoever is attached. */
  output(id: string, stream: 'stdout' | 'stderr', data: string | Buffer): void {
    for (const a of this.get(id).attached) a[stream]?.write(data);
  }

  /** What attached sessions wrote to the container's stdin. */
  stdinOf(id: string): Buffer {
    return Buffer.concat(this.get(id).stdin);
  }

  async version() {
    this.calls.push('version');
    return { runtimeName: 'fake', runtimeVersion: '0.0.1', runtimeApiVersion: 'v1' };
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const m = config.metadata;
    for (const s of this.sandboxes.values()) {
      const o = s.config.metadata;
      if (o.name === m.name && o.namespace === m.namespace && o.uid === m.uid && o.attempt === m.attempt) {
        throw new RuntimeError('CreatePodSandboxError', `sandbox name reserved for "${s.id}"`);
      }
    }
    const id = randomBytes(8).toString('hex');
    this.calls.push(`runPodSandbox ${id}`);
    this.sandboxes.set(id, { id, config, state: 'SANDBOX_READY', createdAt: now() });
    return id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    this.calls.push(`stopPodSandbox ${id}`);
    const s = this.sandboxes.get(id);
    if (!s) return;
    for (const c of this.of(id)) await this.stopContainer(c.status.id, 0);
    s.state = 'SANDBOX_NOTREADY';
  }

  async removePodSandbox(id: string): Promise<void> {
    this.calls.push(`removePodSandbox ${id}`);
    if (!this.sandboxes.has(id)) return;
    await this.stopPodSandbox(id);
    for (const c of this.of(id)) await this.removeContainer(c.status.id);
    this.sandboxes.delete(id);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const s = this.sandbox(id);
    return { ...toSandbox(s), network: { ip: this.nodeIp, additionalIps: [] }, info: { network: 'fake' } };
  }

  async listPodSandbox(filter: PodSandboxFilter = {}): Promise<PodSandbox[]> {
    return [...this.sandboxes.values()]
      .filter((s) => (!filter.id || s.id === filter.id) && (!filter.state || s.state === filter.state) && labelsMatch(s.config.labels, filter.labelSelector))
      .map(toSandbox);
  }

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const s = this.sandbox(podSandboxId);
    if (s.state !== 'SANDBOX_READY') throw new RuntimeError('CreateContainerError', `sandbox "${podSandboxId}" is not ready`);
    const taken = this.of(podSandboxId).find((c) => c.config.metadata.name === config.metadata.name && c.config.metadata.attempt === config.metadata.attempt);
    if (taken) throw new RuntimeError('CreateContainerError', `container name reserved for "${taken.status.id}"`);
    const id = randomBytes(8).toString('hex');
    this.calls.push(`createContainer ${id}`);
    let markExited = () => {};
    const exited = new Promise<void>((resolve) => (markExited = resolve));
    const status: ContainerStatus = {
      id,
      podSandboxId,
      metadata: { ...config.metadata },
      image: { image: config.image.image },
      imageRef: config.image.image,
      state: 'CONTAINER_CREATED',
      createdAt: now(),
      labels: { ...config.labels },
      annotations: { ...config.annotations },
      startedAt: 0n,
      finishedAt: 0n,
      exitCode: 0,
      reason: '',
      message: '',
      logPath: `${sandboxConfig.logDirectory}/${config.logPath}`,
    };
    const c: FakeContainer = { status, config, exited, markExited, attached: new Set(), stdin: [] };
    this.created.push(config);
    this.containers.set(id, c);
    this.emit(c, 'CONTAINER_CREATED_EVENT');
    return id;
  }

  async startContainer(id: string): Promise<void> {
    this.calls.push(`startContainer ${id}`);
    const c = this.get(id);
    if (c.status.state !== 'CONTAINER_CREATED') throw new RuntimeError('RunContainerError', `container is in ${c.status.state} state`);
    const err = this.startError?.(id, c.config);
    if (err) {
      Object.assign(c.status, { state: 'CONTAINER_EXITED', exitCode: 128, reason: 'StartError', message: err.message, finishedAt: now() });
      c.markExited();
      this.emit(c, 'CONTAINER_STOPPED_EVENT');
      throw err;
    }
    Object.assign(c.status, { state: 'CONTAINER_RUNNING', startedAt: now() });
    this.emit(c, 'CONTAINER_STARTED_EVENT');
  }

  /** Exits at once: 143 (SIGTERM) with a grace period, 137 (SIGKILL) without. */
  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    this.calls.push(`stopContainer ${id} ${timeoutSeconds}`);
    const c = this.get(id);
    if (c.status.state === 'CONTAINER_RUNNING') this.exit(id, timeoutSeconds > 0 ? 143 : 137);
  }

  async removeContainer(id: string): Promise<void> {
    this.calls.push(`removeContainer ${id}`);
    const c = this.containers.get(id);
    if (!c) return;
    if (c.status.state === 'CONTAINER_RUNNING') this.exit(id, 137);
    this.containers.delete(id);
    this.usage.delete(id);
    this.emit(c, 'CONTAINER_DELETED_EVENT');
  }

  async listContainers(filter: ContainerFilter = {}): Promise<Container[]> {
    return [...this.containers.values()]
      .map((c) => c.status)
      .filter(
        (s) =>
          (!filter.id || s.id === filter.id) &&
          (!filter.podSandboxId || s.podSandboxId === filter.podSandboxId) &&
          (!filter.state || s.state === filter.state) &&
          labelsMatch(s.labels, filter.labelSelector),
      )
      .map(({ startedAt: _s, finishedAt: _f, exitCode: _e, reason: _r, message: _m, logPath: _l, pid: _p, ...container }) => structuredClone(container));
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    return structuredClone(this.get(id).status);
  }

  async containerStats(id: string): Promise<ContainerStats> {
    this.calls.push(`containerStats ${id}`);
    return this.statsOf(this.get(id));
  }

  async listContainerStats(filter: ContainerStatsFilter = {}): Promise<ContainerStats[]> {
    this.calls.push('listContainerStats');
    return [...this.containers.values()]
      .filter(
        (c) =>
          c.status.state === 'CONTAINER_RUNNING' &&
          (!filter.id || c.status.id === filter.id) &&
          (!filter.podSandboxId || c.status.podSandboxId === filter.podSandboxId) &&
          labelsMatch(c.status.labels, filter.labelSelector),
      )
      .map((c) => this.statsOf(c));
  }

  async execSync(id: string, cmd: string[], _timeoutSeconds: number): Promise<ExecSyncResult> {
    this.calls.push(`execSync ${id} ${cmd.join(' ')}`);
    this.running(id);
    return this.execHandler(id, cmd);
  }

  async exec(id: string, cmd: string[], streams: StreamOptions): Promise<number> {
    this.calls.push(`exec ${id} ${cmd.join(' ')}`);
    this.running(id);
    const r = await this.execHandler(id, cmd);
    if (r.stdout.length) streams.stdout?.write(r.stdout);
    if (r.stderr.length) streams.stderr?.write(r.stderr);
    return r.exitCode;
  }

  async attach(id: string, streams: StreamOptions): Promise<number> {
    this.calls.push(`attach ${id}`);
    const c = this.running(id);
    c.attached.add(streams);
    streams.stdin?.on('data', (d: Buffer | string) => c.stdin.push(Buffer.from(d)));
    await c.exited;
    c.attached.delete(streams);
    return c.status.exitCode;
  }

  async portForward(podSandboxId: string, port: number): Promise<Duplex> {
    this.calls.push(`portForward ${podSandboxId} ${port}`);
    this.sandbox(podSandboxId);
    return this.portForwardHandler(podSandboxId, port);
  }

  onContainerEvent(listener: (e: ContainerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async listImages(): Promise<Image[]> {
    return [...this.knownImages()].sort().map((i) => ({ id: i, repoTags: [i], size: 0 }));
  }

  async imageStatus(image: ImageSpec): Promise<Image | undefined> {
    return this.knownImages().has(image.image) ? { id: image.image, repoTags: [image.image], size: 0 } : undefined;
  }

  async pullImage(image: ImageSpec): Promise<string> {
    this.calls.push(`pullImage ${image.image}`);
    this.images.add(image.image);
    return image.image;
  }

  async removeImage(image: ImageSpec): Promise<void> {
    this.calls.push(`removeImage ${image.image}`);
    this.images.delete(image.image);
  }

  private knownImages(): Set<string> {
    const all = new Set(this.images);
    for (const c of this.containers.values()) all.add(c.config.image.image);
    return all;
  }

  private sandbox(id: string): FakeSandbox {
    const s = this.sandboxes.get(id);
    if (!s) throw new NotFoundError('pod sandbox', id);
    return s;
  }

  private get(id: string): FakeContainer {
    const c = this.containers.get(id);
    if (!c) throw new NotFoundError('container', id);
    return c;
  }

  private running(id: string): FakeContainer {
    const c = this.get(id);
    if (c.status.state !== 'CONTAINER_RUNNING') throw new RuntimeError('ContainerNotRunning', `container is in ${c.status.state} state`);
    return c;
  }

  private of(sandboxId: string): FakeContainer[] {
    return [...this.containers.values()].filter((c) => c.status.podSandboxId === sandboxId);
  }

  private statsOf(c: FakeContainer): ContainerStats {
    const { id, metadata, labels, annotations } = c.status;
    const attributes = structuredClone({ id, metadata, labels, annotations });
    if (c.status.state !== 'CONTAINER_RUNNING') return { attributes };
    const u = this.usage.get(id) ?? {};
    const timestamp = now();
    return {
      attributes,
      cpu: { timestamp, usageCoreNanoSeconds: 0, ...u.cpu },
      memory: { timestamp, workingSetBytes: 0, usageBytes: 0, rssBytes: 0, ...u.memory },
    };
  }

  private emit(c: FakeContainer, type: ContainerEvent['type']): void {
    for (const l of this.listeners) l({ containerId: c.status.id, podSandboxId: c.status.podSandboxId, type, createdAt: now() });
  }
}

function toSandbox(s: FakeSandbox): PodSandbox {
  return {
    id: s.id,
    metadata: { ...s.config.metadata },
    state: s.state,
    createdAt: s.createdAt,
    labels: { ...s.config.labels },
    annotations: { ...s.config.annotations },
  };
}
