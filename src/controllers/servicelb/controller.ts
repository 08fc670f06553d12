// The built-in service load balancer (k3s's ServiceLB, without its DaemonSet): every LoadBalancer
// service without a loadBalancerClass gets status.loadBalancer.ingress = the addresses of the nodes
// that serve it (see ingress.ts); the service proxy answers on them. The service's life cycle is
// upstream's service controller (cloud-provider/controllers/service, which k3s runs ServiceLB
// under): the load-balancer-cleanup finalizer marks services this controller has published for,
// its events say what was done, and a service that stops wanting a load balancer (or is deleted)
// is cleaned up and released. Level-triggered: reconcile(key) reads the informer caches only.
import type { LoadBalancerIngress, Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isConflict, isNotFound } from '../../apimachinery/errors.js';
import { keyOf, splitKey } from '../../client/cache/indexes.js';
import type { SharedInformer } from '../../client/cache/types.js';
import type { EventRecorder } from '../../client/events/types.js';
import { ENDPOINT_SLICES, NODES, SERVICES } from '../../client/resources.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Runnable } from '../../manager/index.js';
import type { ControllerContext } from '../context.js';
import { LABEL_SERVICE_NAME } from '../endpointslice/slices.js';
import { type ReconcileResult, runController } from '../run-controller.js';
import {
  LB_CLEANUP_FINALIZER,
  type IngressInputs,
  desiredIngress,
  hasCleanupFinalizer,
  ingressEqual,
  needsCleanup,
  nodeFingerprint,
  nodesWithReadyEndpoints,
  requestsOnlyLocalTraffic,
  wantsLoadBalancer,
} from './ingress.js';
import { OwnWrites } from './own-writes.js';

/** Files every EndpointSlice under its service's `namespace/name`. */
const SLICES_BY_SERVICE_INDEX = 'servicelb/service';

export interface ServiceLbControllerOptions {
  /** upstream --concurrent-service-syncs (default 1). */
  workers?: number;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The `namespace/name` of the service an EndpointSlice belongs to, if it names one. */
function serviceKeyOfSlice(slice: EndpointSlice): string | undefined {
  const name = slice.metadata?.labels?.[LABEL_SERVICE_NAME];
  return name ? `${slice.metadata?.namespace ?? ''}/${name}` : undefined;
}

type ServicePatch = { metadata?: { finalizers?: string[] | null }; status?: { loadBalancer: { ingress: LoadBalancerIngress[] | null } } };

export class ServiceLbController implements Runnable {
  readonly name = 'servicelb-controller';
  readonly queue = new WorkQueue();
  /** Exposed for tests. */
  readonly writes = new OwnWrites();
  private readonly services: SharedInformer<Service>;
  private readonly nodes: SharedInformer<Node>;
  private readonly slices: SharedInformer<EndpointSlice>;
  private readonly recorder: EventRecorder;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly opts: ServiceLbControllerOptions = {},
  ) {
    // upstream's service controller records as "service-controller".
    this.recorder = ctx.recorder('service-controller');
    this.services = ctx.informers.for<Service>(SERVICES);
    this.nodes = ctx.informers.for<Node>(NODES);
    this.slices = ctx.informers.for<EndpointSlice>(ENDPOINT_SLICES);
    this.slices.addIndexers({ [SLICES_BY_SERVICE_INDEX]: (s) => [serviceKeyOfSlice(s)].filter((k): k is string => !!k) });

    const serviceChanged = (svc: Service) => {
      if (wantsLoadBalancer(svc) || hasCleanupFinalizer(svc)) this.queue.add(keyOf(svc));
    };
    this.services.addEventHandler({
      onAdd: serviceChanged,
      onUpdate: (_, svc) => serviceChanged(svc),
      // Queued so the key's memory of own writes is dropped after any sync in flight.
      onDelete: (svc) => this.queue.add(keyOf(svc)),
    });
    this.nodes.addEventHandler({
      onAdd: () => this.requeueLoadBalancers(),
      onUpdate: (old, cur) => {
        if (nodeFingerprint(old) !== nodeFingerprint(cur)) this.requeueLoadBalancers();
      },
      onDelete: () => this.requeueLoadBalancers(),
    });
    // Services with externalTrafficPolicy Local are served only where they have ready endpoints.
    const sliceChanged = (slice: EndpointSlice) => {
      const key = serviceKeyOfSlice(slice);
      const svc = key ? this.services.store.get(key) : undefined;
      if (key && svc && wantsLoadBalancer(svc) && requestsOnlyLocalTraffic(svc)) this.queue.add(key);
    };
    this.slices.addEventHandler({
      onAdd: sliceChanged,
      onUpdate: (old, cur) => {
        sliceChanged(old);
        sliceChanged(cur);
      },
      onDelete: sliceChanged,
    });
  }

  start(signal: AbortSignal): Promise<void> {
    return runController({
      signal,
      informers: this.ctx.informers,
      queue: this.queue,
      reconcile: (k) => this.reconcile(k),
      logger: this.ctx.logger,
      workers: this.opts.workers ?? 1,
      name: 'servicelb',
    });
  }

  /** Ready flips, address and label changes of nodes move every load balancer. */
  private requeueLoadBalancers(): void {
    for (const svc of this.services.store.list()) if (wantsLoadBalancer(svc)) this.queue.add(keyOf(svc));
  }

  /** The ingress `svc` should publish, from the node and EndpointSlice caches. */
  desiredIngress(svc: Service): LoadBalancerIngress[] {
    const inputs: IngressInputs = { nodes: this.nodes.store.list() };
    if (requestsOnlyLocalTraffic(svc)) inputs.localNodes = nodesWithReadyEndpoints(this.slices.store.byIndex(SLICES_BY_SERVICE_INDEX, keyOf(svc)));
    return desiredIngress(svc, inputs);
  }

  /** upstream syncService / syncLoadBalancerIfNeeded, writing (and recording) only what changes. */
  async reconcile(key: string): Promise<ReconcileResult> {
    const svc = this.services.store.get(key);
    if (!svc) {
      this.writes.forget(key);
      return;
    }
    // The cache has not shown this controller's last write yet; its watch event queues the key again.
    if (this.writes.isBehind(key, svc.metadata?.resourceVersion)) return;
    try {
      if (needsCleanup(svc)) await this.cleanUp(key, svc);
      // No finalizer can be added to a service being deleted; it has nothing to release either.
      else if (wantsLoadBalancer(svc) && !svc.metadata?.deletionTimestamp) await this.ensure(key, svc);
    } catch (e) {
      if (isNotFound(e)) return;
      // A conflict only means the cache was behind: retried without alarming anyone.
      if (!isConflict(e)) this.recorder.event(svc, 'Warning', 'SyncLoadBalancerFailed', `Error syncing load balancer: ${message(e)}`);
      throw e;
    }
  }

  private async ensure(key: string, svc: Service): Promise<void> {
    const ingress = this.desiredIngress(svc);
    const statusCurrent = ingressEqual(svc.status?.loadBalancer?.ingress, ingress);
    if (hasCleanupFinalizer(svc) && statusCurrent) return;
    this.recorder.event(svc, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
    let cur = svc;
    // upstream adds the finalizer before creating anything the service's deletion must release.
    if (!hasCleanupFinalizer(cur)) {
      cur = await this.patch(key, cur, { metadata: { finalizers: [...(cur.metadata?.finalizers ?? []), LB_CLEANUP_FINALIZER] } });
    }
    if (!ingress.length) this.recorder.event(svc, 'Warning', 'UnAvailableLoadBalancer', 'There are no available nodes for LoadBalancer');
    if (!statusCurrent) {
      cur = await this.patch(key, cur, { status: { loadBalancer: { ingress: ingress.length ? ingress : null } } }, 'status');
      this.ctx.logger.debug({ service: key, ingress: ingress.map((i) => i.ip) }, 'load balancer ingress updated');
    }
    this.recorder.event(svc, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
  }

  private async cleanUp(key: string, svc: Service): Promise<void> {
    this.recorder.event(svc, 'Normal', 'DeletingLoadBalancer', 'Deleting load balancer');
    let cur = svc;
    // The API server itself drops the status of a service whose type changes; a service that kept
    // its type (but is no longer this controller's) still shows what was published for it.
    if (!cur.metadata?.deletionTimestamp && cur.status?.loadBalancer?.ingress?.length) {
      cur = await this.patch(key, cur, { status: { loadBalancer: { ingress: null } } }, 'status');
    }
    const rest = (cur.metadata?.finalizers ?? []).filter((f) => f !== LB_CLEANUP_FINALIZER);
    await this.patch(key, cur, { metadata: { finalizers: rest.length ? rest : null } });
    this.recorder.event(svc, 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
  }

  /** A merge patch preconditioned on the version it was computed from (a stale cache conflicts). */
  private async patch(key: string, svc: Service, body: ServicePatch, subresource?: 'status'): Promise<Service> {
    const [namespace, name] = splitKey(key);
    const base = svc.metadata?.resourceVersion;
    const written = await this.ctx.client
      .resource<Service>(SERVICES)
      .patch(namespace, name, 'merge', { ...body, metadata: { ...body.metadata, resourceVersion: base } }, subresource ? { subresource } : undefined);
    if (written.metadata?.resourceVersion !== base) this.writes.replaced(key, base);
    return written;
  }
}
