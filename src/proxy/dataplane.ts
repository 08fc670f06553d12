// The two dataplanes of the service proxy behind one small interface, and the choice between
// them: nftables when the kernel path works here (root, `nft` installed and able to list the
// ruleset), else the userspace proxy, with the reason said once. `--proxy-mode` forces one.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { CommandRunner } from '../kubelet/runtime/process/command-runner.js';
import { findExecutable, ip } from '../kubelet/runtime/process/ip-command.js';
import { hasSysctl, setSysctl } from '../kubelet/runtime/process/sysctl.js';
import type { Logger } from '../logging/index.js';
import { NftablesProxier } from './proxier.js';
import { LocalAddresses } from './userspace/local-addresses.js';
import { UserspaceProxier } from './userspace/proxier.js';

export type ProxyMode = 'nftables' | 'userspace';

/** What one sync did, in both modes' common terms. */
export interface DataplaneSync {
  durationMs: number;
  /** The whole dataplane was rewritten. */
  full: boolean;
  /** Nothing changed. */
  noop: boolean;
  servicePorts: number;
  /** Per-kind object counts (nftables: rules/chains/elements; userspace: listeners/endpoints). */
  objects: Record<string, number>;
  /** Problems that did not fail the sync (userspace: ports that could not be opened). */
  warnings: string[];
}

export interface Dataplane {
  readonly mode: ProxyMode;
  sync(services: Service[], slices: EndpointSlice[]): Promise<DataplaneSync>;
  /** The dataplane as it is now, for people (`kubets proxy rules`). */
  listing(): Promise<string>;
  /** Removes what this dataplane put on the machine. */
  close(): Promise<void>;
}

export interface DataplaneOptions {
  nodeName: string;
  /** The node's addresses: NodePorts answer there (userspace mode). */
  nodeAddresses: string[];
  /** The pod network (traffic from outside it to a clusterIP is masqueraded). */
  clusterCIDR?: string;
  /** The nftables table (one per kubets node on a machine). */
  table: string;
  /** Routes the service CIDR to this device so unprogrammed cluster IPs never leave the machine. */
  serviceRoute?: { cidr: string; device: string };
  logger: Logger;
  /** Tests only: what process.getuid() would say. */
  uid?: number;
}


/** Why the kernel path cannot be used here, or undefined when it can. */
export async function nftablesUnavailable(uid: number | undefined): Promise<string | undefined> {
  if (uid !== 0) return 'not root';
  if (!findExecutable('nft')) return 'nft is not installed (Debian package nftables)';
  const listed = await CommandRunner.shared().run('nft', ['list', 'tables'], { timeoutMs: 10_000 });
  if (listed.code !== 0) return `nft cannot read the ruleset: ${listed.stderr.trim().split('\n')[0] ?? `exit ${listed.code}`}`;
  return undefined;
}

export async function chooseDataplane(requested: ProxyMode | 'auto', options: DataplaneOptions): Promise<Dataplane> {
  const { logger } = options;
  if (requested !== 'userspace') {
    const why = await nftablesUnavailable(options.uid ?? process.getuid?.());
    if (!why) return NftablesDataplane.create(options);
    if (requested === 'nftables') throw new Error(`--proxy-mode nftables: the kernel path is unavailable (${why})`);
    logger.warn({ reason: why }, `service proxy: using the userspace mode (${why})`);
  } else {
    logger.info({}, 'service proxy: using the userspace mode (--proxy-mode userspace)');
  }
  return UserspaceDataplane.create(options);
}

function trySysctl(key: string, value: string): boolean {
  try {
    setSysctl(key, value);
    return true;
  } catch {
    return false;
  }
}

class NftablesDataplane implements Dataplane {
  readonly mode = 'nftables' as const;

  private constructor(
    private readonly proxier: NftablesProxier,
    private readonly options: DataplaneOptions,
  ) {}

  static async create(options: DataplaneOptions): Promise<NftablesDataplane> {
    // DNAT to a pod on the node's bridge is routing: forwarding must be on (kube-proxy and k3s
    // set it too). Replies from a pod on the same bridge are bridged, not routed: only with
    // br_netfilter do they pass conntrack to be un-NATed; without it everything is masqueraded
    // so that replies come back through the node.
    if (!trySysctl('net.ipv4.ip_forward', '1')) options.logger.warn({}, 'service proxy: cannot enable net.ipv4.ip_forward: pods cannot reach services');
    const bridgeNfCall = 'net.bridge.bridge-nf-call-iptables';
    const bridged = hasSysctl(bridgeNfCall) && trySysctl(bridgeNfCall, '1');
    if (!bridged) options.logger.info({}, 'service proxy: br_netfilter unavailable: all service traffic is masqueraded');
    const proxier = new NftablesProxier({ nodeName: options.nodeName, table: options.table, clusterCIDR: options.clusterCIDR, masqueradeAll: !bridged });
    if (options.serviceRoute) await ipRoute('replace', options.serviceRoute, options.logger);
    options.logger.info({ table: options.table }, 'service proxy: using the nftables mode');
    return new NftablesDataplane(proxier, options);
  }

  async sync(services: Service[], slices: EndpointSlice[]): Promise<DataplaneSync> {
    const ports = this.proxier.servicePorts(services, slices);
    const r = await this.proxier.syncPorts(ports);
    return { durationMs: r.durationMs, full: r.full, noop: r.noop, servicePorts: ports.length, objects: { rules: r.rules, chains: r.chains, elements: r.elements }, warnings: [] };
  }

  listing(): Promise<string> {
    return this.proxier.listing();
  }

  async close(): Promise<void> {
    await this.proxier.cleanup().catch((e: unknown) => this.options.logger.warn({ err: e }, 'service proxy: could not delete the nftables table'));
    if (this.options.serviceRoute) await ipRoute('del', this.options.serviceRoute, this.options.logger);
  }
}

async function ipRoute(verb: 'replace' | 'del', route: { cidr: string; device: string }, logger: Logger): Promise<void> {
  await ip(['route', verb, route.cidr, 'dev', route.device]).catch((e: unknown) => {
    // A route gone with its bridge is no loss on delete.
    if (verb === 'replace') logger.warn({ route, err: e }, 'service proxy: cannot route the service CIDR to the node bridge');
  });
}

class UserspaceDataplane implements Dataplane {
  readonly mode = 'userspace' as const;

  private constructor(
    private readonly proxier: UserspaceProxier,
    private readonly addresses: LocalAddresses | undefined,
  ) {}

  static async create(options: DataplaneOptions): Promise<UserspaceDataplane> {
    // Cluster IPs are served by sockets bound to them, so as root they are made local addresses
    // (on lo); without root only addresses already local can be served.
    let addresses: LocalAddresses | undefined;
    if ((options.uid ?? process.getuid?.()) === 0 && findExecutable('ip')) {
      addresses = new LocalAddresses({});
      await addresses.cleanup().catch(() => undefined);
    }
    const proxier = new UserspaceProxier({ nodeName: options.nodeName, nodeAddresses: options.nodeAddresses, localAddresses: addresses });
    return new UserspaceDataplane(proxier, addresses);
  }

  async sync(services: Service[], slices: EndpointSlice[]): Promise<DataplaneSync> {
    const ports = this.proxier.servicePorts(services, slices);
    const warnings: string[] = [];
    const r = await this.proxier.syncPorts(ports);
    if (r.addressError) warnings.push(`cannot make cluster IPs local: ${r.addressError}`);
    for (const e of r.errors) warnings.push(`${e.key} on ${e.address.host}:${e.address.port}: ${e.message}`);
    return {
      durationMs: r.durationMs,
      full: false,
      noop: r.opened === 0 && r.closed === 0,
      servicePorts: ports.length,
      objects: { listeners: r.listeners, endpoints: r.endpoints },
      warnings,
    };
  }

  async listing(): Promise<string> {
    const lines = ['# userspace proxy: listening address -> endpoints (active connections)'];
    for (const l of this.proxier.listing()) {
      lines.push(`${l.key} ${l.protocol} ${l.address.host}:${l.address.port} -> ${l.endpoints.length ? l.endpoints.join(', ') : '(no endpoints: connections refused)'} (${l.active} active)`);
    }
    return `${lines.join('\n')}\n`;
  }

  async close(): Promise<void> {
    await this.proxier.close();
    await this.addresses?.cleanup().catch(() => undefined);
  }
}
