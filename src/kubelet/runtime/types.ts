// The container runtime as the kubelet sees it, shaped like CRI's RuntimeService and ImageService
// (k8s.io/cri-api runtime/v1): pod sandboxes (a pod's shared context: network, log directory)
// holding containers, each created, started, stopped and removed by id, with statuses the kubelet
// turns into pod status. The process runtime (default) implements it with host processes; a CRI
// client for containerd can implement it later. Times are nanoseconds since the epoch, as CRI's.
import type { Duplex, Readable, Writable } from 'node:stream';

export interface KeyValue {
  key: string;
  value: string;
}

export interface PodSandboxMetadata {
  name: string;
  namespace: string;
  uid: string;
  attempt: number;
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  /** Where the pod's container logs go: `<logRoot>/<namespace>_<name>_<uid>` (see podLogDirectory). */
  logDirectory: string;
  dnsConfig?: { servers: string[]; searches: string[]; options: string[] };
  portMappings?: { protocol: 'TCP' | 'UDP' | 'SCTP'; containerPort: number; hostPort?: number; hostIp?: string }[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** hostNetwork: share the node's network namespace. */
  hostNetwork?: boolean;
}

export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: bigint;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PodSandboxStatus extends PodSandbox {
  network: { ip?: string; additionalIps: string[] };
  /** The runtime's own words about the sandbox (e.g. "host network: not root"). */
  info?: Record<string, string>;
}

export interface ContainerMetadata {
  name: string;
  attempt: number;
}

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
}

export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: { image: string };
  /** Entrypoint (container `command`); with `args` it is what runs. */
  command: string[];
  args: string[];
  workingDir?: string;
  envs: KeyValue[];
  mounts: Mount[];
  /** Relative to the sandbox's logDirectory: `<container>/<attempt>.log` (see containerLogPath). */
  logPath: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  linux?: {
    resources?: { cpuPeriod?: number; cpuQuota?: number; cpuShares?: number; memoryLimitInBytes?: number; pidsLimit?: number };
  };
}

export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';

export interface Container {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  image: { image: string };
  imageRef: string;
  state: ContainerState;
  createdAt: bigint;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface ContainerStatus extends Container {
  startedAt: bigint;
  finishedAt: bigint;
  exitCode: number;
  /** Short machine-readable reason when exited ("Completed", "Error", "OOMKilled") or not started. */
  reason: string;
  message: string;
  /** Absolute path of the container's log file. */
  logPath: string;
  /** The host process, when the runtime runs one (process runtime). */
  pid?: number;
}

export interface ContainerFilter {
  id?: string;
  podSandboxId?: string;
  state?: ContainerState;
  labelSelector?: Record<string, string>;
}

export interface PodSandboxFilter {
  id?: string;
  state?: PodSandboxState;
  labelSelector?: Record<string, string>;
}

export interface ExecSyncResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

/** An interactive exec or attach: the caller wires the streams, then waits for the exit code. */
export interface StreamOptions {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  tty?: boolean;
  /** Terminal size changes (tty only). */
  resize?: AsyncIterable<{ width: number; height: number }>;
}

/** What happened to a container, pushed so the kubelet reacts at once (CRI's GetContainerEvents). */
export interface ContainerEvent {
  containerId: string;
  podSandboxId: string;
  type: 'CONTAINER_CREATED_EVENT' | 'CONTAINER_STARTED_EVENT' | 'CONTAINER_STOPPED_EVENT' | 'CONTAINER_DELETED_EVENT';
  createdAt: bigint;
}

/** CRI's ContainerAttributes: which container a stats sample belongs to. */
export interface ContainerAttributes {
  id: string;
  metadata: ContainerMetadata;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** CRI's CpuUsage. */
export interface CpuUsage {
  timestamp: bigint;
  /** Cumulative CPU time over all cores since the container started. */
  usageCoreNanoSeconds: number;
  /** Cores in use (in billionths) between the previous sample and this one; absent until there is a previous one. */
  usageNanoCores?: number;
}

/** CRI's MemoryUsage. */
export interface MemoryUsage {
  timestamp: bigint;
  /** Usage less the inactive file cache: what the kubelet compares with limits and evicts on. */
  workingSetBytes: number;
  /** The limit less the working set; absent without a limit. */
  availableBytes?: number;
  usageBytes: number;
  rssBytes: number;
  pageFaults?: number;
  majorPageFaults?: number;
}

/** CRI's ContainerStats. A container not running has no cpu or memory sample. */
export interface ContainerStats {
  attributes: ContainerAttributes;
  cpu?: CpuUsage;
  memory?: MemoryUsage;
}

export interface ContainerStatsFilter {
  id?: string;
  podSandboxId?: string;
  labelSelector?: Record<string, string>;
}

export interface RuntimeService {
  version(): Promise<{ runtimeName: string; runtimeVersion: string; runtimeApiVersion: string }>;

  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  /** Stops every container of the sandbox (forcibly) and releases its network; idempotent. */
  stopPodSandbox(id: string): Promise<void>;
  /** Removes a stopped sandbox and its containers; idempotent. */
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): Promise<PodSandboxStatus>;
  listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]>;

  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after `timeoutSeconds` (0: at once); resolves once the container exited. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<Container[]>;
  containerStatus(id: string): Promise<ContainerStatus>;

  /** Runs a command in the container's context and collects its output (probes, hooks). */
  execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult>;
  /** Runs a command in the container's context with streams; resolves with its exit code. */
  exec(id: string, cmd: string[], streams: StreamOptions): Promise<number>;
  /** Attaches to the container's main process stdio; resolves when it exits or the caller detaches. */
  attach(id: string, streams: StreamOptions): Promise<number>;
  /** A byte stream to `port` inside the sandbox's network. */
  portForward(podSandboxId: string, port: number): Promise<Duplex>;

  /** Resource usage of a container (cpu and memory only while it runs). */
  containerStats(id: string): Promise<ContainerStats>;
  /** Resource usage of the running containers matching `filter` (CRI: "stats of all running containers"). */
  listContainerStats(filter?: ContainerStatsFilter): Promise<ContainerStats[]>;

  /** Container lifecycle events as they happen; returns a function that unsubscribes. */
  onContainerEvent(listener: (e: ContainerEvent) => void): () => void;
}

export interface ImageSpec {
  image: string;
}

export interface Image {
  id: string;
  repoTags: string[];
  size: number;
}

export interface ImageService {
  listImages(): Promise<Image[]>;
  imageStatus(image: ImageSpec): Promise<Image | undefined>;
  /** Returns the image reference; a runtime that cannot pull says so with a RuntimeError. */
  pullImage(image: ImageSpec): Promise<string>;
  removeImage(image: ImageSpec): Promise<void>;
}

/** A runtime failure with a reason the kubelet shows in the container's waiting state. */
export class RuntimeError extends Error {
  constructor(
    /** e.g. "CreateContainerError", "RunContainerError", "ErrImagePull" */
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}

export class NotFoundError extends Error {
  constructor(what: string, id: string) {
    super(`${what} "${id}" not found`);
    this.name = 'NotFoundError';
  }
}

/** Where a pod's logs live, as the kubelet lays them out: `<logRoot>/<ns>_<name>_<uid>`. */
export const podLogDirectory = (logRoot: string, namespace: string, name: string, uid: string): string => `${logRoot}/${namespace}_${name}_${uid}`;

/** A container's log file within its pod's log directory: `<container>/<restartCount>.log`. */
export const containerLogPath = (container: string, restartCount: number): string => `${container}/${restartCount}.log`;
