// The service account controller: every active namespace has a `default` service account.
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { WorkQueue } from '../../client/workqueue.js';
import { isAlreadyExists, isNotFound, isStatusError } from '../../apimachinery/errors.js';
import type { Logger } from '../../logging/index.js';
import type { Runnable } from '../../manager/index.js';
import type { StoreSet } from '../../apiserver/registry/store-set.js';
import { EVERYTHING } from '../../apiserver/registry/selection.js';
import { watchObjects } from '../../apiserver/registry/watch.js';
import { runWorkers, type ReconcileResult } from '../run-controller.js';

export class ServiceAccountController implements Runnable {
  readonly name = 'serviceaccount-controller';
  readonly queue = new WorkQueue();

  constructor(private readonly deps: { stores: StoreSet; logger: Logger }) {}

  async start(signal: AbortSignal): Promise<void> {
    const namespaces = this.deps.stores.byResource('', 'namespaces');
    const accounts = this.deps.stores.byResource('', 'serviceaccounts');
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    const watchNamespaces = (async () => {
      for await (const ev of watchObjects(namespaces, { namespace: '', predicate: EVERYTHING, signal })) {
        const name = (ev.object as Namespace).metadata?.name;
        if (name && (ev.type === 'ADDED' || ev.type === 'MODIFIED')) this.queue.add(name);
      }
    })();
    // A deleted `default` account comes back, as upstream's.
    const watchAccounts = (async () => {
      for await (const ev of watchObjects(accounts, { namespace: '', predicate: EVERYTHING, resourceVersion: '', sendInitialEvents: false, signal })) {
        const meta = (ev.object as Namespace).metadata;
        if (ev.type === 'DELETED' && meta?.name === 'default' && meta.namespace) this.queue.add(meta.namespace);
      }
    })();
    await Promise.all([runWorkers(this.queue, (k) => this.reconcile(k), this.deps.logger), watchNamespaces, watchAccounts]);
  }

  async reconcile(namespace: string): Promise<ReconcileResult> {
    const namespaces = this.deps.stores.byResource('', 'namespaces');
    const accounts = this.deps.stores.byResource('', 'serviceaccounts');
    try {
      const ns = await namespaces.get('', namespace);
      if (ns.metadata?.deletionTimestamp) return;
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    try {
      await accounts.get(namespace, 'default');
      return;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    try {
      await accounts.create(namespace, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
    } catch (e) {
      // Created meanwhile, or the namespace started terminating: nothing to do.
      if (isAlreadyExists(e) || isStatusError(e, 'Forbidden') || isNotFound(e)) return;
      throw e;
    }
  }
}
