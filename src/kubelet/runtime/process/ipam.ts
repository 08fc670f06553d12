// Pod IPs from the node's pod CIDR, the way the CNI host-local IPAM plugin hands them out: the
// network address, the gateway (the first address, on the bridge) and the broadcast address are
// never given; the search starts after the last address reserved and wraps around, so an address
// just released is not reused at once (stale ARP entries and endpoints still pointing at it).
//
// Reservations are files, as host-local's: `<dir>/<ip>` holds the sandbox id, created exclusively
// (O_EXCL) so an address is never given twice, and `<dir>/last_reserved_ip.0` the last address
// given. A restarted kubets reads them back: its sandboxes keep their IPs, and an IP still in use
// is not handed out again.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { join } from 'node:path';
import { intToIpv4, ipv4ToInt, parseIpv4Cidr } from '../../../controllers/nodeipam/cidr-set.js';
import { RuntimeError } from '../types.js';

const LAST_RESERVED = 'last_reserved_ip.0';

export interface PodSubnet {
  cidr: string;
  prefix: number;
  /** The first address: the bridge's, the pods' default route. */
  gateway: string;
  /** The first and last address a pod may get. */
  first: string;
  last: string;
}

/** The pod addresses of an IPv4 CIDR; throws when it is malformed or too small for one pod (/30 at least). */
export function podSubnet(cidr: string): PodSubnet {
  const parsed = parseIpv4Cidr(cidr);
  if (!parsed || parsed.prefix > 30) throw new Error(`invalid pod CIDR "${cidr}": want an IPv4 CIDR of /30 or larger`);
  const size = 2 ** (32 - parsed.prefix);
  return {
    cidr: `${intToIpv4(parsed.base)}/${parsed.prefix}`,
    prefix: parsed.prefix,
    gateway: intToIpv4(parsed.base + 1),
    first: intToIpv4(parsed.base + 2),
    last: intToIpv4(parsed.base + size - 2),
  };
}

export class HostLocalIpam {
  readonly subnet: PodSubnet;
  private readonly byId = new Map<string, string>();
  private readonly byIp = new Map<string, string>();
  private lastReserved: number | undefined;

  constructor(
    readonly dir: string,
    podCIDR: string,
  ) {
    this.subnet = podSubnet(podCIDR);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(dir)) {
      if (!isIPv4(name)) continue;
      const id = readFileSync(join(dir, name), 'utf8').split('\n')[0]!.trim();
      this.byIp.set(name, id);
      if (id && !this.byId.has(id)) this.byId.set(id, name);
    }
    try {
      const last = readFileSync(join(dir, LAST_RESERVED), 'utf8').trim();
      if (isIPv4(last)) this.lastReserved = ipv4ToInt(last);
    } catch {
      // nothing reserved yet
    }
  }

  /** The sandbox's IP, reserving one if it has none yet. */
  allocate(sandboxId: string): string {
    const held = this.byId.get(sandboxId);
    if (held) return held;
    const first = ipv4ToInt(this.subnet.first);
    const last = ipv4ToInt(this.subnet.last);
    const count = last - first + 1;
    const after = this.lastReserved !== undefined && this.lastReserved >= first && this.lastReserved <= last ? this.lastReserved - first + 1 : 0;
    for (let i = 0; i < count; i++) {
      const n = first + ((after + i) % count);
      const ip = intToIpv4(n);
      if (this.byIp.has(ip)) continue;
      try {
        writeFileSync(join(this.dir, ip), `${sandboxId}\neth0`, { flag: 'wx', mode: 0o600 });
      } catch (e) {
        // Reserved behind our back (a file we did not load): leave it to whoever wrote it.
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw e;
      }
      this.byIp.set(ip, sandboxId);
      this.byId.set(sandboxId, ip);
      this.lastReserved = n;
      try {
        writeFileSync(join(this.dir, LAST_RESERVED), ip, { mode: 0o600 });
      } catch {
        // Only where the next search starts: losing it is harmless.
      }
      return ip;
    }
    // host-local's words, ranges as "<start>-<end>".
    throw new RuntimeError(
      'CreatePodSandboxError',
      `failed to allocate for range 0: no IP addresses available in range set: ${this.subnet.first}-${this.subnet.last}`,
    );
  }

  /** Releases the sandbox's IP; idempotent. */
  release(sandboxId: string): string | undefined {
    const ip = this.byId.get(sandboxId);
    if (!ip) return undefined;
    rmSync(join(this.dir, ip), { force: true });
    this.byId.delete(sandboxId);
    this.byIp.delete(ip);
    return ip;
  }

  get(sandboxId: string): string | undefined {
    return this.byId.get(sandboxId);
  }

  /** Sandbox id → IP, for every reservation. */
  list(): Map<string, string> {
    return new Map(this.byId);
  }
}
