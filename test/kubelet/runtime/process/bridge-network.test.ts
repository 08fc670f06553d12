// The bridge network for real (root): namespaces, veths, a bridge, processes in them. Traffic goes
// only to loopback and to addresses inside the namespaces and on the bridge made here. One bridge
// and two pods, each with one server process, serve the whole file (Node starts are slow).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readlinkSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { BridgeNetwork } from '../../../../src/kubelet/runtime/process/bridge-network.js';
import { HOST_NETWORK_INFO, type SandboxNetworkStatus } from '../../../../src/kubelet/runtime/process/network.js';
import { RuntimeError } from '../../../../src/kubelet/runtime/types.js';
import { cleanupBridges, httpGet, linkExists, newBridgeNetwork, NODE, NODE_IP, podConfig, reopen, startProcess, until } from './bridge-harness.js';

const run = promisify(execFile);

/**
 * What each pod runs: HTTP on 8080 answering its name (every address), a greeting echo on
 * 127.0.0.1:7000 (it writes first: bytes sent before a port-forward socket is handed over must
 * not be lost), HTTP on <pod IP>:7100 only.
 */
const podServer = (name: string, ip: string) => [
  NODE,
  '-e',
  `const http = require('http'), net = require('net');
   http.createServer((q, s) => s.end(${JSON.stringify(name)})).listen(8080);
   net.createServer((s) => { s.on('error', () => {}); s.write('hello '); s.pipe(s); }).listen(7000, '127.0.0.1');
   http.createServer((q, s) => s.end(${JSON.stringify(`${name} on its IP`)})).listen(7100, ${JSON.stringify(ip)});`,
];

const reachable = async (net: BridgeNetwork, sandbox: string, port: number) => {
  try {
    (await net.connect(sandbox, port)).destroy();
    return true;
  } catch {
    return false;
  }
};

describe('BridgeNetwork', () => {
  let net: BridgeNetwork;
  let a: SandboxNetworkStatus;
  let b: SandboxNetworkStatus;

  before(async () => {
    net = await newBridgeNetwork({ relayIdleMs: 30_000, strayVethCheckMs: 300 });
    a = await net.setup('sandbox-a', podConfig('a'));
    b = await net.setup('sandbox-b', podConfig('b'));
    startProcess(net.wrapCommand('sandbox-a', podServer('pod a', a.ip!)));
    startProcess(net.wrapCommand('sandbox-b', podServer('pod b', b.ip!)));
    await until('both pods serving', async () => (await httpGet(a.ip!, 8080)) === 'pod a' && (await httpGet(b.ip!, 8080)) === 'pod b' && reachable(net, 'sandbox-a', 7000), 8000);
  });
  after(cleanupBridges);

  test('pods get their own IPs from the pod CIDR, the same port open in both, reachable from the node', async () => {
    const prefix = net.subnet.cidr.split('.').slice(0, 3).join('.');
    // host-local: neither the network address nor the gateway (on the bridge) is handed out.
    assert.deepEqual([a.ip, b.ip], [`${prefix}.2`, `${prefix}.3`]);
    assert.equal(net.subnet.gateway, `${prefix}.1`);
    assert.deepEqual(a.additionalIps, []);
    assert.deepEqual(a.info, { network: `process runtime: bridge ${net.bridgeName} (${net.subnet.cidr})`, netns: net.netnsPath('sandbox-a') });
    assert.deepEqual([await httpGet(a.ip!, 8080), await httpGet(b.ip!, 8080)], ['pod a', 'pod b']);
    const { stdout } = await run('ip', ['-o', 'addr', 'show', 'dev', net.bridgeName]);
    assert.match(stdout, new RegExp(`inet ${net.subnet.gateway.replace(/\./g, '\\.')}/24`));
  });

  test('a pod reaches another pod by IP, and the node at the gateway', async () => {
    const node = createServer((s) => s.end('HTTP/1.1 200 OK\r\ncontent-length: 4\r\nconnection: close\r\n\r\nnode'));
    node.listen(0, net.subnet.gateway);
    await once(node, 'listening');
    try {
      const port = (node.address() as { port: number }).port;
      const urls = [`http://${b.ip}:8080/`, `http://${net.subnet.gateway}:${port}/`];
      const script = `Promise.all(${JSON.stringify(urls)}.map((u) => fetch(u).then((r) => r.text()))).then((t) => process.stdout.write(t.join(',')))`;
      const [command, ...args] = net.wrapCommand('sandbox-a', [NODE, '-e', script]);
      assert.equal((await run(command!, args)).stdout, 'pod b,node');
    } finally {
      node.close();
    }
  });

  test('wrapCommand: nsenter execs the command, so the pid is the process in the pod namespace', async () => {
    const argv = net.wrapCommand('sandbox-a', ['/bin/sleep', '30']);
    assert.match(argv[0]!, /(^|\/)nsenter$/);
    assert.deepEqual(argv.slice(1), [`--net=${net.netnsPath('sandbox-a')}`, '--', '/bin/sleep', '30']);
    const pid = startProcess(argv);
    await until('exec', () => /\/sleep$/.test(readlinkSync(`/proc/${pid}/exe`)));
    assert.equal(readlinkSync(`/proc/${pid}/ns/net`), `net:[${statSync(net.netnsPath('sandbox-a')).ino}]`);
  });

  test('connect: a server on the pod’s 127.0.0.1, its greeting kept', async () => {
    assert.equal(await httpGet(a.ip!, 7000), 'ECONNREFUSED', 'bound to the pod’s loopback only');
    const stream = await net.connect('sandbox-a', 7000);
    const received: Buffer[] = [];
    stream.on('data', (c: Buffer) => received.push(c));
    stream.write('ping');
    await until('echo', () => Buffer.concat(received).toString() === 'hello ping');
    stream.end();
    await once(stream, 'close');
  });

  test('connect: a server bound to the pod IP only is reached from the node, as containerd falls back', async () => {
    const stream = await net.connect('sandbox-b', 7100);
    stream.end('GET / HTTP/1.0\r\n\r\n');
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    assert.match(Buffer.concat(chunks).toString(), /\r\n\r\npod b on its IP$/);
  });

  test('connect: nothing listening is a PortForwardError naming each address tried', async () => {
    await assert.rejects(net.connect('sandbox-a', 7001), (e: unknown) => {
      assert.ok(e instanceof RuntimeError);
      assert.equal(e.reason, 'PortForwardError');
      assert.equal(
        e.message,
        `failed to execute portforward in network namespace "${net.netnsPath('sandbox-a')}": failed to connect to localhost:7001 inside namespace "sandbox-a", ` +
          'IPv4: dial tcp4 127.0.0.1:7001: connect: connection refused IPv6: dial tcp6 [::1]:7001: connect: connection refused; ' +
          `dial tcp ${a.ip}:7001: connect: connection refused`,
      );
      return true;
    });
  });

  test('teardown removes the namespace and the veth, releases the IP; idempotent; the next IP is a new one', async () => {
    const c = await net.setup('sandbox-c', podConfig('c'));
    const veth = net.vethName('sandbox-c');
    assert.ok(existsSync(net.netnsPath('sandbox-c')) && linkExists(veth));
    await net.teardown('sandbox-c');
    assert.ok(!existsSync(net.netnsPath('sandbox-c')));
    await until('the kernel destroys the namespace and its veth', () => !linkExists(veth), 2000);
    assert.equal(net.allocations().get('sandbox-c'), undefined);
    assert.deepEqual(net.wrapCommand('sandbox-c', ['x']), ['x']);
    await net.teardown('sandbox-c');
    await net.teardown('never-set-up');
    // host-local goes on after the last address handed out rather than reusing the one just released.
    const d = await net.setup('sandbox-d', podConfig('d'));
    assert.notEqual(d.ip, c.ip);
    // A stray process keeps the namespace alive: its veth is deleted all the same, a little later.
    const pid = startProcess(net.wrapCommand('sandbox-d', ['/bin/sleep', '30']));
    await until('sleep in the namespace', () => /\/sleep$/.test(readlinkSync(`/proc/${pid}/exe`)));
    await net.teardown('sandbox-d');
    assert.ok(linkExists(net.vethName('sandbox-d')), 'held by the sleep');
    await until('the stray veth deleted', () => !linkExists(net.vethName('sandbox-d')), 3000);
  });

  test('a restarted kubets: IPs kept, a sandbox set up again (its namespace rebuilt if gone), orphans cleaned', async () => {
    const e = await net.setup('sandbox-e', podConfig('e'));
    const f = await net.setup('sandbox-f', podConfig('f'));
    const again = reopen(net);
    assert.deepEqual(
      [...again.allocations()].sort(),
      [['sandbox-a', a.ip], ['sandbox-b', b.ip], ['sandbox-e', e.ip], ['sandbox-f', f.ip]],
    );
    assert.deepEqual(again.wrapCommand('sandbox-a', ['x']), net.wrapCommand('sandbox-a', ['x']));
    const ino = statSync(net.netnsPath('sandbox-e')).ino;
    assert.equal((await again.setup('sandbox-e', podConfig('e'))).ip, e.ip);
    assert.equal(statSync(net.netnsPath('sandbox-e')).ino, ino, 'an intact namespace is kept');
    await run('ip', ['netns', 'del', net.netnsName('sandbox-e')]);
    await assert.rejects(again.connect('sandbox-e', 80), {
      reason: 'PortForwardError',
      message: `failed to execute portforward in network namespace "${net.netnsPath('sandbox-e')}": nsenter: cannot open ${net.netnsPath('sandbox-e')}: No such file or directory`,
    });
    assert.equal((await again.setup('sandbox-e', podConfig('e'))).ip, e.ip);
    const [command, ...args] = again.wrapCommand('sandbox-e', ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    assert.match((await run(command!, args)).stdout, new RegExp(`inet ${e.ip!.replace(/\./g, '\\.')}/24`));
    const g = await again.setup('sandbox-g', podConfig('g'));
    assert.ok(![a.ip, b.ip, e.ip, f.ip].includes(g.ip), `${g.ip} is still in use`);

    const cleaned = await again.cleanupOrphans(['sandbox-a', 'sandbox-b', 'sandbox-e']);
    assert.deepEqual(cleaned.netns.sort(), [net.netnsName('sandbox-f'), net.netnsName('sandbox-g')].sort());
    assert.deepEqual(cleaned.ips.sort(), [f.ip, g.ip].sort());
    assert.ok(existsSync(net.netnsPath('sandbox-e')) && !existsSync(net.netnsPath('sandbox-f')));
    assert.deepEqual([...again.allocations().keys()].sort(), ['sandbox-a', 'sandbox-b', 'sandbox-e']);
    assert.deepEqual(await again.cleanupOrphans(['sandbox-a', 'sandbox-b', 'sandbox-e']), { netns: [], veths: [], ips: [] });
    assert.equal(await httpGet(a.ip!, 8080), 'pod a', 'live pods untouched');
    // After a reboot: the namespaces are gone, the reservations are not.
    await run('ip', ['netns', 'del', net.netnsName('sandbox-e')]);
    assert.deepEqual(await again.restore(['sandbox-a', 'sandbox-b', 'sandbox-e', 'never-set-up']), ['sandbox-e']);
    const [cmd, ...rest] = again.wrapCommand('sandbox-e', ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    assert.match((await run(cmd!, rest)).stdout, new RegExp(`inet ${e.ip!.replace(/\./g, '\\.')}/24`));
    assert.deepEqual(await again.restore(['sandbox-e']), []);
    await again.close();
    // The first instance forgets what the second removed (a real node never runs two at once).
    await net.cleanupOrphans(['sandbox-a', 'sandbox-b']);
    assert.ok(!existsSync(net.netnsPath('sandbox-e')));
  });

  test('hostNetwork sandboxes keep the node network', async () => {
    const status = await net.setup('host', podConfig('h', { hostNetwork: true }));
    assert.deepEqual(status, { ip: NODE_IP, additionalIps: [], info: { network: HOST_NETWORK_INFO } });
    assert.deepEqual(net.wrapCommand('host', ['/bin/true']), ['/bin/true']);
    assert.ok(!existsSync(net.netnsPath('host')));
    const server = createServer((s) => s.end('on the node'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const stream = await net.connect('host', (server.address() as { port: number }).port);
      const [data] = (await once(stream, 'data')) as [Buffer];
      assert.equal(data.toString(), 'on the node');
      stream.destroy();
    } finally {
      server.close();
    }
    await net.teardown('host');
  });

  test('parallel setups get distinct IPs and working namespaces; timings', async (t) => {
    const ids = Array.from({ length: 6 }, (_, i) => `par-${i}`);
    let started = Date.now();
    const statuses = await Promise.all(ids.map((id) => net.setup(id, podConfig(id))));
    const parallelSetup = Date.now() - started;
    assert.equal(new Set(statuses.map((s) => s.ip)).size, ids.length);
    for (const [i, id] of ids.entries()) {
      const { stdout } = await run('ip', ['-n', net.netnsName(id), '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
      assert.match(stdout, new RegExp(`inet ${statuses[i]!.ip!.replace(/\./g, '\\.')}/24`));
    }
    started = Date.now();
    await Promise.all(ids.map((id) => net.teardown(id)));
    const parallelTeardown = Date.now() - started;
    started = Date.now();
    for (const id of ids.slice(0, 3)) await net.setup(id, podConfig(id));
    const serialSetup = Math.round((Date.now() - started) / 3);
    started = Date.now();
    for (const id of ids.slice(0, 3)) await net.teardown(id);
    const serialTeardown = Math.round((Date.now() - started) / 3);
    t.diagnostic(`6 in parallel: setup ${parallelSetup} ms, teardown ${parallelTeardown} ms; one at a time: setup ${serialSetup} ms, teardown ${serialTeardown} ms each`);
    assert.deepEqual([...net.allocations().keys()].sort(), ['sandbox-a', 'sandbox-b']);
  });

  test('invalid options are refused', async () => {
    const cases: [Parameters<typeof newBridgeNetwork>[0], RegExp][] = [
      [{ podCIDR: '10.250.0.0/31' }, /invalid pod CIDR "10\.250\.0\.0\/31"/],
      [{ podCIDR: 'fd00::/64' }, /invalid pod CIDR/],
      [{ bridgeName: 'a-bridge-name-too-long' }, /invalid bridge name/],
      // Already on this machine: the loopback's 127.0.0.0/8, and this file's bridge.
      [{ podCIDR: '127.250.0.0/24' }, /pod CIDR 127\.250\.0\.0\/24 overlaps 127\.0\.0\.1\/8 on lo/],
      [{ podCIDR: '10.250.0.0/16' }, /pod CIDR 10\.250\.0\.0\/16 overlaps 10\.250\.\d+\.1\/24 on kbt[0-9a-f]{8}/],
    ];
    for (const [options, want] of cases) await assert.rejects(newBridgeNetwork(options), want, JSON.stringify(options));
  });
});
