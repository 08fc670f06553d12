// Service cluster IPs from the service CIDR (default 10.43.0.0/16, as k3s). The first address
// goes to the `kubernetes` service. Allocations live in memory and are rebuilt from the stored
// services at start, so they can never disagree with what is stored.
import { isIPv4 } from 'node:net';

export class ClusterIpAllocator {
  private readonly base: number;
  private readonly size: number;
  private readonly used = new Set<number>();
  private next = 0;

  constructor(readonly cidr: string) {
    const [ip, bits] = cidr.split('/');
    const prefix = Number(bits);
    if (!ip || !isIPv4(ip) || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) {
      throw new Error(`invalid service CIDR ${cidr}: want an IPv4 CIDR with a prefix length of 8 to 30`);
    }
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    this.base = (ipToInt(ip) & mask) >>> 0;
    this.size = 2 ** (32 - prefix);
  }

  /** The first usable address (network + 1): the `kubernetes` service's. */
  get firstAddress(): string {
    return intToIp(this.base + 1);
  }

  /** The tenth address: the kube-dns service's (as k3s and kubeadm place it). */
  get dnsAddress(): string {
    return intToIp(this.base + 10);
  }

  contains(ip: string): boolean {
    if (!isIPv4(ip)) return false;
    const n = ipToInt(ip);
    return n > this.base && n < this.base + this.size - 1;
  }

  /** Marks an address taken; false when it already was or lies outside the range. */
  allocate(ip: string): boolean {
    if (!this.contains(ip)) return false;
    const off = ipToInt(ip) - this.base;
    if (this.used.has(off)) return false;
    this.used.add(off);
    return true;
  }

  /** The next free address, or undefined when the range is full. */
  allocateNext(): string | undefined {
    const usable = this.size - 2;
    for (let i = 0; i < usable; i++) {
      // Skip .1 (reserved for `kubernetes`) unless asked for by name.
      const off = ((this.next + i) % usable) + 1;
      if (off === 1 || this.used.has(off)) continue;
      this.used.add(off);
      this.next = off;
      return intToIp(this.base + off);
    }
    return undefined;
  }

  release(ip: string): void {
    if (this.contains(ip)) this.used.delete(ipToInt(ip) - this.base);
  }

  isAllocated(ip: string): boolean {
    return this.contains(ip) && this.used.has(ipToInt(ip) - this.base);
  }
}

export class PortAllocator {
  private readonly used = new Set<number>();
  private next: number;

  constructor(
    readonly min = 30000,
    readonly max = 32767,
  ) {
    this.next = min;
  }

  contains(port: number): boolean {
    return Number.isInteger(port) && port >= this.min && port <= this.max;
  }

  allocate(port: number): boolean {
    if (!this.contains(port) || this.used.has(port)) return false;
    this.used.add(port);
    return true;
  }

  allocateNext(): number | undefined {
    const span = this.max - this.min + 1;
    for (let i = 0; i < span; i++) {
      const p = this.min + ((this.next - this.min + i) % span);
      if (this.used.has(p)) continue;
      this.used.add(p);
      this.next = p + 1 > this.max ? this.min : p + 1;
      return p;
    }
    return undefined;
  }

  release(port: number): void {
    this.used.delete(port);
  }
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}
