// The EndpointSlice endpoint a pod becomes for a service (upstream podToEndpoint, getEndpointPorts,
// getEndpointAddresses, getAddressTypesForService), and how endpoints and port sets are keyed and
// compared when existing slices are reconciled.
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js';
import { ipFamily } from '../../api/core/v1/endpoints.js';
import { findPort, isPodReady, isServiceIPSet, podIPs, shouldSetHostname } from './util/pods.js';

export const LABEL_ZONE = 'topology.kubernetes.io/zone';

export type AddressType = 'IPv4' | 'IPv6';

/**
 * The address types a service's slices carry: one per IP family in spec.ipFamilies. Services an
 * old server left without families get their cluster IP's family, or both when headless.
 */
export function addressTypesForService(svc: Service): AddressType[] {
  const types = new Set<AddressType>();
  for (const f of svc.spec?.ipFamilies ?? []) if (f === 'IPv4' || f === 'IPv6') types.add(f);
  if (types.size) return [...types];
  if (isServiceIPSet(svc)) return [ipFamily(svc.spec!.clusterIP!) === 6 ? 'IPv6' : 'IPv4'];
  return ['IPv4', 'IPv6'];
}

/**
 * The ports of a pod's endpoint: every service port whose target the pod has, with the number
 * resolved (named targets looked up in the pod). Headless services may have no ports at all.
 */
export function endpointPortsFor(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

/** The pod's IPs of one family (IPv4-mapped IPv6 addresses count as IPv4, as in Go). */
export function endpointAddresses(pod: Pod, addressType: AddressType): string[] {
  const want = addressType === 'IPv6' ? 6 : 4;
  return podIPs(pod).filter((ip) => ipFamily(ip) === want);
}

/**
 * A pod as an endpoint of `svc`: serving when Ready; terminating while being deleted; ready when
 * serving and not terminating, or always with publishNotReadyAddresses.
 */
export function podToEndpoint(pod: Pod, node: Node | undefined, svc: Service, addressType: AddressType): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata?.deletionTimestamp;
  const ready = !!svc.spec?.publishNotReadyAddresses || (serving && !terminating);
  const ep: Endpoint = {
    addresses: endpointAddresses(pod, addressType),
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata?.labels?.[LABEL_ZONE];
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname!;
  return ep;
}

/**
 * An endpoint's identity across syncs (upstream hashEndpoint): its addresses, hostname and target.
 * Everything else about it is a change to an endpoint already placed in some slice.
 */
export function endpointKey(ep: Endpoint): string {
  return JSON.stringify([[...ep.addresses].sort(), ep.hostname ?? '', ep.targetRef?.namespace ?? '', ep.targetRef?.name ?? '']);
}

const portTuple = (p: EndpointPort) => [p.name ?? '', p.protocol ?? 'TCP', p.port ?? null, p.appProtocol ?? null];

/** A set of ports, order and defaults aside: slices are grouped by it. */
export function portMapKey(ports: EndpointPort[] | undefined): string {
  return JSON.stringify((ports ?? []).map((p) => JSON.stringify(portTuple(p))).sort());
}

/**
 * upstream EndpointsEqualBeyondHash: the fields endpointKey leaves out agree (node, zone,
 * conditions, target ref except its resourceVersion).
 */
export function endpointsEqualBeyondKey(a: Endpoint, b: Endpoint): boolean {
  const ca = a.conditions ?? {};
  const cb = b.conditions ?? {};
  const ra = a.targetRef;
  const rb = b.targetRef;
  const refsEqual =
    (!ra && !rb) ||
    (!!ra &&
      !!rb &&
      (ra.kind ?? '') === (rb.kind ?? '') &&
      (ra.namespace ?? '') === (rb.namespace ?? '') &&
      (ra.name ?? '') === (rb.name ?? '') &&
      (ra.uid ?? '') === (rb.uid ?? '') &&
      (ra.apiVersion ?? '') === (rb.apiVersion ?? '') &&
      (ra.fieldPath ?? '') === (rb.fieldPath ?? ''));
  return (
    a.nodeName === b.nodeName &&
    a.zone === b.zone &&
    ca.ready === cb.ready &&
    ca.serving === cb.serving &&
    ca.terminating === cb.terminating &&
    refsEqual
  );
}
