// The node networking flags `kubets server` (for its local node) and `kubets agent` share: the
// service proxy's mode, the cluster domain, and the resolver file for names outside the cluster.
import { resolve } from 'node:path';
import type { ProxyMode } from '../proxy/dataplane.js';

export const NODE_FLAG_OPTIONS = {
  'proxy-mode': { type: 'string' },
  'cluster-domain': { type: 'string' },
  'resolv-conf': { type: 'string' },
} as const;

export const NODE_FLAGS_HELP = `  --proxy-mode MODE         the service proxy: nftables, userspace or auto (default auto: nftables
                            when this machine allows it, else userspace, with the reason logged)
  --cluster-domain DOMAIN   the cluster's DNS domain (default cluster.local)
  --resolv-conf FILE        resolvers for names outside the cluster and for dnsPolicy Default pods
                            (default /etc/resolv.conf)
`;

export interface NodeFlags {
  proxyMode?: ProxyMode | 'auto';
  clusterDomain?: string;
  resolvConf?: string;
}

const DOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Checks the shared flags; throws `usage(message)` for a bad one. */
export function parseNodeFlags(v: { 'proxy-mode'?: string; 'cluster-domain'?: string; 'resolv-conf'?: string }, usage: (message: string) => Error): NodeFlags {
  const out: NodeFlags = {};
  const mode = v['proxy-mode'];
  if (mode !== undefined) {
    if (mode !== 'nftables' && mode !== 'userspace' && mode !== 'auto') throw usage(`--proxy-mode must be "nftables", "userspace" or "auto", not "${mode}"`);
    out.proxyMode = mode;
  }
  const domain = v['cluster-domain'];
  if (domain !== undefined) {
    if (domain.length > 253 || !DOMAIN.test(domain)) throw usage(`--cluster-domain must be a DNS domain such as cluster.local, not "${domain}"`);
    out.clusterDomain = domain;
  }
  if (v['resolv-conf'] !== undefined) out.resolvConf = resolve(v['resolv-conf']);
  return out;
}
