// The node half of the kubelet: registers this machine's Node (or takes over an existing one, as
// upstream's tryRegisterWithAPIServer does), keeps its Lease in kube-node-lease renewed, and
// reports the node's status: every sync (10 s) recomputes it from the machine, and it is written
// when something other than heartbeats changed or when the report interval (1 min) has passed.
// Stopping deletes nothing: the node lifecycle controller notices the silence.
import { hostname } from 'node:os';
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, isNotFound } from '../../apimachinery/errors.js';
import { rfc3339 } from '../../apimachinery/time.js';
import { EventBroadcaster } from '../../client/events/recorder.js';
import type { EventRecorder } from '../../client/events/types.js';
import { NODES } from '../../client/resources.js';
import type { Client } from '../../client/types.js';
import { type Logger, silentLogger } from '../../logging/index.js';
import { type Runnable, sleep as defaultSleep } from '../../manager/index.js';
import { KUBERNETES_VERSION, KUBETS_VERSION } from '../../server/config.js';
import { DEFAULT_LEASE_DURATION_SECONDS, NodeLease, RENEW_INTERVAL_FRACTION } from './lease.js';
import { type MachineProbes, hostMachine } from './machine.js';
import { DEFAULT_MAX_PODS, LABEL_CONTROL_PLANE, computeNodeStatus, initialNode, nodeLabels, nodeStatusChanged, reconcileLabels } from './status.js';

export interface NodeAgentOptions {
  client: Client;
  logger?: Logger;
  /** Default: the host name, lower-cased. Also the kubernetes.io/hostname label and Hostname address. */
  nodeName?: string;
  /** Where the node keeps its files: its filesystem is the node's ephemeral storage. Default: /. */
  dataDir?: string;
  /** Label the node node-role.kubernetes.io/control-plane="" (the server's own node). */
  controlPlane?: boolean;
  /** More labels for a new node (upstream's --node-labels). */
  labels?: Record<string, string>;
  /** Taints a new node registers with (upstream's --register-with-taints). */
  taints?: Taint[];
  /** Port the node's kubelet API serves on (status.daemonEndpoints). Default 10250. */
  kubeletPort?: number;
  /** status.nodeInfo.containerRuntimeVersion. Default process://<kubets version>. */
  containerRuntimeVersion?: string;
  /** Default 110. */
  maxPods?: number;
  /** Default 40. */
  leaseDurationSeconds?: number;
  /** Default: a quarter of the lease duration (10 s). */
  leaseRenewIntervalMs?: number;
  /** How often the status is recomputed (upstream's nodeStatusUpdateFrequency, 10 s). */
  statusUpdateIntervalMs?: number;
  /** The longest an unchanged status goes unwritten (upstream's nodeStatusReportFrequency; 1 min here). */
  statusReportIntervalMs?: number;
  /** Runtime and network errors that make the node NotReady (KubeletNotReady). */
  readyErrors?: () => string[];
  /** Where machine facts come from. Default: this machine. */
  machine?: MachineProbes;
  /** Events about the node (default: a recorder writing as component "kubelet"). */
  recorder?: EventRecorder;
  now?: () => Date;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

const REGISTER_BACKOFF_START_MS = 100;
/** Upstream's registerWithAPIServer caps its back-off at 7 s. */
const REGISTER_BACKOFF_MAX_MS = 7_000;
const RENEW_RETRY_START_MS = 200;

export class NodeAgent implements Runnable {
  readonly name = 'node-agent';
  readonly nodeName: string;
  private readonly logger: Logger;
  private readonly machine: MachineProbes;
  private readonly lease: NodeLease;
  private readonly now: () => Date;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly broadcaster: EventBroadcaster | undefined;
  private readonly recorder: EventRecorder;
  private lastReport = 0;
  private node: Node | undefined;
  private resolveRegistered!: (node: Node) => void;
  private readonly registeredPromise = new Promise<Node>((r) => (this.resolveRegistered = r));

  constructor(private readonly opts: NodeAgentOptions) {
    this.logger = opts.logger ?? silentLogger;
    this.machine = opts.machine ?? hostMachine(opts.dataDir ?? '/');
    this.now = opts.now ?? (() => new Date());
    this.sleep = opts.sleep ?? defaultSleep;
    this.nodeName = (opts.nodeName ?? hostname()).toLowerCase();
    this.lease = new NodeLease({ client: opts.client, nodeName: this.nodeName, durationSeconds: opts.leaseDurationSeconds, now: this.now });
    if (opts.recorder) {
      this.recorder = opts.recorder;
    } else {
      this.broadcaster = new EventBroadcaster(opts.client, this.logger, this.nodeName);
      this.recorder = this.broadcaster.recorder('kubelet');
    }
  }

  /** The Node as this agent last registered or wrote it. */
  current(): Node | undefined {
    return this.node;
  }

  /** Resolves with the Node once it is registered (created or taken over). */
  registered(): Promise<Node> {
    return this.registeredPromise;
  }

  async start(signal: AbortSignal): Promise<void> {
    this.event('Normal', 'Starting', 'Starting kubelet.');
    const node = await this.registerUntilDone(signal);
    if (node) {
      this.node = node;
      this.lease.setOwner(node.metadata!.uid!);
      this.resolveRegistered(node);
      await Promise.all([this.leaseLoop(signal), this.statusLoop(signal)]);
    }
    await this.broadcaster?.flush();
  }

  private async registerUntilDone(signal: AbortSignal): Promise<Node | undefined> {
    let step = REGISTER_BACKOFF_START_MS;
    while (!signal.aborted) {
      try {
        this.logger.info({ node: this.nodeName }, 'attempting to register node');
        const node = await this.tryRegister();
        this.logger.info({ node: this.nodeName }, 'successfully registered node');
        return node;
      } catch (e) {
        this.logger.warn({ node: this.nodeName, err: e }, 'unable to register node with the API server');
      }
      await this.sleep(step, signal);
      step = Math.min(step * 2, REGISTER_BACKOFF_MAX_MS);
    }
    return undefined;
  }

  /** Creates the Node; when it exists, takes it over: default labels reconciled, status written now. */
  private async tryRegister(): Promise<Node> {
    const nodes = this.opts.client.resource<Node>(NODES);
    const now = this.now();
    const info = await this.machine.info();
    const { status, events } = computeNodeStatus(undefined, await this.statusInputs(now));
    const labels = { ...nodeLabels(this.nodeName, info, !!this.opts.controlPlane), ...this.opts.labels };
    try {
      const created = await nodes.create(initialNode(this.nodeName, labels, status, this.opts.taints));
      this.lastReport = now.getTime();
      this.statusEvents(events);
      return created;
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    this.logger.info({ node: this.nodeName }, 'node was previously registered');
    let existing = await nodes.get('', this.nodeName);
    const reconciled = reconcileLabels(existing.metadata?.labels, labels, this.opts.controlPlane ? [LABEL_CONTROL_PLANE] : []);
    if (reconciled) {
      existing = await nodes.patch('', this.nodeName, 'merge', { metadata: { labels: reconciled } });
    }
    // The status of a node taken over is whatever its last kubelet left: write ours at once.
    this.lastReport = 0;
    await this.writeStatus(existing);
    return this.node ?? existing;
  }

  /**
   * One status sync: reads the Node, recomputes its status, and writes it when it changed beyond
   * heartbeats or the report interval has passed. Resolves true when it wrote.
   */
  async syncStatus(): Promise<boolean> {
    let node: Node;
    try {
      node = await this.opts.client.resource<Node>(NODES).get('', this.nodeName);
    } catch (e) {
      // Deleted under us: upstream's kubelet does not register again until restarted. A lease
      // re-created meanwhile must not name the gone Node as owner (the GC would delete it).
      if (isNotFound(e)) this.lease.setOwner(undefined);
      throw e;
    }
    if (node.metadata?.uid !== this.node?.metadata?.uid) this.lease.setOwner(node.metadata?.uid);
    return this.writeStatus(node);
  }

  private async writeStatus(node: Node): Promise<boolean> {
    const now = this.now();
    const { status, events } = computeNodeStatus(node.status, await this.statusInputs(now));
    const due = now.getTime() - this.lastReport >= (this.opts.statusReportIntervalMs ?? 60_000);
    if (!due && !nodeStatusChanged(node.status, status)) return false;
    // A patch, as upstream's PatchNodeStatus: conditions merge by type, so a condition some other
    // component owns (NetworkUnavailable...) is left alone.
    this.node = await this.opts.client.resource<Node>(NODES).patch('', this.nodeName, 'strategic', { status }, { subresource: 'status' });
    this.lastReport = now.getTime();
    this.statusEvents(events);
    return true;
  }

  private async statusInputs(now: Date) {
    const [info, usage] = await Promise.all([this.machine.info(), this.machine.usage()]);
    return {
      hostname: this.nodeName,
      info,
      usage,
      maxPods: this.opts.maxPods ?? DEFAULT_MAX_PODS,
      kubeletPort: this.opts.kubeletPort ?? 10250,
      kubeletVersion: KUBERNETES_VERSION.gitVersion,
      containerRuntimeVersion: this.opts.containerRuntimeVersion ?? `process://${KUBETS_VERSION}`,
      readyErrors: this.opts.readyErrors?.() ?? [],
      now: rfc3339(now),
    };
  }

  private async statusLoop(signal: AbortSignal): Promise<void> {
    const interval = this.opts.statusUpdateIntervalMs ?? 10_000;
    while (!signal.aborted) {
      await this.sleep(interval, signal);
      if (signal.aborted) return;
      try {
        await this.syncStatus();
      } catch (e) {
        this.logger.warn({ node: this.nodeName, err: e }, 'unable to update node status');
      }
    }
  }

  private async leaseLoop(signal: AbortSignal): Promise<void> {
    const duration = this.opts.leaseDurationSeconds ?? DEFAULT_LEASE_DURATION_SECONDS;
    const interval = this.opts.leaseRenewIntervalMs ?? duration * 1000 * RENEW_INTERVAL_FRACTION;
    let retry = RENEW_RETRY_START_MS;
    while (!signal.aborted) {
      try {
        await this.lease.renew();
        retry = RENEW_RETRY_START_MS;
        await this.sleep(interval, signal);
      } catch (e) {
        this.logger.warn({ node: this.nodeName, err: e }, 'failed to renew the node lease');
        await this.sleep(Math.min(retry, interval), signal);
        retry *= 2;
      }
    }
  }

  private statusEvents(reasons: string[]): void {
    for (const reason of reasons) this.event('Normal', reason, `Node ${this.nodeName} status is now: ${reason}`);
  }

  /** Events name the node with its name as uid, as upstream's kubelet nodeRef (kubectl describe looks for both). */
  private event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.recorder.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: this.nodeName, uid: this.nodeName } }, type, reason, message);
  }
}
