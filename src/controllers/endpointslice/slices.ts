// The metadata of the EndpointSlices the controller owns (upstream newEndpointSlice,
// setEndpointSliceLabels, ownedBy, the placeholder comparison and getSliceToFill).
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { semanticEqual } from '../../api/core/v1/semantic-equal.js';
import type { AddressType } from './endpoint.js';
import { isServiceIPSet } from './util/pods.js';
import { LABEL_SERVICE_NAME } from './util/tracker.js';

export { LABEL_SERVICE_NAME };
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';

const RESERVED_LABELS = new Set([LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_HEADLESS]);

/** The slice is one this controller manages (others' slices are never touched). */
export const managedByController = (slice: EndpointSlice): boolean => slice.metadata?.labels?.[LABEL_MANAGED_BY] === CONTROLLER_NAME;

/**
 * The labels a service's slices carry: the service's own (minus the reserved keys), the headless
 * marker when the service has no cluster IP, the service name and the manager. `changed` when
 * `current` differs from them.
 */
export function sliceLabels(current: Record<string, string> | undefined, svc: Service): { labels: Record<string, string>; changed: boolean } {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata?.labels ?? {})) if (!RESERVED_LABELS.has(k)) labels[k] = v;
  if (!isServiceIPSet(svc)) labels[LABEL_HEADLESS] = '';
  labels[LABEL_SERVICE_NAME] = svc.metadata?.name ?? '';
  labels[LABEL_MANAGED_BY] = CONTROLLER_NAME;
  const cur = current ?? {};
  const changed = Object.keys(cur).length !== Object.keys(labels).length || Object.entries(labels).some(([k, v]) => cur[k] !== v);
  return { labels, changed };
}

/** The controller reference a slice carries to its service (what the garbage collector follows). */
export function serviceControllerRef(svc: Service): OwnerReference {
  return { apiVersion: 'v1', kind: 'Service', name: svc.metadata?.name ?? '', uid: svc.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** An empty slice for `svc`, named by the server from `<service>-`. */
export function newEndpointSlice(svc: Service, ports: EndpointPort[], addressType: AddressType): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata?.name ?? ''}-`,
      namespace: svc.metadata?.namespace,
      labels: sliceLabels(undefined, svc).labels,
      ownerReferences: [serviceControllerRef(svc)],
    },
    addressType,
    endpoints: [],
    ports: structuredClone(ports),
  };
}

/** The slice has an owner reference to this very service (same uid, kind Service, v1). */
export function ownedBy(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata?.ownerReferences ?? []).some((r) => r.uid === svc.metadata?.uid && r.kind === 'Service' && r.apiVersion === 'v1');
}

/**
 * `slice` is the placeholder newEndpointSlice would make for a service with no endpoints
 * (upstream placeholderSliceCompare: namespace, labels, owners and content; names aside).
 */
export function isPlaceholder(slice: EndpointSlice, placeholder: EndpointSlice): boolean {
  const a = slice.metadata ?? {};
  const b = placeholder.metadata ?? {};
  return (
    (a.namespace ?? '') === (b.namespace ?? '') &&
    semanticEqual(a.labels, b.labels) &&
    semanticEqual(a.ownerReferences, b.ownerReferences) &&
    slice.addressType === placeholder.addressType &&
    semanticEqual(slice.endpoints, placeholder.endpoints) &&
    semanticEqual(slice.ports, placeholder.ports)
  );
}

/** The slice that comes closest to full when `count` endpoints are added, if any has room. */
export function sliceToFill(slices: EndpointSlice[], count: number, max: number): EndpointSlice | undefined {
  let best: EndpointSlice | undefined;
  let bestRoom = max;
  for (const s of slices) {
    const room = max - (count + (s.endpoints?.length ?? 0));
    if (room >= 0 && room < bestRoom) {
      best = s;
      bestRoom = room;
      if (room === 0) break;
    }
  }
  return best;
}
