// One sync of one Deployment against the API (upstream sync.go): finding or creating the new
// ReplicaSet and keeping revisions in step, scaling sets with the ScalingReplicaSet event,
// cleaning up old revisions, and writing status. Every write's result replaces the local copy, so
// that later steps of the same sync build on what they just wrote instead of a stale cache.
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { isAlreadyExists, isNotFound, isStatusError } from '../../apimachinery/errors.js';
import { DEPLOYMENTS, REPLICA_SETS } from '../../client/resources.js';
import type { EventRecorder } from '../../client/events/types.js';
import type { Client } from '../../client/types.js';
import type { Logger } from '../../logging/index.js';
import {
  desiredReplicasAnnotation,
  maxRevision,
  REVISION_ANNOTATION,
  replicasAnnotationsNeedUpdate,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from './annotations.js';
import { deploymentControllerRef } from './claim.js';
import {
  calculateStatus,
  compactStatus,
  FAILED_RS_CREATE_REASON,
  FOUND_NEW_RS_REASON,
  getCondition,
  hasProgressDeadline,
  NEW_REPLICA_SET_REASON,
  newCondition,
  PAUSED_DEPLOY_REASON,
  PROGRESSING,
  RESUMED_DEPLOY_REASON,
  rolloutStatus,
  setCondition,
  statusEqual,
  stuckDeploymentCheckMs,
  TIMED_OUT_REASON,
} from './conditions.js';
import { computeHash } from './hash.js';
import { equalIgnoreHash, filterActive, findNewReplicaSet, findOldReplicaSets, POD_TEMPLATE_HASH_LABEL } from './replicasets.js';
import { planCleanup, planScale } from './scaling.js';
import { desiredReplicas, maxSurge, newRSNewReplicas } from './strategy.js';

export interface SyncDeps {
  client: Client;
  recorder: EventRecorder;
  logger: Logger;
  /** The ReplicaSet cache (for a set that already exists under the new set's name). */
  cachedReplicaSet(namespace: string, name: string): ReplicaSet | undefined;
  now(): number;
}

type MutableRS = ReplicaSet & { metadata: NonNullable<ReplicaSet['metadata']> };

export class DeploymentSync {
  /** When to sync again for a progress-deadline check (set by syncRolloutStatus). */
  requeueAfterMs: number | undefined;

  constructor(
    private readonly deps: SyncDeps,
    /** A private copy of the Deployment; status and revision changes go here before being written. */
    readonly d: Deployment,
    /** The Deployment's ReplicaSets (claimed), kept current with this sync's writes. */
    private readonly rsList: ReplicaSet[],
  ) {}

  private get ns(): string {
    return this.d.metadata!.namespace!;
  }

  private replace(rs: ReplicaSet): ReplicaSet {
    const i = this.rsList.findIndex((x) => x.metadata?.uid === rs.metadata?.uid);
    if (i >= 0) this.rsList[i] = rs;
    else this.rsList.push(rs);
    return rs;
  }

  /**
   * Writes the Deployment's status (and its revision annotation, which upstream's status
   * subresource accepts since only spec and labels are reset there).
   */
  async writeStatus(): Promise<void> {
    const deployments = this.deps.client.resource<Deployment>(DEPLOYMENTS);
    const written = await deployments.updateStatus({ ...this.d, status: compactStatus(this.d.status ?? {}) });
    Object.assign(this.d.metadata!, { resourceVersion: written.metadata?.resourceVersion });
  }

  /**
   * upstream getAllReplicaSetsAndSyncRevision: the new set (created when asked and missing) with
   * its revision brought up to max(old) + 1, and all old sets.
   */
  async newAndOld(createIfMissing: boolean): Promise<{ newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] }> {
    const oldRSs = findOldReplicaSets(this.d.spec?.template, this.rsList).all;
    const newRS = await this.getNewReplicaSet(oldRSs, createIfMissing);
    return { newRS, oldRSs };
  }

  private async getNewReplicaSet(oldRSs: ReplicaSet[], createIfMissing: boolean): Promise<ReplicaSet | undefined> {
    const d = this.d;
    const existing = findNewReplicaSet(d.spec?.template, this.rsList);
    const newRevision = String(maxRevision(oldRSs) + 1);
    if (existing) {
      const copy = structuredClone(existing) as MutableRS;
      const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      if (annotationsUpdated || (copy.spec!.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0)) {
        copy.spec!.minReadySeconds = d.spec?.minReadySeconds;
        // upstream returns here; the Deployment's revision follows on the next sync.
        return this.replace(await this.deps.client.resource<ReplicaSet>(REPLICA_SETS).update(copy));
      }
      let needsUpdate = setDeploymentRevision(d, copy.metadata.annotations?.[REVISION_ANNOTATION] ?? '');
      if (hasProgressDeadline(d) && !getCondition(d.status, PROGRESSING)) {
        const msg = `Found new replica set "${copy.metadata.name}"`;
        setCondition((d.status ??= {}), newCondition(PROGRESSING, 'True', FOUND_NEW_RS_REASON, msg, this.deps.now()));
        needsUpdate = true;
      }
      if (needsUpdate) await this.writeStatus();
      return copy;
    }
    if (!createIfMissing) return undefined;
    return this.createNewReplicaSet(oldRSs, newRevision);
  }

  private async createNewReplicaSet(oldRSs: ReplicaSet[], newRevision: string): Promise<ReplicaSet> {
    const d = this.d;
    const template = structuredClone(d.spec!.template);
    const hash = computeHash(template, d.status?.collisionCount);
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash } };
    const selector = structuredClone(d.spec!.selector);
    selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
    const name = `${d.metadata!.name}-${hash}`;
    const rs: MutableRS = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      // A deterministic name makes creation idempotent.
      metadata: { name, namespace: this.ns, ownerReferences: [deploymentControllerRef(d)], labels: template.metadata.labels },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds, selector, template },
    };
    const replicas = newRSNewReplicas(d, [...oldRSs, rs], rs);
    rs.spec!.replicas = replicas;
    setNewReplicaSetAnnotations(d, rs, newRevision, false);

    let created: ReplicaSet;
    let alreadyExists = false;
    try {
      created = await this.deps.client.resource<ReplicaSet>(REPLICA_SETS).create(rs);
    } catch (e) {
      if (isAlreadyExists(e)) {
        // A slow cache, or a hash collision: ours if we control it and it runs our template.
        const found = this.deps.cachedReplicaSet(this.ns, name) ?? (await this.getReplicaSet(name));
        const ref = found?.metadata?.ownerReferences?.find((r) => r.controller);
        if (found && ref?.uid === d.metadata?.uid && equalIgnoreHash(d.spec?.template, found.spec?.template)) {
          created = found;
          alreadyExists = true;
        } else {
          // Someone else's set took the name: bump collisionCount so the next sync hashes differently.
          const status = (d.status ??= {});
          const before = status.collisionCount ?? 0;
          status.collisionCount = (status.collisionCount ?? 0) + 1;
          try {
            await this.writeStatus();
            this.deps.logger.info({ deployment: `${this.ns}/${d.metadata!.name}`, before, after: status.collisionCount }, 'hash collision; bumped collisionCount');
          } catch {
            // The original error is what matters; the sync is retried.
          }
          throw e;
        }
      } else if (isStatusError(e) && (e.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating')) {
        throw e;
      } else {
        const msg = `Failed to create new replica set "${name}": ${(e as Error).message}`;
        if (hasProgressDeadline(d)) {
          setCondition((d.status ??= {}), newCondition(PROGRESSING, 'False', FAILED_RS_CREATE_REASON, msg, this.deps.now()));
          await this.writeStatus().catch(() => undefined);
        }
        this.deps.recorder.event(d, 'Warning', FAILED_RS_CREATE_REASON, msg);
        throw e;
      }
    }
    if (!alreadyExists && replicas > 0) {
      this.deps.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata!.name} from 0 to ${replicas}`);
    }
    let needsUpdate = setDeploymentRevision(d, newRevision);
    if (!alreadyExists && hasProgressDeadline(d)) {
      const msg = `Created new replica set "${created.metadata!.name}"`;
      setCondition((d.status ??= {}), newCondition(PROGRESSING, 'True', NEW_REPLICA_SET_REASON, msg, this.deps.now()));
      needsUpdate = true;
    }
    this.replace(created);
    if (needsUpdate) await this.writeStatus();
    return created;
  }

  private async getReplicaSet(name: string): Promise<ReplicaSet | undefined> {
    try {
      return await this.deps.client.resource<ReplicaSet>(REPLICA_SETS).get(this.ns, name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /**
   * upstream scaleReplicaSet: writes the new size and the Deployment's current size into the RS's
   * replica annotations; the ScalingReplicaSet event only when the size changed.
   */
  async scaleReplicaSet(rs: ReplicaSet, replicas: number, operation: string): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const d = this.d;
    const desired = desiredReplicas(d);
    const max = desired + maxSurge(d);
    const from = rs.spec?.replicas ?? 0;
    const sizeNeedsUpdate = from !== replicas;
    if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, desired, max)) return { scaled: false, rs };
    const copy = structuredClone(rs);
    copy.spec!.replicas = replicas;
    setReplicasAnnotations(copy, desired, max);
    const updated = this.replace(await this.deps.client.resource<ReplicaSet>(REPLICA_SETS).update(copy));
    if (sizeNeedsUpdate) {
      this.deps.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${updated.metadata!.name} from ${from} to ${replicas}`);
    }
    return { scaled: sizeNeedsUpdate, rs: updated };
  }

  /** upstream scaleReplicaSetAndRecordEvent: nothing at all when the size stays. */
  async scaleAndRecord(rs: ReplicaSet, replicas: number): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const from = rs.spec?.replicas ?? 0;
    if (from === replicas) return { scaled: false, rs };
    return this.scaleReplicaSet(rs, replicas, from < replicas ? 'up' : 'down');
  }

  /** The latest copy of a set this sync knows. */
  current(rs: ReplicaSet): ReplicaSet {
    return this.rsList.find((x) => x.metadata?.uid === rs.metadata?.uid) ?? rs;
  }

  /** upstream scale: proportional scaling for scaling events and paused Deployments. */
  async scale(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    for (const step of planScale(this.d, newRS, oldRSs)) {
      await this.scaleReplicaSet(this.current(step.rs), step.replicas, step.operation);
    }
  }

  /** upstream isScalingEvent: an active set records a Deployment size other than spec.replicas. */
  async isScalingEvent(): Promise<boolean> {
    const { newRS, oldRSs } = await this.newAndOld(false);
    return filterActive([...oldRSs, newRS].map((rs) => rs && this.current(rs))).some((rs) => {
      const desired = desiredReplicasAnnotation(rs);
      return desired !== undefined && desired !== desiredReplicas(this.d);
    });
  }

  /** upstream cleanupDeployment: deletes old sets beyond revisionHistoryLimit. */
  async cleanup(oldRSs: ReplicaSet[]): Promise<void> {
    for (const rs of planCleanup(this.d, oldRSs.map((x) => this.current(x)))) {
      try {
        await this.deps.client.resource<ReplicaSet>(REPLICA_SETS).delete(this.ns, rs.metadata!.name!, {
          preconditions: { uid: rs.metadata!.uid },
        });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  private async writeIfChanged(status: DeploymentStatus): Promise<boolean> {
    if (statusEqual(this.d.status, status)) return false;
    this.d.status = status;
    await this.writeStatus();
    return true;
  }

  /** upstream syncDeploymentStatus: counts and Available; Progressing left as it is. */
  async syncDeploymentStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
    const fresh = allRSs.map((rs) => rs && this.current(rs));
    await this.writeIfChanged(calculateStatus(fresh, newRS && this.current(newRS), this.d, this.deps.now()));
  }

  /**
   * upstream syncRolloutStatus: status with the Progressing condition estimated; when nothing
   * changed, a later look is planned for the progress deadline.
   */
  async syncRolloutStatus(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
    const fresh = allRSs.map((rs) => rs && this.current(rs));
    const now = this.deps.now();
    const status = rolloutStatus(fresh, newRS && this.current(newRS), this.d, now);
    if (await this.writeIfChanged(status)) return;
    const after = stuckDeploymentCheckMs(this.d, status, now);
    // Under a second from the deadline upstream requeues rate-limited; a short delay does the same.
    if (after !== undefined) this.requeueAfterMs = after === 0 ? 100 : after + 1000;
  }

  /**
   * upstream checkPausedConditions: pausing and resuming are recorded in the Progressing condition
   * (Unknown), so that time spent paused never counts against the progress deadline.
   */
  async checkPausedConditions(): Promise<void> {
    const d = this.d;
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, PROGRESSING);
    if (cond?.reason === TIMED_OUT_REASON) return;
    const pausedCondExists = cond?.reason === PAUSED_DEPLOY_REASON;
    let condition: DeploymentCondition | undefined;
    if (d.spec?.paused && !pausedCondExists) {
      condition = newCondition(PROGRESSING, 'Unknown', PAUSED_DEPLOY_REASON, 'Deployment is paused', this.deps.now());
    } else if (!d.spec?.paused && pausedCondExists) {
      condition = newCondition(PROGRESSING, 'Unknown', RESUMED_DEPLOY_REASON, 'Deployment is resumed', this.deps.now());
    }
    if (!condition) return;
    setCondition((d.status ??= {}), condition);
    await this.writeStatus();
  }

  /** upstream sync: scaling events and paused Deployments; no rollout progress. */
  async sync(): Promise<void> {
    const { newRS, oldRSs } = await this.newAndOld(false);
    await this.scale(newRS, oldRSs);
    if (this.d.spec?.paused) await this.cleanup(oldRSs);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS);
  }

  /** upstream syncStatusOnly: for a Deployment being deleted. */
  async syncStatusOnly(): Promise<void> {
    const { newRS, oldRSs } = await this.newAndOld(false);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS);
  }
}
