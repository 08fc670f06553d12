// A pod's /etc/resolv.conf and /etc/hosts as upstream's kubelet makes them: every dnsPolicy,
// dnsConfig merged in, the resolver limits and their events, and the managed hosts file
// (subdomain, hostAliases, host network), as case tables.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import { formatResolvConf, parseResolvConf, podDNS, podDNSEvents, podDNSType, podHostnameAndDomain, podHostsFile, podResolvConf } from '../../../src/kubelet/pods/dns-files.js';

const pod = (spec: Partial<PodSpec> = {}, name = 'web'): Pod => ({ metadata: { name, namespace: 'shop', uid: 'uid-1' }, spec: { containers: [{ name: 'c' }], ...spec } });

const HOST = [
  '# written by the node',
  'nameserver 10.0.0.2',
  'nameserver',
  'nameserver 10.0.0.3',
  'search old.example',
  'search corp.example. lab.example',
  'options timeout:2 attempts:3',
  '',
].join('\n');
const opts = { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', hostResolvConf: HOST };
const CLUSTER_SEARCH = 'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example\n';
const HOST_FILE = 'search corp.example lab.example\nnameserver 10.0.0.2\nnameserver 10.0.0.3\noptions timeout:2 attempts:3\n';
const MISSING =
  'pod: "web_shop(uid-1)". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.';

describe('parseResolvConf', () => {
  it('accumulates nameservers, keeps the last search and options lines, trims trailing dots', () => {
    assert.deepEqual(parseResolvConf(HOST), { servers: ['10.0.0.2', '10.0.0.3'], searches: ['corp.example', 'lab.example'], options: ['timeout:2', 'attempts:3'] });
    assert.deepEqual(parseResolvConf(''), { servers: [], searches: [], options: [] });
  });
});

describe('podDNSType', () => {
  const cases: [string, Partial<PodSpec>, string][] = [
    ['unset is ClusterFirst', {}, 'cluster'],
    ['ClusterFirst', { dnsPolicy: 'ClusterFirst' }, 'cluster'],
    ['ClusterFirst on the host network behaves as Default', { dnsPolicy: 'ClusterFirst', hostNetwork: true }, 'host'],
    ['unset on the host network behaves as Default', { hostNetwork: true }, 'host'],
    ['ClusterFirstWithHostNet on the host network', { dnsPolicy: 'ClusterFirstWithHostNet', hostNetwork: true }, 'cluster'],
    ['ClusterFirstWithHostNet off it', { dnsPolicy: 'ClusterFirstWithHostNet' }, 'cluster'],
    ['Default', { dnsPolicy: 'Default' }, 'host'],
    ['None', { dnsPolicy: 'None', hostNetwork: true }, 'none'],
    ['an unknown policy falls back to ClusterFirst', { dnsPolicy: 'Bogus' }, 'cluster'],
  ];
  for (const [name, spec, want] of cases) it(name, () => assert.equal(podDNSType(pod(spec)), want));
});

describe('podResolvConf', () => {
  const cases: [string, Partial<PodSpec>, Partial<typeof opts>, string][] = [
    ['ClusterFirst: the cluster DNS only, cluster search domains then the host\'s, ndots:5', {}, {}, `${CLUSTER_SEARCH}nameserver 10.96.0.10\noptions ndots:5\n`],
    ['ClusterFirst with two cluster DNS servers', {}, { clusterDNS: ['10.96.0.10', 'fd00::a'] }, `${CLUSTER_SEARCH}nameserver 10.96.0.10\nnameserver fd00::a\noptions ndots:5\n`],
    ['ClusterFirst on the host network: the host\'s settings', { hostNetwork: true }, {}, HOST_FILE],
    ['ClusterFirstWithHostNet on the host network', { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }, {}, `${CLUSTER_SEARCH}nameserver 10.96.0.10\noptions ndots:5\n`],
    ['Default: the host\'s nameservers, search and options', { dnsPolicy: 'Default' }, {}, HOST_FILE],
    ['ClusterFirst without cluster DNS falls back to Default', {}, { clusterDNS: [] }, HOST_FILE],
    ['ClusterFirst without a cluster domain: the host\'s search domains only', {}, { clusterDomain: '' }, 'search corp.example lab.example\nnameserver 10.96.0.10\noptions ndots:5\n'],
    [
      'host search domains equal to cluster ones count once',
      {},
      { hostResolvConf: 'nameserver 10.0.0.2\nsearch cluster.local. example.org\n' },
      'search shop.svc.cluster.local svc.cluster.local cluster.local example.org\nnameserver 10.96.0.10\noptions ndots:5\n',
    ],
    [
      'None: only dnsConfig',
      { dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'], searches: ['a.example'], options: [{ name: 'ndots', value: '1' }, { name: 'rotate' }] } },
      {},
      'search a.example\nnameserver 1.1.1.1\noptions ndots:1 rotate\n',
    ],
    ['None with an empty dnsConfig: the node\'s file as it is (containerd copies it)', { dnsPolicy: 'None', dnsConfig: {} }, {}, HOST],
    [
      'ClusterFirst + dnsConfig: nameservers and searches appended without duplicates, options merged with the pod\'s winning',
      { dnsConfig: { nameservers: ['10.96.0.10', '8.8.8.8'], searches: ['svc.cluster.local', 'extra.example'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } },
      {},
      'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example lab.example extra.example\nnameserver 10.96.0.10\nnameserver 8.8.8.8\noptions ndots:2 edns0\n',
    ],
    [
      'Default + dnsConfig options: a value replaces the host\'s, a bare name drops its value',
      { dnsPolicy: 'Default', dnsConfig: { options: [{ name: 'timeout', value: '5' }, { name: 'attempts' }, { name: 'single-request' }] } },
      {},
      'search corp.example lab.example\nnameserver 10.0.0.2\nnameserver 10.0.0.3\noptions timeout:5 attempts single-request\n',
    ],
  ];
  for (const [name, spec, o, want] of cases) it(name, () => assert.equal(podResolvConf(pod(spec), { ...opts, ...o }), want));

  it('records MissingClusterDNS only when ClusterFirst has no cluster DNS', () => {
    assert.deepEqual(podDNSEvents(pod(), { ...opts, clusterDNS: [] }), [{ reason: 'MissingClusterDNS', message: MISSING }]);
    assert.deepEqual(podDNSEvents(pod({ dnsPolicy: 'ClusterFirstWithHostNet', hostNetwork: true }), { ...opts, clusterDNS: [] }).map((e) => e.reason), ['MissingClusterDNS']);
    assert.deepEqual(podDNSEvents(pod(), opts), []);
    assert.deepEqual(podDNSEvents(pod({ dnsPolicy: 'Default' }), { ...opts, clusterDNS: [] }), []);
    assert.deepEqual(podDNSEvents(pod({ hostNetwork: true }), { ...opts, clusterDNS: [] }), [], 'host network: Default, nothing missing');
  });
});

describe('DNS limits', () => {
  const none = (dnsConfig: PodSpec['dnsConfig']) => pod({ dnsPolicy: 'None', dnsConfig });
  const domains = (n: number, len: number) => Array.from({ length: n }, (_, i) => `${String(i).padStart(2, '0')}${'x'.repeat(len - 2)}`);

  it('keeps the first 3 nameservers, with a DNSConfigForming event', () => {
    const { config, events } = podDNS(pod({ dnsPolicy: 'Default', dnsConfig: { nameservers: ['1.1.1.1', '8.8.8.8'] } }), opts);
    assert.deepEqual(config.servers, ['10.0.0.2', '10.0.0.3', '1.1.1.1']);
    assert.deepEqual(events, [{ reason: 'DNSConfigForming', message: 'Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.0.0.2 10.0.0.3 1.1.1.1' }]);
  });

  const cases: [string, string[], string[]][] = [
    ['32 search domains pass', domains(32, 10), domains(32, 10)],
    ['more than 32: the first 32', domains(40, 10), domains(32, 10)],
    ['a domain over 253 characters is dropped', ['a.example', 'y'.repeat(254), 'b.example'], ['a.example', 'b.example']],
    ['a 253-character domain passes', ['a.example', 'y'.repeat(253)], ['a.example', 'y'.repeat(253)]],
    ['a line over 2048 characters loses domains from its end', domains(10, 250), domains(8, 250)],
    ['a line of exactly 2048 characters passes', [...domains(9, 200), 'z'.repeat(2048 - 9 * 201)], [...domains(9, 200), 'z'.repeat(2048 - 9 * 201)]],
  ];
  for (const [name, searches, want] of cases) {
    it(name, () => {
      const { config, events } = podDNS(none({ nameservers: ['1.1.1.1'], searches }), opts);
      assert.deepEqual(config.searches, want);
      const exceeded = want.length !== searches.length;
      assert.deepEqual(events, exceeded ? [{ reason: 'DNSConfigForming', message: `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${want.join(' ')}` }] : []);
    });
  }

  it('the cluster search domains count against the limits, the host\'s are cut first', () => {
    const hostResolvConf = `nameserver 10.0.0.2\nsearch ${domains(31, 10).join(' ')}\n`;
    const { config } = podDNS(pod(), { ...opts, hostResolvConf });
    assert.equal(config.searches.length, 32);
    assert.deepEqual(config.searches.slice(0, 4), ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local', domains(1, 10)[0]]);
  });
});

describe('formatResolvConf', () => {
  it('lays out search, nameservers and options as containerd does; empty: the node\'s file', () => {
    assert.equal(formatResolvConf({ servers: ['a', 'b'], searches: [], options: [] }, HOST), 'nameserver a\nnameserver b\n');
    assert.equal(formatResolvConf({ servers: [], searches: ['s'], options: ['o'] }, HOST), 'search s\noptions o\n');
    assert.equal(formatResolvConf({ servers: [], searches: [], options: [] }, HOST), HOST);
  });
});

describe('podHostsFile', () => {
  const HEADER = '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n';
  const aliases = [
    { ip: '127.0.0.1', hostnames: ['foo.local', 'bar.local'] },
    { ip: '10.1.2.3', hostnames: ['foo.remote'] },
  ];
  const ALIASES = '\n# Entries added by HostAliases.\n127.0.0.1\tfoo.local\tbar.local\n10.1.2.3\tfoo.remote\n';
  const long = `${'a'.repeat(62)}-b`;
  const cases: [string, Pod, string | string[], string][] = [
    ['the pod name as hostname', pod(), '10.244.1.5', `${HEADER}10.244.1.5\tweb\n`],
    ['spec.hostname', pod({ hostname: 'db-0' }), '10.244.1.5', `${HEADER}10.244.1.5\tdb-0\n`],
    ['with a subdomain: the FQDN first, then the short name', pod({ hostname: 'db-0', subdomain: 'db' }), '10.244.1.5', `${HEADER}10.244.1.5\tdb-0.db.shop.svc.cluster.local\tdb-0\n`],
    ['subdomain without hostname: the pod name', pod({ subdomain: 'db' }), '10.244.1.5', `${HEADER}10.244.1.5\tweb.db.shop.svc.cluster.local\tweb\n`],
    ['every pod IP gets a line', pod(), ['10.244.1.5', 'fd00::5'], `${HEADER}10.244.1.5\tweb\nfd00::5\tweb\n`],
    ['no IP: no pod line', pod(), '', HEADER],
    ['hostAliases under their header, one line per entry', pod({ hostAliases: aliases }), '10.244.1.5', `${HEADER}10.244.1.5\tweb\n${ALIASES}`],
    ['a name over 63 characters is cut, without a trailing "-"', pod({}, long), '10.0.0.9', `${HEADER}10.0.0.9\t${'a'.repeat(62)}\n`],
  ];
  for (const [name, p, ip, want] of cases) it(name, () => assert.equal(podHostsFile(p, ip, { clusterDomain: 'cluster.local' }), want));

  it('host network: the node\'s file under its own header, hostAliases appended', () => {
    const node = '127.0.0.1 localhost\n192.0.2.7 node-a\n';
    assert.equal(podHostsFile(pod({ hostNetwork: true, hostAliases: aliases }), '192.0.2.7', { clusterDomain: 'cluster.local', hostHostsFile: node }), `# Kubernetes-managed hosts file (host network).\n${node}${ALIASES}`);
    assert.equal(podHostsFile(pod({ hostNetwork: true }), '', { clusterDomain: 'x', hostHostsFile: node }), `# Kubernetes-managed hosts file (host network).\n${node}`);
    assert.throws(() => podHostsFile(pod({ hostNetwork: true }), '192.0.2.7', { clusterDomain: 'cluster.local' }), /hostHostsFile is required/);
  });

  it('podHostnameAndDomain follows the cluster domain', () => {
    assert.deepEqual(podHostnameAndDomain(pod({ subdomain: 's' }), 'corp.internal'), { hostname: 'web', domain: 's.shop.svc.corp.internal' });
    assert.deepEqual(podHostnameAndDomain(pod(), 'corp.internal'), { hostname: 'web', domain: '' });
  });
});
