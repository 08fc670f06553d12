import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { ClusterRecords } from '../../src/dns/records.js';
import { KubernetesZone } from '../../src/dns/zone.js';
import { Forwarder } from '../../src/dns/forwarder.js';
import { DnsServer } from '../../src/dns/server.js';
import { decodeMessage, encodeMessage, Rcode, Type } from '../../src/dns/message.js';
import { aReply, fakeUpstream, query, queryMessage, tcpExchange, udpExchange } from './helpers.js';
import type { FakeUpstream } from './helpers.js';

async function startServer(t: { after: (fn: () => Promise<void>) => void }, upstream?: FakeUpstream) {
  const records = new ClusterRecords();
  records.upsertService({ metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '10.43.0.20', ports: [{ name: 'http', port: 80 }] } });
  records.upsertService({ metadata: { name: 'big', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } });
  records.upsertService({ metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'db.example.com' } });
  records.upsertEndpointSlice({
    metadata: { name: 'big-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'big' } }, addressType: 'IPv4',
    endpoints: Array.from({ length: 100 }, (_, i) => ({ addresses: [`10.42.${i >> 8}.${i & 255}`] })), ports: [{ port: 80 }],
  });
  const forwarder = upstream ? new Forwarder({ upstreams: [{ host: '127.0.0.1', port: upstream.port }], timeoutMs: 300 }) : undefined;
  const server = new DnsServer({ zone: new KubernetesZone(records), forwarder, address: '127.0.0.1', port: 0 });
  const ac = new AbortController();
  const running = server.start(ac.signal);
  await server.ready;
  t.after(async () => { ac.abort(); await running; });
  return { server, port: server.address().port };
}

test('answers the zone over UDP and TCP on the same port', async (t) => {
  const { port, server } = await startServer(t);
  const u = decodeMessage(await udpExchange(port, query('web.default.svc.cluster.local.', Type.A, { id: 11 })));
  assert.equal(u.id, 11);
  assert.equal(u.aa, true);
  assert.deepEqual(u.answers.map((a) => a.type === Type.A && a.address), ['10.43.0.20']);
  // Two pipelined, length-prefixed queries on one TCP connection.
  const replies = (await tcpExchange(port, [query('web.default.svc.cluster.local.', Type.A, { id: 1 }), query('nope.default.svc.cluster.local.', Type.A, { id: 2 })]))
    .map(decodeMessage).sort((a, b) => a.id - b.id);
  assert.equal(replies[0].rcode, Rcode.NOERROR);
  assert.equal(replies[0].answers.length, 1);
  assert.equal(replies[1].rcode, Rcode.NXDOMAIN);
  assert.equal(replies[1].authority[0].type, Type.SOA);
  assert.equal(server.metrics.udp, 1);
  assert.equal(server.metrics.tcp, 2);
  assert.equal(server.metrics.byRcode.NXDOMAIN, 1);
});

test('an oversized UDP answer is truncated with TC; TCP and EDNS get it whole', async (t) => {
  const { port } = await startServer(t);
  const name = 'big.default.svc.cluster.local.';
  const udpPlain = await udpExchange(port, query(name));
  assert.ok(udpPlain.length <= 512);
  const m = decodeMessage(udpPlain);
  assert.equal(m.tc, true);
  assert.ok(m.answers.length < 100);
  const edns = decodeMessage(await udpExchange(port, query(name, Type.A, { udpSize: 4096 })));
  assert.equal(edns.tc, false);
  assert.equal(edns.answers.length, 100);
  assert.equal(edns.edns?.udpSize, 1232);
  const [viaTcp] = await tcpExchange(port, [query(name)]);
  assert.equal(decodeMessage(viaTcp).answers.length, 100);
});

const badQueries: { name: string; packet: () => Buffer; rcode: number }[] = [
  { name: 'truncated packet -> FORMERR', packet: () => query('web.default.svc.cluster.local.').subarray(0, 20), rcode: Rcode.FORMERR },
  { name: 'no question -> FORMERR', packet: () => encodeMessage({ ...queryMessage({ name: 'x.', type: 1, class: 1 }), questions: [] }), rcode: Rcode.FORMERR },
  { name: 'two questions -> FORMERR', packet: () => { const m = queryMessage({ name: 'a.', type: 1, class: 1 }); return encodeMessage({ ...m, questions: [m.questions[0], m.questions[0]] }); }, rcode: Rcode.FORMERR },
  { name: 'opcode NOTIFY -> NOTIMP', packet: () => encodeMessage({ ...queryMessage({ name: 'a.', type: 1, class: 1 }), opcode: 4 }), rcode: Rcode.NOTIMP },
  { name: 'CHAOS class -> REFUSED', packet: () => encodeMessage(queryMessage({ name: 'version.bind.', type: Type.TXT, class: 3 })), rcode: Rcode.REFUSED },
  { name: 'AXFR -> REFUSED', packet: () => query('cluster.local.', Type.AXFR), rcode: Rcode.REFUSED },
  { name: 'MAILB meta type -> NOTIMP', packet: () => query('a.cluster.local.', 253), rcode: Rcode.NOTIMP },
  { name: 'outside name without a forwarder -> REFUSED', packet: () => query('example.com.'), rcode: Rcode.REFUSED },
  { name: 'EDNS version 1 -> BADVERS', packet: () => { const m = queryMessage({ name: 'a.', type: 1, class: 1 }, { udpSize: 1232 }); return encodeMessage({ ...m, edns: { ...m.edns!, version: 1 } }); }, rcode: Rcode.BADVERS },
];

test('bad queries get DNS errors over UDP, never silence or a crash', async (t) => {
  const { port, server } = await startServer(t);
  for (const c of badQueries) {
    const reply = decodeMessage(await udpExchange(port, c.packet()));
    assert.equal(reply.rcode, c.rcode, c.name);
    assert.equal(reply.qr, true, c.name);
    assert.equal(reply.id, 0x1234, c.name);
  }
  assert.equal(server.metrics.queries, badQueries.length);
});

test('responses and runt packets are dropped without a reply', async (t) => {
  const { server } = await startServer(t);
  const resp = Buffer.from(query('a.'));
  resp[2] |= 0x80;
  assert.equal(await server.handle(resp, 'udp'), undefined);
  assert.equal(await server.handle(Buffer.from([1, 2, 3]), 'udp'), undefined);
  assert.equal(server.metrics.dropped, 2);
});

test('fuzz: 5000 random and mutated packets through the server path never throw', async (t) => {
  const { server, port } = await startServer(t);
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const base = query('_http._tcp.web.default.svc.cluster.local.', Type.SRV, { udpSize: 1232 });
  for (let i = 0; i < 5000; i++) {
    let p: Buffer;
    if (i % 3 === 0) p = base.subarray(0, Math.floor(rand() * base.length));
    else if (i % 3 === 1) { p = Buffer.from(base); for (let j = 0; j < 1 + rand() * 6; j++) p[Math.floor(rand() * p.length)] = Math.floor(rand() * 256); }
    else p = Buffer.from(Array.from({ length: Math.floor(rand() * 120) }, () => Math.floor(rand() * 256)));
    const reply = await server.handle(p, i % 2 ? 'udp' : 'tcp');
    if (reply) decodeMessage(reply); // every reply we send must itself be well-formed
  }
  assert.equal(server.metrics.byRcode.SERVFAIL ?? 0, 0, 'no internal error was caught (no forwarder here)');
  assert.ok((server.metrics.byRcode.FORMERR ?? 0) > 1000);
  // Still serving afterwards.
  const ok = decodeMessage(await udpExchange(port, query('web.default.svc.cluster.local.')));
  assert.equal(ok.answers.length, 1);
});

test('outside names are forwarded; upstream failure is SERVFAIL; ExternalName is chased upstream', async (t) => {
  let fail = false;
  const up = await fakeUpstream((q) => (fail ? undefined : aReply(q, ['192.0.2.7'])));
  t.after(() => up.close());
  const { port, server } = await startServer(t, up);
  const r = decodeMessage(await udpExchange(port, query('example.com.', Type.A, { id: 99 })));
  assert.equal(r.id, 99);
  assert.equal(r.aa, false);
  assert.equal(r.ra, true);
  assert.deepEqual(r.answers.map((a) => a.type === Type.A && a.address), ['192.0.2.7']);
  const ext = decodeMessage(await udpExchange(port, query('ext.default.svc.cluster.local.')));
  assert.deepEqual(ext.answers.map((a) => a.type), [Type.CNAME, Type.A]);
  assert.equal(ext.answers[1].name, 'db.example.com.');
  fail = true;
  const s = decodeMessage(await udpExchange(port, query('example.org.')));
  assert.equal(s.rcode, Rcode.SERVFAIL);
  assert.equal(server.metrics.forwarded, 3);
});

test('throughput: queries/s answered from the in-memory zone over UDP on loopback', async (t) => {
  const { port } = await startServer(t);
  const client = createSocket('udp4');
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
  t.after(async () => new Promise<void>((r) => client.close(() => r())));
  const packets = Array.from({ length: 256 }, (_, i) => query('web.default.svc.cluster.local.', Type.A, { id: i }));
  const total = 20_000;
  const window = 64;
  let sent = 0, received = 0;
  const start = performance.now();
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stalled at ${received}/${total}`)), 8000);
    // Keep `window` queries in flight; a lost datagram is made up for after a short pause.
    const pump = () => { while (sent < total && sent - received < window) client.send(packets[sent++ & 255], port, '127.0.0.1'); };
    const refill = setInterval(() => { if (sent - received >= window) sent = received; pump(); }, 200);
    client.on('message', () => {
      received++;
      if (received >= total) { clearTimeout(timer); clearInterval(refill); resolve(); return; }
      pump();
    });
    pump();
  });
  const qps = Math.round(total / ((performance.now() - start) / 1000));
  t.diagnostic(`cluster DNS UDP loopback: ${qps} queries/s (${total} queries, ${window} in flight)`);
  assert.ok(qps > 1000);
});
