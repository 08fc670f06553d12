// The service account controller: every active namespace has a `default` service account (a
// deleted one comes back, as upstream's).
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, isNotFound, isStatusError } from '../../apimachinery/errors.js';
import { NAMESPACES, SERVICE_ACCOUNTS } from '../../client/resources.js';
import type { SharedInformer } from '../../client/cache/types.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Runnable } from '../../manager/index.js';
import type { ControllerContext } from '../context.js';
import { runController, type ReconcileResult } from '../run-controller.js';

export class ServiceAccountController implements Runnable {
  readonly name = 'serviceaccount-controller';
  readonly queue = new WorkQueue();
  private readonly namespaces: SharedInformer<Namespace>;
  private readonly accounts: SharedInformer<ServiceAccount>;

  constructor(private readonly ctx: ControllerContext) {
    this.namespaces = ctx.informers.for<Namespace>(NAMESPACES);
    this.accounts = ctx.informers.for<ServiceAccount>(SERVICE_ACCOUNTS);
    this.namespaces.addEventHandler({ onAdd: (ns) => this.queue.add(ns.metadata!.name!), onUpdate: (_, ns) => this.queue.add(ns.metadata!.name!) });
    this.accounts.addEventHandler({ onDelete: (sa) => sa.metadata?.name === 'default' && this.queue.add(sa.metadata.namespace!) });
  }

  start(signal: AbortSignal): Promise<void> {
    const { informers, logger } = this.ctx;
    return runController({ signal, informers, queue: this.queue, reconcile: (k) => this.reconcile(k), logger, name: 'serviceaccount' });
  }

  async reconcile(namespace: string): Promise<ReconcileResult> {
    const ns = this.namespaces.store.get(namespace);
    if (!ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    if (this.accounts.store.get(`${namespace}/default`)) return;
    try {
      await this.ctx.client.resource<ServiceAccount>(SERVICE_ACCOUNTS).create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } });
    } catch (e) {
      // Created meanwhile, or the namespace started terminating: nothing to do.
      if (isAlreadyExists(e) || isStatusError(e, 'Forbidden') || isNotFound(e)) return;
      throw e;
    }
  }
}
