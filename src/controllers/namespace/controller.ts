// The namespace controller: once a namespace is being deleted (Terminating), it deletes every
// namespaced object in it, of every resource the server serves (custom resources too, found by
// discovery), then removes the `kubernetes` finalizer through namespaces/finalize so that the
// namespace itself goes (upstream's namespaced-resources deleter, reduced to its essentials).
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { isNotFound, isStatusError } from '../../apimachinery/errors.js';
import { discoverResources, isDeletable, type DiscoveredResource } from '../../client/discovery.js';
import { NAMESPACES } from '../../client/resources.js';
import type { SharedInformer } from '../../client/cache/types.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Runnable } from '../../manager/index.js';
import type { ControllerContext } from '../context.js';
import { runController, type ReconcileResult } from '../run-controller.js';

/** Discovery is read again at most this often (a CRD added meanwhile is then included). */
const DISCOVERY_TTL_MS = 5_000;

export class NamespaceController implements Runnable {
  readonly name = 'namespace-controller';
  readonly queue = new WorkQueue();
  private readonly namespaces: SharedInformer<Namespace>;
  private discovered: { at: number; resources: DiscoveredResource[] } | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: { workers?: number } = {},
  ) {
    this.namespaces = ctx.informers.for<Namespace>(NAMESPACES);
    const enqueue = (ns: Namespace) => ns.metadata?.deletionTimestamp && this.queue.add(ns.metadata.name!);
    this.namespaces.addEventHandler({ onAdd: enqueue, onUpdate: (_, ns) => enqueue(ns) });
  }

  start(signal: AbortSignal): Promise<void> {
    const { informers, logger } = this.ctx;
    return runController({ signal, informers, queue: this.queue, reconcile: (k) => this.reconcile(k), logger, workers: this.opts.workers ?? 2, name: 'namespace' });
  }

  async reconcile(name: string): Promise<ReconcileResult> {
    const ns = this.namespaces.store.get(name);
    if (!ns?.metadata?.deletionTimestamp) return;
    const client = this.ctx.client;
    let remaining = 0;
    for (const r of await this.resources()) {
      const objects = client.metadata(r);
      let list;
      try {
        list = await objects.list(name, { limit: 1 });
      } catch (e) {
        if (isNotFound(e)) continue; // the resource went away (CRD deleted)
        throw e;
      }
      if (list.items.length === 0) continue;
      remaining++;
      try {
        if (r.verbs.includes('deletecollection')) await objects.deleteCollection(name, { propagationPolicy: 'Background' });
        else for (const o of (await objects.list(name)).items) await objects.delete(name, o.metadata!.name!, { propagationPolicy: 'Background' });
      } catch (e) {
        if (!isNotFound(e) && !isStatusError(e, 'MethodNotAllowed')) throw e;
      }
    }
    if (remaining > 0) {
      this.ctx.logger.debug({ namespace: name, remaining }, 'namespace content still being deleted');
      return { requeueAfterMs: 250 };
    }
    if ((ns.spec?.finalizers ?? []).includes('kubernetes')) {
      const finalized: Namespace = structuredClone(ns);
      finalized.spec = { ...finalized.spec, finalizers: (ns.spec?.finalizers ?? []).filter((f) => f !== 'kubernetes') };
      try {
        await client.request({ method: 'PUT', path: `/api/v1/namespaces/${encodeURIComponent(name)}/finalize`, body: finalized });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  private async resources(): Promise<DiscoveredResource[]> {
    if (!this.discovered || Date.now() - this.discovered.at > DISCOVERY_TTL_MS) {
      const all = await discoverResources(this.ctx.client);
      this.discovered = { at: Date.now(), resources: all.filter((r) => r.namespaced && isDeletable(r) && r.resource !== 'events') };
      // Events go last (as upstream): they tell what happened to the other objects meanwhile.
      this.discovered.resources.push(...all.filter((r) => r.resource === 'events' && r.namespaced));
    }
    return this.discovered.resources;
  }
}
