// A pod's /etc/resolv.conf and /etc/hosts, as upstream's kubelet makes them: the DNS settings of
// pkg/kubelet/network/dns (GetPodDNS: dnsPolicy, dnsConfig merged in, the resolver's limits) laid
// out as containerd writes a sandbox's resolv.conf, and the "Kubernetes-managed hosts file" of
// kubelet_pods.go (managedHostsFileContent / nodeHostsFileContent). Pure: the host's files come in
// as their contents; the events upstream records are returned for the caller to record.
import type { HostAlias, Pod } from 'kubernetes-types/core/v1.js';

/** Upstream's validation limits (MaxDNSNameservers, and the search limits since ExpandedDNSConfig went GA). */
export const MAX_DNS_NAMESERVERS = 3;
export const MAX_DNS_SEARCH_PATHS = 32;
export const MAX_DNS_SEARCH_LIST_CHARS = 2048;
/** A longer search domain makes some resolvers (glibc 2.28) abort: upstream drops it (DNS1123SubdomainMaxLength). */
const MAX_SEARCH_DOMAIN_LENGTH = 253;
/** The kubelet's hostname cap (64 bytes with the terminating NUL). */
const MAX_HOSTNAME_LENGTH = 63;
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
const DEFAULT_DNS_OPTIONS = ['ndots:5'];

export interface DNSOptions {
  /** The cluster DNS servers (kubelet --cluster-dns); empty: ClusterFirst pods fall back to Default. */
  clusterDNS: string[];
  /** kubelet --cluster-domain; empty: no cluster search domains. */
  clusterDomain: string;
  /** The content of the node's resolv.conf (kubelet --resolv-conf). */
  hostResolvConf: string;
}

/** What a resolv.conf says (CRI's DNSConfig). */
export interface ResolverConfig {
  servers: string[];
  searches: string[];
  options: string[];
}

/** A Warning event upstream records on the pod while forming its DNS settings. */
export interface DNSEvent {
  reason: 'MissingClusterDNS' | 'DNSConfigForming';
  message: string;
}

export interface PodDNS {
  config: ResolverConfig;
  events: DNSEvent[];
}

const omitDuplicates = (xs: string[]): string[] => [...new Set(xs)];

/**
 * Upstream parseResolvConf: nameserver lines accumulate, the last search and options lines win,
 * comments and unknown lines are skipped; search domains lose a trailing dot (so "a." and "a"
 * count once against the limits).
 */
export function parseResolvConf(content: string): ResolverConfig {
  const config: ResolverConfig = { servers: [], searches: [], options: [] };
  for (const line of content.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) continue;
    const [key, ...rest] = trimmed.split(/\s+/).filter(Boolean);
    if (key === 'nameserver' && rest[0] !== undefined) config.servers.push(rest[0]);
    else if (key === 'search') config.searches = rest.map((s) => (s.endsWith('.') ? s.slice(0, -1) : s));
    else if (key === 'options') config.options = rest;
  }
  return config;
}

/** How the pod resolves names: upstream getPodDNSType. */
export function podDNSType(pod: Pod): 'cluster' | 'host' | 'none' {
  switch (pod.spec?.dnsPolicy ?? 'ClusterFirst') {
    case 'None':
      return 'none';
    case 'ClusterFirstWithHostNet':
      return 'cluster';
    case 'ClusterFirst':
      // A host-network pod with the default policy keeps the node's resolver.
      return pod.spec?.hostNetwork ? 'host' : 'cluster';
    case 'Default':
      return 'host';
    default:
      // The API rejects other values; upstream logs and uses ClusterFirst.
      return 'cluster';
  }
}

/** "name_namespace(uid)", upstream's format.Pod. */
const podDesc = (pod: Pod) => `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`;

/**
 * Options merged by name, the pod's winning (upstream mergeDNSOptions). Upstream goes through a
 * Go map, so its order is unspecified; here the existing order is kept and new names follow.
 */
function mergeOptions(existing: string[], fromPod: NonNullable<NonNullable<Pod['spec']>['dnsConfig']>['options']): string[] {
  const merged = new Map<string, string>();
  for (const op of existing) {
    const i = op.indexOf(':');
    if (i === -1) merged.set(op, '');
    else merged.set(op.slice(0, i), op.slice(i + 1));
  }
  for (const op of fromPod ?? []) if (op.name) merged.set(op.name, op.value ?? '');
  return [...merged].map(([name, value]) => (value === '' ? name : `${name}:${value}`));
}

/** Upstream formDNSSearchFitsLimits: at most 32 domains, none over 253 chars, the line within 2048 chars (cut from the end). */
function fitSearches(searches: string[], events: DNSEvent[]): string[] {
  let exceeded = false;
  let out = searches;
  if (out.length > MAX_DNS_SEARCH_PATHS) {
    out = out.slice(0, MAX_DNS_SEARCH_PATHS);
    exceeded = true;
  }
  const short = out.filter((s) => s.length <= MAX_SEARCH_DOMAIN_LENGTH);
  if (short.length !== out.length) exceeded = true;
  out = short;
  let length = out.join(' ').length;
  if (length > MAX_DNS_SEARCH_LIST_CHARS) {
    exceeded = true;
    while (out.length > 0 && length > MAX_DNS_SEARCH_LIST_CHARS) {
      length -= out[out.length - 1]!.length + 1;
      out = out.slice(0, -1);
    }
  }
  if (exceeded) {
    events.push({ reason: 'DNSConfigForming', message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${out.join(' ')}` });
  }
  return out;
}

function fitServers(servers: string[], events: DNSEvent[]): string[] {
  if (servers.length <= MAX_DNS_NAMESERVERS) return servers;
  const out = servers.slice(0, MAX_DNS_NAMESERVERS);
  events.push({ reason: 'DNSConfigForming', message: `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${out.join(' ')}` });
  return out;
}

/** The pod's resolver settings and the events upstream's GetPodDNS records on the pod. */
export function podDNS(pod: Pod, opts: DNSOptions): PodDNS {
  const events: DNSEvent[] = [];
  const host = parseResolvConf(opts.hostResolvConf);
  let config: ResolverConfig = host;
  const type = podDNSType(pod);
  if (type === 'none') config = { servers: [], searches: [], options: [] };
  else if (type === 'cluster' && opts.clusterDNS.length > 0) {
    // The cluster DNS is the only nameserver: it forwards what it does not serve itself.
    const domain = opts.clusterDomain;
    const searches = domain ? omitDuplicates([`${pod.metadata?.namespace ?? 'default'}.svc.${domain}`, `svc.${domain}`, domain, ...host.searches]) : host.searches;
    config = { servers: [...opts.clusterDNS], searches, options: [...DEFAULT_DNS_OPTIONS] };
  } else if (type === 'cluster') {
    // Upstream records this (on the node too) and uses the Default policy's settings.
    const nodeMessage = 'kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.';
    events.push({ reason: 'MissingClusterDNS', message: `pod: ${JSON.stringify(podDesc(pod))}. ${nodeMessage}` });
  }
  const extra = pod.spec?.dnsConfig;
  if (extra) {
    config = {
      servers: omitDuplicates([...config.servers, ...(extra.nameservers ?? [])]),
      searches: omitDuplicates([...config.searches, ...(extra.searches ?? [])]),
      options: mergeOptions(config.options, extra.options),
    };
  }
  return { config: { servers: fitServers(config.servers, events), searches: fitSearches(config.searches, events), options: config.options }, events };
}

/**
 * A resolv.conf laid out as containerd writes a sandbox's (search, nameservers, options); with
 * nothing to say, containerd copies the node's file instead.
 */
export function formatResolvConf(config: ResolverConfig, hostResolvConf: string): string {
  const { servers, searches, options } = config;
  if (servers.length === 0 && searches.length === 0 && options.length === 0) return hostResolvConf;
  let out = '';
  if (searches.length > 0) out += `search ${searches.join(' ')}\n`;
  for (const s of servers) out += `nameserver ${s}\n`;
  if (options.length > 0) out += `options ${options.join(' ')}\n`;
  return out;
}

/** The content of the pod's /etc/resolv.conf. */
export function podResolvConf(pod: Pod, opts: DNSOptions): string {
  return formatResolvConf(podDNS(pod, opts).config, opts.hostResolvConf);
}

/** The Warning events to record on the pod for its DNS settings (MissingClusterDNS, DNSConfigForming). */
export function podDNSEvents(pod: Pod, opts: DNSOptions): DNSEvent[] {
  return podDNS(pod, opts).events;
}

/**
 * The pod's hostname (spec.hostname or its name, capped at 63 characters without a trailing '-'
 * or '.') and, with spec.subdomain, its domain `<subdomain>.<ns>.svc.<clusterDomain>`
 * (upstream GeneratePodHostNameAndDomain; the API validates both as DNS labels).
 */
export function podHostnameAndDomain(pod: Pod, clusterDomain: string): { hostname: string; domain: string } {
  const name = pod.metadata?.name ?? '';
  let hostname = pod.spec?.hostname || name;
  if (hostname.length > MAX_HOSTNAME_LENGTH) {
    hostname = hostname.slice(0, MAX_HOSTNAME_LENGTH).replace(/[-.]+$/, '');
    if (hostname === '') throw new Error(`hostname for pod "${name}" was invalid: "${pod.spec?.hostname || name}"`);
  }
  const sub = pod.spec?.subdomain;
  return { hostname, domain: sub ? `${sub}.${pod.metadata?.namespace ?? 'default'}.svc.${clusterDomain}` : '' };
}

function hostAliasLines(aliases: HostAlias[] | undefined): string {
  if (!aliases?.length) return '';
  // One line per alias entry, its names tab-separated.
  return `\n# Entries added by HostAliases.\n${aliases.map((a) => `${a.ip ?? ''}\t${(a.hostnames ?? []).join('\t')}\n`).join('')}`;
}

export interface HostsFileOptions {
  clusterDomain: string;
  /** The node's /etc/hosts content: host-network pods get it (required for them). */
  hostHostsFile?: string;
}

/**
 * The pod's /etc/hosts: the managed file (localhost lines, each pod IP with the FQDN then the
 * short hostname, hostAliases) or, for a host-network pod, the node's file under its own header
 * with the hostAliases appended.
 */
export function podHostsFile(pod: Pod, podIP: string | readonly string[], opts: HostsFileOptions): string {
  const aliases = hostAliasLines(pod.spec?.hostAliases);
  if (pod.spec?.hostNetwork) {
    if (opts.hostHostsFile === undefined) throw new Error('a host-network pod\'s hosts file is the node\'s: hostHostsFile is required');
    return `# Kubernetes-managed hosts file (host network).\n${opts.hostHostsFile}${aliases}`;
  }
  const { hostname, domain } = podHostnameAndDomain(pod, opts.clusterDomain);
  const ips = (typeof podIP === 'string' ? [podIP] : [...podIP]).filter(Boolean);
  const names = domain ? `${hostname}.${domain}\t${hostname}` : hostname;
  return [
    '# Kubernetes-managed hosts file.\n',
    '127.0.0.1\tlocalhost\n',
    '::1\tlocalhost ip6-localhost ip6-loopback\n',
    'fe00::0\tip6-localnet\n',
    'fe00::0\tip6-mcastprefix\n',
    'fe00::1\tip6-allnodes\n',
    'fe00::2\tip6-allrouters\n',
    ...ips.map((ip) => `${ip}\t${names}\n`),
    aliases,
  ].join('');
}
