// The pod CIDRs of a cluster CIDR cut into equal node subnets (upstream's ipam/cidrset, IPv4):
// subnets are handed out round-robin from after the last one given, so a released subnet is not
// reused at once. Used subnets live in memory; the controller rebuilds them from the nodes.
import { isIPv4 } from 'node:net';

/** upstream's clusterSubnetMaxDiff: at most 2^16 node subnets in one cluster CIDR. */
const MAX_SUBNET_BITS = 16;

export const ipv4ToInt = (ip: string): number => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
export const intToIpv4 = (n: number): string => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

export interface Ipv4Cidr {
  base: number;
  prefix: number;
}

/** An IPv4 CIDR, its address masked to the network; undefined when malformed. */
export function parseIpv4Cidr(cidr: string): Ipv4Cidr | undefined {
  const [ip, bits, ...rest] = cidr.split('/');
  const prefix = Number(bits);
  if (rest.length || !ip || !isIPv4(ip) || bits === undefined || !/^\d+$/.test(bits) || prefix > 32) return undefined;
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return { base: (ipv4ToInt(ip) & mask) >>> 0, prefix };
}

export class CidrSet {
  private readonly cluster: Ipv4Cidr;
  private readonly subnetBits: number;
  private readonly used = new Set<number>();
  private next = 0;

  constructor(
    readonly clusterCIDR: string,
    readonly nodeMaskSize: number,
  ) {
    const cluster = parseIpv4Cidr(clusterCIDR);
    if (!cluster) throw new Error(`invalid cluster CIDR ${clusterCIDR}: want an IPv4 CIDR`);
    if (!Number.isInteger(nodeMaskSize) || nodeMaskSize < cluster.prefix || nodeMaskSize > 32) {
      throw new Error(`invalid node CIDR mask size ${nodeMaskSize}: want ${cluster.prefix} to 32 for cluster CIDR ${clusterCIDR}`);
    }
    if (nodeMaskSize - cluster.prefix > MAX_SUBNET_BITS) {
      throw new Error('CIDRSet: subnet mask size too big compared to cluster mask');
    }
    this.cluster = cluster;
    this.subnetBits = nodeMaskSize - cluster.prefix;
  }

  /** How many node subnets the cluster CIDR holds. */
  get size(): number {
    return 2 ** this.subnetBits;
  }

  get allocated(): number {
    return this.used.size;
  }

  /** The index of a subnet of this set, or undefined when `cidr` is not one (other size, outside). */
  private indexOf(cidr: string): number | undefined {
    const c = parseIpv4Cidr(cidr);
    if (!c || c.prefix !== this.nodeMaskSize) return undefined;
    const offset = c.base - this.cluster.base;
    if (offset < 0 || offset >= 2 ** (32 - this.cluster.prefix)) return undefined;
    return offset / 2 ** (32 - this.nodeMaskSize);
  }

  private cidrAt(index: number): string {
    return `${intToIpv4(this.cluster.base + index * 2 ** (32 - this.nodeMaskSize))}/${this.nodeMaskSize}`;
  }

  /** Marks a subnet used (an existing node's); false when it is not one of this set's. */
  occupy(cidr: string): boolean {
    const i = this.indexOf(cidr);
    if (i === undefined) return false;
    this.used.add(i);
    return true;
  }

  release(cidr: string): void {
    const i = this.indexOf(cidr);
    if (i !== undefined) this.used.delete(i);
  }

  isUsed(cidr: string): boolean {
    const i = this.indexOf(cidr);
    return i !== undefined && this.used.has(i);
  }

  /** The next free subnet, or undefined when all are used. */
  allocateNext(): string | undefined {
    for (let n = 0; n < this.size; n++) {
      const i = (this.next + n) % this.size;
      if (this.used.has(i)) continue;
      this.used.add(i);
      this.next = (i + 1) % this.size;
      return this.cidrAt(i);
    }
    return undefined;
  }
}
