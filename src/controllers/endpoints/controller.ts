// The Endpoints controller (kube-controller-manager's endpoint-controller): every service with a
// selector gets a core/v1 Endpoints of its name listing the pods it selects, ready or not. The
// Endpoints of a deleted service go (they carry no owner reference for the garbage collector).
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, isNotFound, isStatusError } from '../../apimachinery/errors.js';
import { keyOf, splitKey } from '../../client/cache/indexes.js';
import { NAMESPACE_INDEX, type SharedInformer } from '../../client/cache/types.js';
import type { EventRecorder } from '../../client/events/types.js';
import { ENDPOINTS, PODS, SERVICES } from '../../client/resources.js';
import { WorkQueue } from '../../client/workqueue.js';
import type { Runnable } from '../../manager/index.js';
import type { ControllerContext } from '../context.js';
import { ServiceSelectorCache, enqueueServicesOnChanges, hasSelector } from '../endpointslice/util/service-membership.js';
import { runController, type ReconcileResult } from '../run-controller.js';
import { ANNOTATION_OVER_CAPACITY, desiredSubsets, endpointsLabels, labelsEqual, subsetsEqual, truncateSubsets } from './subsets.js';

/** Endpoints holding a leader election record have no service and must stay (upstream skips them). */
const LEADER_ELECTION_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';

const isNamespaceTerminating = (e: unknown): boolean =>
  isStatusError(e) && (e.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class EndpointsController implements Runnable {
  readonly name = 'endpoints-controller';
  readonly queue = new WorkQueue();
  private readonly services: SharedInformer<Service>;
  private readonly pods: SharedInformer<Pod>;
  private readonly endpoints: SharedInformer<Endpoints>;
  private readonly selectors = new ServiceSelectorCache();
  private readonly recorder: EventRecorder;
  private readonly workers: number;
  /**
   * key -> resourceVersions this controller has written over (upstream staleEndpointsTracker): a
   * cache still holding one of them lags behind our own update. And key -> the version our last
   * write produced, so that only others' edits of an Endpoints trigger a sync.
   */
  private readonly staleVersions = new Map<string, string>();
  private readonly writtenVersions = new Map<string, string>();

  constructor(
    private readonly ctx: ControllerContext,
    opts: { workers?: number } = {},
  ) {
    this.workers = opts.workers ?? 2;
    this.recorder = ctx.recorder('endpoint-controller');
    this.services = ctx.informers.for<Service>(SERVICES);
    this.pods = ctx.informers.for<Pod>(PODS);
    this.endpoints = ctx.informers.for<Endpoints>(ENDPOINTS);

    enqueueServicesOnChanges(this.services, this.pods, this.selectors, (k) => this.queue.add(k));
    this.endpoints.addEventHandler({
      // Upstream resyncs on deletions only; edits by others are repaired too here.
      onUpdate: (_old, cur) => {
        const key = keyOf(cur);
        if (cur.metadata?.resourceVersion !== this.writtenVersions.get(key)) this.queue.add(key);
      },
      onDelete: (e) => this.queue.add(keyOf(e)),
    });
  }

  start(signal: AbortSignal): Promise<void> {
    const running = runController({
      signal,
      informers: this.ctx.informers,
      queue: this.queue,
      reconcile: (k) => this.reconcile(k),
      logger: this.ctx.logger,
      workers: this.workers,
      name: 'endpoint',
    });
    void this.ctx.informers.waitForCacheSync(signal).then((synced) => {
      if (synced) this.checkLeftoverEndpoints();
    });
    return running;
  }

  /**
   * Once at start, every Endpoints is looked at: those whose service went while no controller was
   * running are deleted. Only at start, since Endpoints may be created before their service.
   */
  private checkLeftoverEndpoints(): void {
    for (const ep of this.endpoints.store.list()) {
      if (ep.metadata?.annotations?.[LEADER_ELECTION_ANNOTATION] !== undefined) continue;
      this.queue.add(keyOf(ep));
    }
  }

  /** upstream syncService. */
  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = splitKey(key);
    const rc = this.ctx.client.resource<Endpoints>(ENDPOINTS);
    const svc = this.services.store.get(key);
    if (!svc) {
      try {
        await rc.delete(namespace, name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      this.staleVersions.delete(key);
      this.writtenVersions.delete(key);
      return;
    }
    // ExternalName services have no endpoints; services without a selector get theirs from
    // whoever writes them.
    if (svc.spec?.type === 'ExternalName' || !hasSelector(svc)) return;
    const selector = this.selectors.get(svc)!;
    const pods = this.pods.store.byIndex(NAMESPACE_INDEX, namespace).filter((p) => selector.matches(p.metadata?.labels ?? {}));
    const { subsets, truncated } = truncateSubsets(desiredSubsets(svc, pods));
    const labels = endpointsLabels(svc);

    const current = this.endpoints.store.get(key);
    if (current && current.metadata?.resourceVersion === this.staleVersions.get(key)) {
      throw new Error(`endpoints informer cache is out of date, resource version ${current.metadata?.resourceVersion} already processed for endpoints ${key}`);
    }
    const overCapacityNoted = current?.metadata?.annotations?.[ANNOTATION_OVER_CAPACITY] !== undefined;
    if (current && !truncated && !overCapacityNoted && subsetsEqual(current.subsets, subsets) && labelsEqual(current.metadata?.labels, labels)) return;

    const next: Endpoints = current
      ? structuredClone(current)
      : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace } };
    next.subsets = subsets;
    next.metadata = { ...next.metadata, labels };
    const annotations = { ...(next.metadata.annotations ?? {}) };
    if (truncated) annotations[ANNOTATION_OVER_CAPACITY] = 'truncated';
    else delete annotations[ANNOTATION_OVER_CAPACITY];
    if (Object.keys(annotations).length) next.metadata.annotations = annotations;
    else delete next.metadata.annotations;

    let written: Endpoints;
    try {
      written = current ? await rc.update(next) : await rc.create(next);
    } catch (e) {
      // A namespace being deleted takes no new objects; nothing to retry.
      if (!current && isNamespaceTerminating(e)) return;
      // Created meanwhile (our cache has not seen it yet): retried once it has.
      if (!current && isAlreadyExists(e)) throw e;
      const verb = current ? 'FailedToUpdateEndpoint' : 'FailedToCreateEndpoint';
      const what = current ? `Failed to update endpoint ${key}` : `Failed to create endpoint for service ${key}`;
      this.recorder.event(next, 'Warning', verb, `${what}: ${message(e)}`);
      throw e;
    }
    this.writtenVersions.set(key, written.metadata?.resourceVersion ?? '');
    if (current && written.metadata?.resourceVersion !== current.metadata?.resourceVersion) {
      this.staleVersions.set(key, current.metadata?.resourceVersion ?? '');
    }
  }
}
