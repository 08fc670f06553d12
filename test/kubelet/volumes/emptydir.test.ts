import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { setUpEmptyDir } from '../../../src/kubelet/volumes/emptydir.js';
import { VolumeManager } from '../../../src/kubelet/volumes/manager.js';
import { isMountPoint, readMountTable } from '../../../src/kubelet/volumes/mount-utils.js';
import { cleanupDirs, fakeSources, isRoot, modeOf, pod, tempDir } from './helpers.js';

describe('emptyDir', () => {
  afterEach(cleanupDirs);

  test('is a 0777 directory under <pod>/volumes/kubernetes.io~empty-dir, whatever the umask', async () => {
    const podsDir = tempDir();
    const vm = new VolumeManager({ podsDir, sources: fakeSources(), canMount: false });
    const old = process.umask(0o077);
    try {
      await vm.setUp(pod({ volumes: [{ name: 'scratch', emptyDir: {} }] }));
    } finally {
      process.umask(old);
    }
    const dir = join(podsDir, 'uid-1/volumes/kubernetes.io~empty-dir/scratch');
    assert.equal(modeOf(dir), 0o777);
    // The pod's own directory is not for others to read (upstream 0750).
    assert.equal(modeOf(join(podsDir, 'uid-1')) & 0o007, 0);
  });

  test('setting up again keeps what the pod wrote (a kubelet restart)', async () => {
    const podsDir = tempDir();
    const p = pod({ volumes: [{ name: 'scratch', emptyDir: {} }] });
    await new VolumeManager({ podsDir, sources: fakeSources(), canMount: false }).setUp(p);
    const file = join(podsDir, 'uid-1/volumes/kubernetes.io~empty-dir/scratch/data');
    writeFileSync(file, 'kept');
    await new VolumeManager({ podsDir, sources: fakeSources(), canMount: false }).setUp(p);
    assert.equal(readFileSync(file, 'utf8'), 'kept');
  });

  test('medium Memory without root is a plain directory, warned about once', () => {
    const dir = join(tempDir(), 'm');
    const warnings: string[] = [];
    const options = { canMount: false, warn: (m: string) => warnings.push(m) };
    setUpEmptyDir(dir, { medium: 'Memory' }, options);
    assert.equal(modeOf(dir), 0o777);
    assert.equal(isMountPoint(dir), undefined);
    assert.equal(warnings.length, 1);
  });

  test('unknown and unsupported media fail', () => {
    const dir = join(tempDir(), 'm');
    const options = { canMount: true, warn: () => {} };
    assert.throws(() => setUpEmptyDir(dir, { medium: 'Floppy' }, options), { message: 'unknown storage medium "Floppy"' });
    assert.throws(() => setUpEmptyDir(dir, { medium: 'HugePages-2Mi' }, options), /HugePages-2Mi medium is not supported/);
    assert.equal(existsSync(dir), false);
  });

  test('as root, medium Memory is a tmpfs sized by sizeLimit, mounted once, unmounted by tearDown', { skip: !isRoot && 'needs root to mount tmpfs' }, async () => {
    const podsDir = tempDir();
    const vm = new VolumeManager({ podsDir, sources: fakeSources(), canMount: true });
    const p = pod({ volumes: [{ name: 'ram', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } }] });
    await vm.setUp(p);
    const dir = join(podsDir, 'uid-1/volumes/kubernetes.io~empty-dir/ram');
    try {
      const m = isMountPoint(dir);
      assert.equal(m?.fsType, 'tmpfs');
      const options = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === dir)!;
      assert.match(options, /size=16384k/);
      writeFileSync(join(dir, 'f'), 'in memory');
      // A new manager (kubelet restart) must not stack a second tmpfs over the data.
      await new VolumeManager({ podsDir, sources: fakeSources(), canMount: true }).setUp(p);
      assert.equal(readMountTable().filter((x) => x.mountPoint === dir).length, 1);
      assert.equal(readFileSync(join(dir, 'f'), 'utf8'), 'in memory');
    } finally {
      await vm.tearDown('uid-1');
    }
    assert.equal(isMountPoint(dir), undefined);
    assert.equal(existsSync(join(podsDir, 'uid-1')), false);
  });
});
