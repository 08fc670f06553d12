// From the service ports to the desired content of the table's variable part: per-service chains,
// affinity sets and verdict map elements (the fixed part is layout.ts). Pure data, no syntax
// beyond rule bodies, so that nftables.ts can diff two of these and emit only the changes.
import {
  affinitySetName,
  CHAIN_MARK_MASQ,
  CHAIN_REJECT,
  clusterChainName,
  endpointChainName,
  externalChainName,
  localChainName,
  MAP_NO_ENDPOINT_NODEPORTS,
  MAP_NO_ENDPOINT_SERVICES,
  MAP_SERVICE_IPS,
  MAP_SERVICE_NODEPORTS,
  type VerdictMapName,
  VERDICT_MAPS,
} from './layout.js';
import type { ProxyEndpoint, ServicePortInfo } from './model.js';

export interface RulesetOptions {
  /**
   * The pod network: traffic to a clusterIP from outside it is masqueraded so that replies come
   * back through this node (upstream's LocalDetector by cluster CIDR).
   */
  clusterCIDR?: string;
  /** Masquerade all traffic to clusterIPs (upstream's --masquerade-all). */
  masqueradeAll?: boolean;
}

/** The variable part of the table. Chains and sets are keyed by name; map elements by key text. */
export interface Ruleset {
  chains: Map<string, string[]>;
  /** Affinity sets: name -> timeout in seconds. */
  sets: Map<string, number>;
  maps: Record<VerdictMapName, Map<string, string>>;
}

export function emptyRuleset(): Ruleset {
  const maps = {} as Record<VerdictMapName, Map<string, string>>;
  for (const m of VERDICT_MAPS) maps[m] = new Map();
  return { chains: new Map(), sets: new Map(), maps };
}

/** Rules and elements in a ruleset, for the "rules programmed" figures. */
export function countRuleset(r: Ruleset): { chains: number; rules: number; elements: number } {
  let rules = 0;
  for (const body of r.chains.values()) rules += body.length;
  let elements = 0;
  for (const m of VERDICT_MAPS) elements += r.maps[m].size;
  return { chains: r.chains.size, rules, elements };
}

const proto = (p: ServicePortInfo) => p.protocol.toLowerCase();

/** Rules that pick one of `endpoints` (non-empty), honouring session affinity first. */
function balanceRules(p: ServicePortInfo, endpoints: ProxyEndpoint[]): string[] {
  const rules: string[] = [];
  if (p.affinityTimeoutSeconds !== undefined) {
    // A client seen recently goes back to the endpoint it was sent to (the endpoint chain
    // refreshes the entry), before any random pick.
    for (const e of endpoints) rules.push(`ip saddr @${affinitySetName(p.key, e.ip, e.port, p.affinityTimeoutSeconds)} goto ${endpointChainName(p.key, e.ip, e.port)}`);
  }
  if (endpoints.length === 1) {
    rules.push(`goto ${endpointChainName(p.key, endpoints[0]!.ip, endpoints[0]!.port)}`);
  } else {
    const arms = endpoints.map((e, i) => `${i} : goto ${endpointChainName(p.key, e.ip, e.port)}`);
    rules.push(`numgen random mod ${endpoints.length} vmap { ${arms.join(', ')} }`);
  }
  return rules;
}

/** The masquerade decision for traffic to the clusterIP, placed in the internal traffic chain. */
function clusterIPMasqRules(p: ServicePortInfo, options: RulesetOptions): string[] {
  const match = `ip daddr ${p.clusterIP} ${proto(p)} dport ${p.port}`;
  if (options.masqueradeAll) return [`${match} jump ${CHAIN_MARK_MASQ}`];
  if (options.clusterCIDR) return [`${match} ip saddr != ${options.clusterCIDR} jump ${CHAIN_MARK_MASQ}`];
  return [];
}

function addServicePort(r: Ruleset, p: ServicePortInfo, options: RulesetOptions): void {
  const hasExternal = p.nodePort !== undefined || p.externalAddresses.length > 0;
  const internalEndpoints = p.internalPolicyLocal ? p.localEndpoints : p.clusterEndpoints;
  const externalEndpoints = p.externalPolicyLocal ? p.localEndpoints : p.clusterEndpoints;
  const clusterChain = clusterChainName(p.key);
  const localChain = localChainName(p.key);
  const externalChain = externalChainName(p.key);
  // An external chain under the Local policy still sends the host's own traffic (and the pods',
  // when the pod network is known) to all endpoints, as upstream does.
  const usesCluster = p.clusterEndpoints.length > 0 && (!p.internalPolicyLocal || (hasExternal && externalEndpoints.length > 0));
  const usesLocal = p.localEndpoints.length > 0 && (p.internalPolicyLocal || (hasExternal && p.externalPolicyLocal));

  const used = new Map<string, ProxyEndpoint>();
  const use = (list: ProxyEndpoint[]) => list.forEach((e) => used.set(`${e.ip}/${e.port}`, e));
  if (usesCluster) {
    use(p.clusterEndpoints);
    const masq = p.internalPolicyLocal ? [] : clusterIPMasqRules(p, options);
    r.chains.set(clusterChain, [...masq, ...balanceRules(p, p.clusterEndpoints)]);
  }
  if (usesLocal) {
    use(p.localEndpoints);
    const masq = p.internalPolicyLocal ? clusterIPMasqRules(p, options) : [];
    r.chains.set(localChain, [...masq, ...balanceRules(p, p.localEndpoints)]);
  }
  for (const e of used.values()) {
    const rules = [
      // Hairpin: an endpoint reaching itself through the service must see the node as the
      // source, or it would answer itself directly and the client would drop the reply.
      `ip saddr ${e.ip} jump ${CHAIN_MARK_MASQ}`,
    ];
    if (p.affinityTimeoutSeconds !== undefined) {
      const set = affinitySetName(p.key, e.ip, e.port, p.affinityTimeoutSeconds);
      r.sets.set(set, p.affinityTimeoutSeconds);
      rules.push(`update @${set} { ip saddr }`);
    }
    rules.push(`meta l4proto ${proto(p)} dnat to ${e.ip}:${e.port}`);
    r.chains.set(endpointChainName(p.key, e.ip, e.port), rules);
  }

  // No endpoint at all: refuse; endpoints only elsewhere under a Local policy: drop silently.
  const noEndpointVerdict = p.clusterEndpoints.length > 0 ? 'drop' : `goto ${CHAIN_REJECT}`;
  const svcKey = (ip: string) => `${ip} . ${proto(p)} . ${p.port}`;
  if (internalEndpoints.length > 0) r.maps[MAP_SERVICE_IPS].set(svcKey(p.clusterIP), `goto ${p.internalPolicyLocal ? localChain : clusterChain}`);
  else r.maps[MAP_NO_ENDPOINT_SERVICES].set(svcKey(p.clusterIP), noEndpointVerdict);

  if (!hasExternal) return;
  if (externalEndpoints.length > 0) {
    const rules: string[] = [];
    if (p.externalPolicyLocal) {
      rules.push(`fib saddr type local jump ${CHAIN_MARK_MASQ}`, `fib saddr type local goto ${clusterChain}`);
      if (options.clusterCIDR) rules.push(`ip saddr ${options.clusterCIDR} goto ${clusterChain}`);
      rules.push(`goto ${localChain}`);
    } else {
      // Cluster policy: the endpoint may be on another node, whose reply must come back here.
      rules.push(`jump ${CHAIN_MARK_MASQ}`, `goto ${clusterChain}`);
    }
    r.chains.set(externalChain, rules);
    for (const ip of p.externalAddresses) r.maps[MAP_SERVICE_IPS].set(svcKey(ip), `goto ${externalChain}`);
    if (p.nodePort !== undefined) r.maps[MAP_SERVICE_NODEPORTS].set(`${proto(p)} . ${p.nodePort}`, `goto ${externalChain}`);
  } else {
    for (const ip of p.externalAddresses) r.maps[MAP_NO_ENDPOINT_SERVICES].set(svcKey(ip), noEndpointVerdict);
    if (p.nodePort !== undefined) r.maps[MAP_NO_ENDPOINT_NODEPORTS].set(`${proto(p)} . ${p.nodePort}`, noEndpointVerdict);
  }
}

/** The desired variable part of the table for these service ports. */
export function buildRuleset(ports: ServicePortInfo[], options: RulesetOptions = {}): Ruleset {
  const r = emptyRuleset();
  for (const p of ports) addServicePort(r, p, options);
  return r;
}
