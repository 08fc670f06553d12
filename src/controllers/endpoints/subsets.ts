// The core/v1 Endpoints of a service (upstream endpoints controller's syncService body,
// podToEndpointAddressForService, addEndpointSubset, RepackSubsets and truncateEndpoints): one
// subset per distinct set of ports, ready pods in `addresses`, the others in `notReadyAddresses`.
import type { EndpointAddress, EndpointPort, EndpointSubset, Pod, Service } from 'kubernetes-types/core/v1.js';
import { ipFamily } from '../../api/core/v1/endpoints.js';
import { semanticEqual } from '../../api/core/v1/semantic-equal.js';
import { findPort, isPodReady, isServiceIPSet, podIPs, shouldPodBeInEndpoints, shouldSetHostname } from '../endpointslice/util/pods.js';

export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
export const ANNOTATION_OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';
/** More addresses than this are truncated (upstream maxCapacity). */
export const MAX_CAPACITY = 1000;

/**
 * The address of `pod` for `svc`: its IP of the service's (first) family; for services an old
 * server left without families, the cluster IP's family, or the pod's own for headless ones.
 * Undefined when the pod has no IP of that family.
 */
export function podToEndpointAddress(svc: Service, pod: Pod): EndpointAddress | undefined {
  let family: 4 | 6 = 4;
  const families = svc.spec?.ipFamilies ?? [];
  if (families.length) family = families[0] === 'IPv6' ? 6 : 4;
  else if (isServiceIPSet(svc)) family = ipFamily(svc.spec!.clusterIP!) === 6 ? 6 : 4;
  else family = ipFamily(podIPs(pod)[0] ?? '') === 6 ? 6 : 4;
  const ip = podIPs(pod).find((i) => ipFamily(i) === family);
  if (!ip) return undefined;
  const addr: EndpointAddress = {
    ip,
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
  };
  if (pod.spec?.nodeName) addr.nodeName = pod.spec.nodeName;
  if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec!.hostname!;
  return addr;
}

/**
 * The subsets of a service's Endpoints. Pods being deleted only appear with
 * publishNotReadyAddresses, which also makes every address ready. A pod lacking a named target
 * port is left out of that port; headless services without ports list bare addresses.
 */
export function desiredSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const tolerateUnready = !!svc.spec?.publishNotReadyAddresses;
  const subsets: EndpointSubset[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const addr = podToEndpointAddress(svc, pod);
    if (!addr) continue;
    const ready = tolerateUnready || isPodReady(pod);
    const add = (ports: EndpointPort[]) =>
      subsets.push(ready ? { addresses: [addr], ports } : { notReadyAddresses: [addr], ports });
    const svcPorts = svc.spec?.ports ?? [];
    if (svcPorts.length === 0) {
      if (svc.spec?.clusterIP === 'None') add([]);
      continue;
    }
    for (const sp of svcPorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
      if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
      add([ep]);
    }
  }
  return repackSubsets(subsets);
}

const addressKey = (a: EndpointAddress) => `${a.ip}|${a.targetRef?.uid ?? ''}`;
const portKey = (p: EndpointPort) => JSON.stringify([p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? null]);

const compareAddresses = (a: EndpointAddress, b: EndpointAddress) =>
  a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : (a.targetRef?.uid ?? '') < (b.targetRef?.uid ?? '') ? -1 : (a.targetRef?.uid ?? '') > (b.targetRef?.uid ?? '') ? 1 : 0;
const comparePorts = (a: EndpointPort, b: EndpointPort) => (portKey(a) < portKey(b) ? -1 : portKey(a) > portKey(b) ? 1 : 0);

/**
 * upstream RepackSubsets: the canonical layout of any subsets. Each port maps to the addresses
 * offering it (an address not ready on any subset is not ready); ports with exactly the same
 * addresses share a subset; everything is sorted so equal content compares equal.
 */
export function repackSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  const addresses = new Map<string, EndpointAddress>();
  // port key ('' for "no port") -> its port and address key -> ready
  const byPort = new Map<string, { port?: EndpointPort; ready: Map<string, boolean> }>();
  const note = (addr: EndpointAddress, port: EndpointPort | undefined, ready: boolean) => {
    const ak = addressKey(addr);
    if (!addresses.has(ak)) addresses.set(ak, structuredClone(addr));
    const pk = port ? portKey(port) : '';
    let entry = byPort.get(pk);
    if (!entry) byPort.set(pk, (entry = { port, ready: new Map() }));
    // Not ready anywhere wins over ready.
    if (entry.ready.get(ak) !== false) entry.ready.set(ak, ready);
  };
  for (const s of subsets) {
    const ports: (EndpointPort | undefined)[] = s.ports?.length ? s.ports : [undefined];
    for (const port of ports) {
      for (const a of s.addresses ?? []) note(a, port, true);
      for (const a of s.notReadyAddresses ?? []) note(a, port, false);
    }
  }
  // Group the ports by the exact address set (with readiness) they have.
  const groups = new Map<string, { ready: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const { port, ready } of byPort.values()) {
    const gk = JSON.stringify([...ready].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let g = groups.get(gk);
    if (!g) groups.set(gk, (g = { ready, ports: [] }));
    if (port) g.ports.push(structuredClone(port));
  }
  const out: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [ak, r] of g.ready) (r ? ready : notReady).push(addresses.get(ak)!);
    if (ready.length + notReady.length === 0) continue;
    const subset: EndpointSubset = {};
    if (ready.length) subset.addresses = ready.sort(compareAddresses);
    if (notReady.length) subset.notReadyAddresses = notReady.sort(compareAddresses);
    if (g.ports.length) subset.ports = g.ports.sort(comparePorts);
    out.push(subset);
  }
  const sortKey = (s: EndpointSubset) => JSON.stringify([s.addresses?.[0]?.ip ?? s.notReadyAddresses?.[0]?.ip ?? '', (s.ports ?? []).map(portKey)]);
  return out.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
}

/**
 * upstream truncateEndpoints: keeps at most `max` addresses, ready ones first, spreading the cut
 * over subsets in proportion to their size. Returns the subsets and whether anything was cut.
 */
export function truncateSubsets(subsets: EndpointSubset[], max = MAX_CAPACITY): { subsets: EndpointSubset[]; truncated: boolean } {
  let totalReady = 0;
  let totalNotReady = 0;
  for (const s of subsets) {
    totalReady += s.addresses?.length ?? 0;
    totalNotReady += s.notReadyAddresses?.length ?? 0;
  }
  if (totalReady + totalNotReady <= max) return { subsets, truncated: false };
  const truncateReady = totalReady > max;
  const room = truncateReady ? max : max - totalReady;
  const total = truncateReady ? totalReady : totalNotReady;
  let left = room;
  const out = subsets.map((orig) => {
    const s = structuredClone(orig);
    const inSubset = truncateReady ? (s.addresses?.length ?? 0) : (s.notReadyAddresses?.length ?? 0);
    const share = Math.min(Math.ceil((inSubset / total) * room), left);
    if (truncateReady) {
      s.addresses = (s.addresses ?? []).slice(0, share);
      delete s.notReadyAddresses;
      left -= s.addresses.length;
    } else {
      s.notReadyAddresses = (s.notReadyAddresses ?? []).slice(0, share);
      left -= s.notReadyAddresses.length;
    }
    return s;
  });
  return { subsets: out, truncated: true };
}

const withoutRefVersions = (subsets: EndpointSubset[] | undefined): EndpointSubset[] => {
  const copy = structuredClone(subsets ?? []);
  for (const s of copy) for (const a of [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])]) if (a.targetRef) delete a.targetRef.resourceVersion;
  return copy;
};

/** Equal subsets, the pods' resourceVersions in target refs aside (a pod's other updates are not endpoint changes). */
export function subsetsEqual(a: EndpointSubset[] | undefined, b: EndpointSubset[] | undefined): boolean {
  return semanticEqual(withoutRefVersions(a), withoutRefVersions(b));
}

/** Two label maps hold the same entries (absent equals empty). */
export function labelsEqual(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ea = Object.entries(a ?? {});
  return ea.length === Object.keys(b ?? {}).length && ea.every(([k, v]) => b?.[k] === v);
}

/** The Endpoints' labels: the service's, plus the headless marker when it has no cluster IP. */
export function endpointsLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  if (isServiceIPSet(svc)) delete labels[LABEL_HEADLESS];
  else labels[LABEL_HEADLESS] = '';
  return labels;
}
