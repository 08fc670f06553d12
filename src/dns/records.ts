import type { Namespace, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { normalizeIP } from './message.js';

/**
 * In-memory indexes of the objects cluster DNS answers from, fed by informer event handlers (so a
 * query never costs an API call). Every lookup is a map access keyed by namespace/name; only
 * headless answers walk the (few) EndpointSlices of one service.
 */

export interface PortInfo {
  /** Lowercased port name ('' when unnamed). */
  name: string;
  port: number;
  /** Lowercased protocol: tcp, udp or sctp. */
  protocol: string;
}

export interface ServiceInfo {
  namespace: string;
  name: string;
  headless: boolean;
  /** Set for type ExternalName. */
  externalName?: string;
  clusterIPs: string[];
  ports: PortInfo[];
}

export interface EndpointAddress {
  ip: string;
  /** The endpoint's DNS label: its hostname, or its IP with separators turned into dashes. */
  label: string;
  /** Ports of the slice the endpoint came from (a port of -1 when the slice names none). */
  ports: PortInfo[];
}

interface SliceInfo {
  serviceKey: string;
  endpoints: { ip: string; label: string }[];
  ports: PortInfo[];
}

/** What informer handlers call; ClusterRecords implements it. */
export interface ClusterRecordsSink {
  upsertService(s: Service): void;
  deleteService(s: Service): void;
  upsertEndpointSlice(e: EndpointSlice): void;
  deleteEndpointSlice(e: EndpointSlice): void;
  upsertPod(p: Pod): void;
  deletePod(p: Pod): void;
  upsertNamespace(n: Namespace): void;
  deleteNamespace(n: Namespace): void;
}

/** The service an EndpointSlice belongs to (upstream LabelServiceName). */
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

function key(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}

/** CoreDNS's endpointHostname: the hostname, else the IP with '.' or ':' replaced by '-'. */
export function dashedIP(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}

function portsOf(ports: { name?: string; port?: number; protocol?: string }[] | undefined): PortInfo[] {
  return (ports ?? []).map((p) => ({
    name: (p.name ?? '').toLowerCase(),
    port: p.port ?? -1,
    protocol: (p.protocol ?? 'TCP').toLowerCase(),
  }));
}

export class ClusterRecords implements ClusterRecordsSink {
  private readonly services = new Map<string, ServiceInfo>();
  private readonly slices = new Map<string, SliceInfo>();
  private readonly slicesByService = new Map<string, Set<string>>();
  private readonly podIPs = new Map<string, string[]>();
  /** namespace -> number of pods with that IP, for `pods verified`. */
  private readonly podIPsByNamespace = new Map<string, Map<string, number>>();
  private readonly namespaceObjects = new Set<string>();
  /** namespace -> services + pods in it: a namespace exists while it holds something. */
  private readonly namespaceRefs = new Map<string, number>();
  /** IP -> owner name (absolute, without zone) -> reference count, for PTR answers. */
  private readonly reverse = new Map<string, Map<string, number>>();

  // --- feeding -------------------------------------------------------------------------------

  upsertService(s: Service): void {
    const k = key(s.metadata?.namespace, s.metadata?.name);
    const old = this.services.get(k);
    if (old) this.forgetService(k, old);
    const spec = s.spec ?? {};
    const ips = (spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : []);
    const info: ServiceInfo = {
      namespace: s.metadata?.namespace ?? '',
      name: s.metadata?.name ?? '',
      headless: spec.type !== 'ExternalName' && (ips.length === 0 || ips[0] === 'None'),
      externalName: spec.type === 'ExternalName' ? spec.externalName : undefined,
      clusterIPs: spec.type === 'ExternalName' ? [] : ips.filter((ip) => ip !== 'None' && ip !== '').map(normalizeIP),
      ports: portsOf(spec.ports),
    };
    this.services.set(k, info);
    this.refNamespace(info.namespace, 1);
    for (const ip of info.clusterIPs) this.addReverse(ip, `${info.name}.${info.namespace}.svc`);
  }

  deleteService(s: Service): void {
    const k = key(s.metadata?.namespace, s.metadata?.name);
    const old = this.services.get(k);
    if (old) this.forgetService(k, old);
  }

  private forgetService(k: string, info: ServiceInfo): void {
    this.services.delete(k);
    this.refNamespace(info.namespace, -1);
    for (const ip of info.clusterIPs) this.removeReverse(ip, `${info.name}.${info.namespace}.svc`);
  }

  upsertEndpointSlice(e: EndpointSlice): void {
    const k = key(e.metadata?.namespace, e.metadata?.name);
    this.forgetSlice(k);
    const svcName = e.metadata?.labels?.[SERVICE_NAME_LABEL];
    // FQDN slices carry no addresses DNS could answer with; slices of no service name no one.
    if (!svcName || (e.addressType !== 'IPv4' && e.addressType !== 'IPv6')) return;
    const namespace = e.metadata?.namespace ?? '';
    const info: SliceInfo = { serviceKey: key(namespace, svcName), endpoints: [], ports: portsOf(e.ports) };
    // CoreDNS adds a sentinel port when a slice has none, so headless A records still exist.
    if (info.ports.length === 0) info.ports.push({ name: '', port: -1, protocol: '' });
    for (const ep of e.endpoints ?? []) {
      // A nil ready condition means ready (EndpointConditions docs); not-ready endpoints are not
      // published (publishNotReadyAddresses is already folded into `ready` by the controller).
      if (ep.conditions?.ready === false) continue;
      for (const raw of ep.addresses ?? []) {
        const ip = normalizeIP(raw);
        const label = ep.hostname ? ep.hostname.toLowerCase() : dashedIP(ip);
        info.endpoints.push({ ip, label });
        this.addReverse(ip, `${label}.${svcName}.${namespace}.svc`);
      }
    }
    this.slices.set(k, info);
    let set = this.slicesByService.get(info.serviceKey);
    if (!set) this.slicesByService.set(info.serviceKey, (set = new Set()));
    set.add(k);
  }

  deleteEndpointSlice(e: EndpointSlice): void {
    this.forgetSlice(key(e.metadata?.namespace, e.metadata?.name));
  }

  private forgetSlice(k: string): void {
    const old = this.slices.get(k);
    if (!old) return;
    this.slices.delete(k);
    const [namespace, svcName] = old.serviceKey.split('/');
    for (const ep of old.endpoints) this.removeReverse(ep.ip, `${ep.label}.${svcName}.${namespace}.svc`);
    const set = this.slicesByService.get(old.serviceKey);
    set?.delete(k);
    if (set?.size === 0) this.slicesByService.delete(old.serviceKey);
  }

  upsertPod(p: Pod): void {
    const k = key(p.metadata?.namespace, p.metadata?.name);
    this.deletePodKey(k, p.metadata?.namespace ?? '');
    const namespace = p.metadata?.namespace ?? '';
    const ips = (p.status?.podIPs?.map((i) => i.ip).filter((ip): ip is string => !!ip)
      ?? (p.status?.podIP ? [p.status.podIP] : [])).map(normalizeIP);
    this.podIPs.set(k, ips);
    this.refNamespace(namespace, 1);
    let byIP = this.podIPsByNamespace.get(namespace);
    if (!byIP) this.podIPsByNamespace.set(namespace, (byIP = new Map()));
    for (const ip of ips) byIP.set(ip, (byIP.get(ip) ?? 0) + 1);
  }

  deletePod(p: Pod): void {
    this.deletePodKey(key(p.metadata?.namespace, p.metadata?.name), p.metadata?.namespace ?? '');
  }

  private deletePodKey(k: string, namespace: string): void {
    const ips = this.podIPs.get(k);
    if (!ips) return;
    this.podIPs.delete(k);
    this.refNamespace(namespace, -1);
    const byIP = this.podIPsByNamespace.get(namespace);
    for (const ip of ips) {
      const n = (byIP?.get(ip) ?? 0) - 1;
      if (n > 0) byIP?.set(ip, n);
      else byIP?.delete(ip);
    }
    if (byIP?.size === 0) this.podIPsByNamespace.delete(namespace);
  }

  upsertNamespace(n: Namespace): void {
    if (n.metadata?.name) this.namespaceObjects.add(n.metadata.name);
  }

  deleteNamespace(n: Namespace): void {
    if (n.metadata?.name) this.namespaceObjects.delete(n.metadata.name);
  }

  private refNamespace(namespace: string, delta: number): void {
    const n = (this.namespaceRefs.get(namespace) ?? 0) + delta;
    if (n > 0) this.namespaceRefs.set(namespace, n);
    else this.namespaceRefs.delete(namespace);
  }

  private addReverse(ip: string, owner: string): void {
    let owners = this.reverse.get(ip);
    if (!owners) this.reverse.set(ip, (owners = new Map()));
    owners.set(owner, (owners.get(owner) ?? 0) + 1);
  }

  private removeReverse(ip: string, owner: string): void {
    const owners = this.reverse.get(ip);
    if (!owners) return;
    const n = (owners.get(owner) ?? 0) - 1;
    if (n > 0) owners.set(owner, n);
    else owners.delete(owner);
    if (owners.size === 0) this.reverse.delete(ip);
  }

  // --- lookups -------------------------------------------------------------------------------

  /**
   * CoreDNS checks the namespace exists (its namespace informer) before answering in it. We know
   * a namespace from its Namespace object or, when not fed those, from the objects it holds.
   */
  namespaceExists(namespace: string): boolean {
    return this.namespaceObjects.has(namespace) || this.namespaceRefs.has(namespace);
  }

  service(namespace: string, name: string): ServiceInfo | undefined {
    return this.services.get(key(namespace, name));
  }

  /** Ready endpoint addresses of a service across its slices, deduplicated by IP and label. */
  endpoints(namespace: string, name: string): EndpointAddress[] {
    const sliceKeys = this.slicesByService.get(key(namespace, name));
    if (!sliceKeys) return [];
    const out: EndpointAddress[] = [];
    const seen = new Set<string>();
    for (const sk of sliceKeys) {
      const slice = this.slices.get(sk)!;
      for (const ep of slice.endpoints) {
        const id = `${ep.ip}/${ep.label}`;
        if (seen.has(id)) continue;
        seen.add(id);
        out.push({ ip: ep.ip, label: ep.label, ports: slice.ports });
      }
    }
    return out;
  }

  podIPExists(namespace: string, ip: string): boolean {
    return this.podIPsByNamespace.get(namespace)?.has(ip) ?? false;
  }

  /** Names (relative to the zone, e.g. `web.default.svc`) whose address is `ip`. */
  reverseNames(ip: string): string[] {
    const owners = this.reverse.get(ip);
    return owners ? [...owners.keys()] : [];
  }
}
