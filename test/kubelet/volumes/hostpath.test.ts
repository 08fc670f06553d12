import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { checkHostPath } from '../../../src/kubelet/volumes/hostpath.js';
import { VolumeManager } from '../../../src/kubelet/volumes/manager.js';
import { cleanupDirs, fakeSources, modeOf, pod, tempDir } from './helpers.js';

describe('hostPath', () => {
  afterEach(cleanupDirs);

  const fixture = () => {
    const root = tempDir();
    mkdirSync(join(root, 'dir'));
    writeFileSync(join(root, 'file'), 'x');
    return root;
  };

  const cases: { type: string; path: string; error?: (p: string) => string }[] = [
    { type: '', path: 'missing' },
    { type: 'Directory', path: 'dir' },
    { type: 'Directory', path: 'file', error: (p) => `hostPath type check failed: ${p} is not a directory, it's a File` },
    { type: 'Directory', path: 'missing', error: (p) => `hostPath ${p} doesn't exist` },
    { type: 'File', path: 'file' },
    { type: 'File', path: 'dir', error: (p) => `hostPath type check failed: ${p} is not a file, it's a Directory` },
    { type: 'DirectoryOrCreate', path: 'file', error: (p) => `hostPath type check failed: ${p} is not a directory, it's a File` },
    { type: 'FileOrCreate', path: 'dir', error: (p) => `hostPath type check failed: ${p} is not a file, it's a Directory` },
    { type: 'FileOrCreate', path: 'no/parent', error: (p) => `open ${p}: no such file or directory` },
    { type: 'Socket', path: 'file', error: (p) => `hostPath type check failed: ${p} is not a socket file, it's a File` },
    { type: 'CharDevice', path: '/dev/null' },
    { type: 'CharDevice', path: 'dir', error: (p) => `hostPath type check failed: ${p} is not a character device, it's a Directory` },
    { type: 'BlockDevice', path: '/dev/null', error: (p) => `hostPath type check failed: ${p} is not a block device, it's a CharDevice` },
    { type: 'Weird', path: 'dir', error: () => 'Weird is an invalid volume type' },
  ];
  for (const c of cases) {
    test(`type ${JSON.stringify(c.type)} on ${c.path}${c.error ? ' fails' : ''}`, () => {
      const root = fixture();
      const path = c.path.startsWith('/') ? c.path : join(root, c.path);
      if (c.error) assert.throws(() => checkHostPath({ path, type: c.type }), { message: c.error(path) });
      else checkHostPath({ path, type: c.type });
    });
  }

  test('DirectoryOrCreate creates the directory (and parents) 0755; FileOrCreate an empty 0644 file', () => {
    const root = fixture();
    checkHostPath({ path: join(root, 'a/b/c'), type: 'DirectoryOrCreate' });
    assert.equal(lstatSync(join(root, 'a/b/c')).isDirectory(), true);
    assert.equal(modeOf(join(root, 'a/b/c')), 0o755);
    checkHostPath({ path: join(root, 'dir/new.txt'), type: 'FileOrCreate' });
    assert.equal(lstatSync(join(root, 'dir/new.txt')).size, 0);
    assert.equal(modeOf(join(root, 'dir/new.txt')), 0o644);
  });

  test('a socket passes the Socket check', async () => {
    const sock = join(fixture(), 'sock');
    const server = createServer().listen(sock);
    await new Promise((r) => server.once('listening', r));
    try {
      checkHostPath({ path: sock, type: 'Socket' });
    } finally {
      server.close();
    }
  });

  test('.. in the path is refused', () => {
    assert.throws(() => checkHostPath({ path: '/var/../etc' }), { message: "invalid HostPath `/var/../etc`: must not contain '..'" });
  });

  test('the manager creates nothing for a hostPath and reports its check as FailedMount', async () => {
    const podsDir = tempDir();
    const root = fixture();
    const vm = new VolumeManager({ podsDir, sources: fakeSources(), canMount: false });
    const p = pod({ volumes: [{ name: 'h', hostPath: { path: join(root, 'file'), type: 'Directory' } }] });
    await assert.rejects(vm.setUp(p), { message: `MountVolume.SetUp failed for volume "h" : hostPath type check failed: ${join(root, 'file')} is not a directory, it's a File` });
    assert.equal(existsSync(join(podsDir, 'uid-1', 'volumes')), false);
  });
});
