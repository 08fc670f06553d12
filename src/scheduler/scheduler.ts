// The scheduler: watches pending pods of its profiles and the nodes, and places one pod per
// scheduling cycle: filter (with the rotation over nodes that spreads placement), score, pick the
// best node, count the pod there at once (assume), then bind through pods/binding in the
// background so the next cycle does not wait for the API. A pod that fits nowhere gets a
// FailedScheduling event and a PodScheduled=False condition saying why per node, and waits in
// the queue until a cluster event may change the answer.
import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { isConflict, isNotFound } from '../apimachinery/errors.js';
import type { SharedInformer } from '../client/cache/types.js';
import { NODES, PODS } from '../client/resources.js';
import type { ControllerContext } from '../controllers/context.js';
import type { EventRecorder } from '../client/events/types.js';
import type { Runnable } from '../manager/index.js';
import { SchedulerCache } from './cache/cache.js';
import { CycleState, findNodesThatFit, fitErrorMessage, selectHost, type Framework } from './framework/framework.js';
import { SchedulingQueue, podKey, type QueuedPod } from './queue/scheduling-queue.js';

export interface SchedulerOptions {
  /** One framework per schedulerName. */
  profiles: Framework[];
  /** 0: adaptive, as upstream. */
  percentageOfNodesToScore?: number;
  queue?: SchedulingQueue;
}

export interface SchedulerStats {
  scheduled: number;
  unschedulable: number;
  errors: number;
}

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

export class Scheduler implements Runnable {
  readonly name = 'scheduler';
  readonly queue: SchedulingQueue;
  readonly cache = new SchedulerCache();
  readonly stats: SchedulerStats = { scheduled: 0, unschedulable: 0, errors: 0 };
  private readonly profiles: Map<string, Framework>;
  private readonly pods: SharedInformer<Pod>;
  private readonly nodes: SharedInformer<Node>;
  private readonly recorder: EventRecorder;
  private nextStartIndex = 0;
  private readonly bindings = new Set<Promise<void>>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: SchedulerOptions,
  ) {
    this.profiles = new Map(opts.profiles.map((f) => [f.profileName, f]));
    this.queue = opts.queue ?? new SchedulingQueue();
    this.recorder = ctx.recorder('default-scheduler');
    this.pods = ctx.informers.for<Pod>(PODS);
    this.nodes = ctx.informers.for<Node>(NODES);
    this.pods.addEventHandler({
      onAdd: (p) => this.podChanged(undefined, p),
      onUpdate: (old, p) => this.podChanged(old, p),
      onDelete: (p) => this.podDeleted(p),
    });
    this.nodes.addEventHandler({
      onAdd: (n) => {
        this.cache.addOrUpdateNode(n);
        this.queue.moveAllToActiveOrBackoff();
      },
      onUpdate: (_old, n) => {
        this.cache.addOrUpdateNode(n);
        this.queue.moveAllToActiveOrBackoff();
      },
      onDelete: (n) => this.cache.removeNode(n.metadata!.name!),
    });
  }

  private responsibleFor(p: Pod): boolean {
    return this.profiles.has(p.spec?.schedulerName ?? 'default-scheduler');
  }

  private podChanged(old: Pod | undefined, p: Pod): void {
    if (p.spec?.nodeName) {
      if (old && !old.spec?.nodeName) this.queue.delete(p);
      if (isTerminal(p)) {
        // A finished pod frees its node's resources.
        this.cache.removePod(p);
        this.queue.moveAllToActiveOrBackoff();
      } else this.cache.addOrUpdatePod(p);
      return;
    }
    if (!this.responsibleFor(p) || p.metadata?.deletionTimestamp || isTerminal(p)) return;
    if (this.cache.isAssumed(p)) return; // bound by us; the informer has not caught up yet
    if (old) this.queue.update(p);
    else this.queue.add(p);
  }

  private podDeleted(p: Pod): void {
    if (p.spec?.nodeName || this.cache.isAssumed(p)) {
      this.cache.removePod(p);
      this.queue.moveAllToActiveOrBackoff();
    } else this.queue.delete(p);
  }

  async start(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.queue.close(), { once: true });
    if (!(await this.ctx.informers.waitForCacheSync(signal))) return;
    const housekeeping = setInterval(() => {
      this.queue.flushUnschedulable();
      this.cache.cleanupExpired();
    }, 30_000);
    try {
      for (;;) {
        const qp = await this.queue.pop();
        if (!qp) break;
        try {
          this.scheduleOne(qp);
        } catch (e) {
          this.stats.errors++;
          this.ctx.logger.error({ pod: qp.key, err: e }, 'scheduling attempt failed');
          this.queue.addBackoff(qp);
        }
      }
    } finally {
      clearInterval(housekeeping);
      await Promise.allSettled([...this.bindings]);
    }
  }

  /** One scheduling cycle (synchronous: the binding goes on in the background). */
  scheduleOne(qp: QueuedPod): void {
    const pod = this.pods.store.get(qp.key) ?? qp.pod;
    if (pod.spec?.nodeName || pod.metadata?.deletionTimestamp) {
      this.queue.done(qp.key);
      return;
    }
    const fw = this.profiles.get(pod.spec?.schedulerName ?? 'default-scheduler')!;
    const cycle = this.queue.currentSchedulingCycle;
    const state = new CycleState();
    const snapshot = this.cache.snapshot();
    const all = snapshot.nodeInfos();
    const fit = findNodesThatFit(fw, state, pod, snapshot, this.nextStartIndex, this.opts.percentageOfNodesToScore);
    this.nextStartIndex = fit.nextStartIndex;
    if (fit.feasible.length === 0) {
      this.stats.unschedulable++;
      const message = all.length === 0 ? 'no nodes available to schedule pods' : fitErrorMessage(all.length, fit.failures);
      this.recorder.event(pod, 'Warning', 'FailedScheduling', message);
      void this.setUnschedulableCondition(pod, message);
      this.queue.addUnschedulable({ ...qp, pod }, cycle);
      return;
    }
    const nodeName =
      fit.feasible.length === 1 ? fit.feasible[0]!.node.metadata!.name! : selectHost(fw.runScore(state, pod, fit.feasible, snapshot))!;
    this.cache.assume(pod, nodeName);
    this.queue.done(qp.key);
    const binding = this.bind(pod, nodeName, qp).finally(() => this.bindings.delete(binding));
    this.bindings.add(binding);
  }

  private async bind(pod: Pod, nodeName: string, qp: QueuedPod): Promise<void> {
    const ns = pod.metadata!.namespace!;
    const name = pod.metadata!.name!;
    try {
      await this.ctx.client.request({
        method: 'POST',
        path: `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}/binding`,
        body: { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace: ns, uid: pod.metadata?.uid }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName } },
      });
      this.stats.scheduled++;
      this.recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${nodeName}`);
    } catch (e) {
      this.cache.forget(pod);
      if (isNotFound(e)) return; // the pod went away meanwhile
      if (isConflict(e)) return; // already bound (by another scheduler): the informer will say where
      this.stats.errors++;
      this.ctx.logger.debug({ pod: podKey(pod), node: nodeName, err: e }, 'binding failed; retrying');
      this.recorder.event(pod, 'Warning', 'FailedScheduling', `Binding rejected: ${(e as Error).message}`);
      this.queue.addBackoff(qp);
    }
  }

  /** PodScheduled=False, reason Unschedulable, with the message (written only when it changes). */
  private async setUnschedulableCondition(pod: Pod, message: string): Promise<void> {
    const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message) return;
    const condition: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      reason: 'Unschedulable',
      message,
      lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    try {
      await this.ctx.client
        .resource<Pod>(PODS)
        .patch(pod.metadata!.namespace!, pod.metadata!.name!, 'strategic', { status: { conditions: [condition] } }, { subresource: 'status' });
    } catch (e) {
      if (!isNotFound(e)) this.ctx.logger.debug({ pod: podKey(pod), err: e }, 'could not set PodScheduled condition');
    }
  }
}
