import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import type { ServicePortInfo } from '../../../src/proxy/model.js';
import { UserspaceProxier, type UserspaceProxierOptions } from '../../../src/proxy/userspace/proxier.js';
import { service, slice } from '../fixtures.js';
import { type Backend, freePort, get, HOST, httpBackend, keepAlive, probe, servicePort, udpBackend, udpExchange } from './sockets.js';

const listenPorts = new Map<string, number>();
async function reserve(key: string): Promise<number> {
  const port = await freePort();
  listenPorts.set(key, port);
  return port;
}

const proxiers: UserspaceProxier[] = [];
function proxier(options: Partial<UserspaceProxierOptions> = {}): UserspaceProxier {
  const p = new UserspaceProxier({
    nodeName: 'node-a',
    listenAddress: (sp: ServicePortInfo) => ({ host: HOST, port: listenPorts.get(sp.key) ?? 1 }),
    dialTimeoutsMs: [500],
    ...options,
  });
  proxiers.push(p);
  return p;
}

function tally(names: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of names) out[n] = (out[n] ?? 0) + 1;
  return out;
}

async function requests(port: number, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await get(port));
  return out;
}

describe('UserspaceProxier', () => {
  let web: Backend[] = [];
  let udp: Backend[] = [];

  before(async () => {
    web = await Promise.all(['a', 'b', 'c'].map((n) => httpBackend(n)));
    udp = await Promise.all(['u1', 'u2'].map((n) => udpBackend(n)));
  });
  afterEach(async () => {
    await Promise.all(proxiers.splice(0).map((p) => p.close()));
  });
  after(async () => {
    await Promise.all([...web, ...udp].map((b) => b.close()));
  });

  it('spreads 30 TCP connections over the 3 ready endpoints', async () => {
    const port = await reserve('default/web/tcp/');
    const p = proxier();
    const result = await p.syncPorts([servicePort('web', 'TCP', web.map((b) => b.endpoint))]);
    assert.deepEqual([result.listeners, result.endpoints, result.opened, result.errors], [1, 3, 1, []]);
    assert.deepEqual(tally(await requests(port, 30)), { a: 10, b: 10, c: 10 });
  });

  it('sync(services, slices) listens per service port and routes to the slice endpoints', async () => {
    const port = await reserve('default/web/tcp/http');
    const p = proxier();
    const svc = service('web', { clusterIP: '10.96.0.9' });
    const result = await p.sync([svc], [slice('web', [HOST], [{ name: 'http', port: web[1]!.port, protocol: 'TCP' }])]);
    assert.deepEqual([result.listeners, result.endpoints], [1, 1]);
    assert.deepEqual(await requests(port, 2), ['b', 'b']);
  });

  it('stops sending new connections to a removed endpoint, leaving established ones alone', async () => {
    const port = await reserve('default/web/tcp/');
    const p = proxier();
    await p.syncPorts([servicePort('web', 'TCP', web.map((b) => b.endpoint))]);
    const held = await keepAlive(port); // the first connection goes to "a"
    assert.equal(await held.request(), 'a');
    const result = await p.syncPorts([servicePort('web', 'TCP', [web[1]!.endpoint, web[2]!.endpoint])]);
    assert.deepEqual([result.listeners, result.endpoints, result.opened, result.closed], [1, 2, 0, 0]);
    const seen = tally(await requests(port, 10));
    assert.equal(seen.a, undefined);
    assert.deepEqual(Object.keys(seen).sort(), ['b', 'c']);
    assert.equal(await held.request(), 'a', 'the established connection still reaches its endpoint');
    held.socket.destroy();
  });

  it('passes half-closes through: a client that shuts down writing still gets a large reply', async () => {
    const size = 4 * 1024 * 1024;
    const accepted = new Set<net.Socket>();
    const bulk = net.createServer({ allowHalfOpen: true }, (s) => {
      accepted.add(s);
      s.on('error', () => undefined);
      s.resume();
      s.on('end', () => s.end(Buffer.alloc(size, 7)));
    });
    await new Promise<void>((resolve) => bulk.listen(0, HOST, resolve));
    try {
      const port = await reserve('default/bulk/tcp/');
      const p = proxier();
      await p.syncPorts([servicePort('bulk', 'TCP', [{ ...web[0]!.endpoint, port: (bulk.address() as net.AddressInfo).port }])]);
      const received = await new Promise<number>((resolve, reject) => {
        const c = net.connect({ port, host: HOST, allowHalfOpen: true }, () => c.end('request'));
        let n = 0;
        c.pause();
        // Read slowly at first so that the reply queues inside the proxy.
        setTimeout(() => c.resume(), 100);
        c.on('data', (chunk: Buffer) => (n += chunk.length));
        const timer = setTimeout(() => {
          c.destroy();
          reject(new Error(`reply cut short: ${n} of ${size} bytes`));
        }, 5000);
        c.on('end', () => {
          clearTimeout(timer);
          resolve(n);
        });
        c.on('error', reject);
      });
      assert.equal(received, size);
    } finally {
      for (const s of accepted) s.destroy();
      await new Promise<void>((resolve) => bulk.close(() => resolve()));
    }
  });

  it('retries the next endpoint when a dial fails', async () => {
    const port = await reserve('default/web/tcp/');
    const dead = await freePort();
    const p = proxier();
    const endpoints = [{ ...web[0]!.endpoint, port: dead }, web[1]!.endpoint, web[2]!.endpoint];
    await p.syncPorts([servicePort('web', 'TCP', endpoints)]);
    const seen = tally(await requests(port, 9));
    assert.deepEqual(Object.keys(seen).sort(), ['b', 'c']);
    assert.equal((seen.b ?? 0) + (seen.c ?? 0), 9);
  });

  it('pins a client with sessionAffinity ClientIP until the timeout', async () => {
    const port = await reserve('default/web/tcp/');
    const clock = { t: 5_000_000 };
    const p = proxier({ now: () => clock.t });
    await p.syncPorts([servicePort('web', 'TCP', web.map((b) => b.endpoint), { affinityTimeoutSeconds: 60 })]);
    const first = await requests(port, 10);
    assert.equal(new Set(first).size, 1, `pinned: ${first.join(',')}`);
    clock.t += 61_000;
    const later = await get(port);
    assert.notEqual(later, first[0], 'an expired pin moves to the next endpoint');
  });

  it('uses only local endpoints under internalTrafficPolicy Local', async () => {
    const port = await reserve('default/web/tcp/');
    const p = proxier();
    const sp = servicePort('web', 'TCP', web.map((b) => b.endpoint), { internalPolicyLocal: true, localEndpoints: [web[2]!.endpoint] });
    await p.syncPorts([sp]);
    assert.deepEqual(await requests(port, 3), ['c', 'c', 'c']);
  });

  it('resets connections to a service without endpoints', async () => {
    const port = await reserve('default/web/tcp/');
    const p = proxier();
    const result = await p.syncPorts([servicePort('web', 'TCP', [])]);
    assert.deepEqual([result.listeners, result.endpoints], [1, 0]);
    assert.equal(await probe(port), 'reset');
  });

  it('closes the listener of a removed service', async () => {
    const webPort = await reserve('default/web/tcp/');
    const dnsPort = await reserve('default/dns/udp/');
    const p = proxier();
    await p.syncPorts([servicePort('web', 'TCP', [web[0]!.endpoint]), servicePort('dns', 'UDP', [udp[0]!.endpoint])]);
    assert.equal(await probe(webPort), 'data');
    const result = await p.syncPorts([servicePort('dns', 'UDP', [udp[0]!.endpoint])]);
    assert.deepEqual([result.listeners, result.closed], [1, 1]);
    assert.equal(await probe(webPort), 'refused');
    assert.deepEqual(
      p.listing().map((l) => [l.key, l.address.port]),
      [['default/dns/udp/', dnsPort]],
    );
  });

  it('reports a listener that cannot bind and opens it on a later sync', async () => {
    const port = await reserve('default/web/tcp/');
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(port, HOST, resolve));
    const p = proxier();
    const sp = servicePort('web', 'TCP', [web[0]!.endpoint]);
    const failed = await p.syncPorts([sp]);
    assert.deepEqual([failed.listeners, failed.errors.map((e) => e.key)], [0, ['default/web/tcp/']]);
    assert.match(failed.errors[0]!.message, /EADDRINUSE/);
    await new Promise<void>((resolve) => squatter.close(() => resolve()));
    const retried = await p.syncPorts([sp]);
    assert.deepEqual([retried.listeners, retried.opened, retried.errors], [1, 1, []]);
    assert.equal(await get(port), 'a');
  });

  it('relays UDP per client session and ends idle sessions', async () => {
    const port = await reserve('default/dns/udp/');
    const p = proxier({ udpIdleTimeoutMs: 100 });
    await p.syncPorts([servicePort('dns', 'UDP', udp.map((b) => b.endpoint))]);
    const c1 = dgram.createSocket('udp4');
    const c2 = dgram.createSocket('udp4');
    try {
      await Promise.all([c1, c2].map((c) => new Promise<void>((resolve) => c.bind(0, HOST, resolve))));
      assert.equal(await udpExchange(c1, port, 'one'), 'u1:one');
      assert.equal(await udpExchange(c1, port, 'two'), 'u1:two', 'same session, same endpoint');
      assert.equal(await udpExchange(c2, port, 'three'), 'u2:three', 'a new client takes the next endpoint');
      assert.equal(p.listing()[0]!.active, 2);
      // Removing u2 ends its session at once: c2's next datagram goes to a live endpoint.
      await p.syncPorts([servicePort('dns', 'UDP', [udp[0]!.endpoint])]);
      assert.equal(p.listing()[0]!.active, 1);
      assert.equal(await udpExchange(c2, port, 'four'), 'u1:four');
      const deadline = Date.now() + 2000;
      while (p.listing()[0]!.active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      assert.equal(p.listing()[0]!.active, 0, 'idle sessions end');
    } finally {
      c1.close();
      c2.close();
    }
  });

  it('serves a nodePort on the node addresses, round-robin, and closes it when the port loses it', async () => {
    const port = await reserve('default/web/tcp/');
    const nodePort = await freePort();
    const p = proxier({ nodeAddresses: [HOST] });
    const sp = servicePort('web', 'TCP', [web[0]!.endpoint, web[1]!.endpoint], { nodePort });
    const result = await p.syncPorts([sp]);
    assert.deepEqual([result.listeners, result.opened, result.errors], [2, 2, []]);
    assert.deepEqual(
      p.listing().map((l) => [l.kind, l.address.port]),
      [
        ['cluster', port],
        ['nodePort', nodePort],
      ],
    );
    assert.deepEqual(await requests(nodePort, 4), ['a', 'b', 'a', 'b']);
    const fewer = await p.syncPorts([{ ...sp, clusterEndpoints: [web[1]!.endpoint] }]);
    assert.deepEqual([fewer.opened, fewer.closed, await get(nodePort)], [0, 0, 'b'], 'endpoints change in place');
    const gone = await p.syncPorts([{ ...sp, nodePort: undefined }]);
    assert.deepEqual([gone.listeners, gone.closed], [1, 1]);
    assert.equal(await probe(nodePort), 'refused');
  });

  it('opens no nodePort listener when nodeAddresses is empty', async () => {
    await reserve('default/web/tcp/');
    const p = proxier({ nodeAddresses: [] });
    const result = await p.syncPorts([servicePort('web', 'TCP', [web[0]!.endpoint], { nodePort: await freePort() })]);
    assert.deepEqual(
      [result.listeners, p.listing().map((l) => l.kind)],
      [1, ['cluster']],
    );
  });

  it('listens on the external addresses that are local, at the service port, and skips the others quietly', async () => {
    await reserve('default/web/tcp/');
    const servicePortNumber = await freePort();
    const p = proxier({ hostAddresses: () => [HOST] });
    const sp = servicePort('web', 'TCP', [web[2]!.endpoint], { port: servicePortNumber, externalAddresses: [HOST, '192.0.2.10'] });
    const result = await p.syncPorts([sp]);
    assert.deepEqual([result.listeners, result.errors], [2, []]);
    assert.deepEqual(p.listing()[1], { key: 'default/web/tcp/', kind: 'external', protocol: 'TCP', address: { host: HOST, port: servicePortNumber }, endpoints: [`${HOST}:${web[2]!.port}`], active: 0 });
    assert.equal(await get(servicePortNumber), 'c');
  });

  it("externalTrafficPolicy Local: the host's own clients still reach every endpoint", async () => {
    await reserve('default/web/tcp/');
    const nodePort = await freePort();
    const p = proxier({ nodeAddresses: [HOST] });
    const sp = servicePort('web', 'TCP', web.map((b) => b.endpoint), { nodePort, externalPolicyLocal: true, localEndpoints: [web[2]!.endpoint] });
    await p.syncPorts([sp]);
    assert.deepEqual(p.listing().find((l) => l.kind === 'nodePort')?.endpoints, [`${HOST}:${web[2]!.port}`], 'outside clients: local endpoints');
    assert.deepEqual(tally(await requests(nodePort, 9)), { a: 3, b: 3, c: 3 });
  });

  it('UDP under externalTrafficPolicy Local: host clients use every endpoint; a session ends when its endpoint leaves their set', async () => {
    await reserve('default/dns/udp/');
    const nodePort = await freePort();
    const p = proxier({ nodeAddresses: [HOST], udpIdleTimeoutMs: 5000 });
    const sp = servicePort('dns', 'UDP', udp.map((b) => b.endpoint), { nodePort, externalPolicyLocal: true, localEndpoints: [udp[1]!.endpoint] });
    await p.syncPorts([sp]);
    const c1 = dgram.createSocket('udp4');
    const c2 = dgram.createSocket('udp4');
    try {
      await Promise.all([c1, c2].map((c) => new Promise<void>((resolve) => c.bind(0, HOST, resolve))));
      assert.equal(await udpExchange(c1, nodePort, 'one'), 'u1:one', 'u1 is not local, yet the host reaches it');
      assert.equal(await udpExchange(c2, nodePort, 'two'), 'u2:two');
      await p.syncPorts([sp]);
      assert.equal(p.listing().find((l) => l.kind === 'nodePort')!.active, 2, "c1's session to a non-local endpoint survives a sync");
      // u1 is no longer an endpoint at all: c1's session to it ends, c2's to u2 stays.
      await p.syncPorts([{ ...sp, clusterEndpoints: [udp[1]!.endpoint] }]);
      assert.equal(p.listing().find((l) => l.kind === 'nodePort')!.active, 1);
      assert.equal(await udpExchange(c1, nodePort, 'three'), 'u2:three');
    } finally {
      c1.close();
      c2.close();
    }
  });

  it('makes the cluster addresses local before listening, and reports when that fails', async () => {
    const port = await reserve('default/web/tcp/');
    const calls: string[][] = [];
    let fail = false;
    const localAddresses = {
      ensure: async (ips: string[]) => {
        calls.push(ips);
        if (fail) throw new Error('ip: Operation not permitted');
        return { added: [], removed: [] };
      },
    };
    const p = proxier({ localAddresses });
    const ok = await p.syncPorts([servicePort('web', 'TCP', [web[0]!.endpoint])]);
    assert.deepEqual([calls, ok.addressError, ok.listeners], [[[HOST]], undefined, 1]);
    fail = true;
    const failed = await p.syncPorts([servicePort('web', 'TCP', [web[0]!.endpoint])]);
    assert.deepEqual([failed.addressError, failed.listeners], ['ip: Operation not permitted', 1]);
    assert.equal(await get(port), 'a', 'listeners are still served');
  });

  it('refuses node addresses that are not IPv4', () => {
    assert.throws(() => new UserspaceProxier({ nodeName: 'n', nodeAddresses: ['10.0.0.1', 'eth0'] }), /not an IPv4 address: "eth0"/);
  });

  it('close() tears down listeners and established connections', async () => {
    const port = await reserve('default/web/tcp/');
    const p = proxier();
    await p.syncPorts([servicePort('web', 'TCP', [web[0]!.endpoint])]);
    const held = await keepAlive(port);
    assert.equal(await held.request(), 'a');
    const ended = new Promise<void>((resolve) => held.socket.once('close', () => resolve()));
    await p.close();
    await ended;
    assert.equal(await probe(port), 'refused');
    await assert.rejects(p.syncPorts([]), /closed/);
  });
});
