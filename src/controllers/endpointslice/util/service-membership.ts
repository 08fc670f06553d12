// Which services a pod event concerns (upstream GetPodServiceMemberships and
// GetServicesToUpdateOnPodChange): the services of the pod's namespace whose selector matches its
// labels. Selectors are parsed once per service version, as upstream's serviceSelectorCache does.
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import { type Selector, selectorFromSet } from '../../../apimachinery/labels.js';
import { keyOf } from '../../../client/cache/indexes.js';
import { NAMESPACE_INDEX, type SharedInformer } from '../../../client/cache/types.js';
import { podEndpointsChanged } from './pods.js';

/** A service has a selector when spec.selector has entries (an empty one is dropped on the wire). */
export function hasSelector(svc: Service): boolean {
  return Object.keys(svc.spec?.selector ?? {}).length > 0;
}

/** The pods a service selects, from a set of pods; none for services without a selector. */
export class ServiceSelectorCache {
  private readonly cache = new Map<string, { source: Record<string, string>; selector: Selector }>();

  /** The service's selector; undefined when it has none (which selects nothing, not everything). */
  get(svc: Service): Selector | undefined {
    const source = svc.spec?.selector;
    if (!source || !hasSelector(svc)) return undefined;
    const key = keyOf(svc);
    const hit = this.cache.get(key);
    // Cached objects are replaced, never mutated, on update: identity tells a new version.
    if (hit && hit.source === source) return hit.selector;
    const selector = selectorFromSet(source);
    this.cache.set(key, { source, selector });
    return selector;
  }

  delete(key: string): void {
    this.cache.delete(key);
  }
}

/** Keys of the services in `services` (one namespace's) whose selector matches `labels`. */
export function servicesMatching(services: Service[], labels: Record<string, string> | undefined, cache: ServiceSelectorCache): Set<string> {
  const keys = new Set<string>();
  for (const svc of services) {
    if (cache.get(svc)?.matches(labels ?? {})) keys.add(keyOf(svc));
  }
  return keys;
}

/**
 * The services to sync after a pod update: none when nothing endpoint-relevant changed; after a
 * label change the services it left or joined (all of them, old and new, if its endpoint changed
 * too); otherwise the services it matches.
 */
export function servicesForPodUpdate(
  servicesIn: (namespace: string) => Service[],
  cache: ServiceSelectorCache,
  oldPod: Pod,
  newPod: Pod,
): Set<string> {
  if (oldPod.metadata?.resourceVersion && oldPod.metadata.resourceVersion === newPod.metadata?.resourceVersion) return new Set();
  const { podChanged, labelsChanged } = podEndpointsChanged(oldPod, newPod);
  if (!podChanged && !labelsChanged) return new Set();
  const services = servicesIn(newPod.metadata?.namespace ?? '');
  const now = servicesMatching(services, newPod.metadata?.labels, cache);
  if (!labelsChanged) return now;
  const before = servicesMatching(services, oldPod.metadata?.labels, cache);
  if (podChanged) return new Set([...now, ...before]);
  const changed = new Set<string>();
  for (const k of now) if (!before.has(k)) changed.add(k);
  for (const k of before) if (!now.has(k)) changed.add(k);
  return changed;
}

/**
 * The event wiring both the EndpointSlice and the Endpoints controllers need: a service change
 * enqueues the service; a pod change enqueues every service of its namespace whose selector
 * matched it before or matches it now.
 */
export function enqueueServicesOnChanges(
  services: SharedInformer<Service>,
  pods: SharedInformer<Pod>,
  selectors: ServiceSelectorCache,
  enqueue: (serviceKey: string) => void,
): void {
  const servicesIn = (namespace: string) => services.store.byIndex(NAMESPACE_INDEX, namespace);
  const podChanged = (pod: Pod) => {
    for (const k of servicesMatching(servicesIn(pod.metadata?.namespace ?? ''), pod.metadata?.labels, selectors)) enqueue(k);
  };
  services.addEventHandler({
    onAdd: (s) => enqueue(keyOf(s)),
    onUpdate: (_old, s) => enqueue(keyOf(s)),
    onDelete: (s) => {
      selectors.delete(keyOf(s));
      enqueue(keyOf(s));
    },
  });
  pods.addEventHandler({
    onAdd: podChanged,
    onUpdate: (old, cur) => {
      for (const k of servicesForPodUpdate(servicesIn, selectors, old, cur)) enqueue(k);
    },
    onDelete: podChanged,
  });
}
