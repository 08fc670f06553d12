// Services and cluster DNS end to end, with real kubectl on a real `kubets server` running its
// local node (as root: pods in their own network namespaces, the nftables service proxy). Traffic
// goes only to the node's own address and to pods in the namespaces the server made for this test;
// names outside the cluster are forwarded to a fake resolver this test runs on loopback.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMessage, encodeMessage, Type } from '../../src/dns/message.js';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { KUBETS_BIN, TestCluster, until } from './harness.js';
import { defaultBridgeName } from '../../src/kubelet/runtime/process/bridge-network.js';
import { CLIENT_POD, SPREAD, webDeployment } from './services-fixtures.js';

const asRoot = process.getuid?.() === 0;
const OUTSIDE_NAME = 'outside.kubets-e2e.test';
const OUTSIDE_IP = '203.0.113.7';

// The pods' HTTP server: answers with its pod's name; /fail makes its readiness probe fail.
const SERVER = `let ready = true; require('http').createServer((q, s) => {
  if (q.url === '/fail') { ready = false; return s.end('failing'); }
  if (q.url === '/ready') { s.statusCode = ready ? 200 : 500; return s.end(); }
  s.end(process.env.POD);
}).listen(8080) // e2e-svc-web`;

/** An idle pod with extra spec lines (indented two spaces). */
const idlePod = (name: string, labels: string, spec: string) => `---
apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: ${labels}}
spec:
  ${spec}
  terminationGracePeriodSeconds: 0
  containers:
  - name: app
    image: node
    command: ['${process.execPath}', -e, 'setInterval(() => {}, 1 << 30) // e2e-svc-idle']`;

// From inside the client pod: an A query over TCP to a DNS server; prints {rcode, answers, last 4 bytes}.
const DNS_OVER_TCP = `const [ip, name] = process.argv.slice(1);
const labels = name.split('.').flatMap((l) => [Buffer.from([l.length]), Buffer.from(l)]);
const q = Buffer.concat([Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, 1, 0, 1])]);
const s = require('net').connect(53, ip, () => { const len = Buffer.alloc(2); len.writeUInt16BE(q.length); s.write(Buffer.concat([len, q])); });
let buf = Buffer.alloc(0);
s.on('data', (d) => { buf = Buffer.concat([buf, d]); if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) { const m = buf.subarray(2); console.log(JSON.stringify({ rcode: m[3] & 15, answers: m.readUInt16BE(6), last: [...m.subarray(m.length - 4)].join('.') })); s.end(); } });
s.on('error', (e) => console.log(JSON.stringify({ error: e.code })));
s.setTimeout(3000, () => { console.log(JSON.stringify({ error: 'timeout' })); s.destroy(); });`;

// From inside the client pod: requests until 20 in a row come from one pod; prints when that run began.
const SETTLE = `const [url, excluded] = process.argv.slice(1); const get = () => new Promise((r) => { const q = require('http').get(url, { agent: false, timeout: 1000 }, (s) => { let b = ''; s.on('data', (d) => b += d); s.on('end', () => r(b)); }); q.on('error', () => r(undefined)); q.on('timeout', () => q.destroy()); });
(async () => { const deadline = Date.now() + 20000; let streak = 0, since = 0, last; const seen = {};
while (Date.now() < deadline) { const t = Date.now(); const b = await get(); if (b !== undefined) seen[b] = (seen[b] ?? 0) + 1;
  if (b === undefined || b !== last || (excluded && b === excluded)) { streak = 0; last = b; since = t; } if (b !== undefined && !(excluded && b === excluded) && ++streak === 20) break; }
console.log(JSON.stringify({ pod: last, since, streak, seen })); })();`;

/** A resolver on loopback standing for the machine's: answers OUTSIDE_NAME, NXDOMAIN otherwise. */
function fakeUpstream(address: string): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.on('message', (packet, from) => {
    try {
      const q = decodeMessage(packet);
      const question = q.questions[0]!;
      const known = question.name.toLowerCase().replace(/\.$/, '') === OUTSIDE_NAME;
      const answers = known && question.type === Type.A ? [{ name: question.name, type: 1 as const, ttl: 30, address: OUTSIDE_IP }] : [];
      const reply = encodeMessage({ ...q, qr: true, ra: true, aa: false, rcode: known ? 0 : 3, answers, authority: [], additional: [], edns: undefined });
      socket.send(reply, from.port, from.address);
    } catch {
      // not a DNS query: ignored
    }
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(53, address, () => resolve(socket));
  });
}

describe('services and cluster DNS (real kubectl, real server, nftables proxy)', { skip: !asRoot && 'needs root (pod network namespaces, nftables)' }, () => {
  let cluster: TestCluster;
  let upstream: Socket;
  let upstreamAddress: string;
  let dir: string;
  const field = async (args: string[], path: string) => (await cluster.kubectlOk([...args, '-o', `jsonpath=${path}`])).trim();
  const inClient = async (script: string, ...args: string[]) => JSON.parse(await cluster.kubectlOk(['exec', 'client', '--', process.execPath, '-e', script, ...args]));
  const pods = async () => (await field(['get', 'pods', '-l', 'app=web'], '{range .items[*]}{.metadata.name} {.status.podIP}{"\\n"}{end}')).split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubets-svc-e2e-'));
    upstreamAddress = `127.0.${10 + Math.floor(Math.random() * 200)}.${10 + Math.floor(Math.random() * 200)}`;
    upstream = await fakeUpstream(upstreamAddress);
    writeFileSync(join(dir, 'resolv.conf'), `nameserver ${upstreamAddress}\n`);
    cluster = await TestCluster.start({ agent: true, extraArgs: ['--resolv-conf', join(dir, 'resolv.conf')] });
    await cluster.kubectlOk(['apply', '-f', '-'], {
      stdin: `${webDeployment({ replicas: 3, server: SERVER, readinessProbe: '{httpGet: {port: http, path: /ready}, periodSeconds: 1, failureThreshold: 1}' })}---
apiVersion: v1
kind: Service
metadata: {name: web-headless}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: web-nodeport}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: web-lb}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{name: http, port: ${30000 + Math.floor(Math.random() * 2000)}, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: outside}
spec:
  type: ExternalName
  externalName: ${OUTSIDE_NAME}
---
apiVersion: v1
kind: Service
metadata: {name: web-sticky}
spec:
  selector: {app: web}
  sessionAffinity: ClientIP
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: web-local}
spec:
  type: NodePort
  selector: {app: web}
  internalTrafficPolicy: Local
  externalTrafficPolicy: Local
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Service
metadata: {name: sub}
spec:
  clusterIP: None
  selector: {app: sub}
  ports: [{name: http, port: 80}]
${idlePod('sub-0', '{app: sub}', 'hostname: sub-0\n  subdomain: sub')}
${idlePod('dns-none', '{}', 'dnsPolicy: None\n  dnsConfig: {nameservers: [192.0.2.53], searches: [example.test], options: [{name: ndots, value: "2"}]}')}
${idlePod('dns-default', '{}', 'dnsPolicy: Default')}
---
${CLIENT_POD}`,
    });
    await cluster.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    await cluster.kubectlOk(['wait', '--for=condition=Ready', 'pod/client', 'pod/sub-0', 'pod/dns-none', 'pod/dns-default', '--timeout=60s']);
  });

  after(async () => {
    await cluster?.stop();
    upstream?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('gives the client pod a resolv.conf naming the cluster DNS, and an /etc/hosts with its own name', async () => {
    const dnsIP = await field(['get', 'service', '-n', 'kube-system', 'kube-dns'], '{.spec.clusterIP}');
    const resolv = await cluster.kubectlOk(['exec', 'client', '--', 'cat', '/etc/resolv.conf']);
    assert.match(resolv, new RegExp(`^nameserver ${dnsIP.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(resolv, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local\b/m);
    assert.match(resolv, /^options ndots:5$/m);
    const hosts = await cluster.kubectlOk(['exec', 'client', '--', 'cat', '/etc/hosts']);
    const ip = await field(['get', 'pod', 'client'], '{.status.podIP}');
    assert.match(hosts, new RegExp(`^${ip.replace(/\./g, '\\.')}\\s+client$`, 'm'));
  });

  it('spreads 300 requests to the service name from another pod over all 3 pods', async (t) => {
    const names = (await pods()).map(([n]) => n).sort();
    const { counts, errors } = await inClient(SPREAD, 'http://web/', '300');
    assert.equal(errors, 0);
    t.diagnostic(`spread: ${JSON.stringify(counts)}`);
    assert.deepEqual(Object.keys(counts).sort(), names, JSON.stringify(counts));
    for (const n of names) assert.ok(counts[n] >= 40, `each pod gets a fair share: ${JSON.stringify(counts)}`);
  });

  it('answers lookups from inside a pod: service, headless, SRV, ExternalName, an outside name, NXDOMAIN', async () => {
    const lookup = (...args: string[]) => cluster.kubectl(['exec', 'client', '--', 'busybox', 'nslookup', ...args]);
    const clusterIP = await field(['get', 'service', 'web'], '{.spec.clusterIP}');
    const podIPs = (await pods()).map(([, ip]) => ip).sort();
    // getaddrinfo through the pod's resolv.conf: the short name via the search path.
    assert.match(await cluster.kubectlOk(['exec', 'client', '--', 'getent', 'hosts', 'web']), new RegExp(`^${clusterIP.replace(/\./g, '\\.')}\\s`));
    const svc = await lookup('web.default.svc.cluster.local');
    assert.equal(svc.code, 0, svc.stderr);
    assert.match(svc.stdout, new RegExp(`Address: ${clusterIP.replace(/\./g, '\\.')}`));
    const headless = await lookup('web-headless.default.svc.cluster.local');
    const found = [...headless.stdout.matchAll(/Address: (\d+\.\d+\.\d+\.\d+)$/gm)].map((m) => m[1]).filter((ip) => podIPs.includes(ip!));
    assert.deepEqual(found.sort(), podIPs, headless.stdout);
    const srv = await lookup('-type=srv', '_http._tcp.web.default.svc.cluster.local');
    assert.match(srv.stdout, /_http\._tcp\.web\.default\.svc\.cluster\.local\s+service = 0 100 80 web\.default\.svc\.cluster\.local/, srv.stdout);
    const external = await lookup('outside.default.svc.cluster.local');
    assert.match(external.stdout, new RegExp(`canonical name = ${OUTSIDE_NAME.replace(/\./g, '\\.')}`), external.stdout);
    assert.match(external.stdout, new RegExp(`Address: ${OUTSIDE_IP.replace(/\./g, '\\.')}`), external.stdout);
    const outside = await lookup(OUTSIDE_NAME);
    assert.match(outside.stdout, new RegExp(`Address: ${OUTSIDE_IP.replace(/\./g, '\\.')}`), outside.stdout);
    const missing = await lookup('nothing-here.default.svc.cluster.local');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stdout + missing.stderr, /NXDOMAIN/);
  });

  it('answers pod records, StatefulSet-style hostnames, and DNS over TCP through the kube-dns cluster IP', async () => {
    const lookup = (...args: string[]) => cluster.kubectlOk(['exec', 'client', '--', 'busybox', 'nslookup', ...args]);
    const clientIP = await field(['get', 'pod', 'client'], '{.status.podIP}');
    const escaped = (ip: string) => ip.replace(/\./g, '\\.');
    assert.match(await lookup(`${clientIP.replace(/\./g, '-')}.default.pod.cluster.local`), new RegExp(`Address: ${escaped(clientIP)}$`, 'm'));
    const subIP = await field(['get', 'pod', 'sub-0'], '{.status.podIP}');
    assert.match(await lookup('sub-0.sub.default.svc.cluster.local'), new RegExp(`Address: ${escaped(subIP)}$`, 'm'));
    // kube-dns has a UDP and a TCP port: the TCP one, through the proxy, as well.
    const dnsIP = await field(['get', 'service', '-n', 'kube-system', 'kube-dns'], '{.spec.clusterIP}');
    const clusterIP = await field(['get', 'service', 'web'], '{.spec.clusterIP}');
    assert.deepEqual(await inClient(DNS_OVER_TCP, dnsIP, 'web.default.svc.cluster.local'), { rcode: 0, answers: 1, last: clusterIP });
  });

  it('honours dnsPolicy None with dnsConfig, and Default (the node\'s resolvers)', async () => {
    const none = await cluster.kubectlOk(['exec', 'dns-none', '--', 'cat', '/etc/resolv.conf']);
    assert.match(none, /^nameserver 192\.0\.2\.53$/m);
    assert.match(none, /^search example\.test$/m);
    assert.match(none, /^options ndots:2$/m);
    assert.doesNotMatch(none, /cluster\.local/);
    const def = await cluster.kubectlOk(['exec', 'dns-default', '--', 'cat', '/etc/resolv.conf']);
    assert.match(def, new RegExp(`^nameserver ${upstreamAddress.replace(/\./g, '\\.')}$`, 'm'));
    assert.doesNotMatch(def, /svc\.cluster\.local/);
  });

  it('sessionAffinity ClientIP keeps one client on one pod', async () => {
    const { counts, errors } = await inClient(SPREAD, 'http://web-sticky/', '30');
    assert.equal(errors, 0);
    assert.equal(Object.keys(counts).length, 1, JSON.stringify(counts));
  });

  it('Local traffic policies reach this node\'s endpoints, from a pod and at the NodePort from the host', async () => {
    const names = (await pods()).map(([n]) => n).sort();
    const { counts, errors } = await inClient(SPREAD, 'http://web-local/', '60');
    assert.equal(errors, 0);
    assert.deepEqual(Object.keys(counts).sort(), names, JSON.stringify(counts));
    const nodePort = await field(['get', 'service', 'web-local'], '{.spec.ports[0].nodePort}');
    const nodeIP = await field(['get', 'nodes'], '{.items[0].status.addresses[?(@.type=="InternalIP")].address}');
    const res = await fetch(`http://${nodeIP}:${nodePort}/`, { signal: AbortSignal.timeout(2000) });
    assert.ok(names.includes(await res.text()));
  });

  it('stops sending traffic to a pod whose readiness probe fails', async () => {
    const [[victim, ip]] = await pods();
    await cluster.kubectlOk(['exec', 'client', '--', process.execPath, '-e', `require('http').get('http://${ip}:8080/fail', (s) => s.resume())`]);
    await until(async () => (await field(['get', 'pod', victim], '{.status.conditions[?(@.type=="Ready")].status}')) === 'False', `${victim} not ready`, 10_000);
    // The EndpointSlice and then the proxy follow the pod's status within about a second.
    await until(async () => (await inClient(SPREAD, 'http://web/', '15')).counts[victim] === undefined, `no traffic to ${victim}`, 5_000);
    const { counts, errors } = await inClient(SPREAD, 'http://web/', '60');
    assert.equal(errors, 0);
    assert.equal(counts[victim], undefined, `the unready pod gets nothing: ${JSON.stringify(counts)}`);
    assert.equal(Object.keys(counts).length, 2, JSON.stringify(counts));
  });

  it('the clusterIP answers from the host too (the service CIDR is routed to the node bridge)', async () => {
    const clusterIP = await field(['get', 'service', 'web'], '{.spec.clusterIP}');
    const names = new Set((await pods()).map(([n]) => n));
    const res = await fetch(`http://${clusterIP}/`, { signal: AbortSignal.timeout(2000) });
    assert.ok(names.has(await res.text()));
    const route = execFileSync('ip', ['route', 'get', clusterIP], { encoding: 'utf8' });
    assert.match(route, /dev kb[0-9a-f]{8}/, `stays on this machine: ${route}`);
  });

  it('a NodePort answers on the node address from the host', async () => {
    const nodePort = await field(['get', 'service', 'web-nodeport'], '{.spec.ports[0].nodePort}');
    const nodeIP = await field(['get', 'nodes'], '{.items[0].status.addresses[?(@.type=="InternalIP")].address}');
    const names = new Set((await pods()).map(([n]) => n));
    const body = await until(async () => {
      const res = await fetch(`http://${nodeIP}:${nodePort}/`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
      return res?.ok ? res.text() : '';
    }, 'the NodePort answers', 10_000);
    assert.ok(names.has(body), `answered by a web pod: ${body}`);
  });

  it('a LoadBalancer service gets the node address as ingress, and it answers there', async () => {
    const nodeIP = await field(['get', 'nodes'], '{.items[0].status.addresses[?(@.type=="InternalIP")].address}');
    const ingress = await until(async () => field(['get', 'service', 'web-lb'], '{.status.loadBalancer.ingress[0].ip}'), 'an ingress address', 10_000);
    assert.equal(ingress, nodeIP);
    const port = await field(['get', 'service', 'web-lb'], '{.spec.ports[0].port}');
    const names = new Set((await pods()).map(([n]) => n));
    const body = await until(async () => {
      const res = await fetch(`http://${ingress}:${port}/`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
      return res?.ok ? res.text() : '';
    }, 'the load balancer answers', 10_000);
    assert.ok(names.has(body), `answered by a web pod: ${body}`);
  });

  it('shows the dataplane (kubets proxy rules) and its metrics', async () => {
    const clusterIP = await field(['get', 'service', 'web'], '{.spec.clusterIP}');
    const rules = await promisify(execFile)(process.execPath, [KUBETS_BIN, 'proxy', 'rules', '--kubeconfig', cluster.kubeconfig]);
    assert.match(rules.stdout, /# mode: nftables/);
    assert.match(rules.stdout, new RegExp(`${clusterIP.replace(/\./g, '\\.')} \\. tcp \\. 80 : goto`));
    // Pod traffic leaving the pod network is masqueraded by the node's egress table.
    const bridge = defaultBridgeName(join(cluster.dataDir, 'runtime', 'network'));
    assert.match(execFileSync('nft', ['list', 'table', 'ip', `${bridge}-egress`], { encoding: 'utf8' }), /masquerade/);
    const metrics = await cluster.kubectlOk(['get', '--raw', '/metrics']);
    assert.match(metrics, /^kubeproxy_sync_proxy_rules_duration_seconds_count\{mode="nftables"\} [1-9]/m);
    assert.match(metrics, /^kubeproxy_sync_proxy_rules_nftables_total\{kind="rules"\} [1-9]/m);
  });

  it('scaling to 1 leaves only the remaining pod answering within 2 s', async (t) => {
    const started = Date.now();
    await cluster.kubectlOk(['scale', 'deployment/web', '--replicas=1']);
    const result = await inClient(SETTLE, 'http://web/', '');
    const remaining = await until(async () => {
      const list = JSON.parse(await cluster.kubectlOk(['get', 'pods', '-l', 'app=web', '-o', 'json'])) as { items: { metadata: { name: string; deletionTimestamp?: string } }[] };
      const alive = list.items.filter((p) => !p.metadata.deletionTimestamp);
      return alive.length === 1 ? alive[0]!.metadata.name : undefined;
    }, 'one web pod not being deleted', 10_000);
    assert.equal(result.pod, remaining, JSON.stringify(result));
    const took = result.since - started;
    t.diagnostic(`only the remaining pod answered from ${took} ms after kubectl scale began`);
    assert.ok(took < 2000, `only ${remaining} answered from ${took} ms after the scale began (${JSON.stringify(result)})`);
  });
});
