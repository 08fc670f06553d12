// The userspace dataplane of the service proxy (`--proxy-mode userspace`), for machines where the
// nftables path is unavailable: instead of kernel rules, one Node socket per service port accepts
// traffic and relays it to an endpoint (upstream's retired pkg/proxy/userspace worked this way).
// Same shape as NftablesProxier: it syncs when told to and reports figures about each sync.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { buildServicePorts, type ProxyEndpoint, type ServicePortInfo } from '../model.js';
import { TcpPortProxy, type ListenAddress, type PortProxy } from './tcp.js';
import { UdpPortProxy } from './udp.js';

export type { ListenAddress } from './tcp.js';

export interface UserspaceProxierOptions {
  /** This node's name, for internalTrafficPolicy Local. */
  nodeName: string;
  /**
   * Where a service port listens. Default: its clusterIP and port, which only binds when that
   * address is assigned to a local interface (e.g. a dummy device holding the service CIDR).
   */
  listenAddress?: (port: ServicePortInfo) => ListenAddress;
  /** Dial timeout of each successive attempt (default 250, 500, 1000, 2000 ms as upstream). */
  dialTimeoutsMs?: readonly number[];
  /** UDP session idle timeout (default 250 ms, upstream's --udp-timeout). */
  udpIdleTimeoutMs?: number;
  /** Clock for session affinity (tests). */
  now?: () => number;
}

export interface UserspaceSyncError {
  key: string;
  address: ListenAddress;
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
  /** Service ports whose listener could not be opened (retried on the next sync). */
  errors: UserspaceSyncError[];
}

interface Entry {
  key: string;
  protocol: ServicePortInfo['protocol'];
  proxy: PortProxy;
}

const sameAddress = (a: ListenAddress, b: ListenAddress) => a.host === b.host && a.port === b.port;

/**
 * The endpoints traffic to the service's own address may use. This mode only serves the cluster
 * address, so internalTrafficPolicy decides: Local keeps to this node's endpoints.
 */
function endpointsFor(port: ServicePortInfo): ProxyEndpoint[] {
  return port.internalPolicyLocal ? port.localEndpoints : port.clusterEndpoints;
}

export class UserspaceProxier {
  private readonly entries = new Map<string, Entry>();
  private syncing: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: UserspaceProxierOptions) {}

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
  listing(): { key: string; protocol: string; address: ListenAddress; endpoints: string[]; active: number }[] {
    return [...this.entries.values()].map((e) => ({
      key: e.key,
      protocol: e.protocol,
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
    const listen = this.options.listenAddress ?? ((p: ServicePortInfo) => ({ host: p.clusterIP, port: p.port }));
    const desired = new Map(ports.map((p) => [p.key, { port: p, address: listen(p) }]));
    let closed = 0;
    let opened = 0;
    const errors: UserspaceSyncError[] = [];

    // Close first, so that a port moving to an address a removed one held can bind it.
    for (const [key, entry] of this.entries) {
      const want = desired.get(key);
      if (want && want.port.protocol === entry.protocol && sameAddress(want.address, entry.proxy.address)) continue;
      this.entries.delete(key);
      await entry.proxy.stop();
      closed++;
    }

    for (const [key, { port, address }] of desired) {
      let entry = this.entries.get(key);
      if (!entry) {
        const proxy = this.create(port.protocol, address);
        // Endpoints are set before listening so that the first connection already has them.
        proxy.update(endpointsFor(port), port.affinityTimeoutSeconds);
        try {
          await proxy.start();
        } catch (err) {
          errors.push({ key, address, message: err instanceof Error ? err.message : String(err) });
          await proxy.destroy();
          continue;
        }
        entry = { key, protocol: port.protocol, proxy };
        this.entries.set(key, entry);
        opened++;
      } else {
        entry.proxy.update(endpointsFor(port), port.affinityTimeoutSeconds);
      }
    }

    let endpoints = 0;
    for (const e of this.entries.values()) endpoints += e.proxy.balancer.size;
    return { durationMs: performance.now() - start, listeners: this.entries.size, endpoints, opened, closed, errors };
  }

  private create(protocol: ServicePortInfo['protocol'], address: ListenAddress): PortProxy {
    const now = this.options.now ?? Date.now;
    if (protocol === 'UDP') return new UdpPortProxy(address, { idleTimeoutMs: this.options.udpIdleTimeoutMs ?? 250, now });
    return new TcpPortProxy(address, { dialTimeoutsMs: this.options.dialTimeoutsMs ?? [250, 500, 1000, 2000], now });
  }
}
