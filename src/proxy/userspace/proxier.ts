// The userspace dataplane of the service proxy (`--proxy-mode userspace`), for machines where the
// nftables path is unavailable: instead of kernel rules, Node sockets accept traffic and relay it
// to an endpoint (upstream's retired pkg/proxy/userspace worked this way). Each service port gets
// a socket on its cluster address, one per node address at its nodePort, and one on each of its
// external addresses that this host has (listeners.ts). Same shape as NftablesProxier: it syncs
// when told to and reports figures about each sync.
import os from 'node:os';
import net from 'node:net';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { buildServicePorts, type ServicePortInfo } from '../model.js';
import { desiredListeners, type ListenerKind, type ListenerSpec, WILDCARD } from './listeners.js';
import type { LocalAddresses } from './local-addresses.js';
import { TcpPortProxy, type ListenAddress, type PortProxy } from './tcp.js';
import { UdpPortProxy } from './udp.js';

export type { ListenAddress } from './tcp.js';
export type { ListenerKind } from './listeners.js';

export interface UserspaceProxierOptions {
  /** This node's name, for the Local traffic policies. */
  nodeName: string;
  /**
   * Where a service port's cluster listener binds. Default: its clusterIP and port, which only
   * binds when that address is local (see `localAddresses`).
   */
  listenAddress?: (port: ServicePortInfo) => ListenAddress;
  /**
   * The addresses nodePorts listen on (upstream's --nodeport-addresses, as addresses rather than
   * CIDRs). Default ['0.0.0.0']: every address of the host, as upstream's default did (one
   * wildcard socket for TCP; for UDP a socket per host address, refreshed at each sync, see
   * listeners.ts). An empty list opens no nodePort listener.
   */
  nodeAddresses?: readonly string[];
  /**
   * This host's IPv4 addresses, read at each sync (default: os.networkInterfaces()). External
   * addresses outside them get no listener; clients from them count as the host itself for
   * externalTrafficPolicy Local.
   */
  hostAddresses?: () => Iterable<string>;
  /**
   * When given, each sync first makes the cluster listeners' addresses local with it (e.g. a
   * LocalAddresses on "lo"). close() leaves them: its owner removes them (LocalAddresses.close()).
   */
  localAddresses?: Pick<LocalAddresses, 'ensure'>;
  /** Dial timeout of each successive attempt (default 250, 500, 1000, 2000 ms as upstream). */
  dialTimeoutsMs?: readonly number[];
  /** UDP session idle timeout (default 250 ms, upstream's --udp-timeout). */
  udpIdleTimeoutMs?: number;
  /** Clock for session affinity (tests). */
  now?: () => number;
}

/** A listener that could not be opened; it is tried again on the next sync. */
export interface UserspaceSyncError {
  /** The service port's key. */
  key: string;
  kind: ListenerKind;
  address: ListenAddress;
  /** The errno code when there is one (EADDRINUSE, EADDRNOTAVAIL, EACCES...). */
  code?: string;
  message: string;
}

/** Figures about one sync, for logs and a metrics layer. */
export interface UserspaceSyncResult {
  durationMs: number;
  /** Listening sockets now open. */
  listeners: number;
  /** Endpoints traffic may currently go to, summed over the open listeners. */
  endpoints: number;
  opened: number;
  closed: number;
  /** Listeners that could not be opened (retried on the next sync). */
  errors: UserspaceSyncError[];
  /** Why making the cluster addresses local failed, when it did (`localAddresses`). */
  addressError?: string;
}

export interface UserspaceListenerInfo {
  key: string;
  kind: ListenerKind;
  protocol: string;
  address: ListenAddress;
  endpoints: string[];
  active: number;
}

interface Entry {
  spec: ListenerSpec;
  proxy: PortProxy;
}

/** IPv4 addresses of the host's interfaces. */
function interfaceAddresses(): string[] {
  return Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).filter((a) => a.family === 'IPv4').map((a) => a.address));
}

export class UserspaceProxier {
  private readonly entries = new Map<string, Entry>();
  private readonly nodeAddresses: readonly string[];
  /** The host's addresses as of the last sync, for the proxies' host-client check. */
  private hostSet: ReadonlySet<string> = new Set();
  private syncing: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: UserspaceProxierOptions) {
    this.nodeAddresses = options.nodeAddresses ?? [WILDCARD];
    for (const a of this.nodeAddresses) if (!net.isIPv4(a)) throw new TypeError(`nodeAddresses: not an IPv4 address: "${a}"`);
  }

  /** The service ports for these objects (ingress IPs of ipMode Proxy left out by the model). */
  servicePorts(services: Service[], slices: EndpointSlice[]): ServicePortInfo[] {
    return buildServicePorts(services, slices, { nodeName: this.options.nodeName });
  }

  /** Makes the listeners match exactly these Services and EndpointSlices. Syncs are serialised. */
  sync(services: Service[], slices: EndpointSlice[]): Promise<UserspaceSyncResult> {
    return this.syncPorts(this.servicePorts(services, slices));
  }

  syncPorts(ports: ServicePortInfo[]): Promise<UserspaceSyncResult> {
    const run = this.syncing.then(() => this.doSync(ports));
    this.syncing = run.catch(() => undefined);
    return run;
  }

  /** The current listeners and their endpoints (a debug listing of the dataplane). */
  listing(): UserspaceListenerInfo[] {
    return [...this.entries.values()].map((e) => ({
      key: e.spec.key,
      kind: e.spec.kind,
      protocol: e.spec.protocol,
      address: e.proxy.address,
      endpoints: e.proxy.balancer.current.map((ep) => `${ep.ip}:${ep.port}`),
      active: e.proxy.active,
    }));
  }

  /** Closes every listener, connection and session; later syncs are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.syncing;
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => e.proxy.destroy()));
  }

  private async doSync(ports: ServicePortInfo[]): Promise<UserspaceSyncResult> {
    if (this.closed) throw new Error('userspace proxier is closed');
    const start = performance.now();
    const listenAddress = this.options.listenAddress ?? ((p: ServicePortInfo) => ({ host: p.clusterIP, port: p.port }));
    let addressError: string | undefined;
    if (this.options.localAddresses) {
      const hosts = new Set(ports.map((p) => listenAddress(p).host).filter((h) => h !== WILDCARD));
      try {
        await this.options.localAddresses.ensure([...hosts]);
      } catch (e) {
        // The listeners that need a missing address fail to bind and are reported on their own.
        addressError = e instanceof Error ? e.message : String(e);
      }
    }
    this.hostSet = new Set(this.options.hostAddresses?.() ?? interfaceAddresses());
    const desired = new Map(desiredListeners(ports, { listenAddress, nodeAddresses: this.nodeAddresses, hostAddresses: this.hostSet }).map((l) => [l.id, l]));
    let closed = 0;
    let opened = 0;
    const errors: UserspaceSyncError[] = [];

    // Close first, so that a listener moving to an address a removed one held can bind it.
    for (const [id, entry] of this.entries) {
      if (desired.has(id)) continue;
      this.entries.delete(id);
      await entry.proxy.stop();
      closed++;
    }

    for (const [id, spec] of desired) {
      const entry = this.entries.get(id);
      if (entry) {
        entry.spec = spec;
        entry.proxy.update(spec.endpoints, spec.affinityTimeoutSeconds, spec.hostEndpoints);
        continue;
      }
      const proxy = this.create(spec.protocol, spec.address);
      // Endpoints are set before listening so that the first connection already has them.
      proxy.update(spec.endpoints, spec.affinityTimeoutSeconds, spec.hostEndpoints);
      try {
        await proxy.start();
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        errors.push({ key: spec.key, kind: spec.kind, address: spec.address, code: e.code, message: e instanceof Error ? e.message : String(err) });
        await proxy.destroy();
        continue;
      }
      this.entries.set(id, { spec, proxy });
      opened++;
    }

    let endpoints = 0;
    for (const e of this.entries.values()) endpoints += e.proxy.balancer.size;
    const result: UserspaceSyncResult = { durationMs: performance.now() - start, listeners: this.entries.size, endpoints, opened, closed, errors };
    if (addressError !== undefined) result.addressError = addressError;
    return result;
  }

  /** Loopback is always the host itself, whatever its exact address. */
  private readonly isHostAddress = (ip: string): boolean => this.hostSet.has(ip) || ip.startsWith('127.');

  private create(protocol: ServicePortInfo['protocol'], address: ListenAddress): PortProxy {
    const now = this.options.now ?? Date.now;
    const isHostAddress = this.isHostAddress;
    if (protocol === 'UDP') return new UdpPortProxy(address, { idleTimeoutMs: this.options.udpIdleTimeoutMs ?? 250, now, isHostAddress });
    return new TcpPortProxy(address, { dialTimeoutsMs: this.options.dialTimeoutsMs ?? [250, 500, 1000, 2000], now, isHostAddress });
  }
}
