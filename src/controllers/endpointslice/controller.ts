// The EndpointSlice controller (kube-controller-manager's endpointslice-controller): every
// service with a selector gets EndpointSlices listing the pods it selects. Syncs are per service;
// pod events go to the services whose selector matches the pod (old and new labels), slice events
// to the slice's service unless they only echo this controller's own writes (EndpointSliceTracker).
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isNotFound, isStatusError } from '../../apimachinery/errors.js';
import { splitKey } from '../../client/cache/indexes.js';
import { NAMESPACE_INDEX, type SharedInformer } from '../../client/cache/types.js';
import type { EventRecorder } from '../../client/events/types.js';
import { ENDPOINT_SLICES, NODES, PODS, SERVICES } from '../../client/resources.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Runnable } from '../../manager/index.js';
import type { ControllerContext } from '../context.js';
import { runController, type ReconcileResult } from '../run-controller.js';
import { DEFAULT_MAX_ENDPOINTS_PER_SLICE, planEndpointSlices, type SlicePlan } from './reconciler.js';
import { LABEL_SERVICE_NAME, managedByController } from './slices.js';
import { ServiceSelectorCache, enqueueServicesOnChanges, hasSelector } from './util/service-membership.js';
import { EndpointSliceTracker } from './util/tracker.js';

/** upstream endpointSliceChangeMinSyncDelay: slice changes by others are batched this long. */
const SLICE_CHANGE_SYNC_DELAY_MS = 1000;
/** Files this controller's slices under `namespace/service`. */
const SERVICE_SLICES_INDEX = 'endpointslice-controller/service';

export interface EndpointSliceControllerOptions {
  workers?: number;
  /** Endpoints per slice (default 100, as upstream's --max-endpoints-per-slice). */
  maxEndpointsPerSlice?: number;
  /** How long slice changes by others are batched before a sync (default 1 s). */
  sliceChangeSyncDelayMs?: number;
}

/** Thrown when the slice cache has not caught up with this controller's writes: retried later. */
export class StaleInformerCacheError extends Error {
  constructor(key: string) {
    super(`EndpointSlice informer cache is out of date for service ${key}`);
    this.name = 'StaleInformerCacheError';
  }
}

const isNamespaceTerminating = (e: unknown): boolean =>
  isStatusError(e) && (e.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The `namespace/service` key of the service a slice belongs to, if it names one. */
function serviceKeyOfSlice(slice: EndpointSlice): string | undefined {
  const svc = slice.metadata?.labels?.[LABEL_SERVICE_NAME];
  return svc ? `${slice.metadata?.namespace ?? ''}/${svc}` : undefined;
}

/** Files a slice this controller manages under its service's key. */
const indexSliceByService = (s: EndpointSlice): string[] => {
  const key = managedByController(s) ? serviceKeyOfSlice(s) : undefined;
  return key ? [key] : [];
};

export class EndpointSliceController implements Runnable {
  readonly name = 'endpointslice-controller';
  readonly queue = new WorkQueue();
  /** Exposed for tests. */
  readonly tracker = new EndpointSliceTracker();
  private readonly services: SharedInformer<Service>;
  private readonly pods: SharedInformer<Pod>;
  private readonly slices: SharedInformer<EndpointSlice>;
  private readonly nodes: SharedInformer<Node>;
  private readonly selectors = new ServiceSelectorCache();
  private readonly recorder: EventRecorder;
  private readonly workers: number;
  private readonly maxEndpointsPerSlice: number;
  private readonly sliceChangeSyncDelayMs: number;

  constructor(
    private readonly ctx: ControllerContext,
    opts: EndpointSliceControllerOptions = {},
  ) {
    this.workers = opts.workers ?? 2;
    this.maxEndpointsPerSlice = opts.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE;
    this.sliceChangeSyncDelayMs = opts.sliceChangeSyncDelayMs ?? SLICE_CHANGE_SYNC_DELAY_MS;
    this.recorder = ctx.recorder('endpoint-slice-controller');
    this.services = ctx.informers.for<Service>(SERVICES);
    this.pods = ctx.informers.for<Pod>(PODS);
    this.slices = ctx.informers.for<EndpointSlice>(ENDPOINT_SLICES);
    this.nodes = ctx.informers.for<Node>(NODES);
    this.slices.addIndexers({ [SERVICE_SLICES_INDEX]: indexSliceByService });

    enqueueServicesOnChanges(this.services, this.pods, this.selectors, (k) => this.queue.add(k));
    this.slices.addEventHandler({
      onAdd: (s) => {
        if (managedByController(s) && this.tracker.shouldSync(s)) this.sliceChanged(s);
      },
      onUpdate: (old, cur) => {
        // Generations do not move on label changes: a slice moved to another service is seen here.
        if (serviceKeyOfSlice(old) !== serviceKeyOfSlice(cur)) {
          // Gone from the old service's slices: waiting for it there would stall that service.
          this.tracker.handleDeletion(old);
          this.sliceChanged(old);
          this.sliceChanged(cur);
          return;
        }
        const managedByChanged = managedByController(old) !== managedByController(cur);
        if (managedByChanged && !managedByController(cur)) this.tracker.handleDeletion(old);
        if (managedByChanged || (managedByController(cur) && this.tracker.shouldSync(cur))) this.sliceChanged(cur);
      },
      onDelete: (s) => {
        // Only a deletion nobody here asked for needs a sync (to put the slice back).
        if (managedByController(s) && this.tracker.has(s) && !this.tracker.handleDeletion(s)) this.sliceChanged(s);
      },
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
      name: 'endpointslice',
    });
  }

  private sliceChanged(slice: EndpointSlice): void {
    const key = serviceKeyOfSlice(slice);
    if (key) this.queue.addAfter(key, this.sliceChangeSyncDelayMs);
  }

  /** upstream syncService. */
  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = splitKey(key);
    const svc = this.services.store.get(key);
    if (!svc) {
      // The garbage collector removes the slices of a deleted service.
      this.tracker.deleteService(namespace, name);
      return;
    }
    // ExternalName services have no endpoints; services without a selector get theirs from
    // whoever writes them (their slices, if any, are left alone).
    if (svc.spec?.type === 'ExternalName' || !hasSelector(svc)) return;
    const selector = this.selectors.get(svc)!;
    const pods = this.pods.store.byIndex(NAMESPACE_INDEX, namespace).filter((p) => selector.matches(p.metadata?.labels ?? {}));
    // Slices being deleted are on their way out; counting them could wedge the sync.
    const slices = this.slices.store.byIndex(SERVICE_SLICES_INDEX, key).filter((s) => !s.metadata?.deletionTimestamp);
    if (this.tracker.staleSlices(svc, slices)) throw new StaleInformerCacheError(key);

    const plan = planEndpointSlices(svc, pods, slices, {
      maxEndpointsPerSlice: this.maxEndpointsPerSlice,
      nodeFor: (n) => this.nodes.store.get(n),
    });
    try {
      await this.apply(svc, plan);
      const written = new Set([...plan.update, ...plan.delete].map((s) => s.metadata?.name));
      for (const s of slices) if (!written.has(s.metadata?.name)) this.tracker.observe(s);
    } catch (e) {
      this.recorder.event(svc, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${key}: ${message(e)}`);
      throw e;
    }
  }

  /** upstream finalize: creates, then updates, then deletes, tracking each write. */
  private async apply(svc: Service, plan: SlicePlan): Promise<void> {
    const rc = this.ctx.client.resource<EndpointSlice>(ENDPOINT_SLICES);
    const namespace = svc.metadata?.namespace ?? '';
    // No new slices for a service being deleted: the garbage collector would race them.
    if (!svc.metadata?.deletionTimestamp) {
      for (const slice of plan.create) {
        try {
          this.tracker.update(await rc.create(slice));
        } catch (e) {
          if (isNamespaceTerminating(e)) return;
          throw new Error(`failed to create EndpointSlice for Service ${namespace}/${svc.metadata?.name}: ${message(e)}`, { cause: e });
        }
      }
    }
    for (const slice of plan.update) {
      try {
        this.tracker.update(await rc.update(slice));
      } catch (e) {
        throw new Error(`failed to update ${slice.metadata?.name} EndpointSlice for Service ${namespace}/${svc.metadata?.name}: ${message(e)}`, { cause: e });
      }
    }
    for (const slice of plan.delete) {
      try {
        await rc.delete(namespace, slice.metadata?.name ?? '');
        this.tracker.expectDeletion(slice);
      } catch (e) {
        if (isNotFound(e)) continue;
        throw new Error(`failed to delete ${slice.metadata?.name} EndpointSlice for Service ${namespace}/${svc.metadata?.name}: ${message(e)}`, { cause: e });
      }
    }
  }
}
