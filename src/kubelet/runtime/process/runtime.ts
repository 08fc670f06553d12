// The process runtime: kubets's default container runtime, where a container is a host process
// running `command ++ args` (no images, no isolation yet), behind the CRI-shaped RuntimeService and
// ImageService. Sandboxes and containers are records in the state directory (store.ts), so a new
// runtime over the same directory adopts what a previous one left running.
//
// Choices where upstream has no process-level equivalent (each follows containerd where it can):
// - a container without a command fails creation (CreateContainerConfigError): there is no image
//   whose entrypoint could run;
// - a command that cannot be executed fails startContainer (RunContainerError) and leaves the
//   container EXITED with exit code 128 and reason StartError, containerd's errorStartExitCode;
// - an adopted process that exits, or a RUNNING record whose process is gone when the runtime
//   starts, reports exit code 255 and reason Unknown, containerd's unknownExitCode: the exit status
//   of a process that is not our child cannot be read;
// - an adopted process's output is no longer captured (its pipes died with the previous runtime;
//   writing to them now raises SIGPIPE in it): its record says logsStopped;
// - limits are enforced with a cgroup per container where kubets is root (cgroups.ts), the main
//   process entering it before it runs; exec'd commands do not join it yet. Without cgroups limits
//   are ignored (the node says so once) and usage is read from /proc.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../../logging/index.js';
import { silentLogger } from '../../../logging/index.js';
import type {
  Container,
  ContainerConfig,
  ContainerEvent,
  ContainerFilter,
  ContainerStats,
  ContainerStatsFilter,
  ContainerStatus,
  ExecSyncResult,
  Image,
  ImageService,
  ImageSpec,
  PodSandbox,
  PodSandboxConfig,
  PodSandboxFilter,
  PodSandboxStatus,
  RuntimeService,
  StreamOptions,
} from '../types.js';
import { NotFoundError, RuntimeError } from '../types.js';
import { attachTo } from './attach.js';
import { chooseContainerCgroups, type ContainerCgroups, missingExecutable, type ResourceSample, toContainerStats } from './cgroups.js';
import { ProcessGroupStats } from './cgroups-proc.js';
import { nowNanos } from './clock.js';
import { ContainerSpawner } from './container-spawner.js';
import { adoptProcess, type ContainerProcess, type ProcessExit, spawnContainerProcess, spawnFailureMessage, UNKNOWN_EXIT_CODE, UNKNOWN_EXIT_REASON } from './container-process.js';
import { type ExecContext, execStreamIn, execSyncIn, killExec } from './exec.js';
import { CriLogWriter } from './log-writer.js';
import { type ContainerMounts, HostPathMounts } from './mounts.js';
import { isSameLiveProcess } from './proc.js';
import { HostNetwork, type SandboxNetwork } from './network.js';
import { type ContainerRecord, RecordStore, type SandboxRecord } from './store.js';
import { containerMatches, containerName, isDirectory, newId, sandboxMatches, sandboxName, toContainer, toImage, toPodSandbox } from './views.js';

export const PROCESS_RUNTIME_NAME = 'kubets-process';
export const PROCESS_RUNTIME_VERSION = '0.1.0';
/** containerd's errorStartExitCode (Docker's too). */
export const START_ERROR_EXIT_CODE = 128;
/** 128 + SIGKILL: how the OOM killer ends a process. */
export const OOM_KILLED_EXIT_CODE = 137;

export interface ProcessRuntimeOptions {
  /** Records, sandbox directories. Created if missing; reused (and adopted) if not. */
  stateDir: string;
  /** The node's IP: every sandbox's IP while only the host network exists. */
  nodeIp: string;
  /** Bytes after which a container's log file is rotated (default 10 MiB). */
  maxLogSize?: number;
  /** Log files kept per container, the current one included (default 5). */
  maxLogFiles?: number;
  /** How often an adopted process is checked for exit (default 500 ms). */
  pollIntervalMs?: number;
  network?: SandboxNetwork;
  mounts?: ContainerMounts;
  /** Containers' limits and usage (default: the machine's cgroups when root, else none). */
  cgroups?: ContainerCgroups;
  /**
   * Starts containers' main processes from the command runner's child, whose forks are cheap
   * (default: one over the process-wide runner and `<stateDir>/spawner.sock`); false: the server
   * spawns them itself.
   */
  spawner?: ContainerSpawner | false;
  logger?: Logger;
}

interface LiveContainer {
  record: ContainerRecord;
  proc?: ContainerProcess;
  /** Settles once the container is recorded EXITED. */
  done?: Promise<void>;
  starting?: Promise<void>;
  execs: Set<ChildProcess>;
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export class ProcessRuntime implements RuntimeService, ImageService {
  private readonly store: RecordStore;
  private readonly network: SandboxNetwork;
  private readonly mounts: ContainerMounts;
  /** Public so the agent can say once, in the node's events, when limits are not enforced. */
  readonly cgroups: ContainerCgroups;
  private readonly processStats = new ProcessGroupStats();
  private readonly spawner: ContainerSpawner | undefined;
  private readonly logger: Logger;
  private readonly sandboxes = new Map<string, SandboxRecord>();
  private readonly containers = new Map<string, LiveContainer>();
  private readonly listeners = new Set<(e: ContainerEvent) => void>();
  private readonly pulled = new Set<string>();
  /** Names being created (the creation awaits): reserved like those of existing records. */
  private readonly reserving = new Set<string>();
  private closed = false;

  constructor(private readonly options: ProcessRuntimeOptions) {
    this.store = new RecordStore(options.stateDir);
    this.network = options.network ?? new HostNetwork(options.nodeIp);
    this.mounts = options.mounts ?? new HostPathMounts();
    this.logger = options.logger ?? silentLogger;
    this.cgroups = options.cgroups ?? chooseContainerCgroups({ logger: this.logger });
    this.spawner = options.spawner === false ? undefined : (options.spawner ?? new ContainerSpawner({ stateDir: options.stateDir, pollIntervalMs: options.pollIntervalMs, logger: this.logger }));
    const { sandboxes, containers, errors } = this.store.load();
    for (const e of errors) this.logger.warn({ record: e }, 'process runtime: skipping unreadable record');
    for (const s of sandboxes) this.sandboxes.set(s.id, s);
    for (const record of containers) this.recover(record);
  }

  /** Stops watching without stopping anything: containers keep running, for a later runtime to adopt. */
  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.containers.values()) c.proc?.release();
    await this.spawner?.close();
  }

  async version(): Promise<{ runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }> {
    return { runtimeName: PROCESS_RUNTIME_NAME, runtimeVersion: PROCESS_RUNTIME_VERSION, runtimeApiVersion: 'v1' };
  }

  // ---- sandboxes

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    // containerd reserves `<name>_<namespace>_<uid>_<attempt>`: the kubelet bumps the attempt.
    const name = sandboxName(config);
    const holder = [...this.sandboxes.values()].find((s) => sandboxName(s.config) === name)?.id ?? (this.reserving.has(name) ? 'a sandbox being created' : undefined);
    if (holder) throw new RuntimeError('CreatePodSandboxError', `failed to reserve sandbox name "${name}": name "${name}" is reserved for "${holder}"`);
    this.reserving.add(name);
    const id = newId();
    const dir = this.store.sandboxDir(id);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      const network = await this.network.setup(id, config);
      const record: SandboxRecord = { id, config, state: 'SANDBOX_READY', createdAt: nowNanos().toString(), dir, network };
      this.store.saveSandbox(record);
      this.sandboxes.set(id, record);
      return id;
    } catch (e) {
      this.store.deleteSandbox(id);
      if (e instanceof RuntimeError) throw e;
      throw new RuntimeError('CreatePodSandboxError', `failed to create sandbox "${name}": ${(e as Error).message}`);
    } finally {
      this.reserving.delete(name);
    }
  }

  async stopPodSandbox(id: string): Promise<void> {
    const sandbox = this.sandboxes.get(id);
    if (!sandbox) return;
    await Promise.all(this.containersOf(id).map((c) => this.stopContainer(c.record.id, 0)));
    await this.network.teardown(id);
    if (sandbox.state !== 'SANDBOX_NOTREADY') {
      sandbox.state = 'SANDBOX_NOTREADY';
      this.persist(() => this.store.saveSandbox(sandbox));
    }
  }

  /** Stops the sandbox if needed, removes its containers, records and directory; keeps its logs. */
  async removePodSandbox(id: string): Promise<void> {
    const sandbox = this.sandboxes.get(id);
    if (!sandbox) return;
    if (sandbox.state === 'SANDBOX_READY') await this.stopPodSandbox(id);
    for (const c of this.containersOf(id)) await this.removeContainer(c.record.id);
    this.sandboxes.delete(id);
    this.store.deleteSandbox(id);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const s = this.sandbox(id);
    return { ...toPodSandbox(s), network: { ip: s.network.ip, additionalIps: [...s.network.additionalIps] }, info: { ...s.network.info } };
  }

  async listPodSandbox(filter: PodSandboxFilter = {}): Promise<PodSandbox[]> {
    return [...this.sandboxes.values()].filter((s) => sandboxMatches(s, filter)).map(toPodSandbox);
  }

  // ---- containers

  async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const sandbox = this.sandbox(podSandboxId);
    if (sandbox.state !== 'SANDBOX_READY') throw new RuntimeError('CreateContainerError', `sandbox "${podSandboxId}" is not ready`);
    if (config.command.length === 0) {
      throw new RuntimeError(
        'CreateContainerConfigError',
        `the process runtime needs a command: container "${config.metadata.name}" has none, and there is no image whose entrypoint could run`,
      );
    }
    const name = containerName(config, sandbox.config);
    const key = `${podSandboxId}/${name}`;
    const holder =
      this.containersOf(podSandboxId).find((c) => containerName(c.record.config, sandbox.config) === name)?.record.id ??
      (this.reserving.has(key) ? 'a container being created' : undefined);
    if (holder) throw new RuntimeError('CreateContainerError', `failed to reserve container name "${name}": name "${name}" is reserved for "${holder}"`);
    this.reserving.add(key);
    try {
      return await this.create(podSandboxId, config, sandboxConfig.logDirectory || sandbox.config.logDirectory);
    } finally {
      this.reserving.delete(key);
    }
  }

  private async create(podSandboxId: string, config: ContainerConfig, logDirectory: string): Promise<string> {
    const id = newId();
    await this.mounts.prepare(id, config.mounts);
    try {
      await this.cgroups.prepare(id, this.sandbox(podSandboxId).config.metadata.uid, config.linux?.resources);
    } catch (e) {
      await this.mounts.release(id);
      throw e;
    }
    const record: ContainerRecord = {
      id,
      podSandboxId,
      config,
      logPath: join(logDirectory, config.logPath),
      state: 'CONTAINER_CREATED',
      createdAt: nowNanos().toString(),
      startedAt: '0',
      finishedAt: '0',
      exitCode: 0,
      reason: '',
      message: '',
    };
    try {
      this.store.saveContainer(record);
    } catch (e) {
      await this.mounts.release(id);
      await this.cgroups.release(id);
      throw new RuntimeError('CreateContainerError', `failed to save container "${config.metadata.name}": ${(e as Error).message}`);
    }
    this.containers.set(id, { record, execs: new Set() });
    this.emit(record, 'CONTAINER_CREATED_EVENT');
    return id;
  }

  async startContainer(id: string): Promise<void> {
    const c = this.container(id);
    if (c.starting || c.record.state !== 'CONTAINER_CREATED') {
      throw new RuntimeError('RunContainerError', `container is in ${c.starting ? 'CONTAINER_RUNNING' : c.record.state} state`);
    }
    const sandbox = this.sandboxes.get(c.record.podSandboxId);
    if (!sandbox || sandbox.state !== 'SANDBOX_READY') throw new RuntimeError('RunContainerError', `sandbox "${c.record.podSandboxId}" is not ready`);
    c.starting = this.start(c, sandbox);
    try {
      await c.starting;
    } finally {
      c.starting = undefined;
    }
  }

  private async start(c: LiveContainer, sandbox: SandboxRecord): Promise<void> {
    const { record } = c;
    const { cwd, env } = this.context(record, sandbox);
    const command = record.config.command[0]!;
    // The cgroup move is outermost: the network's and mounts' wrappers already run inside it.
    const argv = this.cgroups.wrapCommand(record.id, this.wrap(record, [...record.config.command, ...record.config.args]));
    if (!isDirectory(cwd)) return this.failStart(c, `unable to start container process: chdir to cwd ("${cwd}") set in config failed: no such file or directory`);
    const missing = argv[0] === command ? undefined : missingExecutable(command, env.PATH, cwd);
    if (missing) return this.failStart(c, `unable to start container process: ${spawnFailureMessage(command, missing)}`);
    let log: CriLogWriter;
    try {
      log = new CriLogWriter(record.logPath, { maxSize: this.options.maxLogSize, maxFiles: this.options.maxLogFiles });
    } catch (e) {
      return this.failStart(c, `failed to open log file "${record.logPath}": ${(e as Error).message}`);
    }
    let proc: ContainerProcess;
    try {
      proc = await spawnContainerProcess({ argv, cwd, env, stdin: record.config.stdin === true, log, spawner: this.spawner });
    } catch (e) {
      log.close();
      return this.failStart(c, `unable to start container process: ${spawnFailureMessage(argv[0]!, e as NodeJS.ErrnoException)}`);
    }
    c.proc = proc;
    Object.assign(record, { state: 'CONTAINER_RUNNING', startedAt: nowNanos().toString(), pid: proc.pid, pidStartTime: proc.startTime });
    this.persist(() => this.store.saveContainer(record));
    this.emit(record, 'CONTAINER_STARTED_EVENT');
    c.done = proc.exited.then((exit) => this.exited(c, exit));
  }

  private failStart(c: LiveContainer, message: string): never {
    Object.assign(c.record, { state: 'CONTAINER_EXITED', finishedAt: nowNanos().toString(), exitCode: START_ERROR_EXIT_CODE, reason: 'StartError', message });
    this.persist(() => this.store.saveContainer(c.record));
    this.emit(c.record, 'CONTAINER_STOPPED_EVENT');
    throw new RuntimeError('RunContainerError', message);
  }

  private async exited(c: LiveContainer, exit: ProcessExit): Promise<void> {
    if (this.closed) return;
    for (const child of c.execs) killExec(child);
    // containerd's reason when the cgroup saw an OOM kill; the exit code stays the process's own
    // (137 when the killer took it), but an adopted process's unknown one becomes the SIGKILL's.
    const oom = this.cgroups.exitReason(c.record.id) === 'OOMKilled';
    Object.assign(c.record, {
      state: 'CONTAINER_EXITED',
      finishedAt: exit.finishedAt.toString(),
      exitCode: oom && exit.reason === UNKNOWN_EXIT_REASON ? OOM_KILLED_EXIT_CODE : exit.exitCode,
      reason: oom ? 'OOMKilled' : exit.reason,
      message: exit.message,
      pid: undefined,
    });
    c.proc = undefined;
    if (this.containers.get(c.record.id) === c) this.persist(() => this.store.saveContainer(c.record));
    this.emit(c.record, 'CONTAINER_STOPPED_EVENT');
    // As containerd deletes the task (and runc its cgroup) once it exited: what it left is killed.
    await this.cgroups.release(c.record.id);
  }

  /** SIGTERM to the process group, SIGKILL after `timeoutSeconds`; a container not running is left as it is. */
  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    const c = this.container(id);
    await c.starting?.catch(() => {});
    const { proc, done } = c;
    if (c.record.state !== 'CONTAINER_RUNNING' || !proc || !done) return;
    if (timeoutSeconds > 0) {
      proc.signal('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutSeconds * 1000)));
      const killed = await Promise.race([done.then(() => false), graceOver]);
      clearTimeout(timer);
      if (!killed) return;
    }
    proc.signal('SIGKILL');
    await done;
  }

  /** Idempotent; a running container is killed first. Its log files stay (the kubelet removes logs). */
  async removeContainer(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return;
    if (c.starting || c.record.state === 'CONTAINER_RUNNING') await this.stopContainer(id, 0);
    if (!this.containers.has(id)) return;
    this.containers.delete(id);
    this.store.deleteContainer(id);
    await this.mounts.release(id);
    await this.cgroups.release(id);
    this.processStats.forget(id);
    this.emit(c.record, 'CONTAINER_DELETED_EVENT');
  }

  async listContainers(filter: ContainerFilter = {}): Promise<Container[]> {
    return [...this.containers.values()]
      .map((c) => c.record)
      .filter((r) => containerMatches(r, filter))
      .map(toContainer);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    const r = this.container(id).record;
    return {
      ...toContainer(r),
      startedAt: BigInt(r.startedAt),
      finishedAt: BigInt(r.finishedAt),
      exitCode: r.exitCode,
      reason: r.reason,
      message: r.message,
      logPath: r.logPath,
      pid: r.state === 'CONTAINER_RUNNING' ? r.pid : undefined,
    };
  }

  // ---- stats: from the container's cgroup, else from its process group in /proc

  async containerStats(id: string): Promise<ContainerStats> {
    const [stats] = this.statsOf([this.container(id)]);
    return stats!;
  }

  async listContainerStats(filter: ContainerStatsFilter = {}): Promise<ContainerStats[]> {
    return this.statsOf([...this.containers.values()].filter((c) => c.record.state === 'CONTAINER_RUNNING' && containerMatches(c.record, filter)));
  }

  private statsOf(list: LiveContainer[]): ContainerStats[] {
    const samples = new Map<string, ResourceSample>();
    const fromProc = new Map<string, { pid: number; startedAt: bigint }>();
    for (const { record: r } of list) {
      if (r.state !== 'CONTAINER_RUNNING' || r.pid === undefined) continue;
      const sample = this.cgroups.stats(r.id);
      if (sample) samples.set(r.id, sample);
      else fromProc.set(r.id, { pid: r.pid, startedAt: BigInt(r.startedAt) });
    }
    for (const [id, sample] of this.processStats.sample(fromProc)) samples.set(id, sample);
    return list.map(({ record: r }) => {
      const { id, metadata, labels, annotations } = toContainer(r);
      return toContainerStats({ id, metadata, labels, annotations }, samples.get(r.id));
    });
  }

  // ---- in the container's context

  async execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult> {
    return execSyncIn(this.execContext(id, cmd), timeoutSeconds);
  }

  /** With `tty`, the command runs under `script` (a pseudo-terminal; resize through stty). */
  async exec(id: string, cmd: string[], streams: StreamOptions): Promise<number> {
    return execStreamIn(this.execContext(id, cmd), streams);
  }

  async attach(id: string, streams: StreamOptions): Promise<number> {
    const c = this.container(id);
    if (c.record.state !== 'CONTAINER_RUNNING' || !c.proc || !c.done) throw new RuntimeError('AttachError', `container is in ${c.record.state} state`);
    if (c.proc.adopted) throw new RuntimeError('AttachError', 'cannot attach: the container was started by a previous runtime and its stdio is lost');
    const done = c.done.then(() => c.record.exitCode);
    return attachTo(c.proc, c.record.config, streams, done);
  }

  async portForward(podSandboxId: string, port: number): Promise<Duplex> {
    const sandbox = this.sandbox(podSandboxId);
    if (sandbox.state !== 'SANDBOX_READY') throw new RuntimeError('PortForwardError', `sandbox "${podSandboxId}" is not ready`);
    return this.network.connect(podSandboxId, port);
  }

  onContainerEvent(listener: (e: ContainerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ---- images: none are pulled; an image is known once pulled or used by a container

  async listImages(): Promise<Image[]> {
    return [...this.knownImages()].sort().map(toImage);
  }

  async imageStatus(image: ImageSpec): Promise<Image | undefined> {
    return this.knownImages().has(image.image) ? toImage(image.image) : undefined;
  }

  async pullImage(image: ImageSpec): Promise<string> {
    this.pulled.add(image.image);
    return image.image;
  }

  /** Forgets a pulled image; one a container uses stays listed. */
  async removeImage(image: ImageSpec): Promise<void> {
    this.pulled.delete(image.image);
  }

  private knownImages(): Set<string> {
    const images = new Set(this.pulled);
    for (const c of this.containers.values()) images.add(c.record.config.image.image);
    return images;
  }

  // ---- helpers

  /** Takes a container record from disk: adopts its process if it still runs. */
  private recover(record: ContainerRecord): void {
    const c: LiveContainer = { record, execs: new Set() };
    this.containers.set(record.id, c);
    if (record.state === 'CONTAINER_EXITED') void this.cgroups.release(record.id);
    if (record.state !== 'CONTAINER_RUNNING') return;
    if (record.pid !== undefined && record.pidStartTime !== undefined && isSameLiveProcess(record.pid, record.pidStartTime)) {
      c.proc = adoptProcess(record.pid, record.pidStartTime, this.options.pollIntervalMs ?? 500);
      c.done = c.proc.exited.then((exit) => this.exited(c, exit));
      if (!record.logsStopped) {
        record.logsStopped = true;
        record.message = 'log capture stopped: the container was started by a previous runtime';
        this.persist(() => this.store.saveContainer(record));
      }
      return;
    }
    const oom = this.cgroups.exitReason(record.id) === 'OOMKilled';
    void this.cgroups.release(record.id);
    Object.assign(record, {
      state: 'CONTAINER_EXITED',
      finishedAt: nowNanos().toString(),
      exitCode: oom ? OOM_KILLED_EXIT_CODE : UNKNOWN_EXIT_CODE,
      reason: oom ? 'OOMKilled' : UNKNOWN_EXIT_REASON,
      message: 'the process was gone when the runtime restarted; its exit status is unknown',
      pid: undefined,
    });
    this.persist(() => this.store.saveContainer(record));
  }

  /**
   * Writes a state change; a failure (disk full) is logged rather than thrown: the runtime's view
   * stays right, and only a restart would find the older record.
   */
  private persist(write: () => void): void {
    try {
      write();
    } catch (e) {
      this.logger.error({ err: e }, 'process runtime: cannot save a record');
    }
  }

  private context(record: ContainerRecord, sandbox: SandboxRecord): { cwd: string; env: Record<string, string> } {
    // What a container gets from its runtime: PATH (here the node's, as there is no image to give
    // one) and HOSTNAME, which the pod's env can override.
    const env: Record<string, string> = { PATH: process.env.PATH || DEFAULT_PATH, HOSTNAME: sandbox.config.hostname || hostname() };
    for (const { key, value } of record.config.envs) env[key] = value;
    return { cwd: record.config.workingDir || sandbox.dir, env };
  }

  private wrap(record: ContainerRecord, argv: string[]): string[] {
    return this.network.wrapCommand(record.podSandboxId, this.mounts.wrapCommand(record.id, record.config.mounts, argv));
  }

  private execContext(id: string, cmd: string[]): ExecContext {
    const c = this.container(id);
    if (c.record.state !== 'CONTAINER_RUNNING') throw new RuntimeError('ContainerNotRunning', `container is in ${c.record.state} state`);
    if (cmd.length === 0) throw new RuntimeError('ExecError', 'exec needs a command');
    const sandbox = this.sandbox(c.record.podSandboxId);
    // An exec joins the running container's mount namespace rather than building a fresh one.
    const pid = c.proc?.pid;
    const argv =
      pid && this.mounts.enterCommand && c.record.config.mounts.length > 0
        ? this.network.wrapCommand(c.record.podSandboxId, this.mounts.enterCommand(c.record.id, pid, cmd))
        : this.wrap(c.record, cmd);
    return { argv, ...this.context(c.record, sandbox), running: c.execs };
  }

  private sandbox(id: string): SandboxRecord {
    const s = this.sandboxes.get(id);
    if (!s) throw new NotFoundError('pod sandbox', id);
    return s;
  }

  private container(id: string): LiveContainer {
    const c = this.containers.get(id);
    if (!c) throw new NotFoundError('container', id);
    return c;
  }

  private containersOf(sandboxId: string): LiveContainer[] {
    return [...this.containers.values()].filter((c) => c.record.podSandboxId === sandboxId);
  }

  private emit(record: ContainerRecord, type: ContainerEvent['type']): void {
    if (this.closed) return;
    const event: ContainerEvent = { containerId: record.id, podSandboxId: record.podSandboxId, type, createdAt: nowNanos() };
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (e) {
        this.logger.error({ err: e, event: type }, 'process runtime: container event listener failed');
      }
    }
  }
}
