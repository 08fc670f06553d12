// discovery.k8s.io/v1 EndpointSlice: port defaults, ValidateEndpointSlice (address type, the
// addresses of each endpoint, hints, ports) and printEndpointSlice.
import type { EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { type FieldError, FieldPath, duplicate, invalid, notSupported, required, tooMany } from '../../../apimachinery/field-errors.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, validateLabels } from '../../../apimachinery/validation.js';
import { PORT_PROTOCOLS, ipFamily, parseIP, validateNonSpecialIP } from '../../core/v1/endpoints.js';
import { AGE_COLUMN, NAME_COLUMN, age } from '../../printing.js';
import type { ResourceDefinition } from '../../types.js';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;
const MAX_TOPOLOGY_LABELS = 16;
const MAX_ZONE_HINTS = 8;

function defaults(slice: EndpointSlice): void {
  for (const p of slice.ports ?? []) {
    p.name ??= '';
    p.protocol ??= 'TCP';
  }
}

/** upstream IsFullyQualifiedDomainName. */
function validateFQDN(path: FieldPath, value: string): FieldError[] {
  if (!value) return [required(path)];
  const name = value.replace(/\.$/, '');
  const sub = isDNS1123Subdomain(name);
  if (sub.length) return [invalid(path, name, sub.join(','))];
  const labels = name.split('.');
  if (labels.length < 2) return [invalid(path, name, 'should be a domain with at least two segments separated by dots')];
  for (const l of labels) {
    const e = isDNS1123Label(l);
    if (e.length) return [invalid(path, l, e.join(','))];
  }
  return [];
}

function validateAddress(type: string, address: string, path: FieldPath): FieldError[] {
  if (type === 'IPv4' || type === 'IPv6') {
    const family = parseIP(address) ? ipFamily(address) : 0;
    const want = type === 'IPv4' ? 4 : 6;
    if (family !== want) return [invalid(path, address, `must be a valid ${type} address`)];
    return validateNonSpecialIP(address, path);
  }
  return type === 'FQDN' ? validateFQDN(path, address) : [];
}

function validatePorts(ports: EndpointPort[] | undefined): FieldError[] {
  const path = FieldPath.root('ports');
  if ((ports?.length ?? 0) > MAX_PORTS) return [tooMany(path, ports!.length, MAX_PORTS)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((p, i) => {
    const pp = path.index(i);
    const name = p.name ?? '';
    if (name) errs.push(...isDNS1123Label(name).map((m) => invalid(pp.child('name'), name, m)));
    if (names.has(name)) errs.push(duplicate(pp.child('name'), name));
    names.add(name);
    if (p.protocol === undefined) errs.push(required(pp.child('protocol')));
    else if (!PORT_PROTOCOLS.includes(p.protocol)) errs.push(notSupported(pp.child('protocol'), p.protocol, PORT_PROTOCOLS));
    if (p.appProtocol !== undefined) errs.push(...isQualifiedName(p.appProtocol).map((m) => invalid(pp.child('appProtocol'), p.appProtocol, m)));
  });
  return errs;
}

function validate(slice: EndpointSlice): FieldError[] {
  const errs: FieldError[] = [];
  const type = slice.addressType ?? '';
  if (!type) errs.push(required('addressType'));
  else if (!ADDRESS_TYPES.includes(type)) errs.push(notSupported('addressType', type, ADDRESS_TYPES));
  const path = FieldPath.root('endpoints');
  const endpoints = slice.endpoints ?? [];
  if (endpoints.length > MAX_ENDPOINTS) errs.push(tooMany(path, endpoints.length, MAX_ENDPOINTS));
  else {
    endpoints.forEach((ep, i) => {
      const p = path.index(i);
      const ap = p.child('addresses');
      const addrs = ep.addresses ?? [];
      if (!addrs.length) errs.push(required(ap, 'must contain at least 1 address'));
      else if (addrs.length > MAX_ADDRESSES) errs.push(tooMany(ap, addrs.length, MAX_ADDRESSES));
      addrs.forEach((a, j) => errs.push(...validateAddress(type, a, ap.index(j))));
      if (ep.nodeName !== undefined) errs.push(...isDNS1123Subdomain(ep.nodeName).map((m) => invalid(p.child('nodeName'), ep.nodeName, m)));
      const topo = ep.deprecatedTopology ?? {};
      const tp = p.child('deprecatedTopology');
      if (Object.keys(topo).length > MAX_TOPOLOGY_LABELS) errs.push(tooMany(tp, Object.keys(topo).length, MAX_TOPOLOGY_LABELS));
      errs.push(...validateLabels(topo, tp));
      if (ep.hostname !== undefined) errs.push(...isDNS1123Label(ep.hostname).map((m) => invalid(p.child('hostname'), ep.hostname, m)));
      const zones = ep.hints?.forZones ?? [];
      const zp = p.child('hints').child('forZones');
      if (zones.length > MAX_ZONE_HINTS) errs.push(tooMany(zp, zones.length, MAX_ZONE_HINTS));
      else {
        const seen = new Set<string>();
        zones.forEach((z, j) => {
          const np = zp.index(j).child('name');
          if (seen.has(z.name)) errs.push(duplicate(np, z.name));
          seen.add(z.name);
          errs.push(...isValidLabelValue(z.name ?? '').map((m) => invalid(np, z.name, m)));
        });
      }
    });
  }
  errs.push(...validatePorts(slice.ports));
  return errs;
}

/** upstream listWithMoreString: up to three items, "+ N more...", "<unset>" when empty. */
function listWithMore(items: string[]): string {
  if (items.length > 3) return `${items.slice(0, 3).join(',')} + ${items.length - 3} more...`;
  return items.join(',') || '<unset>';
}

export const endpointSliceResource: ResourceDefinition<EndpointSlice> = {
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  singular: 'endpointslice',
  namespaced: true,
  // Upstream bumps the generation when anything but metadata changes (a slice has no spec).
  tracksGeneration: true,
  defaults,
  validate,
  validateUpdate(slice, old) {
    const errs = validate(slice);
    if ((slice.addressType ?? '') !== (old.addressType ?? '')) errs.push(invalid('addressType', slice.addressType ?? '', 'field is immutable'));
    return errs;
  },
  table: {
    columns: [
      NAME_COLUMN,
      { name: 'AddressType', type: 'string', description: 'addressType specifies the type of address carried by this EndpointSlice.', priority: 0 },
      { name: 'Ports', type: 'string', description: 'ports specifies the list of network ports exposed by each endpoint in this slice.', priority: 0 },
      { name: 'Endpoints', type: 'string', description: 'endpoints is a list of unique endpoints in this slice.', priority: 0 },
      AGE_COLUMN,
    ],
    cells: (s, now) => [
      s.metadata?.name ?? '',
      s.addressType ?? '',
      listWithMore((s.ports ?? []).map((p) => (p.port !== undefined ? String(p.port) : (p.name ?? '*')))),
      listWithMore((s.endpoints ?? []).flatMap((e) => e.addresses ?? [])),
      age(s.metadata?.creationTimestamp, now),
    ],
  },
};
