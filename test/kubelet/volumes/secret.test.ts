import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { VolumeManager } from '../../../src/kubelet/volumes/manager.js';
import { isMountPoint } from '../../../src/kubelet/volumes/mount-utils.js';
import { secretPayload } from '../../../src/kubelet/volumes/secret.js';
import { b64, cleanupDirs, fakeSources, isRoot, modeOf, pod, read, tempDir } from './helpers.js';

describe('secret payload', () => {
  const secret = { data: { user: b64('admin'), pass: b64('s3cr3t') } };
  const cases: { name: string; items?: { key: string; path: string; mode?: number }[]; optional?: boolean; mode?: number; want?: Record<string, [string, number]>; error?: string }[] = [
    { name: 'every key decoded, default mode 0644', want: { user: ['admin', 0o644], pass: ['s3cr3t', 0o644] } },
    { name: 'defaultMode', mode: 0o400, want: { user: ['admin', 0o400], pass: ['s3cr3t', 0o400] } },
    { name: 'items with their own mode', items: [{ key: 'pass', path: 'db/password', mode: 0o600 }], want: { 'db/password': ['s3cr3t', 0o600] } },
    { name: 'a missing key fails', items: [{ key: 'token', path: 't' }], error: 'references non-existent secret key: token' },
    { name: 'a missing key of an optional volume is skipped', items: [{ key: 'token', path: 't' }], optional: true, want: {} },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const run = () => Object.fromEntries([...secretPayload(c.items, secret, c.mode, c.optional ?? false)].map(([k, v]) => [k, [v.data.toString(), v.mode]]));
      if (c.error) assert.throws(run, { message: c.error });
      else assert.deepEqual(run(), c.want);
    });
  }
});

describe('secret volumes', () => {
  afterEach(cleanupDirs);

  test('a missing Secret fails with upstream words; an optional one gives an empty volume', async () => {
    const podsDir = tempDir();
    const vm = new VolumeManager({ podsDir, sources: fakeSources(), canMount: false });
    const p = pod({ volumes: [{ name: 's', secret: { secretName: 'creds' } }, { name: 'o', secret: { secretName: 'nope', optional: true } }] });
    await assert.rejects(vm.setUp(p), { message: 'MountVolume.SetUp failed for volume "s" : secret "creds" not found' });
    assert.equal(modeOf(join(podsDir, 'uid-1/volumes/kubernetes.io~secret/o')), 0o777);
  });

  test('files are written with their modes and updated on refresh', async () => {
    const podsDir = tempDir();
    const sources = fakeSources();
    sources.secrets.set('ns/creds', { data: { pass: b64('one') } });
    const vm = new VolumeManager({ podsDir, sources, canMount: false });
    const p = pod({ volumes: [{ name: 's', secret: { secretName: 'creds', defaultMode: 0o440 } }] });
    await vm.setUp(p);
    const dir = join(podsDir, 'uid-1/volumes/kubernetes.io~secret/s');
    assert.equal(read(join(dir, 'pass')), 'one');
    assert.equal(modeOf(join(dir, '..data/pass')), 0o440);
    sources.secrets.set('ns/creds', { data: { pass: b64('two') } });
    await vm.refresh(p);
    assert.equal(read(join(dir, 'pass')), 'two');
  });

  test('as root, a secret volume is a tmpfs (kept off the disk), unmounted by tearDown', { skip: !isRoot && 'needs root to mount tmpfs' }, async () => {
    const podsDir = tempDir();
    const sources = fakeSources();
    sources.secrets.set('ns/creds', { data: { pass: b64('x') } });
    const vm = new VolumeManager({ podsDir, sources, canMount: true });
    await vm.setUp(pod({ volumes: [{ name: 's', secret: { secretName: 'creds' } }] }));
    const dir = join(podsDir, 'uid-1/volumes/kubernetes.io~secret/s');
    assert.equal(isMountPoint(dir)?.fsType, 'tmpfs');
    assert.equal(read(join(dir, 'pass')), 'x');
    await vm.tearDown('uid-1');
    assert.equal(isMountPoint(dir), undefined);
  });
});
