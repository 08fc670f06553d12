// The disruption controller (kube-controller-manager's "disruption"): keeps each
// PodDisruptionBudget's status current: the pods its selector picks in its namespace, how many
// are expected and must stay healthy, how many are, and so how many evictions the eviction
// subresource may grant. Entries evictions add to status.disruptedPods stand until the pod is
// seen being deleted or DELETION_TIMEOUT_MS passed. A sync that fails (other than a conflict)
// leaves the budget allowing nothing, with a SyncFailed condition (upstream failSafe). It also
// resets DisruptionTarget conditions left on pods whose eviction never led to a deletion.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { isConflict, isNotFound } from '../../apimachinery/errors.js';
import { keyOf, splitKey } from '../../client/cache/indexes.js';
import { NAMESPACE_INDEX, type SharedInformer } from '../../client/cache/types.js';
import type { EventRecorder } from '../../client/events/types.js';
import { PODS, POD_DISRUPTION_BUDGETS } from '../../client/resources.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Runnable } from '../../manager/index.js';
import type { ControllerContext } from '../context.js';
import { runController, type ReconcileResult } from '../run-controller.js';
import { budgetSelector, budgetsGuarding, failSafeStatus } from './budget.js';
import { ControllerFinders } from './finders.js';
import { STALE_DISRUPTION_TIMEOUT_MS, clearedDisruptionTarget, staleDisruptionWait } from './pod-conditions.js';
import { type ScaleFinder, countHealthyPods, disruptedPodMap, expectedPodCount, nextStatus } from './status.js';

/** Queue keys of pods whose DisruptionTarget condition may be stale; budget keys are plain `ns/name`. */
const POD_KEY_PREFIX = 'pod:';

export interface DisruptionControllerOptions {
  workers?: number;
  /** How long an unexplained DisruptionTarget condition stays (upstream stalePodDisruptionTimeout). */
  stalePodDisruptionTimeoutMs?: number;
  /** Overrides the controller lookup (tests). */
  findScale?: ScaleFinder;
}

export class DisruptionController implements Runnable {
  readonly name = 'disruption-controller';
  readonly queue = new WorkQueue();
  private readonly pdbs: SharedInformer<PodDisruptionBudget>;
  private readonly pods: SharedInformer<Pod>;
  private readonly findScale: ScaleFinder;
  private readonly recorder: EventRecorder;
  private readonly workers: number;
  private readonly staleTimeoutMs: number;

  constructor(
    private readonly ctx: ControllerContext,
    opts: DisruptionControllerOptions = {},
  ) {
    this.workers = opts.workers ?? 1; // upstream runs one worker
    this.staleTimeoutMs = opts.stalePodDisruptionTimeoutMs ?? STALE_DISRUPTION_TIMEOUT_MS;
    // upstream records as "controllermanager"
    this.recorder = ctx.recorder('controllermanager');
    this.pdbs = ctx.informers.for<PodDisruptionBudget>(POD_DISRUPTION_BUDGETS);
    this.pods = ctx.informers.for<Pod>(PODS);
    this.findScale = opts.findScale ?? new ControllerFinders(ctx.informers, ctx.client).find;
    this.pdbs.addEventHandler({
      onAdd: (b) => this.queue.add(keyOf(b)),
      onUpdate: (_, b) => this.queue.add(keyOf(b)),
      onDelete: (b) => this.queue.add(keyOf(b)),
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.podChanged(p),
      onUpdate: (old, cur) => {
        // A pod whose labels changed may have left a budget: that one has a pod fewer now.
        this.enqueueBudgetsOf(old, false);
        this.podChanged(cur);
      },
      onDelete: (p) => this.enqueueBudgetsOf(p, false),
    });
  }

  start(signal: AbortSignal): Promise<void> {
    return runController({
      signal,
      informers: this.ctx.informers,
      queue: this.queue,
      reconcile: (k) => this.reconcile(k),
      logger: this.ctx.logger,
      workers: this.workers,
      name: 'disruption',
    });
  }

  private podChanged(pod: Pod): void {
    this.enqueueBudgetsOf(pod, true);
    const wait = staleDisruptionWait(pod, this.staleTimeoutMs, Date.now());
    if (wait !== undefined) this.queue.addAfter(POD_KEY_PREFIX + keyOf(pod), wait);
  }

  /**
   * Every budget guarding the pod. upstream syncs only the first and warns on the pod when there
   * are more; all of them are synced here, with the same warning.
   */
  private enqueueBudgetsOf(pod: Pod, warn: boolean): void {
    const budgets = budgetsGuarding(this.pdbs.store.byIndex(NAMESPACE_INDEX, pod.metadata?.namespace ?? ''), pod);
    for (const b of budgets) this.queue.add(keyOf(b));
    if (warn && budgets.length > 1) {
      const ns = pod.metadata?.namespace ?? '';
      this.recorder.event(
        pod,
        'Warning',
        'MultiplePodDisruptionBudgets',
        `Pod ${JSON.stringify(ns)}/${JSON.stringify(pod.metadata?.name ?? '')} matches multiple PodDisruptionBudgets.  Chose ${JSON.stringify(budgets[0]!.metadata?.name ?? '')} arbitrarily.`,
      );
    }
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    if (key.startsWith(POD_KEY_PREFIX)) return this.syncStalePodDisruption(key.slice(POD_KEY_PREFIX.length));
    const pdb = this.pdbs.store.get(key);
    if (!pdb) return;
    try {
      return await this.trySync(pdb);
    } catch (e) {
      // A conflict only means the cache is behind: retry without giving the budget up.
      if (isConflict(e)) throw e;
      this.ctx.logger.warn({ key, err: e }, 'failed to sync PodDisruptionBudget');
      await this.writeStatus(pdb, failSafeStatus(pdb, e instanceof Error ? e.message : String(e)));
      return;
    }
  }

  /** The selected pods, as upstream's getPodsForPdb (an unparsable selector is an error). */
  private podsFor(pdb: PodDisruptionBudget): Pod[] {
    const sel = budgetSelector(pdb);
    if (!sel) throw new Error(`invalid label selector for PodDisruptionBudget ${keyOf(pdb)}`);
    return this.pods.store.byIndex(NAMESPACE_INDEX, pdb.metadata?.namespace ?? '').filter((p) => sel.matches(p.metadata?.labels ?? {}));
  }

  private async trySync(pdb: PodDisruptionBudget): Promise<ReconcileResult> {
    let pods: Pod[];
    try {
      pods = this.podsFor(pdb);
    } catch (e) {
      this.recorder.event(pdb, 'Warning', 'NoPods', `Failed to get pods: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
    if (pods.length === 0) this.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');

    let counts;
    try {
      counts = await expectedPodCount(pdb, pods, this.findScale);
    } catch (e) {
      this.recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
    if (counts.unmanagedPods.length > 0) {
      this.ctx.logger.debug({ pdb: keyOf(pdb), pods: counts.unmanagedPods }, 'unmanaged pods selected by a PodDisruptionBudget');
      this.recorder.event(
        pdb,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec?.selector ?? null)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    }

    const now = Date.now();
    const { disrupted, recheckAt, overdue } = disruptedPodMap(pods, pdb, now);
    for (const pod of overdue) {
      this.recorder.event(pod, 'Warning', 'NotDeleted', `Pod was expected by PDB ${keyOf(pdb)} to be deleted but it wasn't`);
    }
    const currentHealthy = countHealthyPods(pods, disrupted, now);
    const status = nextStatus(pdb, { currentHealthy, desiredHealthy: counts.desiredHealthy, expectedCount: counts.expectedCount, disrupted }, new Date(now));
    if (status) await this.writeStatus(pdb, status);
    // Looked at again when the earliest standing eviction times out.
    return recheckAt === undefined ? undefined : { requeueAfterMs: Math.max(0, recheckAt - now) };
  }

  /** One status write from the cached object; a failure goes back to the queue (upstream writePdbStatus). */
  private async writeStatus(pdb: PodDisruptionBudget, status: PodDisruptionBudgetStatus): Promise<void> {
    await this.ctx.client.resource<PodDisruptionBudget>(POD_DISRUPTION_BUDGETS).updateStatus({ ...structuredClone(pdb), status });
  }

  /** Resets a DisruptionTarget condition no deletion followed in time (upstream syncStalePodDisruption). */
  private async syncStalePodDisruption(key: string): Promise<ReconcileResult> {
    const pod = this.pods.store.get(key);
    if (!pod) return;
    const wait = staleDisruptionWait(pod, this.staleTimeoutMs, Date.now());
    if (wait === undefined) return;
    if (wait > 0) return { requeueAfterMs: wait };
    const next = clearedDisruptionTarget(pod);
    if (!next) return;
    const [namespace, name] = splitKey(key);
    try {
      await this.ctx.client.resource<Pod>(PODS).updateStatus(next);
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    this.ctx.logger.debug({ namespace, name }, 'reset stale DisruptionTarget condition to False');
  }
}
