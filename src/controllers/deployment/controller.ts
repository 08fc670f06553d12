// The Deployment controller (kube-controller-manager's deployment-controller,
// pkg/controller/deployment): keeps each Deployment's ReplicaSets in line with its template,
// strategy and size, and reports progress in its status. Reads come from the shared informers;
// one sync (DeploymentSync) writes through the client.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { semanticEqual } from '../../api/core/v1/semantic-equal.js';
import { type Selector, selectorFromLabelSelector } from '../../apimachinery/labels.js';
import { CLAIM_INDEX, claimCandidates, controlledBy, indexForClaim, keyOf } from '../../client/cache/indexes.js';
import { NAMESPACE_INDEX, type SharedInformer } from '../../client/cache/types.js';
import type { EventRecorder } from '../../client/events/types.js';
import { DEPLOYMENTS, PODS, REPLICA_SETS } from '../../client/resources.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Runnable } from '../../manager/index.js';
import type { ControllerContext } from '../context.js';
import { runController, type ReconcileResult } from '../run-controller.js';
import { claimReplicaSets, controllerOf } from './claim.js';
import { rolloutRecreate, rolloutRolling } from './rollout.js';
import { RECREATE, ROLLING_UPDATE } from './strategy.js';
import { DeploymentSync } from './sync.js';

export interface DeploymentControllerOptions {
  /** Concurrent syncs (kube-controller-manager's --concurrent-deployment-syncs, default 5). */
  workers?: number;
}

/** A Deployment's selector, or undefined when it is invalid (validation keeps those out). */
function selectorOf(d: Deployment): Selector | undefined {
  try {
    return selectorFromLabelSelector(d.spec?.selector);
  } catch {
    return undefined;
  }
}

export class DeploymentController implements Runnable {
  readonly name = 'deployment-controller';
  readonly queue = new WorkQueue();
  private readonly deployments: SharedInformer<Deployment>;
  private readonly replicaSets: SharedInformer<ReplicaSet>;
  private readonly pods: SharedInformer<Pod>;
  private readonly recorder: EventRecorder;
  private readonly workers: number;
  /** The clock conditions are stamped with (replaceable in tests). */
  now: () => number = Date.now;

  constructor(
    private readonly ctx: ControllerContext,
    opts: DeploymentControllerOptions = {},
  ) {
    this.workers = opts.workers ?? 5;
    this.recorder = ctx.recorder('deployment-controller');
    this.deployments = ctx.informers.for<Deployment>(DEPLOYMENTS);
    this.replicaSets = ctx.informers.for<ReplicaSet>(REPLICA_SETS);
    this.pods = ctx.informers.for<Pod>(PODS);
    this.replicaSets.addIndexers({ [CLAIM_INDEX]: indexForClaim });
    this.pods.addIndexers({ [CLAIM_INDEX]: indexForClaim });
    this.deployments.addEventHandler({
      onAdd: (d) => this.enqueue(d),
      onUpdate: (_old, d) => this.enqueue(d),
      onDelete: (d) => this.enqueue(d),
    });
    this.replicaSets.addEventHandler({
      onAdd: (rs) => this.addReplicaSet(rs),
      onUpdate: (old, rs) => this.updateReplicaSet(old, rs),
      onDelete: (rs) => this.deleteReplicaSet(rs),
    });
    this.pods.addEventHandler({ onDelete: (pod) => this.deletePod(pod) });
  }

  start(signal: AbortSignal): Promise<void> {
    return runController({
      signal,
      informers: this.ctx.informers,
      queue: this.queue,
      reconcile: (key) => this.reconcile(key),
      logger: this.ctx.logger,
      workers: this.workers,
      name: 'deployment',
    });
  }

  private enqueue(d: Deployment | undefined): void {
    if (d) this.queue.add(keyOf(d));
  }

  /** upstream resolveControllerRef: the Deployment a controller reference names, if it is still that one. */
  private resolve(namespace: string | undefined, ref: OwnerReference): Deployment | undefined {
    if (ref.kind !== 'Deployment') return undefined;
    const d = this.deployments.store.get(`${namespace}/${ref.name}`);
    return d?.metadata?.uid === ref.uid ? d : undefined;
  }

  /** upstream GetDeploymentsForReplicaSet: the Deployments whose (non-empty) selector matches the set. */
  private deploymentsSelecting(rs: ReplicaSet): Deployment[] {
    const labels = rs.metadata?.labels;
    if (!labels || Object.keys(labels).length === 0) return [];
    return this.deployments.store.byIndex(NAMESPACE_INDEX, rs.metadata?.namespace ?? '').filter((d) => {
      const selector = selectorOf(d);
      return !!selector && !selector.isEmpty() && selector.matches(labels);
    });
  }

  private addReplicaSet(rs: ReplicaSet): void {
    // A set already being deleted when the controller starts.
    if (rs.metadata?.deletionTimestamp) return this.deleteReplicaSet(rs);
    const ref = controllerOf(rs);
    if (ref) return this.enqueue(this.resolve(rs.metadata?.namespace, ref));
    // An orphan: every Deployment that might adopt it.
    for (const d of this.deploymentsSelecting(rs)) this.enqueue(d);
  }

  private updateReplicaSet(old: ReplicaSet, rs: ReplicaSet): void {
    if (old.metadata?.resourceVersion === rs.metadata?.resourceVersion) return;
    const ref = controllerOf(rs);
    const oldRef = controllerOf(old);
    const refChanged = !semanticEqual(ref, oldRef);
    if (refChanged && oldRef) this.enqueue(this.resolve(old.metadata?.namespace, oldRef));
    if (ref) return this.enqueue(this.resolve(rs.metadata?.namespace, ref));
    if (refChanged || !semanticEqual(old.metadata?.labels, rs.metadata?.labels)) {
      for (const d of this.deploymentsSelecting(rs)) this.enqueue(d);
    }
  }

  private deleteReplicaSet(rs: ReplicaSet): void {
    const ref = controllerOf(rs);
    if (ref) this.enqueue(this.resolve(rs.metadata?.namespace, ref));
  }

  /** The Deployment controlling the set that controls the pod. */
  private deploymentForPod(pod: Pod): Deployment | undefined {
    const ref = controllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.replicaSets.store.get(`${pod.metadata?.namespace}/${ref.name}`);
    if (!rs || rs.metadata?.uid !== ref.uid) return undefined;
    const dRef = controllerOf(rs);
    return dRef ? this.resolve(rs.metadata?.namespace, dRef) : undefined;
  }

  /** upstream deletePod: a Recreate Deployment moves on once the last of its pods is gone. */
  private deletePod(pod: Pod): void {
    const d = this.deploymentForPod(pod);
    if (!d || d.spec?.strategy?.type !== RECREATE) return;
    const selector = selectorOf(d);
    if (!selector) return;
    const owned = controlledBy(this.replicaSets.store, d.metadata?.uid ?? '');
    let pods = 0;
    for (const list of this.podMap(d, selector, owned).values()) pods += list.length;
    if (pods === 0) this.enqueue(d);
  }

  /**
   * upstream getPodMapForDeployment: the pods the Deployment selects, by the uid of the set (of
   * the given ones) controlling them. Finished pods are kept: Recreate looks at them.
   */
  private podMap(d: Deployment, selector: Selector, rsList: ReplicaSet[]): Map<string, Pod[]> {
    const map = new Map<string, Pod[]>(rsList.map((rs) => [rs.metadata!.uid!, []]));
    // Only pods controlled by these sets can land in the map: read them from the claim index.
    for (const [uid, list] of map) {
      for (const pod of controlledBy(this.pods.store, uid)) if (selector.matches(pod.metadata?.labels)) list.push(pod);
    }
    return map;
  }

  /** upstream syncDeployment. */
  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.deployments.store.get(key);
    if (!cached) return;
    const d = structuredClone(cached);
    const client = this.ctx.client;

    if (d.spec?.selector && semanticEqual(d.spec.selector, {})) {
      this.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
        await client.resource<Deployment>(DEPLOYMENTS).updateStatus({ ...d, status: { ...d.status, observedGeneration: d.metadata?.generation } });
      }
      return;
    }
    const selector = selectorOf(d);
    if (!selector) throw new Error(`deployment ${key} has invalid label selector`);

    // Sets we control (those no longer selected get released) and the orphans we may adopt.
    const candidates = claimCandidates(this.replicaSets.store, d);
    const rsList = await claimReplicaSets(client, d, selector, candidates);
    const podMap = this.podMap(d, selector, rsList);
    const s = new DeploymentSync(
      {
        client,
        recorder: this.recorder,
        logger: this.ctx.logger,
        cachedReplicaSet: (ns, name) => this.replicaSets.store.get(`${ns}/${name}`),
        now: () => this.now(),
      },
      d,
      rsList,
    );

    if (d.metadata?.deletionTimestamp) {
      await s.syncStatusOnly();
      return;
    }
    // Recorded before anything else so that a resumed rollout is never judged by paused time.
    await s.checkPausedConditions();
    if (d.spec?.paused) {
      await s.sync();
      return;
    }
    // apps/v1 has no spec.rollbackTo: `kubectl rollout undo` writes the old template instead.
    if (await s.isScalingEvent()) {
      await s.sync();
      return;
    }
    switch (d.spec?.strategy?.type) {
      case RECREATE:
        await rolloutRecreate(s, podMap);
        break;
      case ROLLING_UPDATE:
        await rolloutRolling(s);
        break;
      default:
        throw new Error(`unexpected deployment strategy type: ${d.spec?.strategy?.type}`);
    }
    return s.requeueAfterMs !== undefined ? { requeueAfterMs: s.requeueAfterMs } : undefined;
  }
}
