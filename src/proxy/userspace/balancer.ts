// Endpoint choice for one service port in the userspace proxy: round-robin over the usable
// endpoints, with sessionAffinity ClientIP pinning a client address to the endpoint it last used
// until the pin has been idle for the affinity timeout (upstream's userspace roundrobin.go and the
// iptables/nftables modes' "recent"/timeout sets behave the same way).
import type { ProxyEndpoint } from '../model.js';

export const endpointKey = (e: { ip: string; port: number }): string => `${e.ip}:${e.port}`;

interface Pin {
  endpoint: string;
  lastUsedMs: number;
}

export class RoundRobinBalancer {
  private endpoints: ProxyEndpoint[] = [];
  private byKey = new Map<string, ProxyEndpoint>();
  private index = 0;
  private affinityMs: number | undefined;
  private readonly pins = new Map<string, Pin>();
  private newPins = 0;

  /** `now` is injectable so that affinity expiry can be tested without waiting. */
  constructor(private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.endpoints.length;
  }

  get current(): readonly ProxyEndpoint[] {
    return this.endpoints;
  }

  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /**
   * Replaces the endpoint list. Unlike upstream's userspace balancer, which forgot every pin on any
   * change, pins to endpoints that survive are kept (as the kernel modes keep their affinity sets),
   * so scaling a Deployment does not move every pinned client.
   */
  update(endpoints: readonly ProxyEndpoint[], affinityTimeoutSeconds: number | undefined): void {
    this.endpoints = [...endpoints];
    this.byKey = new Map(this.endpoints.map((e) => [endpointKey(e), e]));
    this.index = this.endpoints.length ? this.index % this.endpoints.length : 0;
    this.affinityMs = affinityTimeoutSeconds === undefined ? undefined : affinityTimeoutSeconds * 1000;
    if (this.affinityMs === undefined) this.pins.clear();
    for (const [client, pin] of this.pins) if (!this.byKey.has(pin.endpoint)) this.pins.delete(client);
  }

  /** The endpoint for a new connection or session from `clientIP`; undefined when there is none. */
  next(clientIP: string | undefined): ProxyEndpoint | undefined {
    if (this.endpoints.length === 0) return undefined;
    const now = this.now();
    if (this.affinityMs !== undefined && clientIP) {
      const pin = this.pins.get(clientIP);
      const pinned = pin && now - pin.lastUsedMs < this.affinityMs ? this.byKey.get(pin.endpoint) : undefined;
      if (pin && pinned) {
        pin.lastUsedMs = now;
        return pinned;
      }
    }
    const chosen = this.endpoints[this.index]!;
    this.index = (this.index + 1) % this.endpoints.length;
    if (this.affinityMs !== undefined && clientIP) {
      this.pins.set(clientIP, { endpoint: endpointKey(chosen), lastUsedMs: now });
      this.expirePins(now);
    }
    return chosen;
  }

  /** Drops a client's pin, e.g. after its endpoint refused a connection (upstream resets it too). */
  forget(clientIP: string | undefined): void {
    if (clientIP) this.pins.delete(clientIP);
  }

  /** Pinned clients (for debugging and tests). */
  get pinnedClients(): number {
    return this.pins.size;
  }

  // Expired pins are swept once every 1024 new pins: amortised constant work per connection, and
  // memory follows the number of clients seen within the timeout.
  private expirePins(now: number): void {
    if (this.affinityMs === undefined || ++this.newPins < 1024) return;
    this.newPins = 0;
    for (const [client, pin] of this.pins) if (now - pin.lastUsedMs >= this.affinityMs) this.pins.delete(client);
  }
}

/** Tells whether an address belongs to this host (the proxier's view, refreshed at each sync). */
export type HostAddressCheck = (ip: string) => boolean;

/**
 * The balancers of one listener. Usually one; a listener under externalTrafficPolicy Local has a
 * second one for clients on this host itself, which reach every endpoint: the Local policy exists
 * to keep the client's source address on traffic from outside, which the host's own traffic does
 * not need (upstream's `fib saddr type local` rule, also in ruleset.ts's external chain).
 */
export class ListenerBalancers {
  readonly main: RoundRobinBalancer;
  private host: RoundRobinBalancer | undefined;

  constructor(
    private readonly now: () => number,
    private readonly isHostAddress: HostAddressCheck = () => false,
  ) {
    this.main = new RoundRobinBalancer(now);
  }

  /** `hostEndpoints` undefined: the host's clients use `endpoints` like everyone else. */
  update(endpoints: readonly ProxyEndpoint[], affinityTimeoutSeconds: number | undefined, hostEndpoints?: readonly ProxyEndpoint[]): void {
    this.main.update(endpoints, affinityTimeoutSeconds);
    if (hostEndpoints === undefined) {
      this.host = undefined;
      return;
    }
    this.host ??= new RoundRobinBalancer(this.now);
    this.host.update(hostEndpoints, affinityTimeoutSeconds);
  }

  /** The balancer for a new connection or session from `clientIP`. */
  for(clientIP: string | undefined): RoundRobinBalancer {
    return this.host && clientIP && this.isHostAddress(clientIP) ? this.host : this.main;
  }
}
