// The pod garbage collector (upstream's pkg/controller/podgc): every 20 s it force-deletes
//  - terminated pods beyond --terminated-pod-gc-threshold (12500), evicted then oldest first,
//  - terminating pods on not-ready nodes tainted out-of-service,
//  - pods bound to a node that no longer exists (after a 40 s quarantine and a live check),
//    first marked Failed with a DisruptionTarget condition,
//  - terminating pods never scheduled to a node.
// Force deletion is a delete with grace period 0: no kubelet is going to finish these pods.
import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../apimachinery/errors.js';
import type { SharedInformer } from '../../client/cache/types.js';
import { NODES, PODS } from '../../client/resources.js';
import { type Runnable, sleep } from '../../manager/index.js';
import type { ControllerContext } from '../context.js';
import { rfc3339 } from '../../apimachinery/time.js';
import {
  NodeQuarantine,
  terminatedPodsToDelete,
  terminatingPodsOnOutOfServiceNodes,
  unscheduledTerminatingPods,
} from './policy.js';

export interface PodGcOptions {
  /** Terminated pods kept before the oldest go (upstream's --terminated-pod-gc-threshold; 0 disables). */
  terminatedPodThreshold?: number;
  /** Time between passes (upstream's gcCheckPeriod, 20 s). */
  periodMs?: number;
  /** How long a node missing from the cache waits before the API is asked (upstream's quarantineTime, 40 s). */
  orphanQuarantineMs?: number;
}

export class PodGcController implements Runnable {
  readonly name = 'pod-garbage-collector-controller';
  private readonly pods: SharedInformer<Pod>;
  private readonly nodes: SharedInformer<Node>;
  private readonly threshold: number;
  private readonly periodMs: number;
  private readonly quarantine: NodeQuarantine;

  constructor(
    private readonly ctx: ControllerContext,
    opts: PodGcOptions = {},
  ) {
    this.pods = ctx.informers.for<Pod>(PODS);
    this.nodes = ctx.informers.for<Node>(NODES);
    this.threshold = opts.terminatedPodThreshold ?? 12_500;
    this.periodMs = opts.periodMs ?? 20_000;
    this.quarantine = new NodeQuarantine(opts.orphanQuarantineMs ?? 40_000);
  }

  async start(signal: AbortSignal): Promise<void> {
    if (signal.aborted || !(await this.ctx.informers.waitForCacheSync(signal))) return;
    while (!signal.aborted) {
      try {
        await this.gc();
      } catch (e) {
        this.ctx.logger.warn({ err: e }, 'pod garbage collection failed');
      }
      await sleep(this.periodMs, signal);
    }
  }

  /** One pass over the caches. */
  async gc(): Promise<void> {
    const pods = this.pods.store.list();
    const nodes = new Map(this.nodes.store.list().map((n) => [n.metadata?.name ?? '', n]));
    await this.forceDeleteAll(terminatedPodsToDelete(pods, this.threshold), 'terminated pod beyond the threshold');
    await this.forceDeleteAll(terminatingPodsOnOutOfServiceNodes(pods, nodes), 'terminating pod on an out-of-service node');
    await this.gcOrphaned(pods, new Set(nodes.keys()));
    await this.forceDeleteAll(unscheduledTerminatingPods(pods), 'unscheduled terminating pod');
  }

  private async gcOrphaned(pods: Pod[], known: Set<string>): Promise<void> {
    const due = this.quarantine.update(pods, known, Date.now());
    const gone = new Set<string>();
    for (const name of due) {
      this.quarantine.release(name);
      try {
        await this.ctx.client.resource<Node>(NODES).get('', name);
      } catch (e) {
        if (isNotFound(e)) gone.add(name);
        else this.ctx.logger.warn({ node: name, err: e }, 'pod gc: checking node failed');
      }
    }
    if (gone.size === 0) return;
    const condition: PodCondition = {
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'DeletionByPodGC',
      message: 'PodGC: node no longer exists',
    };
    const orphans = pods.filter((p) => gone.has(p.spec?.nodeName ?? ''));
    await this.forceDeleteAll(orphans, 'pod bound to a node that no longer exists', condition);
  }

  private async forceDeleteAll(pods: Pod[], why: string, condition?: PodCondition): Promise<void> {
    const results = await Promise.allSettled(pods.map((p) => this.markFailedAndDelete(p, why, condition)));
    for (const [i, r] of results.entries()) {
      if (r.status === 'rejected' && !isNotFound(r.reason)) {
        this.ctx.logger.warn({ pod: `${pods[i].metadata?.namespace}/${pods[i].metadata?.name}`, err: r.reason }, 'pod gc: deletion failed');
      }
    }
  }

  /**
   * A pod not yet terminal is marked Failed first (with the condition saying why): no kubelet will
   * ever move a pod of a gone node out of Running. Then it is deleted with grace 0.
   */
  private async markFailedAndDelete(pod: Pod, why: string, condition?: PodCondition): Promise<void> {
    const namespace = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const uid = pod.metadata?.uid;
    const pods = this.ctx.client.resource<Pod>(PODS);
    this.ctx.logger.info({ pod: `${namespace}/${name}`, reason: why }, 'pod gc: force deleting pod');
    const phase = pod.status?.phase;
    if (phase !== 'Succeeded' && phase !== 'Failed') {
      const status: Record<string, unknown> = { phase: 'Failed' };
      if (condition) status.conditions = [{ ...condition, lastTransitionTime: rfc3339() }];
      await pods.patch(namespace, name, 'strategic', { metadata: { uid }, status }, { subresource: 'status' });
    }
    await pods.delete(namespace, name, { gracePeriodSeconds: 0, preconditions: uid ? { uid } : undefined });
  }
}
