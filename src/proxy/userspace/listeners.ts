// Which sockets the userspace proxy opens for each service port, and which endpoints each one
// sends traffic to. Pure data: proxier.ts opens, keeps and closes the sockets. A service port is
// reached through up to three kinds of address, as in the kernel modes (ruleset.ts):
// - its clusterIP (or the configured listen address), under internalTrafficPolicy;
// - its nodePort on each node address, under externalTrafficPolicy;
// - each external address (spec.externalIPs, status.loadBalancer.ingress) at the service port,
//   under externalTrafficPolicy, but only when the address is this host's: a socket cannot be
//   bound to an address the host does not have, and traffic to a load balancer's own address
//   never reaches this node anyway.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { ProxyEndpoint, ProxyProtocol, ServicePortInfo } from '../model.js';
import type { ListenAddress } from './tcp.js';

export type ListenerKind = 'cluster' | 'nodePort' | 'external';

/** One socket the proxier wants open. */
export interface ListenerSpec {
  /** Stable identity: a listener whose id is unchanged is kept (and its endpoints updated). */
  id: string;
  /** The service port's key (model.ts). */
  key: string;
  kind: ListenerKind;
  protocol: ProxyProtocol;
  address: ListenAddress;
  endpoints: ProxyEndpoint[];
  /** Where clients on this host go instead of `endpoints` (externalTrafficPolicy Local). */
  hostEndpoints?: ProxyEndpoint[];
  affinityTimeoutSeconds?: number;
}

export interface ListenerOptions {
  /** The cluster listener's address for a service port. */
  listenAddress: (port: ServicePortInfo) => ListenAddress;
  /** Where nodePorts listen; '0.0.0.0' means every host address. Empty: no nodePort listeners. */
  nodeAddresses: readonly string[];
  /** This host's IPv4 addresses: external addresses outside it are not listened on. */
  hostAddresses: ReadonlySet<string>;
}

export const WILDCARD = '0.0.0.0';

/**
 * The nodePort addresses to bind: a wildcard covers every specific address (binding both would
 * fail with EADDRINUSE), duplicates are dropped.
 */
export function nodePortHosts(nodeAddresses: readonly string[]): string[] {
  if (nodeAddresses.includes(WILDCARD)) return [WILDCARD];
  return [...new Set(nodeAddresses)];
}

export function desiredListeners(ports: readonly ServicePortInfo[], options: ListenerOptions): ListenerSpec[] {
  const nodeHosts = nodePortHosts(options.nodeAddresses);
  // A UDP socket on the wildcard address replies from whichever source address the route back to
  // the client picks, not necessarily the one the client sent to (Node cannot use IP_PKTINFO), and
  // the client then drops the reply: UDP nodePorts bind each of the host's addresses instead.
  const udpNodeHosts = nodeHosts[0] === WILDCARD ? [...options.hostAddresses].sort() : nodeHosts;
  const out: ListenerSpec[] = [];
  for (const p of ports) {
    const add = (kind: ListenerKind, address: ListenAddress, endpoints: ProxyEndpoint[], hostEndpoints?: ProxyEndpoint[]) =>
      out.push({
        id: `${p.key} ${kind} ${address.host}:${address.port}`,
        key: p.key,
        kind,
        protocol: p.protocol,
        address,
        endpoints,
        hostEndpoints,
        affinityTimeoutSeconds: p.affinityTimeoutSeconds,
      });
    add('cluster', options.listenAddress(p), p.internalPolicyLocal ? p.localEndpoints : p.clusterEndpoints);
    // Under the Local policy, outside clients keep to this node's endpoints (their source address
    // survives) and the host's own clients reach them all; otherwise everyone reaches them all.
    const external = p.externalPolicyLocal ? p.localEndpoints : p.clusterEndpoints;
    const host = p.externalPolicyLocal ? p.clusterEndpoints : undefined;
    if (p.nodePort !== undefined) for (const h of p.protocol === 'UDP' ? udpNodeHosts : nodeHosts) add('nodePort', { host: h, port: p.nodePort }, external, host);
    for (const ip of p.externalAddresses) if (options.hostAddresses.has(ip)) add('external', { host: ip, port: p.port }, external, host);
  }
  return out;
}
