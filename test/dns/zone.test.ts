import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ClusterRecords } from '../../src/dns/records.js';
import { KubernetesZone } from '../../src/dns/zone.js';
import { Rcode, Type } from '../../src/dns/message.js';
import type { ResourceRecord } from '../../src/dns/message.js';

function svc(name: string, spec: Service['spec'], namespace = 'default'): Service {
  return { metadata: { name, namespace }, spec };
}

function slice(name: string, service: string, endpoints: EndpointSlice['endpoints'], ports: EndpointSlice['ports'], addressType = 'IPv4'): EndpointSlice {
  return { metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': service } }, addressType, endpoints, ports };
}

function fixture(): { records: ClusterRecords; zone: KubernetesZone } {
  const records = new ClusterRecords();
  records.upsertService(svc('web', { clusterIP: '10.43.0.20', clusterIPs: ['10.43.0.20'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] }));
  records.upsertService(svc('dual', { clusterIPs: ['10.43.0.21', 'fd00:43::21'], ports: [{ port: 80 }] }));
  records.upsertService(svc('db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }));
  records.upsertService(svc('empty-headless', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }));
  records.upsertService(svc('ext', { type: 'ExternalName', externalName: 'db.example.com' }));
  records.upsertService(svc('ext-ip', { type: 'ExternalName', externalName: '1.2.3.4' }));
  records.upsertService(svc('other', { clusterIP: '10.43.0.30', ports: [{ port: 80 }] }, 'kube-system'));
  records.upsertEndpointSlice(slice('db-a', 'db', [
    { addresses: ['10.42.0.5'], hostname: 'db-0', conditions: { ready: true } },
    { addresses: ['10.42.0.6'], hostname: 'db-1' },
    { addresses: ['10.42.0.7'], hostname: 'db-2', conditions: { ready: false } },
  ], [{ name: 'pg', port: 5433, protocol: 'TCP' }]));
  records.upsertEndpointSlice(slice('db-b', 'db', [{ addresses: ['10.42.0.8'] }], [{ name: 'pg', port: 5433, protocol: 'TCP' }]));
  records.upsertEndpointSlice(slice('web-a', 'web', [{ addresses: ['10.42.1.1'] }], [{ name: 'http', port: 8080, protocol: 'TCP' }]));
  return { records, zone: new KubernetesZone(records, { nameserverIPs: ['10.43.0.10'] }) };
}

function ask(zone: KubernetesZone, name: string, type: number) {
  return zone.answer({ name, type, class: 1 });
}

function values(rrs: ResourceRecord[]): string[] {
  return rrs.map((rr) => {
    switch (rr.type) {
      case Type.A: case Type.AAAA: return rr.address;
      case Type.CNAME: case Type.PTR: case Type.NS: return rr.target;
      case Type.SRV: return `${rr.port} ${rr.target}`;
      case Type.TXT: return rr.texts.join(',');
      case Type.SOA: return `SOA ${rr.name}`;
      default: return '?';
    }
  }).sort();
}

const Z = 'cluster.local.';
const cases: { name: string; q: string; type: number; rcode: number; answers: string[]; additional?: string[] }[] = [
  { name: 'service A -> clusterIP', q: `web.default.svc.${Z}`, type: Type.A, rcode: Rcode.NOERROR, answers: ['10.43.0.20'] },
  { name: 'service name is case-insensitive', q: `WEB.Default.svc.${Z}`, type: Type.A, rcode: Rcode.NOERROR, answers: ['10.43.0.20'] },
  { name: 'service AAAA of an IPv4 service -> NODATA', q: `web.default.svc.${Z}`, type: Type.AAAA, rcode: Rcode.NOERROR, answers: [] },
  { name: 'service MX -> NODATA', q: `web.default.svc.${Z}`, type: Type.MX, rcode: Rcode.NOERROR, answers: [] },
  { name: 'dual-stack A', q: `dual.default.svc.${Z}`, type: Type.A, rcode: Rcode.NOERROR, answers: ['10.43.0.21'] },
  { name: 'dual-stack AAAA', q: `dual.default.svc.${Z}`, type: Type.AAAA, rcode: Rcode.NOERROR, answers: ['fd00:43::21'] },
  { name: 'unknown service -> NXDOMAIN', q: `nope.default.svc.${Z}`, type: Type.A, rcode: Rcode.NXDOMAIN, answers: [] },
  { name: 'service in another namespace', q: `other.kube-system.svc.${Z}`, type: Type.A, rcode: Rcode.NOERROR, answers: ['10.43.0.30'] },
  { name: 'service looked up in the wrong namespace -> NXDOMAIN', q: `other.default.svc.${Z}`, type: Type.A, rcode: Rcode.NXDOMAIN, answers: [] },
  { name: 'existing namespace -> NODATA', q: `default.svc.${Z}`, type: Type.A, rcode: Rcode.NOERROR, answers: [] },
  { name: 'unknown namespace -> NXDOMAIN', q: `ghost.svc.${Z}`, type: Type.A, rcode: Rcode.NXDOMAIN, answers: [] },
  { name: 'svc apex -> NODATA', q: `svc.${Z}`, type: Type.A, rcode: Rcode.NOERROR, answers: [] },
  { name: 'zone apex A -> NODATA', q: Z, type: Type.A, rcode: Rcode.NOERROR, answers: [] },
  { name: 'zone apex SOA', q: Z, type: Type.SOA, rcode: Rcode.NOERROR, answers: [`SOA ${Z}`] },
  { name: 'zone apex NS with glue', q: Z, type: Type.NS, rcode: Rcode.NOERROR, answers: [`ns.dns.${Z}`], additional: ['10.43.0.10'] },
  { name: 'ns.dns A', q: `ns.dns.${Z}`, type: Type.A, rcode: Rcode.NOERROR, answers: ['10.43.0.10'] },
  { name: 'dns-version TXT', q: `dns-version.${Z}`, type: Type.TXT, rcode: Rcode.NOERROR, answers: ['1.1.0'] },
  { name: 'neither svc nor pod -> NXDOMAIN', q: `foo.bar.${Z}`, type: Type.A, rcode: Rcode.NXDOMAIN, answers: [] },
  { name: 'search-path expansion of an outside name -> NXDOMAIN', q: `www.example.com.default.svc.${Z}`, type: Type.A, rcode: Rcode.NXDOMAIN, answers: [] },
  { name: 'headless -> ready endpoints only, across slices', q: `db.default.svc.${Z}`, type: Type.A, rcode: Rcode.NOERROR, answers: ['10.42.0.5', '10.42.0.6', '10.42.0.8'] },
  { name: 'headless without endpoints -> NXDOMAIN (CoreDNS)', q: `empty-headless.default.svc.${Z}`, type: Type.A, rcode: Rcode.NXDOMAIN, answers: [] },
  { name: 'StatefulSet hostname', q: `db-1.db.default.svc.${Z}`, type: Type.A, rcode: Rcode.NOERROR, answers: ['10.42.0.6'] },
  { name: 'not-ready hostname -> NXDOMAIN', q: `db-2.db.default.svc.${Z}`, type: Type.A, rcode: Rcode.NXDOMAIN, answers: [] },
  { name: 'endpoint by dashed IP', q: `10-42-0-8.db.default.svc.${Z}`, type: Type.A, rcode: Rcode.NOERROR, answers: ['10.42.0.8'] },
  { name: 'endpoint of a clusterIP service', q: `10-42-1-1.web.default.svc.${Z}`, type: Type.A, rcode: Rcode.NOERROR, answers: ['10.42.1.1'] },
  { name: 'SRV named port of a clusterIP service', q: `_http._tcp.web.default.svc.${Z}`, type: Type.SRV, rcode: Rcode.NOERROR, answers: [`80 web.default.svc.${Z}`], additional: ['10.43.0.20'] },
  { name: 'SRV udp port', q: `_dns._udp.web.default.svc.${Z}`, type: Type.SRV, rcode: Rcode.NOERROR, answers: [`53 web.default.svc.${Z}`] },
  { name: 'SRV wrong protocol -> NXDOMAIN', q: `_http._udp.web.default.svc.${Z}`, type: Type.SRV, rcode: Rcode.NXDOMAIN, answers: [] },
  { name: 'SRV unknown port -> NXDOMAIN', q: `_nope._tcp.web.default.svc.${Z}`, type: Type.SRV, rcode: Rcode.NXDOMAIN, answers: [] },
  { name: 'SRV of the service name lists every port', q: `web.default.svc.${Z}`, type: Type.SRV, rcode: Rcode.NOERROR, answers: [`53 web.default.svc.${Z}`, `80 web.default.svc.${Z}`] },
  { name: 'SRV headless targets each endpoint', q: `_pg._tcp.db.default.svc.${Z}`, type: Type.SRV, rcode: Rcode.NOERROR,
    answers: [`5433 10-42-0-8.db.default.svc.${Z}`, `5433 db-0.db.default.svc.${Z}`, `5433 db-1.db.default.svc.${Z}`], additional: ['10.42.0.5', '10.42.0.6', '10.42.0.8'] },
  { name: 'A on a port name answers addresses', q: `_http._tcp.web.default.svc.${Z}`, type: Type.A, rcode: Rcode.NOERROR, answers: ['10.43.0.20'] },
  { name: 'too many labels -> NXDOMAIN', q: `a.b.c.web.default.svc.${Z}`, type: Type.A, rcode: Rcode.NXDOMAIN, answers: [] },
  { name: 'ExternalName A -> CNAME (to be chased)', q: `ext.default.svc.${Z}`, type: Type.A, rcode: Rcode.NOERROR, answers: ['db.example.com.'] },
  { name: 'ExternalName CNAME', q: `ext.default.svc.${Z}`, type: Type.CNAME, rcode: Rcode.NOERROR, answers: ['db.example.com.'] },
  { name: 'ExternalName with an endpoint label -> NXDOMAIN', q: `x.ext.default.svc.${Z}`, type: Type.A, rcode: Rcode.NXDOMAIN, answers: [] },
  { name: 'ExternalName to an IP -> NXDOMAIN (not a CNAME)', q: `ext-ip.default.svc.${Z}`, type: Type.A, rcode: Rcode.NXDOMAIN, answers: [] },
  { name: 'pod A from dashed IP', q: `10-42-0-99.default.pod.${Z}`, type: Type.A, rcode: Rcode.NOERROR, answers: ['10.42.0.99'] },
  { name: 'pod AAAA from dashed IPv6', q: `fd00--1.default.pod.${Z}`, type: Type.AAAA, rcode: Rcode.NOERROR, answers: ['fd00::1'] },
  { name: 'pod A of an IPv6 name -> NODATA', q: `fd00--1.default.pod.${Z}`, type: Type.A, rcode: Rcode.NOERROR, answers: [] },
  { name: 'pod name not an IP -> NXDOMAIN', q: `web-1.default.pod.${Z}`, type: Type.A, rcode: Rcode.NXDOMAIN, answers: [] },
  { name: 'pod in unknown namespace -> NXDOMAIN', q: `10-42-0-99.ghost.pod.${Z}`, type: Type.A, rcode: Rcode.NXDOMAIN, answers: [] },
  { name: 'PTR of a cluster IP', q: '20.0.43.10.in-addr.arpa.', type: Type.PTR, rcode: Rcode.NOERROR, answers: [`web.default.svc.${Z}`] },
  { name: 'PTR of a StatefulSet endpoint', q: '5.0.42.10.in-addr.arpa.', type: Type.PTR, rcode: Rcode.NOERROR, answers: [`db-0.db.default.svc.${Z}`] },
  { name: 'PTR of an IPv6 cluster IP', q: `1.2.0.0.${'0.'.repeat(20)}3.4.0.0.0.0.d.f.ip6.arpa.`, type: Type.PTR, rcode: Rcode.NOERROR, answers: [`dual.default.svc.${Z}`] },
];

for (const c of cases) {
  test(`zone: ${c.name}`, () => {
    const { zone } = fixture();
    const a = ask(zone, c.q, c.type);
    assert.ok(a, 'answered by the zone');
    assert.equal(a.rcode, c.rcode);
    assert.deepEqual(values(a.answers), [...c.answers].sort());
    for (const rr of a.answers) {
      assert.equal(rr.ttl, 5);
      if (rr.type !== Type.SRV && rr.type !== Type.SOA) assert.equal(rr.name, c.q, 'owner echoes the question');
    }
    if (a.answers.length === 0) assert.deepEqual(values(a.authority), [`SOA ${Z}`], 'NXDOMAIN/NODATA carry the SOA');
    if (c.additional) assert.deepEqual(values(a.additional), [...c.additional].sort());
  });
}

test('ExternalName A asks the caller to chase the target', () => {
  assert.equal(ask(fixture().zone, `ext.default.svc.${Z}`, Type.A)?.chase, 'db.example.com.');
});

test('unknown reverse names and outside names are not answered by the zone', () => {
  const { zone } = fixture();
  assert.equal(zone.answer({ name: '1.2.3.4.in-addr.arpa.', type: Type.PTR, class: 1 }), undefined, 'unknown reverse falls through');
  assert.equal(zone.answer({ name: 'example.com.', type: Type.A, class: 1 }), undefined, 'outside names are not ours');
});

test('updates and deletes take effect: endpoints, services, namespaces, reverse entries', () => {
  const { records, zone } = fixture();
  records.upsertEndpointSlice(slice('db-a', 'db', [{ addresses: ['10.42.0.9'], hostname: 'db-0' }], [{ name: 'pg', port: 5433 }]));
  assert.deepEqual(values(ask(zone, `db.default.svc.${Z}`, Type.A)!.answers), ['10.42.0.8', '10.42.0.9']);
  assert.equal(ask(zone, '5.0.42.10.in-addr.arpa.', Type.PTR), undefined, 'the replaced endpoint lost its PTR');
  records.deleteEndpointSlice(slice('db-b', 'db', [], []));
  records.deleteEndpointSlice(slice('db-a', 'db', [], []));
  assert.equal(ask(zone, `db.default.svc.${Z}`, Type.A)!.rcode, Rcode.NXDOMAIN);
  records.deleteService(svc('other', {}, 'kube-system'));
  assert.equal(ask(zone, `other.kube-system.svc.${Z}`, Type.A)!.rcode, Rcode.NXDOMAIN);
  assert.equal(ask(zone, `kube-system.svc.${Z}`, Type.A)!.rcode, Rcode.NXDOMAIN, 'an emptied, unannounced namespace is gone');
  assert.equal(ask(zone, '30.0.43.10.in-addr.arpa.', Type.PTR), undefined);
  records.upsertNamespace({ metadata: { name: 'kube-system' } });
  assert.equal(ask(zone, `kube-system.svc.${Z}`, Type.A)!.rcode, Rcode.NOERROR, 'a Namespace object makes it exist');
  records.upsertService(svc('web', { clusterIP: '10.43.0.99', ports: [{ port: 80 }] }));
  assert.deepEqual(values(ask(zone, `web.default.svc.${Z}`, Type.A)!.answers), ['10.43.0.99']);
  assert.equal(ask(zone, '20.0.43.10.in-addr.arpa.', Type.PTR), undefined, 'old clusterIP PTR removed');
});

test('pods make their namespace exist; pods verified answers only known pod IPs', () => {
  const records = new ClusterRecords();
  const zone = new KubernetesZone(records, { podMode: 'verified' });
  const pod: Pod = { metadata: { name: 'p', namespace: 'apps' }, status: { podIP: '10.42.3.3', podIPs: [{ ip: '10.42.3.3' }] } };
  assert.equal(ask(zone, `10-42-3-3.apps.pod.${Z}`, Type.A)!.rcode, Rcode.NXDOMAIN);
  records.upsertPod(pod);
  assert.deepEqual(values(ask(zone, `10-42-3-3.apps.pod.${Z}`, Type.A)!.answers), ['10.42.3.3']);
  assert.equal(ask(zone, `10-42-3-4.apps.pod.${Z}`, Type.A)!.rcode, Rcode.NXDOMAIN);
  records.deletePod(pod);
  assert.equal(ask(zone, `10-42-3-3.apps.pod.${Z}`, Type.A)!.rcode, Rcode.NXDOMAIN);
});

test('a custom zone and TTL', () => {
  const records = new ClusterRecords();
  records.upsertService(svc('web', { clusterIP: '10.0.0.1', ports: [{ port: 80 }] }));
  const zone = new KubernetesZone(records, { zone: 'corp.internal', ttl: 30 });
  const a = ask(zone, 'web.default.svc.corp.internal.', Type.A)!;
  assert.deepEqual(values(a.answers), ['10.0.0.1']);
  assert.equal(a.answers[0].ttl, 30);
  assert.equal(ask(zone, `web.default.svc.${Z}`, Type.A), undefined);
});

test('lookups stay fast with 10,000 services (indexed, not scanned)', () => {
  const records = new ClusterRecords();
  for (let i = 0; i < 10_000; i++) records.upsertService(svc(`s${i}`, { clusterIP: `10.43.${i >> 8}.${i & 255}`, ports: [{ port: 80 }] }, `ns${i % 100}`));
  const zone = new KubernetesZone(records);
  const start = performance.now();
  for (let i = 0; i < 10_000; i++) ask(zone, `s${i}.ns${i % 100}.svc.${Z}`, Type.A);
  assert.ok(performance.now() - start < 1000);
  assert.deepEqual(values(ask(zone, `s9999.ns99.svc.${Z}`, Type.A)!.answers), ['10.43.39.15']);
});
