// The fixed part of the proxy's nftables table and the names of its per-service objects, after
// upstream kube-proxy's nftables mode (pkg/proxy/nftables/proxier.go): base chains hooked into
// netfilter jump to a few fixed chains, which look the packet up in verdict maps whose elements
// point at per-service chains. Only map elements and per-service chains change as services do.
import { createHash } from 'node:crypto';

export const MAP_SERVICE_IPS = 'service-ips';
export const MAP_SERVICE_NODEPORTS = 'service-nodeports';
export const MAP_NO_ENDPOINT_SERVICES = 'no-endpoint-services';
export const MAP_NO_ENDPOINT_NODEPORTS = 'no-endpoint-nodeports';

export const CHAIN_SERVICES = 'services';
export const CHAIN_MARK_MASQ = 'mark-for-masquerade';
export const CHAIN_MASQUERADING = 'masquerading';
export const CHAIN_REJECT = 'reject-chain';
export const CHAIN_SERVICE_ENDPOINTS_CHECK = 'service-endpoints-check';
export const CHAIN_NODEPORT_ENDPOINTS_CHECK = 'nodeport-endpoints-check';

/** The packet mark meaning "masquerade on the way out" (upstream's default masquerade bit 14). */
export const MASQ_MARK = '0x4000';

export type VerdictMapName = typeof MAP_SERVICE_IPS | typeof MAP_SERVICE_NODEPORTS | typeof MAP_NO_ENDPOINT_SERVICES | typeof MAP_NO_ENDPOINT_NODEPORTS;
export const VERDICT_MAPS: VerdictMapName[] = [MAP_SERVICE_IPS, MAP_SERVICE_NODEPORTS, MAP_NO_ENDPOINT_SERVICES, MAP_NO_ENDPOINT_NODEPORTS];

const MAP_TYPES: Record<VerdictMapName, string> = {
  [MAP_SERVICE_IPS]: 'ipv4_addr . inet_proto . inet_service : verdict',
  [MAP_SERVICE_NODEPORTS]: 'inet_proto . inet_service : verdict',
  [MAP_NO_ENDPOINT_SERVICES]: 'ipv4_addr . inet_proto . inet_service : verdict',
  [MAP_NO_ENDPOINT_NODEPORTS]: 'inet_proto . inet_service : verdict',
};

/** A chain hooked into netfilter: its declaration and its rules. */
interface BaseChain {
  name: string;
  hook: string;
  rules: string[];
}

// Filter chains run just before DNAT (dstnat - 10) so that a service with no endpoints is refused
// before anything else could accept the packet, as upstream orders them; only new connections
// are looked up.
const BASE_CHAINS: BaseChain[] = [
  { name: 'filter-input', hook: 'type filter hook input priority -110', rules: [`ct state new jump ${CHAIN_NODEPORT_ENDPOINTS_CHECK}`, `ct state new jump ${CHAIN_SERVICE_ENDPOINTS_CHECK}`] },
  { name: 'filter-forward', hook: 'type filter hook forward priority -110', rules: [`ct state new jump ${CHAIN_SERVICE_ENDPOINTS_CHECK}`] },
  {
    name: 'filter-output',
    hook: 'type filter hook output priority -110',
    rules: [`ct state new jump ${CHAIN_SERVICE_ENDPOINTS_CHECK}`, `ct state new fib daddr type local jump ${CHAIN_NODEPORT_ENDPOINTS_CHECK}`],
  },
  // Traffic from pods and other hosts, then traffic the host itself sends.
  { name: 'nat-prerouting', hook: 'type nat hook prerouting priority dstnat', rules: [`jump ${CHAIN_SERVICES}`] },
  { name: 'nat-output', hook: 'type nat hook output priority -100', rules: [`jump ${CHAIN_SERVICES}`] },
  { name: 'nat-postrouting', hook: 'type nat hook postrouting priority srcnat', rules: [`jump ${CHAIN_MASQUERADING}`] },
];

const FIXED_CHAINS: Record<string, string[]> = {
  [CHAIN_SERVICES]: [
    `ip daddr . meta l4proto . th dport vmap @${MAP_SERVICE_IPS}`,
    // NodePorts answer on every local address but loopback (upstream needs route_localnet for that).
    `fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @${MAP_SERVICE_NODEPORTS}`,
  ],
  [CHAIN_SERVICE_ENDPOINTS_CHECK]: [`ip daddr . meta l4proto . th dport vmap @${MAP_NO_ENDPOINT_SERVICES}`],
  [CHAIN_NODEPORT_ENDPOINTS_CHECK]: [`ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @${MAP_NO_ENDPOINT_NODEPORTS}`],
  [CHAIN_MARK_MASQ]: [`mark set mark or ${MASQ_MARK}`],
  // Clears the bit before masquerading so that a packet re-entering the stack is not masqueraded twice.
  [CHAIN_MASQUERADING]: [`mark and ${MASQ_MARK} == 0 return`, `mark set mark xor ${MASQ_MARK}`, 'masquerade fully-random'],
  // `reject` answers TCP and UDP alike with ICMP port-unreachable: the client sees "connection refused".
  [CHAIN_REJECT]: ['reject'],
};

/** Rules in the fixed part of the table, for the "rules programmed" count. */
export const FIXED_RULE_COUNT = BASE_CHAINS.reduce((n, c) => n + c.rules.length, 0) + Object.values(FIXED_CHAINS).reduce((n, r) => n + r.length, 0);

/** The script lines that (re)create the table's fixed part, empty maps included. */
export function fixedScript(family: string, table: string): string[] {
  const t = `${family} ${table}`;
  const lines = [`add table ${t} { comment "rules for kubets service proxy"; }`];
  for (const m of VERDICT_MAPS) lines.push(`add map ${t} ${m} { type ${MAP_TYPES[m]}; }`);
  for (const c of BASE_CHAINS) lines.push(`add chain ${t} ${c.name} { ${c.hook}; policy accept; }`);
  for (const name of Object.keys(FIXED_CHAINS)) lines.push(`add chain ${t} ${name}`);
  for (const c of BASE_CHAINS) for (const r of c.rules) lines.push(`add rule ${t} ${c.name} ${r}`);
  for (const [name, rules] of Object.entries(FIXED_CHAINS)) for (const r of rules) lines.push(`add rule ${t} ${name} ${r}`);
  return lines;
}

/**
 * A short stable hash in front of the readable part keeps names unique whatever the key holds
 * (upstream uses 8 characters of a sha256 too), the readable part keeps listings debuggable.
 */
function hashed(prefix: string, key: string, hashInput = key): string {
  const cacheKey = `${prefix} ${hashInput}`;
  let name = nameCache.get(cacheKey);
  if (name === undefined) {
    const h = createHash('sha256').update(hashInput).digest('hex').slice(0, 8).toUpperCase();
    name = `${prefix}-${h}-${key}`;
    // Every sync names every chain again: hashing them all each time was most of a sync's CPU
    // at 10,000 endpoints. Bounded, so that churn over a long life does not grow it forever.
    if (nameCache.size >= NAME_CACHE_LIMIT) nameCache.clear();
    nameCache.set(cacheKey, name);
  }
  return name;
}

const NAME_CACHE_LIMIT = 200_000;
const nameCache = new Map<string, string>();

/** Chain for traffic to the service under the Cluster policy (all endpoints). */
export const clusterChainName = (key: string) => hashed('service', key);
/** Chain for traffic under a Local policy (this node's endpoints only). */
export const localChainName = (key: string) => hashed('local', key);
/** Chain for nodePort and external address traffic: masquerade and policy decisions, then one of the above. */
export const externalChainName = (key: string) => hashed('external', key);
/** Chain that DNATs to one endpoint. */
export const endpointChainName = (key: string, ip: string, port: number) => hashed('endpoint', `${key}__${ip}/${port}`);
/**
 * Dynamic set of client addresses stuck to one endpoint (sessionAffinity ClientIP). A set's
 * timeout cannot be changed in place, so it is part of the hashed name: a new timeout makes a new
 * set (its entries start afresh, as upstream's do).
 */
export function affinitySetName(key: string, ip: string, port: number, timeoutSeconds: number): string {
  return hashed('affinity', `${key}__${ip}/${port}`, `${key}__${ip}/${port}/${timeoutSeconds}`);
}
