// The scheduler: watches pending pods of its profiles and the nodes, and places one pod per
// scheduling cycle: filter (with the rotation over nodes that spreads placement), score, pick the
// best node, count the pod there at once (assume), then bind through pods/binding in the
// background so the next cycle does not wait for the API. A pod that fits nowhere may preempt
// pods of lower priority (PostFilter); otherwise it gets a FailedScheduling event and a
// PodScheduled=False condition saying why per node, and waits in the queue until a cluster event
// that may help it (one its rejecting plugins registered) moves it back.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { isConflict, isNotFound } from '../apimachinery/errors.js';
import type { SharedInformer } from '../client/cache/types.js';
import type { EventRecorder } from '../client/events/types.js';
import { NODES, PODS } from '../client/resources.js';
import type { ControllerContext } from '../controllers/context.js';
import type { Runnable } from '../manager/index.js';
import { SchedulerCache } from './cache/cache.js';
import { assignedPodUpdateEvents, isTerminal, nodeUpdateEvents } from './cluster-events.js';
import { buildProfiles, type PluginRegistry, type SchedulerConfiguration } from './config.js';
import { CycleState, findNodesThatFit, fitErrorMessage, selectHost, type Framework } from './framework/framework.js';
import type { ClusterEvent, Snapshot, Status } from './framework/types.js';
import { InformerHandle } from './handle.js';
import { schedulerMetrics, type AttemptResult } from './metrics.js';
import { clearNomination, preemptVictim, setUnschedulable } from './pod-status.js';
import { Nominator } from './queue/nominator.js';
import { SchedulingQueue, podKey, type QueuedPod } from './queue/scheduling-queue.js';
import { IN_TREE_PLUGINS } from './registry.js';

export interface SchedulerOptions {
  /** KubeSchedulerConfiguration (profiles, plugins, weights); default: one default-scheduler profile. */
  config?: SchedulerConfiguration;
  registry?: PluginRegistry;
  queue?: SchedulingQueue;
}

export interface SchedulerStats {
  scheduled: number;
  unschedulable: number;
  errors: number;
  preemptions: number;
}

export class Scheduler implements Runnable {
  readonly name = 'scheduler';
  readonly queue: SchedulingQueue;
  readonly cache = new SchedulerCache();
  readonly nominator = new Nominator();
  readonly stats: SchedulerStats = { scheduled: 0, unschedulable: 0, errors: 0, preemptions: 0 };
  private readonly profiles: Map<string, Framework>;
  private readonly percentageOfNodesToScore: number | undefined;
  private readonly pods: SharedInformer<Pod>;
  private readonly recorder: EventRecorder;
  private nextStartIndex = 0;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly ctx: ControllerContext,
    opts: SchedulerOptions = {},
  ) {
    const handle = new InformerHandle(ctx.informers, ctx.client);
    const built = buildProfiles(opts.config ?? {}, opts.registry ?? IN_TREE_PLUGINS, handle);
    this.profiles = new Map(built.profiles.map((f) => [f.profileName, f]));
    this.percentageOfNodesToScore = built.percentageOfNodesToScore;
    const events = new Map<string, readonly ClusterEvent[] | undefined>();
    for (const fw of built.profiles) {
      fw.setNominatedPods((node) => this.nominator.podsOn(node));
      for (const p of fw.allPlugins()) events.set(p.name, p.events as readonly ClusterEvent[] | undefined);
    }
    this.queue = opts.queue ?? new SchedulingQueue();
    this.queue.setEventRegistrations((plugin) => events.get(plugin));
    this.recorder = ctx.recorder('default-scheduler');
    this.pods = ctx.informers.for<Pod>(PODS);
    this.pods.addEventHandler({
      onAdd: (p) => this.podChanged(undefined, p),
      onUpdate: (old, p) => this.podChanged(old, p),
      onDelete: (p) => this.podDeleted(p),
    });
    ctx.informers.for<Node>(NODES).addEventHandler({
      onAdd: (n) => {
        this.cache.addOrUpdateNode(n);
        this.queue.onClusterEvent('NodeAdd');
      },
      onUpdate: (old, n) => {
        this.cache.addOrUpdateNode(n);
        for (const e of nodeUpdateEvents(old, n)) this.queue.onClusterEvent(e);
      },
      onDelete: (n) => this.cache.removeNode(n.metadata!.name!),
    });
    const pdbChanged = () => this.queue.onClusterEvent('PodDisruptionBudgetChange');
    handle.pdbs.addEventHandler({ onAdd: pdbChanged, onUpdate: pdbChanged, onDelete: pdbChanged } as { onAdd(p: PodDisruptionBudget): void });
  }

  private responsibleFor(p: Pod): boolean {
    return this.profiles.has(p.spec?.schedulerName ?? 'default-scheduler');
  }

  private podChanged(old: Pod | undefined, p: Pod): void {
    if (p.spec?.nodeName) {
      this.nominator.remove(p);
      if (old && !old.spec?.nodeName) this.queue.delete(p);
      if (isTerminal(p)) {
        // A finished pod frees its node's resources.
        this.cache.removePod(p);
      } else this.cache.addOrUpdatePod(p);
      if (!old || !old.spec?.nodeName) this.queue.onClusterEvent('AssignedPodAdd');
      else for (const e of assignedPodUpdateEvents(old, p)) this.queue.onClusterEvent(e);
      return;
    }
    if (!this.responsibleFor(p) || p.metadata?.deletionTimestamp || isTerminal(p)) {
      this.nominator.remove(p);
      return;
    }
    this.nominator.observe(p, old);
    if (this.cache.isAssumed(p)) return; // bound by us; the informer has not caught up yet
    if (old) this.queue.update(p);
    else this.queue.add(p);
  }

  private podDeleted(p: Pod): void {
    this.nominator.remove(p);
    if (p.spec?.nodeName || this.cache.isAssumed(p)) {
      this.cache.removePod(p);
      this.queue.onClusterEvent('AssignedPodDelete');
    } else this.queue.delete(p);
  }

  async start(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.close(), { once: true });
    const unwatch = schedulerMetrics.watchQueue(this.queue);
    if (!(await this.ctx.informers.waitForCacheSync(signal))) return unwatch();
    const housekeeping = setInterval(() => {
      this.queue.flushUnschedulable();
      this.cache.cleanupExpired();
    }, 30_000);
    try {
      for (;;) {
        const qp = await this.queue.pop();
        if (!qp) break;
        const started = performance.now();
        let result: AttemptResult = 'error';
        try {
          result = this.scheduleOne(qp);
        } catch (e) {
          this.stats.errors++;
          this.ctx.logger.error({ pod: qp.key, err: e }, 'scheduling attempt failed');
          this.queue.addBackoff(qp);
        }
        schedulerMetrics.attempt(result, qp.pod.spec?.schedulerName ?? 'default-scheduler', (performance.now() - started) / 1000);
      }
    } finally {
      clearInterval(housekeeping);
      unwatch();
      await Promise.allSettled([...this.inFlight]);
    }
  }

  /** One scheduling cycle (synchronous: binding and preemption's API calls go on in the background). */
  scheduleOne(qp: QueuedPod): AttemptResult {
    const pod = this.pods.store.get(qp.key) ?? qp.pod;
    if (pod.spec?.nodeName || pod.metadata?.deletionTimestamp) {
      this.queue.done(qp.key);
      return 'scheduled';
    }
    const fw = this.profiles.get(pod.spec?.schedulerName ?? 'default-scheduler')!;
    const cycle = this.queue.currentSchedulingCycle;
    const state = new CycleState();
    const snapshot = this.cache.snapshot();
    const fit = findNodesThatFit(fw, state, pod, snapshot, this.nextStartIndex, this.percentageOfNodesToScore);
    this.nextStartIndex = fit.nextStartIndex;
    if (fit.feasible.length === 0) {
      this.unschedulable(fw, state, pod, qp, cycle, fit.failures, snapshot);
      return 'unschedulable';
    }
    const nodeName =
      fit.feasible.length === 1 ? fit.feasible[0]!.node.metadata!.name! : selectHost(fw.runScore(state, pod, fit.feasible, snapshot))!;
    this.cache.assume(pod, nodeName);
    const reserved = fw.runReserve(state, pod, nodeName);
    if (reserved.code !== 'Success') {
      this.cache.forget(pod);
      this.stats.errors++;
      this.recorder.event(pod, 'Warning', 'FailedScheduling', `running Reserve plugin "${reserved.plugin}": ${reserved.reasons.join(', ')}`);
      this.queue.addBackoff(qp);
      return 'error';
    }
    this.nominator.remove(pod);
    this.queue.done(qp.key);
    this.background(this.bind(fw, state, pod, nodeName, qp));
    return 'scheduled';
  }

  /** No node fits: try preemption, then tell the pod why (event, condition) and park it. */
  private unschedulable(fw: Framework, state: CycleState, pod: Pod, qp: QueuedPod, cycle: number, failures: Map<string, Status>, snapshot: Snapshot): void {
    const numNodes = snapshot.nodeInfos().length;
    this.stats.unschedulable++;
    const rejecting = new Set<string>();
    for (const s of failures.values()) if (s.plugin) rejecting.add(s.plugin);
    let message = numNodes === 0 ? 'no nodes available to schedule pods' : fitErrorMessage(numNodes, failures);
    let nominatedNodeName: string | undefined;
    if (numNodes > 0) {
      const pf = fw.runPostFilter(state, pod, failures, snapshot);
      if (pf) {
        // A preemptor waits for its victims to go: their deletion must move it back.
        if (pf.nominatedNodeName && pf.status.plugin) rejecting.add(pf.status.plugin);
        nominatedNodeName = pf.nominatedNodeName;
        if (pf.status.code !== 'Success' && pf.status.reasons.length) message += ` ${pf.status.reasons.join(', ')}.`;
        if (pf.status.code === 'Success' && pf.nominatedNodeName) this.preempt(pod, pf.nominatedNodeName, pf.victims ?? [], pf.clearNomination ?? []);
      }
    }
    if (nominatedNodeName !== undefined) this.nominator.nominate(pod, nominatedNodeName);
    this.recorder.event(pod, 'Warning', 'FailedScheduling', message);
    this.background(setUnschedulable(this.ctx.client, this.ctx.logger, pod, { message, nominatedNodeName }));
    this.queue.addUnschedulable({ ...qp, pod, unschedulablePlugins: rejecting }, cycle);
  }

  /** Evicts the victims in the background (upstream's async preemption); the pod waits for them to go. */
  private preempt(pod: Pod, nodeName: string, victims: Pod[], lowerNominated: Pod[]): void {
    this.stats.preemptions++;
    schedulerMetrics.preempted(victims.length);
    this.ctx.logger.debug({ pod: podKey(pod), node: nodeName, victims: victims.map(podKey) }, 'preempting');
    for (const p of lowerNominated) this.nominator.remove(p);
    const work = async () => {
      await clearNomination(this.ctx.client, lowerNominated);
      await Promise.all(victims.map((v) => preemptVictim(this.ctx.client, this.recorder, pod, v, nodeName)));
    };
    this.background(
      work().catch((e) => {
        this.stats.errors++;
        this.ctx.logger.error({ pod: podKey(pod), node: nodeName, err: e }, 'preemption failed');
      }),
    );
  }

  private background(p: Promise<void>): void {
    const tracked = p.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** The Bind plugins in the background; on failure the reservation and the assumption are undone. */
  private async bind(fw: Framework, state: CycleState, pod: Pod, nodeName: string, qp: QueuedPod): Promise<void> {
    const ns = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    let failure: unknown;
    try {
      const s = await fw.runBind(state, pod, nodeName);
      if (s.code !== 'Success') failure = new Error(`running Bind plugin "${s.plugin ?? ''}": ${s.reasons.join(', ')}`);
    } catch (e) {
      failure = e;
    }
    if (failure === undefined) {
      this.stats.scheduled++;
      schedulerMetrics.scheduled(qp.attempts, (Date.now() - qp.initialAttemptAt) / 1000);
      this.recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${nodeName}`);
      return;
    }
    fw.runUnreserve(state, pod, nodeName);
    this.cache.forget(pod);
    if (isNotFound(failure)) return; // the pod went away meanwhile
    if (isConflict(failure)) return; // already bound (by another scheduler): the informer will say where
    this.stats.errors++;
    this.ctx.logger.debug({ pod: podKey(pod), node: nodeName, err: failure }, 'binding failed; retrying');
    this.recorder.event(pod, 'Warning', 'FailedScheduling', `Binding rejected: ${(failure as Error).message}`);
    this.queue.addBackoff(qp);
  }
}
