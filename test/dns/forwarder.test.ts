import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Forwarder, ForwardError, parseResolvConf } from '../../src/dns/forwarder.js';
import { decodeMessage, Type } from '../../src/dns/message.js';
import { aReply, fakeUpstream, query } from './helpers.js';

test('parseResolvConf keeps nameservers in order and ignores the rest', () => {
  const text = '# generated\nsearch example.com\nnameserver 127.0.0.53\nnameserver fe80::1%eth0 ; comment\nnameserver not-an-ip\noptions ndots:2\nnameserver 8.8.8.8\n';
  assert.deepEqual(parseResolvConf(text), ['127.0.0.53', 'fe80::1', '8.8.8.8']);
});

test('forwards over UDP, restamps the client ID, reads upstreams from a resolv.conf path', async (t) => {
  const up = await fakeUpstream((q) => aReply(q, ['93.184.216.34']));
  const dir = mkdtempSync(join(tmpdir(), 'dns-fwd-'));
  t.after(async () => { await up.close(); rmSync(dir, { recursive: true, force: true }); });
  writeFileSync(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
  const f = new Forwarder({ resolvConf: join(dir, 'resolv.conf'), port: up.port });
  const reply = decodeMessage(await f.forward(query('example.com.', Type.A, { id: 4321 })));
  assert.equal(reply.id, 4321);
  assert.deepEqual(reply.answers.map((a) => a.type === Type.A && a.address), ['93.184.216.34']);
  assert.equal(up.udpQueries, 1);
  assert.equal(up.tcpQueries, 0);
});

test('retries over TCP when the UDP answer is truncated', async (t) => {
  const many = Array.from({ length: 60 }, (_, i) => `192.0.2.${i}`);
  const up = await fakeUpstream((q) => aReply(q, many), { truncateUdp: true });
  t.after(() => up.close());
  const f = new Forwarder({ upstreams: [{ host: '127.0.0.1', port: up.port }] });
  const reply = decodeMessage(await f.forward(query('big.example.')));
  assert.equal(reply.tc, false);
  assert.equal(reply.answers.length, 60);
  assert.equal(up.udpQueries, 1);
  assert.equal(up.tcpQueries, 1);
});

test('times out a silent upstream and moves to the next one', async (t) => {
  const silent = await fakeUpstream(() => undefined);
  const good = await fakeUpstream((q) => aReply(q, ['192.0.2.1']));
  t.after(async () => { await silent.close(); await good.close(); });
  const f = new Forwarder({ upstreams: [{ host: '127.0.0.1', port: silent.port }, { host: '127.0.0.1', port: good.port }], timeoutMs: 150 });
  const start = Date.now();
  const reply = decodeMessage(await f.forward(query('a.example.')));
  assert.deepEqual(reply.answers.map((a) => a.type === Type.A && a.address), ['192.0.2.1']);
  assert.ok(Date.now() - start >= 140);
  assert.equal(silent.udpQueries, 1);
});

test('rejects with ForwardError when every upstream fails, or none is configured', async (t) => {
  const silent = await fakeUpstream(() => undefined);
  t.after(() => silent.close());
  const f = new Forwarder({ upstreams: [{ host: '127.0.0.1', port: silent.port }], timeoutMs: 100 });
  await assert.rejects(f.forward(query('a.example.')), ForwardError);
  await assert.rejects(new Forwarder({ upstreams: [] }).forward(query('a.example.')), /no upstream/);
  await assert.rejects(new Forwarder({ resolvConf: '/nonexistent/resolv.conf' }).forward(query('a.example.')), /no upstream/);
});

test('ignores replies that do not match the question (spoofing, stale answers)', async (t) => {
  const up = await fakeUpstream((q) => ({ ...aReply(q, ['6.6.6.6']), questions: [{ name: 'evil.example.', type: Type.A, class: 1 }] }));
  t.after(() => up.close());
  const f = new Forwarder({ upstreams: [{ host: '127.0.0.1', port: up.port }], timeoutMs: 150 });
  await assert.rejects(f.forward(query('good.example.')), ForwardError);
});

test('drops a nameserver that is our own listening address (a forwarding loop)', () => {
  const f = new Forwarder({
    upstreams: [{ host: '127.0.0.1', port: 5300 }, { host: '127.0.0.53', port: 53 }, { host: '10.43.0.10', port: 53 }],
    selfAddresses: [{ host: '127.0.0.1', port: 5300 }, { host: '0.0.0.0', port: 53 }],
  });
  assert.deepEqual(f.upstreams, []);
  const g = new Forwarder({ upstreams: [{ host: '127.0.0.53', port: 53 }], selfAddresses: [{ host: '10.43.0.10', port: 53 }] });
  assert.deepEqual(g.upstreams, [{ host: '127.0.0.53', port: 53 }], 'other loopback resolvers are kept');
});
