// The EndpointSlice reconciler's plan (upstream Reconciler.Reconcile without its writes): from a
// service, the pods it selects and the slices it has, which slices to create, update and delete.
// Changes stay small: endpoints are updated in place in the slice that holds them, new endpoints
// first fill slices that change anyway, and only then a nearly full unchanged slice or a new one.
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import {
  type AddressType,
  addressTypesForService,
  endpointKey,
  endpointPortsFor,
  endpointsEqualBeyondKey,
  podToEndpoint,
  portMapKey,
} from './endpoint.js';
import { isPlaceholder, newEndpointSlice, ownedBy, sliceLabels, sliceToFill } from './slices.js';
import { shouldPodBeInEndpoints } from './util/pods.js';

export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;

export interface SlicePlan {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

export interface PlanOptions {
  maxEndpointsPerSlice?: number;
  /** The node a pod runs on, for its zone. */
  nodeFor?: (name: string) => Node | undefined;
}

/**
 * Plans the slices of `svc` given the pods it selects and its existing managed slices (none
 * pending deletion). Slices of address types the service no longer has go.
 */
export function planEndpointSlices(svc: Service, pods: Pod[], existing: EndpointSlice[], opts: PlanOptions = {}): SlicePlan {
  const max = opts.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE;
  const types = addressTypesForService(svc);
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const byType = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    if (!types.includes(s.addressType as AddressType)) {
      plan.delete.push(s);
      continue;
    }
    const list = byType.get(s.addressType) ?? [];
    list.push(s);
    byType.set(s.addressType, list);
  }
  for (const t of types) {
    const p = planByAddressType(svc, pods, byType.get(t) ?? [], t, max, opts.nodeFor);
    plan.create.push(...p.create);
    plan.update.push(...p.update);
    plan.delete.push(...p.delete);
  }
  return plan;
}

function planByAddressType(
  svc: Service,
  pods: Pod[],
  existing: EndpointSlice[],
  addressType: AddressType,
  max: number,
  nodeFor: PlanOptions['nodeFor'],
): SlicePlan {
  const create: EndpointSlice[] = [];
  const update: EndpointSlice[] = [];
  const del: EndpointSlice[] = [];

  // Slices of an earlier service of the same name go (the garbage collector may be slower).
  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    if (!ownedBy(s, svc)) {
      del.push(s);
      continue;
    }
    const k = portMapKey(s.ports);
    existingByPorts.set(k, [...(existingByPorts.get(k) ?? []), s]);
  }

  // Pods with different resolved ports (a named targetPort can differ per pod) go to different slices.
  const desired = new Map<string, { ports: EndpointPort[]; endpoints: Map<string, Endpoint> }>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPortsFor(svc, pod);
    const k = portMapKey(ports);
    let group = desired.get(k);
    if (!group) desired.set(k, (group = { ports, endpoints: new Map() }));
    const nodeName = pod.spec?.nodeName;
    const ep = podToEndpoint(pod, nodeName ? nodeFor?.(nodeName) : undefined, svc, addressType);
    if (ep.addresses.length) group.endpoints.set(endpointKey(ep), ep);
  }

  for (const [k, group] of desired) {
    const p = planByPorts(svc, existingByPorts.get(k) ?? [], group.endpoints, group.ports, addressType, max);
    create.push(...p.create);
    update.push(...p.update);
    del.push(...p.delete);
  }
  for (const [k, slices] of existingByPorts) if (!desired.has(k)) del.push(...slices);

  // A service without endpoints keeps one empty slice, so consumers can tell "none" from "not yet".
  if (existing.length === del.length && create.length === 0) {
    const placeholder = newEndpointSlice(svc, [], addressType);
    if (del.length === 1 && isPlaceholder(del[0]!, placeholder)) del.length = 0;
    else create.push(placeholder);
  }

  // Rather than delete one slice and create another, reuse the name of the one going.
  for (let i = 0; i < del.length && create.length > 0; ) {
    const going = del[i]!;
    const fresh = create[create.length - 1]!;
    if (going.addressType === fresh.addressType && ownedBy(going, svc)) {
      fresh.metadata = { ...fresh.metadata, name: going.metadata?.name };
      create.pop();
      update.push(fresh);
      del.splice(i, 1);
    } else {
      i++;
    }
  }
  return { create, update, delete: del };
}

/** upstream reconcileByPortMapping, for the slices and desired endpoints of one port set. */
function planByPorts(
  svc: Service,
  existing: EndpointSlice[],
  desired: Map<string, Endpoint>,
  ports: EndpointPort[],
  addressType: AddressType,
  max: number,
): SlicePlan {
  const byName = new Map<string, EndpointSlice>();
  const unchanged = new Set<string>();
  const toUpdate = new Set<string>();
  const toDelete = new Set<string>();

  // 1. Drop endpoints no longer wanted and refresh the ones that changed, where they are.
  for (const s of existing) {
    const name = s.metadata?.name ?? '';
    byName.set(name, s);
    const kept: Endpoint[] = [];
    let changed = false;
    for (const ep of s.endpoints ?? []) {
      const k = endpointKey(ep);
      const want = desired.get(k);
      if (!want) continue;
      kept.push(want);
      if (!endpointsEqualBeyondKey(want, ep)) changed = true;
      desired.delete(k);
    }
    const labels = sliceLabels(s.metadata?.labels, svc);
    if (changed || kept.length !== (s.endpoints?.length ?? 0)) {
      if (kept.length === 0) {
        toDelete.add(name);
      } else {
        const copy = structuredClone(s);
        copy.endpoints = kept;
        copy.metadata = { ...copy.metadata, labels: labels.labels };
        byName.set(name, copy);
        toUpdate.add(name);
      }
    } else if (labels.changed) {
      const copy = structuredClone(s);
      copy.metadata = { ...copy.metadata, labels: labels.labels };
      byName.set(name, copy);
      toUpdate.add(name);
    } else {
      unchanged.add(name);
    }
  }

  const take = (slice: EndpointSlice) => {
    const eps = (slice.endpoints ??= []);
    for (const [k, ep] of desired) {
      if (eps.length >= max) break;
      eps.push(ep);
      desired.delete(k);
    }
  };

  // 2. New endpoints first go to slices written anyway, fullest first.
  if (desired.size > 0 && toUpdate.size > 0) {
    const slices = [...toUpdate].map((n) => byName.get(n)!);
    slices.sort((a, b) => (b.endpoints?.length ?? 0) - (a.endpoints?.length ?? 0));
    for (const s of slices) take(s);
  }

  // 3. Then to the unchanged slice they fill best, or to new slices.
  const create: EndpointSlice[] = [];
  while (desired.size > 0) {
    let slice: EndpointSlice | undefined;
    if (desired.size < max && unchanged.size > 0) {
      const found = sliceToFill([...unchanged].map((n) => byName.get(n)!), desired.size, max);
      if (found) {
        slice = structuredClone(found);
        byName.set(slice.metadata?.name ?? '', slice);
      }
    }
    slice ??= newEndpointSlice(svc, ports, addressType);
    take(slice);
    const name = slice.metadata?.name;
    if (name) {
      toUpdate.add(name);
      unchanged.delete(name);
    } else {
      create.push(slice);
    }
  }

  return {
    create,
    update: [...toUpdate].map((n) => byName.get(n)!),
    delete: [...toDelete].map((n) => byName.get(n)!),
  };
}
