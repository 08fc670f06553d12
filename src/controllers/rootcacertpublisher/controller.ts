// The root CA certificate publisher (upstream's root-ca-cert-publisher): every namespace has a
// ConfigMap `kube-root-ca.crt` whose `ca.crt` is the cluster CA, so pods can verify the API server
// (the kube-api-access projected volume mounts it). A deleted or edited one is put back.
import type { ConfigMap, Namespace } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, isNotFound, isStatusError } from '../../apimachinery/errors.js';
import type { SharedInformer } from '../../client/cache/types.js';
import { CONFIG_MAPS, NAMESPACES } from '../../client/resources.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Runnable } from '../../manager/index.js';
import type { ControllerContext } from '../context.js';
import { runController, type ReconcileResult } from '../run-controller.js';

export const ROOT_CA_CONFIG_MAP = 'kube-root-ca.crt';
export const ROOT_CA_KEY = 'ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
export const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. ' +
  'No other usage is guaranteed across distributions of Kubernetes clusters.';

/** Whether the ConfigMap already says what it should: exactly the CA, and a description. */
export function isPublished(cm: ConfigMap, rootCA: string): boolean {
  const data = cm.data ?? {};
  const keys = Object.keys(data);
  return keys.length === 1 && data[ROOT_CA_KEY] === rootCA && !!cm.metadata?.annotations?.[DESCRIPTION_ANNOTATION];
}

const terminating = (e: unknown): boolean =>
  isStatusError(e, 'Forbidden') && !!e.details?.causes?.some((c) => c.reason === 'NamespaceTerminating');

export class RootCaCertPublisher implements Runnable {
  readonly name = 'root-ca-cert-publisher';
  readonly queue = new WorkQueue();
  private readonly namespaces: SharedInformer<Namespace>;
  private readonly configMaps: SharedInformer<ConfigMap>;
  private readonly rootCA: string | undefined;

  /** `rootCA` defaults to the controller manager's --root-ca-file (ctx.settings.rootCA). */
  constructor(
    private readonly ctx: ControllerContext,
    rootCA?: string,
  ) {
    this.rootCA = rootCA ?? ctx.settings?.rootCA;
    this.namespaces = ctx.informers.for<Namespace>(NAMESPACES);
    this.configMaps = ctx.informers.for<ConfigMap>(CONFIG_MAPS);
    const ours = (cm: ConfigMap) => cm.metadata?.name === ROOT_CA_CONFIG_MAP;
    this.namespaces.addEventHandler({
      onAdd: (ns) => this.queue.add(ns.metadata!.name!),
      // Only active namespaces: a terminating one refuses new content anyway.
      onUpdate: (_, ns) => ns.status?.phase !== 'Terminating' && this.queue.add(ns.metadata!.name!),
    });
    this.configMaps.addEventHandler({
      onUpdate: (_, cm) => ours(cm) && this.queue.add(cm.metadata!.namespace!),
      onDelete: (cm) => ours(cm) && this.queue.add(cm.metadata!.namespace!),
    });
  }

  start(signal: AbortSignal): Promise<void> {
    const { informers, logger } = this.ctx;
    if (!this.rootCA) {
      // Upstream refuses to start without a root CA; here the other controllers keep running.
      logger.error({ controller: this.name }, 'no root CA certificate configured; not publishing kube-root-ca.crt');
      return Promise.resolve();
    }
    return runController({ signal, informers, queue: this.queue, reconcile: (k) => this.reconcile(k), logger, name: 'root_ca_cert_publisher' });
  }

  async reconcile(namespace: string): Promise<ReconcileResult> {
    const rootCA = this.rootCA;
    if (!rootCA) return;
    const client = this.ctx.client.resource<ConfigMap>(CONFIG_MAPS);
    const cm = this.configMaps.store.get(`${namespace}/${ROOT_CA_CONFIG_MAP}`);
    if (!cm) {
      const ns = this.namespaces.store.get(namespace);
      if (!ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
      try {
        await client.create({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: ROOT_CA_CONFIG_MAP, namespace, annotations: { [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION } },
          data: { [ROOT_CA_KEY]: rootCA },
        });
      } catch (e) {
        // Gone or terminating namespaces are not retried (as upstream); an existing one arrives as an event.
        if (isNotFound(e) || terminating(e) || isAlreadyExists(e)) return;
        throw e;
      }
      return;
    }
    if (isPublished(cm, rootCA)) return;
    // Everything else about the ConfigMap (labels, other annotations) is left as it is.
    await client.update({
      ...cm,
      metadata: { ...cm.metadata, annotations: { ...cm.metadata?.annotations, [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION } },
      data: { [ROOT_CA_KEY]: rootCA },
    });
  }
}
