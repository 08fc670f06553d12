// The namespace controller: once a namespace is being deleted, it deletes everything in it, then
// clears the namespace's spec.finalizers so that the namespace itself goes (upstream's
// namespace deleter, reduced to its essentials).
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { WorkQueue } from '../../client/workqueue.js';
import { isNotFound } from '../../apimachinery/errors.js';
import type { Logger } from '../../logging/index.js';
import type { Runnable } from '../../manager/index.js';
import type { StoreSet } from '../../apiserver/registry/store-set.js';
import { EVERYTHING } from '../../apiserver/registry/selection.js';
import { watchObjects } from '../../apiserver/registry/watch.js';
import { runWorkers, type ReconcileResult } from '../run-controller.js';

export class NamespaceController implements Runnable {
  readonly name = 'namespace-controller';
  readonly queue = new WorkQueue();

  constructor(private readonly deps: { stores: StoreSet; logger: Logger }) {}

  async start(signal: AbortSignal): Promise<void> {
    const namespaces = this.deps.stores.byResource('', 'namespaces');
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    const watching = (async () => {
      for await (const ev of watchObjects(namespaces, { namespace: '', predicate: EVERYTHING, signal })) {
        const name = (ev.object as Namespace).metadata?.name;
        if (name && ev.type !== 'BOOKMARK' && ev.type !== 'ERROR') this.queue.add(name);
      }
    })();
    await Promise.all([runWorkers(this.queue, (k) => this.reconcile(k), this.deps.logger, 2), watching]);
  }

  async reconcile(name: string): Promise<ReconcileResult> {
    const namespaces = this.deps.stores.byResource('', 'namespaces');
    let ns: Namespace;
    try {
      ns = (await namespaces.get('', name)) as Namespace;
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (!ns.metadata?.deletionTimestamp) return;
    let remaining = 0;
    for (const store of this.deps.stores.namespacedStores()) {
      const page = await store.backend.list(store.prefix(name));
      for (const kv of page.items) {
        remaining++;
        const objName = kv.key.slice(store.prefix(name).length);
        try {
          await store.delete(name, objName, { propagationPolicy: 'Background' });
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
    }
    if (remaining > 0) {
      this.deps.logger.debug({ namespace: name, remaining }, 'namespace content still being deleted');
      return { requeueAfterMs: 200 };
    }
    if ((ns.spec?.finalizers ?? []).includes('kubernetes')) {
      await namespaces.guaranteedUpdate('', name, (cur) => {
        const n = cur as Namespace;
        n.spec = { ...n.spec, finalizers: (n.spec?.finalizers ?? []).filter((f) => f !== 'kubernetes') };
        delete cur.metadata!.resourceVersion;
        return cur;
      }, { subresource: 'finalize' });
    }
  }
}
