// The garbage collector (upstream's pkg/controller/garbagecollector): watches the metadata of every
// resource that can be listed, watched and deleted, keeps the graph of owners and dependents, and
//  - deletes objects whose owners are all gone (after asking the API: caches lag),
//  - drops references to gone owners from objects that keep another owner,
//  - finishes foreground deletions: deletes the dependents, then removes `foregroundDeletion`
//    once no dependent with blockOwnerDeletion remains,
//  - finishes orphan deletions: removes the references to the owner, then the `orphan` finalizer.
// Work is a queue of uids; discovery runs again every 30 s so custom resources join in.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isConflict, isNotFound } from '../../apimachinery/errors.js';
import { discoverResources, isDeletable } from '../../client/discovery.js';
import type { SharedInformer } from '../../client/cache/types.js';
import { apiVersionOf } from '../../client/resources.js';
import type { KubeObject, PartialObjectMetadata, ResourceType } from '../../client/types.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Runnable } from '../../manager/index.js';
import type { ControllerContext } from '../context.js';
import { runController, type ReconcileResult } from '../run-controller.js';
import {
  AbsentOwnerCache,
  classifyReferences,
  type OwnerLookup,
  ownerReferencesPatch,
  planFor,
  type Propagation,
  removeFinalizerPatch,
  unblockedReferences,
  withoutReferences,
} from './decisions.js';
import { DependencyGraph, FOREGROUND_FINALIZER, type GraphNode, type ObjectIdentity, ORPHAN_FINALIZER } from './graph.js';
import { ResourceMapper } from './rest-mapper.js';

export interface GarbageCollectorOptions {
  /** Concurrent uids worked on (upstream's --concurrent-gc-syncs, default 20). */
  workers?: number;
  /** How often discovery runs again to pick up new resources (default 30 s, as upstream). */
  rediscoverMs?: number;
}

/** Resources never collected (upstream's default ignored resources: events are not owned). */
const IGNORED = new Set(['/events', 'events.k8s.io/events']);
/** How long a test-triggered resync waits for the caches of the resources it added. */
const RESYNC_SYNC_TIMEOUT_MS = 5_000;
/** Attempts of a read-modify-write of one object's metadata before leaving it to the queue's retry. */
const PATCH_ATTEMPTS = 5;

/** An owner reference that cannot be honoured: a cluster-scoped object naming a namespaced owner. */
const INVALID = 'invalid';

class NotObservedYet extends Error {}

interface Monitor {
  type: ResourceType;
  informer: SharedInformer<PartialObjectMetadata>;
}

export class GarbageCollector implements Runnable {
  readonly name = 'garbage-collector-controller';
  readonly queue = new WorkQueue();
  readonly graph = new DependencyGraph();
  private readonly absentOwners = new AbsentOwnerCache();
  private readonly monitors = new Map<string, Monitor>();
  private mapper = new ResourceMapper([]);
  private discovering: Promise<Monitor[]> | undefined;
  private readonly workers: number;
  private readonly rediscoverMs: number;

  constructor(
    private readonly ctx: ControllerContext,
    opts: GarbageCollectorOptions = {},
  ) {
    this.workers = opts.workers ?? 20;
    this.rediscoverMs = opts.rediscoverMs ?? 30_000;
  }

  async start(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    await this.discoverLogged();
    const timer = setInterval(() => void this.discoverLogged(), this.rediscoverMs);
    try {
      await runController({
        signal,
        informers: this.ctx.informers,
        queue: this.queue,
        reconcile: (uid) => this.reconcile(uid),
        logger: this.ctx.logger,
        workers: this.workers,
        name: 'garbagecollector',
      });
    } finally {
      clearInterval(timer);
    }
  }

  /** Runs discovery now and resolves once the resources it added are cached (or after a timeout). */
  async resync(): Promise<void> {
    const added = await this.discover();
    const deadline = Date.now() + RESYNC_SYNC_TIMEOUT_MS;
    while (added.some((m) => !m.informer.hasSynced()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  /** Every resource the collector watches, as `group/resource`. */
  monitoredResources(): string[] {
    return [...this.monitors.keys()].sort();
  }

  private async discoverLogged(): Promise<void> {
    try {
      await this.discover();
    } catch (e) {
      this.ctx.logger.warn({ err: e }, 'garbage collector: discovery failed; will retry');
    }
  }

  private discover(): Promise<Monitor[]> {
    this.discovering ??= (async () => {
      const found = await discoverResources(this.ctx.client);
      this.mapper = new ResourceMapper(found);
      const added: Monitor[] = [];
      for (const r of found) {
        const id = `${r.group}/${r.resource}`;
        if (!isDeletable(r) || IGNORED.has(id) || this.monitors.has(id)) continue;
        const type: ResourceType = { group: r.group, version: r.version, resource: r.resource, kind: r.kind, namespaced: r.namespaced };
        const informer = this.ctx.informers.forMetadata(type);
        const monitor = { type, informer };
        this.monitors.set(id, monitor);
        informer.addEventHandler({
          onAdd: (obj) => this.onObserved(type, obj),
          onUpdate: (old, obj) => {
            // The same name with another uid is another object: the old one is gone.
            if (old.metadata?.uid !== obj.metadata?.uid) this.onGone(old);
            this.onObserved(type, obj);
          },
          onDelete: (obj) => this.onGone(obj),
        });
        added.push(monitor);
      }
      if (added.length) this.ctx.logger.debug({ resources: added.map((m) => m.type.resource) }, 'garbage collector: monitoring');
      return added;
    })().finally(() => {
      this.discovering = undefined;
    });
    return this.discovering;
  }

  private monitorsSynced(): boolean {
    return [...this.monitors.values()].every((m) => m.informer.hasSynced());
  }

  private onObserved(type: ResourceType, obj: PartialObjectMetadata): void {
    const m = obj.metadata;
    if (!m?.uid) return;
    const identity = { apiVersion: apiVersionOf(type), kind: type.kind, namespace: m.namespace ?? '', name: m.name ?? '', uid: m.uid };
    const work = this.graph.observe({
      identity,
      ownerReferences: m.ownerReferences ?? [],
      deletionTimestamp: m.deletionTimestamp,
      finalizers: m.finalizers,
    });
    for (const uid of work) this.queue.add(uid);
  }

  private onGone(obj: PartialObjectMetadata): void {
    const uid = obj.metadata?.uid;
    if (!uid) return;
    const node = this.graph.get(uid);
    // Its dependents will ask about it next: answer them from memory (upstream does the same).
    if (node && node.dependents.size > 0) this.absentOwners.add(obj.metadata?.namespace ?? '', uid);
    for (const u of this.graph.remove(uid)) this.queue.add(u);
  }

  /** The API confirmed a node's object does not exist: as if the informer had seen it deleted. */
  private forget(node: GraphNode): void {
    const type = this.mapper.resolve(node.identity.apiVersion, node.identity.kind);
    if (node.dependents.size > 0) this.absentOwners.add(type?.namespaced ? node.identity.namespace : '', node.identity.uid);
    for (const u of this.graph.remove(node.identity.uid)) this.queue.add(u);
  }

  async reconcile(uid: string): Promise<ReconcileResult> {
    const node = this.graph.get(uid);
    if (!node) return;
    if (!node.observed) return this.verifyVirtual(node);
    // Being deleted is a one-way trip: only the finalizers the collector serves need it.
    if (node.beingDeleted && !node.deletingDependents && !node.orphaningDependents) return;
    const latest = await this.getLatest(node.identity);
    if (latest === INVALID) return;
    if (!latest) return this.forget(node);
    const meta = latest.metadata!;
    if (meta.deletionTimestamp) {
      const finalizers = meta.finalizers ?? [];
      const serves = finalizers.includes(ORPHAN_FINALIZER) || finalizers.includes(FOREGROUND_FINALIZER);
      // Both finalizers act on the dependents the graph knows: it must be complete first.
      if (serves && !this.monitorsSynced()) return { requeueAfterMs: 100 };
      if (finalizers.includes(ORPHAN_FINALIZER)) {
        await this.orphanDependents(node);
        await this.removeFinalizer(node.identity, ORPHAN_FINALIZER);
        // A foreground finalizer as well is served on the next pass.
        return finalizers.includes(FOREGROUND_FINALIZER) ? { requeueAfterMs: 0 } : undefined;
      }
      if (finalizers.includes(FOREGROUND_FINALIZER)) return this.processDeletingDependents(node);
      return;
    }
    const refs = meta.ownerReferences ?? [];
    if (refs.length === 0) return;
    const lookups = await Promise.all(refs.map((ref) => this.lookupOwner(ref, node.identity)));
    if (lookups.includes(INVALID)) {
      this.ctx.logger.info({ object: node.identity }, 'garbage collector: cluster-scoped object refers to a namespaced owner; ignored');
      return;
    }
    const classified = classifyReferences(refs, lookups as OwnerLookup[]);
    const dependents = this.graph.dependentsOf(uid);
    const plan = planFor({
      ...classified,
      finalizers: meta.finalizers ?? [],
      hasDependents: dependents.length > 0,
      dependentDeletingDependents: dependents.some((d) => d.deletingDependents),
    });
    switch (plan.action) {
      case 'none':
        return;
      case 'removeReferences':
        this.ctx.logger.debug({ object: node.identity, owners: plan.uids }, 'garbage collector: removing references to gone owners');
        await this.patchReferences(node.identity, (obj) => withoutReferences(obj, plan.uids), latest);
        return;
      case 'delete':
        if (plan.unblockFirst) await this.patchReferences(node.identity, unblockedReferences, latest);
        await this.deleteObject(node.identity, plan.policy);
        return;
    }
  }

  /** A virtual owner: gone (its dependents are looked at again), or there and soon observed. */
  private async verifyVirtual(node: GraphNode): Promise<ReconcileResult> {
    const latest = await this.getLatest(node.identity);
    if (!latest || latest === INVALID) return this.forget(node);
    if (this.graph.get(node.identity.uid)?.observed) return;
    // Upstream retries with backoff until an informer shows it (or it disappears).
    throw new NotObservedYet(`owner ${node.identity.kind} ${node.identity.name} exists but is not observed yet`);
  }

  private async processDeletingDependents(node: GraphNode): Promise<ReconcileResult> {
    const blocking = this.graph.blockingDependents(node.identity.uid);
    if (blocking.length === 0) {
      this.ctx.logger.debug({ object: node.identity }, 'garbage collector: dependents gone; removing foregroundDeletion');
      await this.removeFinalizer(node.identity, FOREGROUND_FINALIZER);
      return;
    }
    // Each dependent's deletion brings the owner back to this queue (DependencyGraph.remove).
    for (const dep of blocking) if (!dep.deletingDependents) this.queue.add(dep.identity.uid);
  }

  private async orphanDependents(owner: GraphNode): Promise<void> {
    const uid = owner.identity.uid;
    await Promise.all(this.graph.dependentsOf(uid).map((dep) => this.patchReferences(dep.identity, (obj) => withoutReferences(obj, [uid]))));
  }

  private resourceOf(apiVersion: string, kind: string): ResourceType {
    const type = this.mapper.resolve(apiVersion, kind);
    // Upstream retries these: a custom kind may be served after the next discovery.
    if (!type) throw new Error(`unable to map ${apiVersion}, Kind=${kind} to a resource`);
    return type;
  }

  /** The object as the API has it now; undefined when gone or replaced by another uid. */
  private async getLatest(id: ObjectIdentity): Promise<KubeObject | undefined | typeof INVALID> {
    const type = this.resourceOf(id.apiVersion, id.kind);
    if (type.namespaced && !id.namespace) return INVALID;
    try {
      const obj = await this.ctx.client.resource(type).get(type.namespaced ? id.namespace : '', id.name);
      return obj.metadata?.uid === id.uid ? obj : undefined;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** Whether the owner a reference names exists (with that uid), asking the API (upstream's isDangling). */
  private async lookupOwner(ref: OwnerReference, dependent: ObjectIdentity): Promise<OwnerLookup | typeof INVALID> {
    const type = this.resourceOf(ref.apiVersion, ref.kind);
    if (type.namespaced && !dependent.namespace) return INVALID;
    const namespace = type.namespaced ? dependent.namespace : '';
    if (this.absentOwners.has(namespace, ref.uid)) return { absent: true };
    let owner: KubeObject;
    try {
      owner = await this.ctx.client.resource(type).get(namespace, ref.name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      this.absentOwners.add(namespace, ref.uid);
      return { absent: true };
    }
    if (owner.metadata?.uid !== ref.uid) {
      this.absentOwners.add(namespace, ref.uid);
      return { absent: true };
    }
    return { absent: false, deletionTimestamp: owner.metadata?.deletionTimestamp, finalizers: owner.metadata?.finalizers };
  }

  /** Sets an object's owner references to what `next` makes of the current ones (nothing if unchanged or gone). */
  private async patchReferences(id: ObjectIdentity, next: (obj: KubeObject) => OwnerReference[], first?: KubeObject): Promise<void> {
    const type = this.resourceOf(id.apiVersion, id.kind);
    const client = this.ctx.client.resource(type);
    let current = first;
    for (let attempt = 1; ; attempt++) {
      current ??= await this.getOrUndefined(type, id);
      if (!current || current.metadata?.uid !== id.uid) return;
      const refs = next(current);
      if (JSON.stringify(refs) === JSON.stringify(current.metadata?.ownerReferences ?? [])) return;
      try {
        await client.patch(id.namespace, id.name, 'merge', ownerReferencesPatch(current, refs));
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isConflict(e) || attempt >= PATCH_ATTEMPTS) throw e;
        current = undefined;
      }
    }
  }

  private async removeFinalizer(id: ObjectIdentity, finalizer: string): Promise<void> {
    const type = this.resourceOf(id.apiVersion, id.kind);
    for (let attempt = 1; ; attempt++) {
      const current = await this.getOrUndefined(type, id);
      if (!current || current.metadata?.uid !== id.uid) return;
      const patch = removeFinalizerPatch(current, finalizer);
      if (!patch) return;
      try {
        await this.ctx.client.resource(type).patch(id.namespace, id.name, 'merge', patch);
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isConflict(e) || attempt >= PATCH_ATTEMPTS) throw e;
      }
    }
  }

  private async deleteObject(id: ObjectIdentity, policy: Propagation): Promise<void> {
    const type = this.resourceOf(id.apiVersion, id.kind);
    this.ctx.logger.debug({ object: id, policy }, 'garbage collector: deleting object');
    try {
      await this.ctx.client.resource(type).delete(id.namespace, id.name, { propagationPolicy: policy, preconditions: { uid: id.uid } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  private async getOrUndefined(type: ResourceType, id: ObjectIdentity): Promise<KubeObject | undefined> {
    try {
      return await this.ctx.client.resource(type).get(type.namespaced ? id.namespace : '', id.name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }
}
