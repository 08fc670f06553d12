// LocalAddresses against a real kernel, in a network namespace this test creates: it adds only
// missing addresses, removes only its own, and a new instance cleans up after an old one.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { CommandRunner } from '../../../src/kubelet/runtime/process/command-runner.js';
import { IpCommandError } from '../../../src/kubelet/runtime/process/ip-command.js';
import { LocalAddresses } from '../../../src/proxy/userspace/local-addresses.js';

const NS = `kp-la-${process.pid}`;
const ip = (...args: string[]) => execFileSync('ip', ['-n', NS, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

/** The namespace's IPv4 addresses but 127.0.0.1, as "device address/prefix label", sorted. */
function addresses(): string[] {
  const links = JSON.parse(ip('-j', 'addr', 'show')) as { ifname: string; addr_info: { family: string; local: string; prefixlen: number; label?: string }[] }[];
  return links
    .flatMap((l) => l.addr_info.filter((a) => a.family === 'inet' && a.local !== '127.0.0.1').map((a) => `${l.ifname} ${a.local}/${a.prefixlen} ${a.label ?? '-'}`))
    .sort();
}

const la = (options: { device?: string } = {}) => new LocalAddresses({ netns: NS, ...options });

describe('LocalAddresses', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, () => {
  before(() => {
    execFileSync('ip', ['netns', 'add', NS]);
    ip('link', 'set', 'lo', 'up');
    // A veth pair stands for a second interface (the dummy driver may be missing from the kernel).
    ip('link', 'add', 'dummy0', 'type', 'veth', 'peer', 'name', 'dummy1');
    // Someone else's addresses: one on lo without a label, one on another interface.
    ip('addr', 'add', '10.96.0.7/32', 'dev', 'lo');
    ip('addr', 'add', '10.96.0.8/32', 'dev', 'dummy0');
  });
  after(async () => {
    await CommandRunner.shared().close();
    execFileSync('ip', ['netns', 'del', NS]);
  });

  const foreign = ['dummy0 10.96.0.8/32 dummy0', 'lo 10.96.0.7/32 lo'];

  it('adds only the missing addresses, as labelled /32s, and leaves foreign ones alone', async () => {
    const a = la();
    assert.deepEqual(await a.ensure(['10.96.0.1', '10.96.0.2', '10.96.0.7', '10.96.0.8']), { added: ['10.96.0.1', '10.96.0.2'], removed: [] });
    assert.deepEqual(addresses(), [...foreign, 'lo 10.96.0.1/32 lo:kubets', 'lo 10.96.0.2/32 lo:kubets'].sort());
    assert.deepEqual(await a.ensure(['10.96.0.2', '10.96.0.1', '10.96.0.7', '10.96.0.8']), { added: [], removed: [] }, 'nothing to do');

    // No longer wanted: its own go, the foreign ones stay although they are not wanted either.
    assert.deepEqual(await a.ensure(['10.96.0.2', '10.96.0.3']), { added: ['10.96.0.3'], removed: ['10.96.0.1'] });
    assert.deepEqual(addresses(), [...foreign, 'lo 10.96.0.2/32 lo:kubets', 'lo 10.96.0.3/32 lo:kubets'].sort());
    assert.deepEqual(a.addresses, ['10.96.0.2', '10.96.0.3']);

    assert.deepEqual(await a.cleanup(), { added: [], removed: ['10.96.0.2', '10.96.0.3'] });
    assert.deepEqual(addresses(), foreign);
  });

  it('a new instance adopts what an earlier one left: ensure() removes the unwanted, cleanup() the rest', async () => {
    await la().ensure(['10.96.0.4', '10.96.0.5']); // then "crashes" without cleaning up
    const restarted = la();
    assert.deepEqual(await restarted.ensure(['10.96.0.5', '10.96.0.6']), { added: ['10.96.0.6'], removed: ['10.96.0.4'] });
    assert.deepEqual(restarted.addresses, ['10.96.0.5', '10.96.0.6']);
    // And once more, cleaning up straight away.
    assert.deepEqual(await la().cleanup(), { added: [], removed: ['10.96.0.5', '10.96.0.6'] });
    assert.deepEqual(addresses(), foreign);
  });

  it('an address its owner lost is no longer its to remove', async () => {
    const a = la();
    await a.ensure(['10.96.0.10']);
    // Someone replaced it with their own, unlabelled.
    ip('addr', 'del', '10.96.0.10/32', 'dev', 'lo');
    ip('addr', 'add', '10.96.0.10/32', 'dev', 'lo');
    assert.deepEqual(await a.cleanup(), { added: [], removed: [] });
    assert.ok(addresses().includes('lo 10.96.0.10/32 lo'));
    ip('addr', 'del', '10.96.0.10/32', 'dev', 'lo');
  });

  it('works on another interface, with its own label, apart from the loopback instance', async () => {
    const dummy = la({ device: 'dummy0' });
    const lo = la();
    assert.equal(dummy.label, 'dummy0:kubets');
    await dummy.ensure(['10.96.0.11']);
    await lo.ensure(['10.96.0.12']);
    assert.deepEqual(await lo.cleanup(), { added: [], removed: ['10.96.0.12'] });
    assert.deepEqual(addresses(), [...foreign, 'dummy0 10.96.0.11/32 dummy0:kubets'].sort());
    await dummy.close();
    assert.deepEqual(addresses(), foreign);
    await assert.rejects(dummy.ensure(['10.96.0.11']), /closed/);
  });

  it('a failed change rejects, and the next call tries again', async () => {
    const a = la({ device: 'later0' });
    await assert.rejects(a.ensure(['10.96.0.13']), IpCommandError);
    assert.deepEqual(a.addresses, []);
    ip('link', 'add', 'later0', 'type', 'veth', 'peer', 'name', 'later1');
    assert.deepEqual(await a.ensure(['10.96.0.13']), { added: ['10.96.0.13'], removed: [] });
    await a.close();
    ip('link', 'del', 'later0');
  });

  const invalid: { name: string; run: () => unknown; want: RegExp }[] = [
    { name: 'a label longer than the kernel takes', run: () => new LocalAddresses({ device: 'averylongname0' }), want: /longer than 15/ },
    { name: 'an address that is not IPv4', run: () => la().ensure(['10.96.0.1', 'fd00::1']), want: /not an IPv4 address: "fd00::1"/ },
  ];
  for (const tc of invalid)
    it(`refuses ${tc.name}`, async () => {
      await assert.rejects(async () => tc.run(), tc.want);
    });
});
