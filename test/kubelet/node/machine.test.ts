// Reading the machine: Go naming of os/arch, os-release, the default route's interface, the
// internal IP choice, the thread count, and the live probes of this very machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIPv4 } from 'node:net';
import { availableParallelism, totalmem } from 'node:os';
import { chooseInternalIP, defaultRouteInterface, goArch, goOS, hostMachine, prettyName, threadsFromLoadavg } from '../../../src/kubelet/node/machine.js';

test('goArch and goOS use Go names', () => {
  const arch: [string, boolean, string][] = [
    ['x64', true, 'amd64'],
    ['arm64', true, 'arm64'],
    ['ia32', true, '386'],
    ['ppc64', true, 'ppc64le'],
    ['ppc64', false, 'ppc64'],
    ['s390x', false, 's390x'],
    ['mipsel', true, 'mipsle'],
  ];
  for (const [node, le, want] of arch) assert.equal(goArch(node, le), want, node);
  const os: [string, string][] = [
    ['linux', 'linux'],
    ['darwin', 'darwin'],
    ['win32', 'windows'],
    ['sunos', 'solaris'],
  ];
  for (const [node, want] of os) assert.equal(goOS(node), want, node);
});

test('prettyName reads PRETTY_NAME, quoted or not', () => {
  const cases: [string, string | undefined][] = [
    ['NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n', 'Debian GNU/Linux 12 (bookworm)'],
    ["PRETTY_NAME='Alpine Linux v3.19'\n", 'Alpine Linux v3.19'],
    ['PRETTY_NAME=Plain\n', 'Plain'],
    ['NAME=NoPretty\n', undefined],
  ];
  for (const [text, want] of cases) assert.equal(prettyName(text), want);
});

test('defaultRouteInterface finds the 0.0.0.0/0 route', () => {
  const route = [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
    'cni0\t00002A0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
    'eth1\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
  ].join('\n');
  assert.equal(defaultRouteInterface(route), 'eth1');
  assert.equal(defaultRouteInterface(route.split('\n').slice(0, 2).join('\n')), undefined);
});

test('chooseInternalIP prefers the default route interface, skips loopback and IPv6', () => {
  const addr = (address: string, family: 'IPv4' | 'IPv6', internal = false) => ({ address, family, internal, netmask: '', mac: '', cidr: null }) as never;
  const ifaces = {
    lo: [addr('127.0.0.1', 'IPv4', true)],
    cni0: [addr('10.42.0.1', 'IPv4')],
    eth1: [addr('fe80::1', 'IPv6'), addr('192.0.2.7', 'IPv4')],
  };
  assert.equal(chooseInternalIP(ifaces, 'eth1'), '192.0.2.7');
  assert.equal(chooseInternalIP(ifaces), '10.42.0.1', 'without a default route: the first non-internal IPv4');
  assert.equal(chooseInternalIP({ lo: ifaces.lo }), '127.0.0.1');
});

test('threadsFromLoadavg reads the total of running/total', () => {
  assert.equal(threadsFromLoadavg('2.27 1.93 1.99 1/84 25536\n'), 84);
  assert.equal(threadsFromLoadavg('garbage'), undefined);
});

test('hostMachine reads this machine', async () => {
  const m = hostMachine('/');
  const info = await m.info();
  assert.equal(info.cpus, availableParallelism());
  assert.equal(info.memoryBytes, totalmem());
  assert.equal(info.architecture, goArch());
  assert.ok(isIPv4(info.internalIP), info.internalIP);
  assert.ok(info.kernelVersion.length > 0);
  const usage = await m.usage();
  assert.ok(usage.memoryAvailableBytes > 0);
  if (process.platform === 'linux') {
    assert.ok(usage.fs && usage.fs.capacityBytes >= usage.fs.availableBytes && usage.fs.capacityBytes > 0);
    assert.ok(usage.pids && usage.pids.max > 0 && usage.pids.running > 0);
    assert.match(info.bootID, /^[0-9a-f-]{36}$/);
  }
});
