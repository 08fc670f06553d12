// NoExecute taint eviction (upstream's pkg/controller/tainteviction): a pod on a node with a
// NoExecute taint it does not tolerate is deleted at once; a pod tolerating every such taint for
// a limited time (tolerationSeconds) is deleted once the shortest of those times has passed since
// the eviction was scheduled; tolerating them forever, or the taints going away, cancels it.
// Deleted pods first get the DisruptionTarget condition saying why.
import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { semanticEqual } from '../../api/core/v1/semantic-equal.js';
import { isNotFound } from '../../apimachinery/errors.js';
import { rfc3339 } from '../../apimachinery/time.js';
import { NODE_NAME_INDEX, indexPodByNode, keyOf, splitKey } from '../../client/cache/indexes.js';
import type { SharedInformer } from '../../client/cache/types.js';
import type { EventRecorder } from '../../client/events/types.js';
import { NODES, PODS } from '../../client/resources.js';
import type { Runnable } from '../../manager/index.js';
import { toleratesTaint } from '../../scheduler/plugins/helper/taints.js';
import type { ControllerContext } from '../context.js';

/** upstream's retries of one deletion, 10 ms apart. */
const DELETE_ATTEMPTS = 5;
/** setTimeout's longest delay; longer waits are taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const noExecuteTaints = (taints: readonly Taint[] | undefined): Taint[] => (taints ?? []).filter((t) => t.effect === 'NoExecute');

/**
 * Whether every taint is tolerated, and the tolerations used (the first tolerating each taint),
 * as upstream's GetMatchingTolerations.
 */
export function matchingTolerations(taints: readonly Taint[], tolerations: readonly Toleration[] | undefined): { allTolerated: boolean; used: Toleration[] } {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = (tolerations ?? []).find((x) => toleratesTaint(x, taint));
    if (!t) return { allTolerated: false, used: [] };
    used.push(t);
  }
  return { allTolerated: true, used };
}

/**
 * How long the pod may stay, in ms: the smallest tolerationSeconds (0 or less: not at all), -1 when
 * no used toleration limits it (forever). upstream's getMinTolerationTime.
 */
export function minTolerationMs(used: readonly Toleration[]): number {
  if (!used.length) return 0;
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Infinity ? -1 : min * 1000;
}

interface Work {
  createdAt: number;
  fireAt: number;
  timer?: NodeJS.Timeout;
  /** The deletion ran: kept so the pod is not deleted again until it is gone. */
  done?: boolean;
}

export interface TaintEvictionOptions {
  now?: () => number;
}

export class TaintEvictionController implements Runnable {
  readonly name = 'taint-eviction-controller';
  private readonly pods: SharedInformer<Pod>;
  private readonly nodes: SharedInformer<Node>;
  private readonly recorder: EventRecorder;
  private readonly now: () => number;
  /** NoExecute taints of the nodes that have any. */
  private readonly tainted = new Map<string, Taint[]>();
  private readonly work = new Map<string, Work>();
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;

  constructor(
    private readonly ctx: ControllerContext,
    opts: TaintEvictionOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.recorder = ctx.recorder('taint-eviction-controller');
    this.pods = ctx.informers.for<Pod>(PODS);
    this.pods.addIndexers({ [NODE_NAME_INDEX]: indexPodByNode });
    this.nodes = ctx.informers.for<Node>(NODES);
    this.nodes.addEventHandler({
      onAdd: (n) => this.running && this.nodeChanged(n.metadata?.name ?? ''),
      onUpdate: (o, n) => {
        if (this.running && !semanticEqual(noExecuteTaints(o.spec?.taints), noExecuteTaints(n.spec?.taints))) this.nodeChanged(n.metadata?.name ?? '');
      },
      onDelete: (n) => this.running && this.nodeChanged(n.metadata?.name ?? ''),
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.running && this.podChanged(keyOf(p)),
      onUpdate: (o, p) => {
        if (!this.running) return;
        if (o.spec?.nodeName === p.spec?.nodeName && semanticEqual(o.spec?.tolerations, p.spec?.tolerations)) return;
        this.podChanged(keyOf(p));
      },
      onDelete: (p) => this.running && this.podChanged(keyOf(p)),
    });
  }

  async start(signal: AbortSignal): Promise<void> {
    if (signal.aborted || !(await this.ctx.informers.waitForCacheSync(signal))) return;
    this.running = true;
    for (const node of this.nodes.store.list()) this.nodeChanged(node.metadata?.name ?? '');
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    this.running = false;
    for (const w of this.work.values()) clearTimeout(w.timer);
    this.work.clear();
    await Promise.allSettled([...this.inFlight]);
  }

  /** Pods scheduled for deletion and when (ms), for tests and debugging. */
  scheduled(): Map<string, number> {
    return new Map([...this.work].filter(([, w]) => !w.done).map(([k, w]) => [k, w.fireAt]));
  }

  private nodeChanged(name: string): void {
    const node = this.nodes.store.get(name);
    const taints = noExecuteTaints(node?.spec?.taints);
    if (taints.length) this.tainted.set(name, taints);
    else this.tainted.delete(name);
    const pods = this.pods.store.byIndex(NODE_NAME_INDEX, name);
    if (!taints.length) {
      for (const p of pods) this.cancel(keyOf(p));
      return;
    }
    const now = this.now();
    for (const p of pods) this.processPod(keyOf(p), p.spec?.tolerations, taints, now);
  }

  private podChanged(key: string): void {
    const pod = this.pods.store.get(key);
    if (!pod) {
      this.cancel(key);
      // Gone: a later pod of the same name may be evicted again.
      this.work.delete(key);
      return;
    }
    const taints = this.tainted.get(pod.spec?.nodeName ?? '');
    if (!pod.spec?.nodeName || !taints) return;
    this.processPod(key, pod.spec.tolerations, taints, this.now());
  }

  private processPod(key: string, tolerations: Toleration[] | undefined, taints: Taint[], now: number): void {
    const { allTolerated, used } = matchingTolerations(taints, tolerations);
    if (!allTolerated) {
      this.cancel(key);
      this.schedule(key, now, now);
      return;
    }
    const min = minTolerationMs(used);
    if (min < 0) {
      this.cancel(key);
      return;
    }
    let start = now;
    const existing = this.work.get(key);
    if (existing) {
      if (existing.done) return;
      // A scheduled eviction keeps its start: new taints do not restart the clock.
      start = existing.createdAt;
      if (start + min < now + min) return;
      this.cancel(key);
    }
    this.schedule(key, start, now + min);
  }

  private schedule(key: string, createdAt: number, fireAt: number): void {
    if (this.work.has(key)) return;
    const w: Work = { createdAt, fireAt };
    this.work.set(key, w);
    const arm = () => {
      const wait = w.fireAt - this.now();
      if (wait > MAX_TIMER_MS) {
        w.timer = setTimeout(arm, MAX_TIMER_MS);
        return;
      }
      w.timer = setTimeout(() => this.fire(key, w), Math.max(0, wait));
    };
    arm();
  }

  /** Cancels a scheduled eviction (with an event saying so); true when there was one. */
  private cancel(key: string): boolean {
    const w = this.work.get(key);
    if (!w || w.done) return false;
    clearTimeout(w.timer);
    this.work.delete(key);
    const [namespace, name] = splitKey(key);
    this.recorder.event(podRef(namespace, name), 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
    return true;
  }

  private fire(key: string, w: Work): void {
    if (this.work.get(key) !== w || !this.running) return;
    w.done = true;
    const [namespace, name] = splitKey(key);
    this.ctx.logger.info({ pod: key, controller: this.name }, 'deleting pod');
    this.recorder.event(podRef(namespace, name), 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    const p = this.deletePod(namespace, name)
      .catch((e) => {
        this.ctx.logger.warn({ pod: key, err: e }, 'taint eviction: deleting the pod failed');
        // Let a later change try again.
        if (this.work.get(key) === w) this.work.delete(key);
      })
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private async deletePod(namespace: string, name: string): Promise<void> {
    const pods = this.ctx.client.resource<Pod>(PODS);
    let last: unknown;
    for (let i = 0; i < DELETE_ATTEMPTS; i++) {
      try {
        const pod = await pods.get(namespace, name);
        const has = pod.status?.conditions?.some((c) => c.type === 'DisruptionTarget' && c.status === 'True' && c.reason === 'DeletionByTaintManager');
        if (!has) {
          const condition = {
            type: 'DisruptionTarget',
            status: 'True',
            reason: 'DeletionByTaintManager',
            message: 'Taint manager: deleting due to NoExecute taint',
            lastTransitionTime: rfc3339(new Date(this.now())),
          };
          await pods.patch(namespace, name, 'strategic', { metadata: { uid: pod.metadata?.uid }, status: { conditions: [condition] } }, { subresource: 'status' });
        }
        await pods.delete(namespace, name, { preconditions: { uid: pod.metadata?.uid } });
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        last = e;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    throw last;
  }
}

const podRef = (namespace: string, name: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name } });
