// The node lifecycle controller (upstream's pkg/controller/nodelifecycle), its essentials:
//  - every monitor period (5 s) each node's health is judged from its Lease and Ready heartbeat;
//    a node silent for the grace period (40 s) gets every kubelet condition set Unknown, and its
//    pods are marked not ready;
//  - NoSchedule taints follow the node's conditions and spec.unschedulable (TaintNodesByCondition:
//    not-ready, unreachable, memory/disk/pid-pressure, network-unavailable, unschedulable);
//  - a node not Ready gets the NoExecute not-ready (Ready=False) or unreachable (Unknown) taint,
//    at a limited rate per zone and not at all when every node is down; the taints go when it
//    is Ready again;
//  - the taint eviction controller (run alongside, as upstream did before it was split out)
//    deletes pods that do not tolerate NoExecute taints.
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition, Pod } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../apimachinery/errors.js';
import { rfc3339 } from '../../apimachinery/time.js';
import { NODE_NAME_INDEX, indexPodByNode, keyOf } from '../../client/cache/indexes.js';
import type { SharedInformer } from '../../client/cache/types.js';
import type { EventRecorder } from '../../client/events/types.js';
import { LEASES, NODES, PODS } from '../../client/resources.js';
import { WorkQueue } from '../../client/workqueue.js';
import { type Runnable, sleep } from '../../manager/index.js';
import type { ControllerContext } from '../context.js';
import { runController } from '../run-controller.js';
import { NodeHealthTracker, readyCondition } from './health.js';
import { TaintEvictionController, type TaintEvictionOptions } from './taint-eviction.js';
import { NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE, managedNoScheduleTaints, taintDiff, taintExists, wantedNoScheduleTaints } from './taints.js';
import { markPodsNotReady, swapNodeTaints } from './writes.js';
import { LABEL_EXCLUDE_DISRUPTION, RateLimitedTaintQueue, type ZoneState, computeZoneState, zoneKey } from './zones.js';

const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** upstream's NodeEvictionPeriod: how often the NoExecute taint queues are worked. */
const TAINT_PASS_MS = 100;
/** upstream's NodeHealthUpdateRetry and retrySleepTime. */
const HEALTH_UPDATE_ATTEMPTS = 5;
const HEALTH_RETRY_MS = 20;

/** Stable and beta labels kept in step, the stable one winning (upstream's labelReconcileInfo). */
const LABEL_PAIRS: Array<[string, string]> = [
  ['kubernetes.io/os', 'beta.kubernetes.io/os'],
  ['kubernetes.io/arch', 'beta.kubernetes.io/arch'],
];

export interface NodeLifecycleOptions {
  /** How often node health is judged (upstream's --node-monitor-period, 5 s). */
  nodeMonitorPeriodMs?: number;
  /** How long a kubelet may be silent (--node-monitor-grace-period, 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** How long a node that never reported has (nodeStartupGracePeriod, 60 s). */
  nodeStartupGracePeriodMs?: number;
  /** Nodes tainted NoExecute per second in a healthy zone (--node-eviction-rate, 0.1). */
  evictionLimiterQPS?: number;
  /** The same in a partially disrupted large zone (--secondary-node-eviction-rate, 0.01). */
  secondaryEvictionLimiterQPS?: number;
  /** Zones of more nodes are large (--large-cluster-size-threshold, 50). */
  largeClusterThreshold?: number;
  /** Share of not-ready nodes making a zone partially disrupted (--unhealthy-zone-threshold, 0.55). */
  unhealthyZoneThreshold?: number;
  /** Run the taint eviction controller too (default) or not (false). */
  taintEviction?: boolean | TaintEvictionOptions;
  now?: () => number;
}

export class NodeLifecycleController implements Runnable {
  readonly name = 'node-lifecycle-controller';
  /** Nodes whose NoSchedule taints and labels need a look. */
  readonly queue = new WorkQueue();
  /** Pods newly bound to a node, to be marked not ready if the node is not. */
  readonly podQueue = new WorkQueue();
  readonly taintEviction: TaintEvictionController | undefined;
  private readonly nodes: SharedInformer<Node>;
  private readonly leases: SharedInformer<Lease>;
  private readonly pods: SharedInformer<Pod>;
  private readonly recorder: EventRecorder;
  private readonly health: NodeHealthTracker;
  private readonly now: () => number;
  private readonly o: Required<Omit<NodeLifecycleOptions, 'taintEviction' | 'now'>>;
  private readonly known = new Map<string, Node>();
  private readonly zoneStates = new Map<string, ZoneState>();
  private readonly zoneQueues = new Map<string, RateLimitedTaintQueue>();
  /** Nodes whose pods still need marking not ready (a failed attempt). */
  private readonly retryPods = new Set<string>();

  constructor(
    private readonly ctx: ControllerContext,
    opts: NodeLifecycleOptions = {},
  ) {
    this.o = {
      nodeMonitorPeriodMs: opts.nodeMonitorPeriodMs ?? 5_000,
      nodeMonitorGracePeriodMs: opts.nodeMonitorGracePeriodMs ?? 40_000,
      nodeStartupGracePeriodMs: opts.nodeStartupGracePeriodMs ?? 60_000,
      evictionLimiterQPS: opts.evictionLimiterQPS ?? 0.1,
      secondaryEvictionLimiterQPS: opts.secondaryEvictionLimiterQPS ?? 0.01,
      largeClusterThreshold: opts.largeClusterThreshold ?? 50,
      unhealthyZoneThreshold: opts.unhealthyZoneThreshold ?? 0.55,
    };
    this.now = opts.now ?? Date.now;
    this.health = new NodeHealthTracker(this.o.nodeMonitorGracePeriodMs, this.o.nodeStartupGracePeriodMs);
    this.recorder = ctx.recorder('node-controller');
    this.nodes = ctx.informers.for<Node>(NODES);
    this.leases = ctx.informers.for<Lease>(LEASES);
    this.pods = ctx.informers.for<Pod>(PODS);
    this.pods.addIndexers({ [NODE_NAME_INDEX]: indexPodByNode });
    this.nodes.addEventHandler({
      onAdd: (n) => this.queue.add(n.metadata?.name ?? ''),
      onUpdate: (_, n) => this.queue.add(n.metadata?.name ?? ''),
      onDelete: (n) => this.retryPods.delete(n.metadata?.name ?? ''),
    });
    this.pods.addEventHandler({
      onAdd: (p) => p.spec?.nodeName && this.podQueue.add(keyOf(p)),
      onUpdate: (o, p) => p.spec?.nodeName && p.spec.nodeName !== o.spec?.nodeName && this.podQueue.add(keyOf(p)),
    });
    if (opts.taintEviction !== false) {
      this.taintEviction = new TaintEvictionController(ctx, { now: this.now, ...(typeof opts.taintEviction === 'object' ? opts.taintEviction : {}) });
    }
  }

  async start(signal: AbortSignal): Promise<void> {
    const { informers, logger } = this.ctx;
    await Promise.all([
      runController({ signal, informers, queue: this.queue, reconcile: (name) => this.reconcileNode(name), logger, workers: 2, name: 'node_lifecycle_controller' }),
      runController({ signal, informers, queue: this.podQueue, reconcile: (key) => this.reconcilePod(key), logger, workers: 2, name: 'node_lifecycle_controller_pods' }),
      this.loop(signal, this.o.nodeMonitorPeriodMs, () => this.monitorNodeHealth(), 'monitoring node health failed'),
      this.loop(signal, TAINT_PASS_MS, () => this.noExecuteTaintingPass(), 'tainting nodes failed'),
      this.taintEviction?.start(signal),
    ]);
  }

  private async loop(signal: AbortSignal, periodMs: number, pass: () => Promise<void>, failure: string): Promise<void> {
    if (signal.aborted || !(await this.ctx.informers.waitForCacheSync(signal))) return;
    while (!signal.aborted) {
      try {
        await pass();
      } catch (e) {
        this.ctx.logger.warn({ err: e }, failure);
      }
      await sleep(periodMs, signal);
    }
  }

  /** NoSchedule taints for the node's conditions and cordon; beta os/arch labels in step. */
  async reconcileNode(name: string): Promise<void> {
    const node = this.nodes.store.get(name);
    if (!node) return;
    const { add, remove } = taintDiff(wantedNoScheduleTaints(node), managedNoScheduleTaints(node));
    if (add.length || remove.length) {
      if (!(await swapNodeTaints(this.ctx.client, node, add, remove, new Date(this.now())))) throw new Error(`failed to swap taints of node ${name}`);
    }
    const labels = node.metadata?.labels ?? {};
    const patch: Record<string, string> = {};
    for (const [stable, beta] of LABEL_PAIRS) {
      if (labels[stable] !== undefined && labels[beta] !== labels[stable]) patch[beta] = labels[stable]!;
    }
    if (Object.keys(patch).length) {
      try {
        await this.ctx.client.resource<Node>(NODES).patch('', name, 'merge', { metadata: { labels: patch } });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  /** A pod newly bound to a node this controller knows is not Ready is marked not ready too. */
  async reconcilePod(key: string): Promise<void> {
    const pod = this.pods.store.get(key);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName || !this.health.has(nodeName) || !this.nodes.store.get(nodeName)) return;
    const ready = readyCondition(this.health.status(nodeName));
    if (!ready || ready.status === 'True') return;
    await markPodsNotReady(this.ctx.client, this.recorder, [pod], nodeName, new Date(this.now()));
  }

  /** One monitoring pass over every node (upstream's monitorNodeHealth). */
  async monitorNodeHealth(): Promise<void> {
    const nodes = this.nodes.store.list();
    const seen = new Set<string>();
    for (const node of nodes) {
      const name = node.metadata?.name ?? '';
      seen.add(name);
      if (!this.zoneStates.has(zoneKey(node))) this.addZone(zoneKey(node));
      if (this.known.has(name)) continue;
      this.known.set(name, node);
      this.nodeEvent(node, 'RegisteredNode', `Registered Node ${name} in Controller`);
      // A node seen for the first time starts from a clean slate: taints re-added if still due.
      await this.markNodeAsReachable(node);
    }
    for (const [name, node] of this.known) {
      if (seen.has(name)) continue;
      this.known.delete(name);
      this.health.forget(name);
      this.nodeEvent(node, 'RemovingNode', `Removing Node ${name} from Controller`);
    }
    const zoneConditions = new Map<string, (NodeCondition | undefined)[]>();
    await Promise.all(
      nodes.map(async (cached) => {
        const result = await this.updateNodeHealth(cached);
        if (!result) return;
        const { node, observedReady, currentReady } = result;
        const name = node.metadata?.name ?? '';
        if (node.metadata?.labels?.[LABEL_EXCLUDE_DISRUPTION] === undefined) {
          const zone = zoneKey(node);
          zoneConditions.set(zone, [...(zoneConditions.get(zone) ?? []), currentReady]);
        }
        if (!currentReady) return;
        await this.processTaintBasedEviction(node, observedReady);
        const becameNotReady = currentReady.status !== 'True' && observedReady.status === 'True';
        if (becameNotReady) this.nodeStatusEvent(node, 'NodeNotReady');
        if (becameNotReady || (this.retryPods.has(name) && observedReady.status !== 'True')) {
          try {
            await markPodsNotReady(this.ctx.client, this.recorder, this.pods.store.byIndex(NODE_NAME_INDEX, name), name, new Date(this.now()));
          } catch (e) {
            this.ctx.logger.warn({ node: name, err: e }, 'unable to mark all pods NotReady; retrying');
            this.retryPods.add(name);
            return;
          }
        }
        this.retryPods.delete(name);
      }),
    );
    await this.handleDisruption(zoneConditions, nodes);
  }

  /** Judges one node, writing its status when it went silent; re-reads it on a failed write. */
  private async updateNodeHealth(cached: Node): Promise<{ node: Node; observedReady: NodeCondition; currentReady: NodeCondition | undefined } | undefined> {
    const name = cached.metadata?.name ?? '';
    let node = structuredClone(cached);
    for (let attempt = 0; ; attempt++) {
      const now = this.now();
      const check = this.health.check(node, this.leases.store.get(`${NODE_LEASE_NAMESPACE}/${name}`), now, rfc3339(new Date(now)));
      if (!check.newStatus) return { node, ...check };
      try {
        const written = await this.ctx.client.resource<Node>(NODES).updateStatus({ ...node, status: check.newStatus });
        this.health.wrote(name, check.newStatus, now);
        return { node: written, ...check };
      } catch (e) {
        if (attempt + 1 >= HEALTH_UPDATE_ATTEMPTS) {
          this.ctx.logger.warn({ node: name, err: e }, 'updating node health failed; no pods will be evicted');
          return undefined;
        }
      }
      await new Promise((r) => setTimeout(r, HEALTH_RETRY_MS));
      try {
        node = await this.ctx.client.resource<Node>(NODES).get('', name);
      } catch {
        return undefined; // probably deleted
      }
    }
  }

  private async processTaintBasedEviction(node: Node, observedReady: NodeCondition): Promise<void> {
    const taints = node.spec?.taints;
    const now = new Date(this.now());
    switch (observedReady.status) {
      case 'False':
        // Already unreachable: swap at once rather than waiting in the rate-limited queue.
        if (taintExists(taints, UNREACHABLE_NO_EXECUTE)) await swapNodeTaints(this.ctx.client, node, [NOT_READY_NO_EXECUTE], [UNREACHABLE_NO_EXECUTE], now);
        else this.zoneQueue(node).add(node.metadata?.name ?? '', this.now());
        break;
      case 'Unknown':
        if (taintExists(taints, NOT_READY_NO_EXECUTE)) await swapNodeTaints(this.ctx.client, node, [UNREACHABLE_NO_EXECUTE], [NOT_READY_NO_EXECUTE], now);
        else this.zoneQueue(node).add(node.metadata?.name ?? '', this.now());
        break;
      case 'True':
        await this.markNodeAsReachable(node);
        break;
    }
  }

  /** Takes the NoExecute not-ready/unreachable taints off and the node out of its taint queue. */
  private async markNodeAsReachable(node: Node): Promise<void> {
    if (taintExists(node.spec?.taints, UNREACHABLE_NO_EXECUTE) || taintExists(node.spec?.taints, NOT_READY_NO_EXECUTE)) {
      await swapNodeTaints(this.ctx.client, node, [], [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE], new Date(this.now()));
    }
    this.zoneQueue(node).remove(node.metadata?.name ?? '');
  }

  /** Works the zone queues: each due node gets the NoExecute taint its Ready condition calls for. */
  async noExecuteTaintingPass(): Promise<void> {
    for (const q of this.zoneQueues.values()) {
      await q.try(this.now(), async (name) => {
        const node = this.nodes.store.get(name);
        if (!node) return { done: true };
        const ready = readyCondition(node.status);
        if (!ready) return { done: false, retryMs: 50 };
        let add = UNREACHABLE_NO_EXECUTE;
        let remove = NOT_READY_NO_EXECUTE;
        if (ready.status === 'False') [add, remove] = [NOT_READY_NO_EXECUTE, UNREACHABLE_NO_EXECUTE];
        else if (ready.status !== 'Unknown') return { done: true }; // Ready again meanwhile
        try {
          return { done: await swapNodeTaints(this.ctx.client, node, [add], [remove], new Date(this.now())) };
        } catch (e) {
          this.ctx.logger.warn({ node: name, err: e }, 'unable to taint unresponsive node');
          return { done: false, retryMs: 50 };
        }
      });
    }
  }

  /** upstream's handleDisruption: zone states decide the tainting rates. */
  private async handleDisruption(zoneConditions: Map<string, (NodeCondition | undefined)[]>, nodes: Node[]): Promise<void> {
    const newStates = new Map<string, ZoneState>();
    let allAreFullyDisrupted = true;
    for (const [zone, conds] of zoneConditions) {
      const { state } = computeZoneState(conds, this.o.unhealthyZoneThreshold);
      if (state !== 'FullDisruption') allAreFullyDisrupted = false;
      newStates.set(zone, state);
      if (!this.zoneStates.has(zone)) this.zoneStates.set(zone, 'Initial');
    }
    let allWasFullyDisrupted = true;
    for (const [zone, state] of [...this.zoneStates]) {
      if (!zoneConditions.has(zone)) {
        this.zoneStates.delete(zone);
        continue;
      }
      if (state !== 'FullDisruption') {
        allWasFullyDisrupted = false;
        break;
      }
    }
    if (allAreFullyDisrupted && allWasFullyDisrupted) return;
    const now = this.now();
    if (allAreFullyDisrupted) {
      // Every node down at once: more likely this side is cut off. Evict nothing; untaint all.
      this.ctx.logger.info('all nodes are not ready: entering master disruption mode');
      for (const node of nodes) await this.markNodeAsReachable(node);
      for (const zone of this.zoneStates.keys()) {
        this.zoneQueues.get(zone)?.swapLimiter(0, now);
        this.zoneStates.set(zone, 'FullDisruption');
      }
      return;
    }
    if (allWasFullyDisrupted) {
      this.ctx.logger.info('some nodes are ready: exiting master disruption mode');
      this.health.resetProbes(now);
      for (const zone of this.zoneStates.keys()) {
        this.setZoneRate(zone, zoneConditions.get(zone)?.length ?? 0, newStates.get(zone)!, now);
        this.zoneStates.set(zone, newStates.get(zone)!);
      }
      return;
    }
    for (const [zone, state] of this.zoneStates) {
      const next = newStates.get(zone)!;
      if (state === next) continue;
      this.ctx.logger.info({ zone, state: next }, 'zone is now in a new state');
      this.setZoneRate(zone, zoneConditions.get(zone)?.length ?? 0, next, now);
      this.zoneStates.set(zone, next);
    }
  }

  private setZoneRate(zone: string, size: number, state: ZoneState, now: number): void {
    const q = this.zoneQueues.get(zone);
    if (!q) return;
    if (state === 'Normal' || state === 'FullDisruption') q.swapLimiter(this.o.evictionLimiterQPS, now);
    // A partly failing zone: small ones stop tainting, large ones slow down (ReducedQPSFunc).
    else if (state === 'PartialDisruption') q.swapLimiter(size > this.o.largeClusterThreshold ? this.o.secondaryEvictionLimiterQPS : 0, now);
  }

  private addZone(zone: string): void {
    this.zoneStates.set(zone, 'Initial');
    if (!this.zoneQueues.has(zone)) this.zoneQueues.set(zone, new RateLimitedTaintQueue(this.o.evictionLimiterQPS, this.now()));
  }

  private zoneQueue(node: Node): RateLimitedTaintQueue {
    const zone = zoneKey(node);
    if (!this.zoneQueues.has(zone)) this.addZone(zone);
    return this.zoneQueues.get(zone)!;
  }

  private nodeEvent(node: Node, reason: string, event: string): void {
    const name = node.metadata?.name ?? '';
    this.recorder.event(nodeRef(node), 'Normal', reason, `Node ${name} event: ${event}`);
  }

  private nodeStatusEvent(node: Node, status: string): void {
    this.recorder.event(nodeRef(node), 'Normal', status, `Node ${node.metadata?.name} status is now: ${status}`);
  }
}

const nodeRef = (node: Node): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: node.metadata?.name, uid: node.metadata?.uid } });
