// Mirror pods (upstream pkg/kubelet/pod/mirror_client.go and the static-pod part of the kubelet's
// syncPod and HandlePodCleanups): every static pod has a pod of the same name in the API, so
// kubectl sees it, its status and its logs. The mirror is the static pod with the annotation
// kubernetes.io/config.mirror set to the static pod's hash and owned by the Node (controller:
// true). A mirror that reflects an older version of the static pod, or that someone deleted, is
// deleted (grace 0, uid precondition) and created again; a mirror whose static pod is gone is
// deleted. Deleting a mirror never stops the static pod: only its manifest does.
//
// One pause where upstream has none: a mirror someone deleted (kubectl delete) is created again
// only after recreateDelayMs. kubectl waits for the deletion by reading the pod, then listing and
// watching it by name; a new mirror of the same name appearing between the read and the list hides
// the deletion and kubectl waits until its timeout. Upstream's kubelet is slow enough to rarely
// lose that race; this one is not.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, isConflict, isNotFound } from '../../apimachinery/errors.js';
import { NODES, PODS } from '../../client/resources.js';
import type { Client } from '../../client/types.js';
import type { Logger } from '../../logging/index.js';
import { CONFIG_MIRROR_ANNOTATION, isMirrorPod, isMirrorPodOf, podHash, podKey } from './annotations.js';

export interface MirrorPodManagerOptions {
  client: Client;
  nodeName: string;
  logger: Logger;
  /** How long a mirror deleted by someone else stays away before it is created again (default 1 s). */
  recreateDelayMs?: number;
}

/** What one sync did, by `<namespace>/<name>`. */
export interface MirrorSyncResult {
  created: string[];
  /** Outdated, deleted (being deleted by someone) or orphaned mirrors this sync deleted (found gone: not counted). */
  deleted: string[];
  /** Static pods whose mirror could not be created or replaced this time (the next sync retries). */
  failed: string[];
}

/** The mirror pod to create for `staticPod` on the node `node` (upstream CreateMirrorPod). */
export function mirrorPodFor(staticPod: Pod, node: { name: string; uid: string }): Pod {
  const meta = staticPod.metadata!;
  // The API server gives the mirror its own uid, resourceVersion and status.
  const { uid: _uid, resourceVersion: _rv, creationTimestamp: _ct, ...rest } = meta;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...rest,
      annotations: { ...meta.annotations, [CONFIG_MIRROR_ANNOTATION]: podHash(staticPod) ?? '' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid, controller: true }],
    },
    spec: staticPod.spec,
  };
}

const DEFAULT_RECREATE_DELAY_MS = 1000;

export class MirrorPodManager {
  private running: Promise<unknown> = Promise.resolve();
  /** The last failure logged per static pod: each is logged once until it changes. */
  private readonly reported = new Map<string, string>();

  constructor(private readonly opts: MirrorPodManagerOptions) {}

  /**
   * Makes the API's mirror pods match the static pods: creates the missing, replaces the outdated
   * or deleted, deletes the orphaned. `mirrorPods` may be every pod of this node as the kubelet
   * knows them (non-mirror pods and other nodes' pods are ignored); a stale view is fine, each step
   * is checked against the API. Syncs never overlap; each resolves when done, and never throws.
   */
  sync(staticPods: Pod[], mirrorPods: Pod[]): Promise<MirrorSyncResult> {
    const next = this.running.then(() => this.syncNow(staticPods, mirrorPods));
    this.running = next.catch(() => undefined);
    return next;
  }

  private async syncNow(staticPods: Pod[], apiPods: Pod[]): Promise<MirrorSyncResult> {
    const result: MirrorSyncResult = { created: [], deleted: [], failed: [] };
    const mirrors = new Map<string, Pod>();
    for (const p of apiPods) if (isMirrorPod(p) && p.spec?.nodeName === this.opts.nodeName) mirrors.set(podKey(p), p);
    const wanted = new Set(staticPods.map(podKey));
    const toCreate: Pod[] = [];
    const later: Pod[] = [];
    for (const pod of staticPods) {
      const key = podKey(pod);
      const mirror = mirrors.get(key);
      if (mirror && isMirrorPodOf(mirror, pod) && !mirror.metadata?.deletionTimestamp) continue;
      if (!mirror) {
        toCreate.push(pod);
        continue;
      }
      try {
        // Gone or replaced already (a stale view): nothing to wait for, create (or find) it now.
        const deleted = await this.delete(mirror);
        if (deleted) result.deleted.push(key);
        (deleted && mirror.metadata?.deletionTimestamp ? later : toCreate).push(pod);
      } catch (e) {
        result.failed.push(key);
        this.report(key, `could not delete the outdated mirror pod ${key}: ${(e as Error).message}`);
      }
    }
    await this.createAll(toCreate, result);
    if (later.length > 0) {
      await new Promise((r) => setTimeout(r, this.opts.recreateDelayMs ?? DEFAULT_RECREATE_DELAY_MS));
      await this.createAll(later, result);
    }
    for (const [key, mirror] of mirrors) {
      if (wanted.has(key)) continue;
      try {
        if (await this.delete(mirror)) result.deleted.push(key);
      } catch (e) {
        this.report(key, `could not delete orphaned mirror pod ${key}: ${(e as Error).message}`);
      }
    }
    for (const key of this.reported.keys()) if (!wanted.has(key) && !mirrors.has(key)) this.reported.delete(key);
    return result;
  }

  private async createAll(staticPods: Pod[], result: MirrorSyncResult): Promise<void> {
    if (staticPods.length === 0) return;
    let node: { name: string; uid: string } | null;
    try {
      node = await this.node();
    } catch (e) {
      for (const pod of staticPods) {
        result.failed.push(podKey(pod));
        this.report(podKey(pod), `could not create the mirror pod of static pod ${podKey(pod)}: ${(e as Error).message}`);
      }
      return;
    }
    for (const pod of staticPods) {
      const key = podKey(pod);
      if (!node) {
        result.failed.push(key);
        continue;
      }
      try {
        const outcome = await this.create(pod, node);
        if (outcome === 'replaced' && !result.deleted.includes(key)) result.deleted.push(key);
        if (outcome !== 'existing') result.created.push(key);
        this.reported.delete(key);
      } catch (e) {
        result.failed.push(key);
        this.report(key, `could not create the mirror pod of static pod ${key}: ${(e as Error).message}`);
      }
    }
  }

  /**
   * This node's name and uid for the owner reference; null (nothing created, as upstream) when the
   * node is not registered or is being deleted.
   */
  private async node(): Promise<{ name: string; uid: string } | null> {
    const name = this.opts.nodeName;
    let node: Node;
    try {
      node = await this.opts.client.resource<Node>(NODES).get('', name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      this.opts.logger.debug({ node: name }, 'no mirror pods yet: the node is not registered');
      return null;
    }
    if (node.metadata?.deletionTimestamp || !node.metadata?.uid) return null;
    return { name, uid: node.metadata.uid };
  }

  /**
   * Creates the mirror. A pod already of that name is fine when it mirrors this version; when it
   * is an outdated mirror the caller's view had not shown, it is replaced; any other pod (a user's)
   * is left alone and the conflict thrown.
   */
  private async create(pod: Pod, node: { name: string; uid: string }): Promise<'created' | 'existing' | 'replaced'> {
    const pods = this.opts.client.resource<Pod>(PODS);
    for (let replaced = false; ; replaced = true) {
      try {
        await pods.create(mirrorPodFor(pod, node));
        this.opts.logger.info({ pod: podKey(pod) }, 'created mirror pod');
        return replaced ? 'replaced' : 'created';
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
        const existing = await pods.get(pod.metadata!.namespace!, pod.metadata!.name!).catch(() => undefined);
        if (existing && !existing.metadata?.deletionTimestamp && isMirrorPodOf(existing, pod)) return 'existing';
        if (replaced || !existing || !isMirrorPod(existing)) throw e;
        await this.delete(existing);
      }
    }
  }

  /**
   * Deletes at once with a uid precondition (upstream DeleteMirrorPod). False when it was gone or
   * replaced already (not found, or the uid precondition failed).
   */
  private async delete(mirror: Pod): Promise<boolean> {
    const m = mirror.metadata!;
    try {
      await this.opts.client.resource<Pod>(PODS).delete(m.namespace!, m.name!, { gracePeriodSeconds: 0, preconditions: { uid: m.uid } });
      this.opts.logger.info({ pod: podKey(mirror), uid: m.uid }, 'deleted mirror pod');
      return true;
    } catch (e) {
      if (isNotFound(e) || isConflict(e)) return false;
      throw e;
    }
  }

  private report(key: string, message: string): void {
    if (this.reported.get(key) === message) return;
    this.reported.set(key, message);
    this.opts.logger.warn({ pod: key }, message);
  }
}
