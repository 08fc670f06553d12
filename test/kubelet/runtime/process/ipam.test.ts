import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { HostLocalIpam, podSubnet } from '../../../../src/kubelet/runtime/process/ipam.js';
import { RuntimeError } from '../../../../src/kubelet/runtime/types.js';

describe('podSubnet', () => {
  test('gateway first, then the pod range up to before the broadcast address', () => {
    const cases: [string, ReturnType<typeof podSubnet>][] = [
      ['10.42.3.0/24', { cidr: '10.42.3.0/24', prefix: 24, gateway: '10.42.3.1', first: '10.42.3.2', last: '10.42.3.254' }],
      ['10.42.3.77/24', { cidr: '10.42.3.0/24', prefix: 24, gateway: '10.42.3.1', first: '10.42.3.2', last: '10.42.3.254' }],
      ['10.42.0.0/16', { cidr: '10.42.0.0/16', prefix: 16, gateway: '10.42.0.1', first: '10.42.0.2', last: '10.42.255.254' }],
      ['192.168.9.8/30', { cidr: '192.168.9.8/30', prefix: 30, gateway: '192.168.9.9', first: '192.168.9.10', last: '192.168.9.10' }],
    ];
    for (const [cidr, want] of cases) assert.deepEqual(podSubnet(cidr), want, cidr);
  });

  test('refuses what cannot hold a pod', () => {
    for (const cidr of ['10.42.0.0/31', '10.42.0.0/32', 'fd00::/64', '10.42.0.0', '10.42.0.256/24', 'nonsense']) {
      assert.throws(() => podSubnet(cidr), /invalid pod CIDR/, cidr);
    }
  });
});

describe('HostLocalIpam', () => {
  const dirs: string[] = [];
  const newDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubets-ipam-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  test('hands out the first addresses in order; the same sandbox keeps its address', () => {
    const ipam = new HostLocalIpam(newDir(), '10.42.7.0/24');
    assert.deepEqual(['a', 'b', 'c'].map((id) => ipam.allocate(id)), ['10.42.7.2', '10.42.7.3', '10.42.7.4']);
    assert.equal(ipam.allocate('b'), '10.42.7.3');
    assert.deepEqual(ipam.list(), new Map([['a', '10.42.7.2'], ['b', '10.42.7.3'], ['c', '10.42.7.4']]));
  });

  test('a released address is reused only after the others, as host-local goes round from the last reserved', () => {
    const ipam = new HostLocalIpam(newDir(), '192.168.9.0/29'); // pods: .2 to .6
    for (const id of ['a', 'b', 'c']) ipam.allocate(id);
    assert.equal(ipam.release('a'), '192.168.9.2');
    assert.equal(ipam.release('a'), undefined, 'idempotent');
    assert.deepEqual(['d', 'e', 'f'].map((id) => ipam.allocate(id)), ['192.168.9.5', '192.168.9.6', '192.168.9.2']);
    assert.throws(
      () => ipam.allocate('g'),
      (e: unknown) =>
        e instanceof RuntimeError &&
        e.reason === 'CreatePodSandboxError' &&
        e.message === 'failed to allocate for range 0: no IP addresses available in range set: 192.168.9.2-192.168.9.6',
    );
  });

  test('reservations are files, as host-local keeps them, read back by a new instance', () => {
    const dir = newDir();
    const ipam = new HostLocalIpam(dir, '10.42.7.0/24');
    ipam.allocate('a');
    ipam.allocate('b');
    ipam.release('a');
    assert.deepEqual(readdirSync(dir).sort(), ['10.42.7.3', 'last_reserved_ip.0']);
    assert.equal(readFileSync(join(dir, '10.42.7.3'), 'utf8'), 'b\neth0');
    assert.equal(readFileSync(join(dir, 'last_reserved_ip.0'), 'utf8'), '10.42.7.3');
    const again = new HostLocalIpam(dir, '10.42.7.0/24');
    assert.equal(again.get('b'), '10.42.7.3');
    assert.equal(again.get('a'), undefined);
    assert.equal(again.allocate('c'), '10.42.7.4', 'goes on after the last reserved');
  });

  test('an address reserved by someone else (a file it did not load) is skipped', () => {
    const dir = newDir();
    const ipam = new HostLocalIpam(dir, '10.42.7.0/24');
    writeFileSync(join(dir, '10.42.7.2'), 'other');
    assert.equal(ipam.allocate('a'), '10.42.7.3');
    assert.equal(readFileSync(join(dir, '10.42.7.2'), 'utf8'), 'other');
  });
});
