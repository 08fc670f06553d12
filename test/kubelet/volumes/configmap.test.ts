import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { configMapPayload } from '../../../src/kubelet/volumes/configmap.js';
import { VolumeManager } from '../../../src/kubelet/volumes/manager.js';
import { PodVolumesError } from '../../../src/kubelet/volumes/types.js';
import { b64, cleanupDirs, fakeSources, modeOf, pod, read, tempDir } from './helpers.js';

const text = (p: Map<string, { data: Buffer; mode: number }>) => Object.fromEntries([...p].map(([k, v]) => [k, [v.data.toString(), v.mode.toString(8)]]));

describe('configMap payload', () => {
  const cm = { data: { a: 'A', b: 'B' }, binaryData: { bin: b64('\x00\x01') } };
  const cases: { name: string; items?: { key: string; path: string; mode?: number }[]; optional?: boolean; mode?: number; want?: Record<string, [string, string]>; error?: string }[] = [
    { name: 'every key, data and binaryData, with the default mode', want: { a: ['A', '644'], b: ['B', '644'], bin: ['\x00\x01', '644'] } },
    { name: 'defaultMode applies to every file', mode: 0o400, want: { a: ['A', '400'], b: ['B', '400'], bin: ['\x00\x01', '400'] } },
    { name: 'items pick keys, paths and modes', items: [{ key: 'a', path: 'dir/x', mode: 0o600 }, { key: 'bin', path: 'y' }], want: { 'dir/x': ['A', '600'], y: ['\x00\x01', '644'] } },
    { name: 'a missing item key fails', items: [{ key: 'nope', path: 'n' }], error: 'configmap references non-existent config key: nope' },
    { name: 'a missing item key of an optional volume is skipped', items: [{ key: 'nope', path: 'n' }, { key: 'b', path: 'b' }], optional: true, want: { b: ['B', '644'] } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const run = () => configMapPayload(c.items, cm, c.mode, c.optional ?? false);
      if (c.error) assert.throws(run, { message: c.error });
      else assert.deepEqual(text(run()), c.want);
    });
  }
});

describe('configMap volumes', () => {
  afterEach(cleanupDirs);

  const setup = (configMap: Record<string, unknown>) => {
    const podsDir = tempDir();
    const sources = fakeSources();
    const vm = new VolumeManager({ podsDir, sources, canMount: false });
    const p = pod({ volumes: [{ name: 'cfg', configMap: { name: 'app', ...configMap } }] });
    const dir = join(podsDir, 'uid-1', 'volumes', 'kubernetes.io~configmap', 'cfg');
    return { vm, sources, p, dir };
  };

  test('a missing ConfigMap fails with upstream FailedMount words and creates nothing', async () => {
    const { vm, p, dir } = setup({});
    await assert.rejects(vm.setUp(p), (e: unknown) => {
      assert.ok(e instanceof PodVolumesError);
      assert.equal(e.message, 'MountVolume.SetUp failed for volume "cfg" : configmap "app" not found');
      assert.deepEqual(e.errors.map((x) => [x.volume, x.reason, x.detail]), [['cfg', 'FailedMount', 'configmap "app" not found']]);
      return true;
    });
    assert.equal(existsSync(dir), false);
  });

  test('an optional missing ConfigMap gives an empty volume, filled once it exists', async () => {
    const { vm, sources, p, dir } = setup({ optional: true });
    await vm.setUp(p);
    assert.deepEqual(readdirSync(dir).filter((n) => !n.startsWith('..')), []);
    assert.equal(modeOf(dir), 0o777);
    sources.configMaps.set('ns/app', { data: { k: 'v' } });
    await vm.refresh(p);
    assert.equal(read(join(dir, 'k')), 'v');
  });

  test('changes to the ConfigMap reach the files on refresh; removed keys disappear', async () => {
    const { vm, sources, p, dir } = setup({});
    sources.configMaps.set('ns/app', { data: { 'app.conf': 'one', old: 'x' } });
    await vm.setUp(p);
    assert.equal(read(join(dir, 'app.conf')), 'one');
    sources.configMaps.set('ns/app', { data: { 'app.conf': 'two' } });
    await vm.refresh(p);
    assert.equal(read(join(dir, 'app.conf')), 'two');
    assert.equal(existsSync(join(dir, 'old')), false);
  });

  test('setUp retries a failed volume and is a no-op once it succeeded', async () => {
    const { vm, sources, p, dir } = setup({});
    await assert.rejects(vm.setUp(p));
    sources.configMaps.set('ns/app', { data: { k: 'v1' } });
    await vm.setUp(p);
    sources.configMaps.set('ns/app', { data: { k: 'v2' } });
    await vm.setUp(p);
    assert.equal(read(join(dir, 'k')), 'v1', 'setUp does not refetch: refresh does');
  });

  test('a ConfigMap deleted later leaves the files as they were and refresh reports it', async () => {
    const { vm, sources, p, dir } = setup({});
    sources.configMaps.set('ns/app', { data: { k: 'v' } });
    await vm.setUp(p);
    sources.configMaps.delete('ns/app');
    await assert.rejects(vm.refresh(p), { message: 'MountVolume.SetUp failed for volume "cfg" : configmap "app" not found' });
    assert.equal(read(join(dir, 'k')), 'v');
  });
});
