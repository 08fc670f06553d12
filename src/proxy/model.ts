// The proxy's view of the cluster: one entry per Service port that the dataplane must program,
// with the endpoints traffic may go to, already filtered the way upstream kube-proxy does
// (pkg/proxy/servicechangetracker.go, endpointslicecache.go and topology.go's CategorizeEndpoints).
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

export type ProxyProtocol = 'TCP' | 'UDP';

/** One backend address:port of a service port, with its EndpointSlice conditions normalised. */
export interface ProxyEndpoint {
  ip: string;
  port: number;
  nodeName?: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

/** One port of one Service, as the dataplane programs it. */
export interface ServicePortInfo {
  /** "namespace/name/tcp/portName", the stable key (upstream's ServicePortName, lower-cased protocol). */
  key: string;
  namespace: string;
  name: string;
  portName: string;
  protocol: ProxyProtocol;
  clusterIP: string;
  port: number;
  nodePort?: number;
  /** status.loadBalancer.ingress[].ip and spec.externalIPs: addresses that reach the service from outside. */
  externalAddresses: string[];
  /** sessionAffinity ClientIP timeout in seconds; absent without affinity. */
  affinityTimeoutSeconds?: number;
  internalPolicyLocal: boolean;
  externalPolicyLocal: boolean;
  /**
   * The usable endpoints cluster-wide, for traffic under a Cluster policy. Empty means the service
   * has no endpoints at all (rejected); a Local policy with endpoints elsewhere only drops.
   */
  clusterEndpoints: ProxyEndpoint[];
  /** The usable endpoints on this node, for traffic under a Local policy. */
  localEndpoints: ProxyEndpoint[];
}

export interface ModelOptions {
  /** This node's name: endpoints with this nodeName are local. */
  nodeName: string;
}

/** Upstream's default sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

function protocolOf(p: string | undefined): ProxyProtocol | undefined {
  // SCTP needs kernel modules we do not assume; upstream skips protocols it cannot program too.
  if (p === undefined || p === 'TCP') return 'TCP';
  if (p === 'UDP') return 'UDP';
  return undefined;
}

const isIPv4 = (ip: string) => /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(ip);

/**
 * The endpoints of each slice port, grouped by service ("ns/name") then by "portName/PROTO".
 * Endpoints are deduplicated by ip:port across slices (a pod can appear in two slices while the
 * controller moves it), the first seen wins, as upstream's endpointslicecache does.
 */
function indexSlices(slices: EndpointSlice[]): Map<string, Map<string, ProxyEndpoint[]>> {
  const byService = new Map<string, Map<string, ProxyEndpoint[]>>();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    const svc = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!svc || slice.metadata?.deletionTimestamp) continue;
    const key = `${slice.metadata?.namespace ?? 'default'}/${svc}`;
    let ports = byService.get(key);
    if (!ports) byService.set(key, (ports = new Map()));
    for (const p of slice.ports ?? []) {
      const protocol = protocolOf(p.protocol);
      if (!protocol || p.port === undefined) continue;
      const portKey = `${p.name ?? ''}/${protocol}`;
      let list = ports.get(portKey);
      if (!list) ports.set(portKey, (list = []));
      const seen = new Set(list.map((e) => e.ip));
      for (const ep of slice.endpoints ?? []) {
        const ip = ep.addresses[0];
        if (!ip || seen.has(ip) || !isIPv4(ip)) continue;
        seen.add(ip);
        // Upstream: a nil ready counts as ready, a nil serving follows ready, a nil terminating is false.
        const ready = ep.conditions?.ready ?? true;
        list.push({
          ip,
          port: p.port,
          nodeName: ep.nodeName,
          ready,
          serving: ep.conditions?.serving ?? ready,
          terminating: ep.conditions?.terminating ?? false,
        });
      }
    }
  }
  return byService;
}

/**
 * Ready endpoints, or when none is ready, the ones still serving while terminating (upstream's
 * ProxyTerminatingEndpoints, GA since 1.28): connections drain to them rather than fail.
 */
function usable(endpoints: ProxyEndpoint[]): ProxyEndpoint[] {
  const ready = endpoints.filter((e) => e.ready);
  return ready.length > 0 ? ready : endpoints.filter((e) => e.serving && e.terminating);
}

function ipNumber(ip: string): number {
  let n = 0;
  for (const part of ip.split('.')) n = n * 256 + Number(part);
  return n;
}

/** Sorted by address so that generated rules do not change with slice order. */
function sortByAddress(endpoints: ProxyEndpoint[]): ProxyEndpoint[] {
  return endpoints
    .map((e) => ({ e, n: ipNumber(e.ip) }))
    .sort((a, b) => a.n - b.n || a.e.port - b.e.port)
    .map((x) => x.e);
}

/** The service ports to program, sorted by key so that generated scripts are stable. */
export function buildServicePorts(services: Service[], slices: EndpointSlice[], options: ModelOptions): ServicePortInfo[] {
  const endpointsByService = indexSlices(slices);
  const out: ServicePortInfo[] = [];
  for (const svc of services) {
    const spec = svc.spec;
    const namespace = svc.metadata?.namespace ?? 'default';
    const name = svc.metadata?.name ?? '';
    // ExternalName and headless services have no virtual IP: DNS alone serves them.
    if (!spec || spec.type === 'ExternalName') continue;
    const clusterIP = spec.clusterIP;
    if (!clusterIP || clusterIP === 'None' || !isIPv4(clusterIP)) continue;
    const external = [
      ...(spec.externalIPs ?? []),
      // An ingress of ipMode Proxy is reached through its load balancer, which sends the traffic
      // on with its own address as the destination: capturing that address would bypass it
      // (upstream's LoadBalancerIPMode).
      ...(spec.type === 'LoadBalancer' ? (svc.status?.loadBalancer?.ingress ?? []).filter((i) => i.ipMode !== 'Proxy').map((i) => i.ip ?? '') : []),
    ].filter((ip, i, all) => isIPv4(ip) && all.indexOf(ip) === i);
    const affinity = spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS) : undefined;
    const hasNodePorts = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
    const internalPolicyLocal = spec.internalTrafficPolicy === 'Local';
    // externalTrafficPolicy only means something for services reachable from outside.
    const externalPolicyLocal = spec.externalTrafficPolicy === 'Local' && (hasNodePorts || external.length > 0);
    const slicePorts = endpointsByService.get(`${namespace}/${name}`);
    for (const port of spec.ports ?? []) {
      const protocol = protocolOf(port.protocol);
      if (!protocol) continue;
      const portName = port.name ?? '';
      // The EndpointSlice controller already resolved named targetPorts per pod: slice ports are
      // matched to service ports by name (upstream does the same).
      const all = sortByAddress(slicePorts?.get(`${portName}/${protocol}`) ?? []);
      const local = all.filter((e) => e.nodeName === options.nodeName);
      out.push({
        key: `${namespace}/${name}/${protocol.toLowerCase()}/${portName}`,
        namespace,
        name,
        portName,
        protocol,
        clusterIP,
        port: port.port,
        nodePort: hasNodePorts && port.nodePort ? port.nodePort : undefined,
        externalAddresses: external,
        affinityTimeoutSeconds: affinity,
        internalPolicyLocal,
        externalPolicyLocal,
        clusterEndpoints: usable(all),
        localEndpoints: usable(local),
      });
    }
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
