// core/v1 Endpoints, and the IP address helpers the networking kinds share (upstream
// IsValidIP, IsValidCIDR and ValidateNonSpecialIP), since Go's net parsing has no Node twin.
import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, invalid, notSupported, required } from '../../../apimachinery/field-errors.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from '../../../apimachinery/validation.js';
import { AGE_COLUMN, NAME_COLUMN, age } from '../../printing.js';
import type { ResourceDefinition } from '../../types.js';
import { isValidPortNum } from './container-validation.js';

/** Port protocols, sorted as upstream lists them in errors. */
export const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

/** The 4 (IPv4) or 16 (IPv6) bytes of an address, as Go's net.ParseIP reads it; null if not one. */
export function parseIP(s: string): number[] | null {
  return s.includes(':') ? parseIPv6(s) : parseIPv4(s);
}

function parseIPv4(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    // Go rejects leading zeros (they were octal once).
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

function parseIPv6(s: string): number[] | null {
  let tail: number[] = [];
  let body = s;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (!v4) return null;
    tail = v4;
    body = s.slice(0, lastColon + 1) + '0:0';
  }
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  const total = head.length + rest.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return null;
  const words = [...head, ...Array<string>(8 - total).fill('0'), ...rest];
  const out: number[] = [];
  for (const w of words) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(w)) return null;
    const n = parseInt(w, 16);
    out.push(n >> 8, n & 0xff);
  }
  if (tail.length) out.splice(12, 4, ...tail);
  return out;
}

/** An IPv4 address, or an IPv6 one (IPv4-mapped IPv6 addresses count as IPv4, as in Go). */
export function ipFamily(s: string): 4 | 6 | 0 {
  const b = parseIP(s);
  if (!b) return 0;
  if (b.length === 4) return 4;
  return b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff ? 4 : 6;
}

const IP_MSG = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
const CIDR_MSG = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

/** upstream validation.IsValidIP. */
export function validateIP(path: FieldPath | string, value: string): FieldError[] {
  return parseIP(value) ? [] : [invalid(path, value, IP_MSG)];
}

/** An address and prefix length, or null (Go's ParseCIDR). */
export function parseCIDR(s: string): { ip: number[]; bits: number } | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const ip = parseIP(s.slice(0, slash));
  const len = s.slice(slash + 1);
  if (!ip || !/^(0|[1-9][0-9]*)$/.test(len)) return null;
  const bits = Number(len);
  // An IPv4 address in IPv6 notation keeps IPv6 prefix lengths.
  return bits > ip.length * 8 ? null : { ip, bits };
}

/** upstream validation.IsValidCIDR. */
export function validateCIDR(path: FieldPath | string, value: string): FieldError[] {
  return parseCIDR(value) ? [] : [invalid(path, value, CIDR_MSG)];
}

/** Whether every address of `inner` lies in `outer` and `inner` is strictly smaller. */
export function cidrStrictSubset(outer: string, inner: string): boolean {
  const o = parseCIDR(outer);
  const i = parseCIDR(inner);
  if (!o || !i || o.ip.length !== i.ip.length || o.bits >= i.bits) return false;
  for (let bit = 0; bit < o.bits; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((o.ip[byte]! & mask) !== (i.ip[byte]! & mask)) return false;
  }
  return true;
}

/** upstream ValidateNonSpecialIP: no unspecified, loopback or link-local addresses. */
export function validateNonSpecialIP(value: string, path: FieldPath | string): FieldError[] {
  let b = parseIP(value);
  if (!b) return [invalid(path, value, 'must be a valid IP address')];
  if (ipFamily(value) === 4 && b.length === 16) b = b.slice(12);
  const errs: FieldError[] = [];
  const v4 = b.length === 4;
  if (b.every((x) => x === 0)) errs.push(invalid(path, value, `may not be unspecified (${value})`));
  const loopback = v4 ? b[0] === 127 : b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
  if (loopback) errs.push(invalid(path, value, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  const linkLocal = v4 ? b[0] === 169 && b[1] === 254 : b[0] === 0xfe && (b[1]! & 0xc0) === 0x80;
  if (linkLocal) errs.push(invalid(path, value, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  const linkLocalMulticast = v4 ? b[0] === 224 && b[1] === 0 && b[2] === 0 : b[0] === 0xff && (b[1]! & 0x0f) === 0x02;
  if (linkLocalMulticast) {
    errs.push(invalid(path, value, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  }
  return errs;
}

/** net.JoinHostPort: IPv6 hosts in brackets. */
export const joinHostPort = (host: string, port: number | string) =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;

function defaults(ep: Endpoints): void {
  for (const ss of ep.subsets ?? []) for (const p of ss.ports ?? []) p.protocol ??= 'TCP';
}

function validateAddress(a: EndpointAddress, path: FieldPath): FieldError[] {
  const errs = validateIP(path.child('ip'), a.ip ?? '');
  if (a.hostname) errs.push(...isDNS1123Label(a.hostname).map((m) => invalid(path.child('hostname'), a.hostname, m)));
  if (a.nodeName !== undefined) {
    errs.push(...isDNS1123Subdomain(a.nodeName).map((m) => invalid(path.child('nodeName'), a.nodeName, m)));
  }
  // Upstream reports an unparsable address twice (IsValidIP, then ValidateNonSpecialIP).
  errs.push(...validateNonSpecialIP(a.ip ?? '', path.child('ip')));
  return errs;
}

function validatePort(p: EndpointPort, requireName: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !p.name) errs.push(required(path.child('name')));
  else if (p.name) errs.push(...isDNS1123Label(p.name).map((m) => invalid(path.child('name'), p.name, m)));
  errs.push(...isValidPortNum(p.port ?? 0).map((m) => invalid(path.child('port'), p.port ?? 0, m)));
  if (!p.protocol) errs.push(required(path.child('protocol')));
  else if (!PORT_PROTOCOLS.includes(p.protocol)) errs.push(notSupported(path.child('protocol'), p.protocol, PORT_PROTOCOLS));
  if (p.appProtocol !== undefined) {
    errs.push(...isQualifiedName(p.appProtocol).map((m) => invalid(path.child('appProtocol'), p.appProtocol, m)));
  }
  return errs;
}

function validateSubsets(subsets: EndpointSubset[] | undefined): FieldError[] {
  const errs: FieldError[] = [];
  (subsets ?? []).forEach((ss, i) => {
    const p = FieldPath.root('subsets').index(i);
    if (!ss.addresses?.length && !ss.notReadyAddresses?.length) {
      errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    }
    (ss.addresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, p.child('addresses').index(j))));
    (ss.notReadyAddresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, p.child('notReadyAddresses').index(j))));
    const ports = ss.ports ?? [];
    ports.forEach((port, j) => errs.push(...validatePort(port, ports.length > 1, p.child('ports').index(j))));
  });
  return errs;
}

/** upstream formatEndpoints: up to three host:port pairs, then "+ N more...". */
export function formatEndpoints(ep: Endpoints): string {
  if (!ep.subsets?.length) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of ep.subsets) {
    const addrs = ss.addresses ?? [];
    if (!ss.ports?.length) {
      // Headless services may have endpoints without ports.
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(a.ip);
      }
      continue;
    }
    for (const port of ss.ports) {
      count += addrs.length;
      for (const a of addrs) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(a.ip, port.port));
      }
    }
  }
  const s = list.join(',');
  return more ? `${s} + ${count - max} more...` : s;
}

export const endpointsResource: ResourceDefinition<Endpoints> = {
  group: '',
  version: 'v1',
  kind: 'Endpoints',
  plural: 'endpoints',
  singular: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  defaults,
  validate: (ep) => validateSubsets(ep.subsets),
  validateUpdate: (ep) => validateSubsets(ep.subsets),
  table: {
    columns: [
      NAME_COLUMN,
      {
        name: 'Endpoints',
        type: 'string',
        description:
          'The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.',
        priority: 0,
      },
      AGE_COLUMN,
    ],
    cells: (ep, now) => [ep.metadata?.name ?? '', formatEndpoints(ep), age(ep.metadata?.creationTimestamp, now)],
  },
};
