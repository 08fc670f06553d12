// The replica controller shared by ReplicaSets and ReplicationControllers (upstream's
// ReplicaSetController, which serves RCs through NewBaseController). Each sync of one owner:
// claim the active pods of its namespace (keep, adopt, release), create or delete pods to reach
// spec.replicas unless writes of an earlier sync are still unobserved (expectations), then write
// the status. Pod events are routed to the owner named by the pod's controller reference, or to
// every owner whose selector matches an orphan.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isInvalid, isNotFound } from '../../apimachinery/errors.js';
import type { Selector } from '../../apimachinery/labels.js';
import { CLAIM_INDEX, CONTROLLER_UID_INDEX, claimCandidates, controlledBy, indexByControllerUid, indexForClaim, keyOf } from '../../client/cache/indexes.js';
import { NAMESPACE_INDEX, type SharedInformer } from '../../client/cache/types.js';
import { PODS, apiVersionOf } from '../../client/resources.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Runnable } from '../../manager/index.js';
import type { ControllerContext } from '../context.js';
import { runController, type ReconcileResult } from '../run-controller.js';
import { adoptPatch, claimAction, controllerOf, releasePatch } from './claim.js';
import { Expectations } from './expectations.js';
import { desiredReplicas, minReadySeconds, type ReplicaKind, type ReplicaObject } from './kinds.js';
import { isNamespaceTerminating, PodControl } from './pod-control.js';
import { podsToDelete } from './pod-ranking.js';
import { isPodActive, podKey } from './pod-state.js';
import { ownerIdentity, type OwnerIdentity } from './pod-template.js';
import { SLOW_START_INITIAL_BATCH_SIZE, slowStartBatch } from './slow-start.js';
import { calculateStatus, nextAvailabilityCheckMs, statusNeedsUpdate, type ReplicaStatus } from './status.js';

/** upstream BurstReplicas: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 500;
/** upstream statusUpdateRetries: one fresh GET and retry after a failed status write. */
const STATUS_UPDATE_RETRIES = 1;
/** Looked at this long after a pod's availability time, so the strict comparison has passed. */
const AVAILABILITY_SLACK_MS = 20;

export interface ReplicaControllerOptions {
  workers?: number;
  /** Creates/deletes per sync (default BURST_REPLICAS). */
  burstReplicas?: number;
}

const sameLabels = (a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean => {
  const x = Object.entries(a ?? {});
  return x.length === Object.keys(b ?? {}).length && x.every(([k, v]) => b?.[k] === v);
};

const sameRef = (a: OwnerReference | undefined, b: OwnerReference | undefined): boolean =>
  a === b ||
  (!!a && !!b && a.uid === b.uid && a.name === b.name && a.kind === b.kind && a.apiVersion === b.apiVersion && !!a.blockOwnerDeletion === !!b.blockOwnerDeletion);

export class ReplicaManager<T extends ReplicaObject> implements Runnable {
  readonly name: string;
  readonly queue = new WorkQueue();
  /** Pending creates/deletes per owner key; exposed for tests. */
  readonly expectations = new Expectations();
  private readonly owners: SharedInformer<T>;
  private readonly pods: SharedInformer<Pod>;
  private readonly podControl: PodControl;
  private readonly workers: number;
  private readonly burstReplicas: number;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly kind: ReplicaKind<T>,
    opts: ReplicaControllerOptions = {},
  ) {
    this.name = kind.controllerName;
    this.workers = opts.workers ?? 5; // upstream's --concurrent-replicaset-syncs
    this.burstReplicas = opts.burstReplicas ?? BURST_REPLICAS;
    this.podControl = new PodControl(ctx.client, ctx.recorder(kind.eventComponent));
    this.owners = ctx.informers.for<T>(kind.type);
    this.pods = ctx.informers.for<Pod>(PODS);
    this.owners.addIndexers({ [CONTROLLER_UID_INDEX]: indexByControllerUid });
    this.pods.addIndexers({ [CLAIM_INDEX]: indexForClaim });
    this.owners.addEventHandler({
      onAdd: (o) => this.queue.add(keyOf(o)),
      onUpdate: (old, cur) => {
        // A delete and re-create seen as one update: the old owner's expectations must go.
        if (old.metadata?.uid !== cur.metadata?.uid) this.ownerDeleted(old);
        this.queue.add(keyOf(cur));
      },
      onDelete: (o) => this.ownerDeleted(o),
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.podAdded(p),
      onUpdate: (old, cur) => this.podUpdated(old, cur),
      onDelete: (p) => this.podDeleted(p),
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
      name: this.name.replace(/-controller$/, ''),
    });
  }

  // ---- event routing (upstream addPod / updatePod / deletePod) ----

  private ownerDeleted(owner: T): void {
    const key = keyOf(owner);
    // A new owner of the same name starts clean.
    this.expectations.delete(key);
    this.queue.add(key);
  }

  /** The owner a controller reference names, if it is of this kind and still the same object. */
  private resolve(namespace: string, ref: OwnerReference): T | undefined {
    if (ref.kind !== this.kind.type.kind) return undefined;
    const owner = this.owners.store.get(`${namespace}/${ref.name}`);
    return owner?.metadata?.uid === ref.uid ? owner : undefined;
  }

  /** Owners in the pod's namespace whose (non-empty, valid) selector matches it. */
  private ownersMatching(pod: Pod): T[] {
    const out: T[] = [];
    for (const owner of this.owners.store.byIndex(NAMESPACE_INDEX, pod.metadata?.namespace ?? '')) {
      try {
        const sel = this.kind.selector(owner);
        if (!sel.isEmpty() && sel.matches(pod.metadata?.labels)) out.push(owner);
      } catch {
        // An unparsable selector matches nothing.
      }
    }
    return out;
  }

  private podAdded(pod: Pod): void {
    // A pod already being deleted when first seen (controller restart) is no creation to count.
    if (pod.metadata?.deletionTimestamp) return this.podDeleted(pod);
    const ref = controllerOf(pod);
    if (ref) {
      const owner = this.resolve(pod.metadata?.namespace ?? '', ref);
      if (!owner) return;
      const key = keyOf(owner);
      this.expectations.creationObserved(key);
      this.queue.add(key);
      return;
    }
    // An orphan: whoever matches may adopt it. No creation is observed, nobody waits for orphans.
    for (const owner of this.ownersMatching(pod)) this.queue.add(keyOf(owner));
  }

  private podUpdated(old: Pod, cur: Pod): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelsChanged = !sameLabels(old.metadata?.labels, cur.metadata?.labels);
    if (cur.metadata?.deletionTimestamp) {
      // Graceful deletion started: count it as the deletion now, so replacements start at once.
      this.podDeleted(cur);
      if (labelsChanged) this.podDeleted(old);
      return;
    }
    const curRef = controllerOf(cur);
    const oldRef = controllerOf(old);
    const refChanged = !sameRef(curRef, oldRef);
    if (refChanged && oldRef) {
      const prev = this.resolve(old.metadata?.namespace ?? '', oldRef);
      if (prev) this.queue.add(keyOf(prev));
    }
    if (curRef) {
      // Readiness changes land here too; the sync works out when minReadySeconds will have passed.
      const owner = this.resolve(cur.metadata?.namespace ?? '', curRef);
      if (owner) this.queue.add(keyOf(owner));
      return;
    }
    if (labelsChanged || refChanged) for (const owner of this.ownersMatching(cur)) this.queue.add(keyOf(owner));
  }

  private podDeleted(pod: Pod): void {
    const ref = controllerOf(pod);
    if (!ref) return;
    const owner = this.resolve(pod.metadata?.namespace ?? '', ref);
    if (!owner) return;
    const key = keyOf(owner);
    this.expectations.deletionObserved(key, podKey(pod));
    this.queue.add(key);
  }

  // ---- sync (upstream syncReplicaSet) ----

  async reconcile(key: string): Promise<ReconcileResult> {
    const owner = this.owners.store.get(key);
    if (!owner) {
      this.expectations.delete(key);
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    let selector: Selector;
    try {
      selector = this.kind.selector(owner);
    } catch (e) {
      // The API validates selectors; an unparsable one cannot improve by retrying.
      this.ctx.logger.warn({ key, err: e }, `${this.kind.type.kind} has an invalid selector`);
      return;
    }
    const active = claimCandidates(this.pods.store, owner).filter(isPodActive);
    const pods = await this.claimPods(owner, selector, active);

    let manageError: unknown;
    if (needsSync && !owner.metadata?.deletionTimestamp) manageError = await this.manageReplicas(key, owner, pods);

    const now = Date.now();
    const status = calculateStatus(
      { replicas: desiredReplicas(owner), minReadySeconds: minReadySeconds(owner), templateLabels: owner.spec?.template?.metadata?.labels, status: owner.status },
      pods,
      manageError,
      now,
    );
    await this.updateStatus(owner, status);
    if (manageError !== undefined) throw manageError;
    const wait = nextAvailabilityCheckMs(pods, minReadySeconds(owner), now);
    return wait === undefined ? undefined : { requeueAfterMs: wait + AVAILABILITY_SLACK_MS };
  }

  private identity(owner: T): OwnerIdentity {
    return ownerIdentity(owner, apiVersionOf(this.kind.type), this.kind.type.kind);
  }

  /** The pods this owner controls after adopting and releasing (upstream ClaimPods). */
  private async claimPods(owner: T, selector: Selector, pods: Pod[]): Promise<Pod[]> {
    const controller = { uid: owner.metadata?.uid ?? '', namespace: owner.metadata?.namespace ?? '', deleting: !!owner.metadata?.deletionTimestamp };
    const claimed: Pod[] = [];
    const errors: unknown[] = [];
    let canAdopt: Promise<void> | undefined;
    for (const pod of pods) {
      const ns = pod.metadata?.namespace ?? '';
      const name = pod.metadata?.name ?? '';
      const podUid = pod.metadata?.uid ?? '';
      switch (claimAction(pod, controller, selector.matches(pod.metadata?.labels))) {
        case 'keep':
          claimed.push(pod);
          break;
        case 'adopt':
          try {
            canAdopt ??= this.recheckNotDeleted(owner);
            try {
              await canAdopt;
            } catch (e) {
              throw new Error(`can't adopt Pod ${ns}/${name} (${podUid}): ${e instanceof Error ? e.message : String(e)}`, { cause: e });
            }
            await this.podControl.patchPod(ns, name, adoptPatch(this.identity(owner), podUid));
            claimed.push(pod);
          } catch (e) {
            // A pod gone meanwhile is simply not ours; anything else retries the sync.
            if (!isNotFound(e)) errors.push(e);
          }
          break;
        case 'release':
          try {
            await this.podControl.patchPod(ns, name, releasePatch(controller.uid, podUid));
          } catch (e) {
            // Gone, or Invalid: no longer referencing us, or a different pod by that name now.
            if (!isNotFound(e) && !isInvalid(e)) errors.push(e);
          }
          break;
        case 'ignore':
          break;
      }
    }
    if (errors.length > 0) throw errors[0];
    return claimed;
  }

  /**
   * Before the first adoption, a fresh read (not the cache) that the owner is still there and
   * not being deleted, so a dying owner takes no new pods (upstream RecheckDeletionTimestamp).
   */
  private async recheckNotDeleted(owner: T): Promise<void> {
    const meta = owner.metadata;
    const fresh = await this.ctx.client.resource<T>(this.kind.type).get(meta?.namespace ?? '', meta?.name ?? '');
    if (fresh.metadata?.uid !== meta?.uid) {
      throw new Error(`original ${this.kind.type.kind} ${meta?.namespace}/${meta?.name} is gone: got uid ${fresh.metadata?.uid}, wanted ${meta?.uid}`);
    }
    if (fresh.metadata?.deletionTimestamp) {
      throw new Error(`${meta?.namespace}/${meta?.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    }
  }

  /** Creates or deletes pods toward spec.replicas; returns the first failure (upstream manageReplicas). */
  private async manageReplicas(key: string, owner: T, pods: Pod[]): Promise<unknown> {
    const diff = pods.length - desiredReplicas(owner);
    const namespace = owner.metadata?.namespace ?? '';
    if (diff < 0) {
      const count = Math.min(-diff, this.burstReplicas);
      this.ctx.logger.debug({ key, need: desiredReplicas(owner), creating: count }, 'too few replicas');
      // Recorded before the first request: the informer may show a new pod before create returns.
      this.expectations.expectCreations(key, count);
      const identity = this.identity(owner);
      const template = owner.spec?.template;
      const { successes, error } = await slowStartBatch(count, SLOW_START_INITIAL_BATCH_SIZE, async () => {
        try {
          await this.podControl.createPod(owner, identity, template, namespace);
        } catch (e) {
          // Every create fails in a terminating namespace, and its deletion removes us anyway.
          if (!isNamespaceTerminating(e)) throw e;
        }
      });
      // Creates that failed or never went out will not be observed.
      for (let i = successes; i < count; i++) this.expectations.creationObserved(key);
      return error;
    }
    if (diff > 0) {
      const count = Math.min(diff, this.burstReplicas);
      const victims = podsToDelete(pods, this.relatedPods(owner), count);
      this.ctx.logger.debug({ key, need: desiredReplicas(owner), deleting: victims.map(podKey) }, 'too many replicas');
      this.expectations.expectDeletions(key, victims.map(podKey));
      const errors: unknown[] = [];
      await Promise.all(
        victims.map(async (pod) => {
          try {
            await this.podControl.deletePod(owner, namespace, pod.metadata?.name ?? '');
          } catch (e) {
            this.expectations.deletionObserved(key, podKey(pod));
            if (!isNotFound(e)) errors.push(e);
          }
        }),
      );
      return errors[0];
    }
    return undefined;
  }

  /**
   * Pods of every owner that shares this one's controller (a Deployment's ReplicaSets), for the
   * same-node ranking of scale-down; none when the owner has no controller (upstream
   * getIndirectlyRelatedPods).
   */
  private relatedPods(owner: T): Pod[] {
    const ref = owner.metadata?.ownerReferences?.find((r) => r.controller);
    if (!ref) return [];
    const seen = new Set<string>();
    const out: Pod[] = [];
    for (const sibling of this.owners.store.byIndex(CONTROLLER_UID_INDEX, ref.uid)) {
      let sel: Selector;
      try {
        sel = this.kind.selector(sibling);
      } catch {
        continue;
      }
      for (const pod of controlledBy(this.pods.store, sibling.metadata?.uid ?? '')) {
        const uid = pod.metadata?.uid ?? keyOf(pod);
        if (seen.has(uid) || !sel.matches(pod.metadata?.labels)) continue;
        seen.add(uid);
        out.push(pod);
      }
    }
    return out;
  }

  /** Writes the status through the status subresource when it changed; one fresh retry (upstream updateReplicaSetStatus). */
  private async updateStatus(owner: T, status: ReplicaStatus): Promise<void> {
    const generation = owner.metadata?.generation;
    if (!statusNeedsUpdate(owner.status, status, generation)) return;
    // The generation this sync acted on, even when a retry reads a newer object.
    const next: ReplicaStatus = { ...status, observedGeneration: generation };
    const client = this.ctx.client.resource<T>(this.kind.type);
    let current: T = owner;
    for (let i = 0; ; i++) {
      try {
        await client.updateStatus({ ...structuredClone(current), status: next });
        return;
      } catch (e) {
        if (i >= STATUS_UPDATE_RETRIES) throw e;
        current = await client.get(owner.metadata?.namespace ?? '', owner.metadata?.name ?? '');
      }
    }
  }
}
