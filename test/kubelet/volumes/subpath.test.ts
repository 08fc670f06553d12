import assert from 'node:assert/strict';
import type { Container, Volume } from 'kubernetes-types/core/v1.js';
import { existsSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { VolumeManager } from '../../../src/kubelet/volumes/manager.js';
import { expandSubPathExpr } from '../../../src/kubelet/volumes/subpath.js';
import { ContainerMountError } from '../../../src/kubelet/volumes/types.js';
import { cleanupDirs, fakeSources, modeOf, pod, tempDir } from './helpers.js';

describe('subPathExpr expansion', () => {
  const env = new Map([
    ['POD', 'web-0'],
    ['EMPTY', ''],
  ]);
  const cases: [string, string | RegExp][] = [
    ['logs/$(POD)', 'logs/web-0'],
    ['$$(POD)', '$(POD)'],
    ['a$b', 'a$b'],
    ['$(POD', '$(POD'],
    ['$(NOPE)/$(EMPTY)/$(AAA)', /^missing value for AAA, EMPTY, NOPE$/],
  ];
  for (const [expr, want] of cases) {
    test(`${expr}`, () => {
      if (typeof want === 'string') assert.equal(expandSubPathExpr(expr, env), want);
      else assert.throws(() => expandSubPathExpr(expr, env), (e: unknown) => e instanceof ContainerMountError && want.test(e.message));
    });
  }
});

describe('mountsFor', () => {
  afterEach(cleanupDirs);

  const setup = async (volumes: Volume[]) => {
    const podsDir = tempDir();
    const sources = fakeSources();
    sources.configMaps.set('ns/cfg', { data: { 'app.conf': 'conf' } });
    const vm = new VolumeManager({ podsDir, sources, canMount: false });
    const p = pod({ volumes });
    await vm.setUp(p);
    const vol = (plugin: string, name: string) => join(podsDir, 'uid-1/volumes', plugin, name);
    const mounts = (c: Partial<Container>, env?: Map<string, string>) => vm.mountsFor(p, { name: 'c', ...c }, env);
    return { vm, p, vol, mounts, podsDir };
  };

  test('volumes, hostPath, readOnly and the always-read-only plugins', async () => {
    const host = tempDir();
    const { mounts, vol } = await setup([
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'cfg' } },
      { name: 'h', hostPath: { path: host } },
    ]);
    assert.deepEqual(
      mounts({
        volumeMounts: [
          { name: 'scratch', mountPath: '/scratch' },
          { name: 'scratch', mountPath: 'rel/path', readOnly: true },
          { name: 'cfg', mountPath: '/etc/app' },
          { name: 'h', mountPath: '/host' },
        ],
      }),
      [
        { containerPath: '/scratch', hostPath: vol('kubernetes.io~empty-dir', 'scratch'), readonly: false },
        { containerPath: '/rel/path', hostPath: vol('kubernetes.io~empty-dir', 'scratch'), readonly: true },
        { containerPath: '/etc/app', hostPath: vol('kubernetes.io~configmap', 'cfg'), readonly: true },
        { containerPath: '/host', hostPath: host, readonly: false },
      ],
    );
  });

  test('subPath: a missing directory is created with the volume mode; a file resolves to its data', async () => {
    const { mounts, vol } = await setup([
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'cfg' } },
    ]);
    const [dirMount, fileMount] = mounts({
      volumeMounts: [
        { name: 'scratch', mountPath: '/data', subPath: 'a/b' },
        { name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' },
      ],
    });
    const scratch = vol('kubernetes.io~empty-dir', 'scratch');
    assert.equal(dirMount!.hostPath, realpathSync(join(scratch, 'a/b')));
    assert.equal(modeOf(join(scratch, 'a')), 0o777);
    assert.equal(modeOf(join(scratch, 'a/b')), 0o777);
    // The link `app.conf -> ..data/app.conf` resolves into the timestamped directory, as upstream binds it.
    assert.match(fileMount!.hostPath, /kubernetes\.io~configmap\/cfg\/\.\.\d{4}_[\d_.]+\/app\.conf$/);
    assert.equal(fileMount!.readonly, true);
  });

  test('subPathExpr from the container environment', async () => {
    const { mounts, vol } = await setup([{ name: 'logs', emptyDir: {} }]);
    const [m] = mounts({ volumeMounts: [{ name: 'logs', mountPath: '/logs', subPathExpr: '$(POD_NAME)' }] }, new Map([['POD_NAME', 'web']]));
    assert.equal(m!.hostPath, realpathSync(join(vol('kubernetes.io~empty-dir', 'logs'), 'web')));
  });

  const refused: [string, { subPath?: string; subPathExpr?: string; name?: string }, string][] = [
    ['an absolute subPath', { subPath: '/etc' }, 'error SubPath `/etc` must not be an absolute path'],
    ['a subPath with ..', { subPath: 'a/../../x' }, "unable to provision SubPath `a/../../x`: must not contain '..'"],
    ['an expanded absolute subPath', { subPathExpr: '$(ROOT)x' }, 'error SubPath `/x` must not be an absolute path'],
    ['a missing volume', { name: 'nope' }, 'cannot find volume "nope" to mount into container "c"'],
    ['a subPath leading out through a symlink', { subPath: 'escape' }, 'failed to prepare subPath for volumeMount "scratch" of container "c"'],
    ['creating through a symlink out of the volume', { subPath: 'escape/deeper' }, 'failed to create subPath directory for volumeMount "scratch" of container "c"'],
  ];
  for (const [name, vm, message] of refused) {
    test(`refuses ${name}`, async () => {
      const outside = tempDir();
      const { mounts, vol } = await setup([{ name: 'scratch', emptyDir: {} }]);
      symlinkSync(outside, join(vol('kubernetes.io~empty-dir', 'scratch'), 'escape'));
      assert.throws(
        () => mounts({ volumeMounts: [{ name: vm.name ?? 'scratch', mountPath: '/m', subPath: vm.subPath, subPathExpr: vm.subPathExpr }] }, new Map([['ROOT', '/']])),
        (e: unknown) => e instanceof ContainerMountError && e.message === message && e.reason === 'CreateContainerConfigError',
      );
      assert.equal(existsSync(join(outside, 'deeper')), false);
    });
  }

  test('a volume that failed setUp is not mountable', async () => {
    const podsDir = tempDir();
    const vm = new VolumeManager({ podsDir, sources: fakeSources(), canMount: false });
    const p = pod({ volumes: [{ name: 'cfg', configMap: { name: 'missing' } }] });
    await assert.rejects(vm.setUp(p));
    assert.throws(() => vm.mountsFor(p, { name: 'c', volumeMounts: [{ name: 'cfg', mountPath: '/x' }] }), { message: 'cannot find volume "cfg" to mount into container "c"' });
  });

  test('a symlink inside the volume that stays inside is followed', async () => {
    const { mounts, vol } = await setup([{ name: 'scratch', emptyDir: {} }]);
    const root = vol('kubernetes.io~empty-dir', 'scratch');
    mkdirSync(join(root, 'real'));
    writeFileSync(join(root, 'real/f'), '');
    symlinkSync('real', join(root, 'alias'));
    assert.equal(mounts({ volumeMounts: [{ name: 'scratch', mountPath: '/m', subPath: 'alias/f' }] })[0]!.hostPath, realpathSync(join(root, 'real/f')));
  });
});
