import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { StatusError } from '../../../src/apimachinery/errors.js';
import type { Client, RawRequest } from '../../../src/client/types.js';
import { clientVolumeSources, VolumeManager } from '../../../src/kubelet/volumes/manager.js';
import { mountsUnder, parseMountInfo } from '../../../src/kubelet/volumes/mount-utils.js';
import { PodVolumesError } from '../../../src/kubelet/volumes/types.js';
import { cleanupDirs, fakeSources, isRoot, pod, tempDir } from './helpers.js';

describe('VolumeManager', () => {
  afterEach(cleanupDirs);

  test('lays every plugin out as upstream does under <podsDir>/<uid>/volumes', async () => {
    const podsDir = tempDir();
    const sources = fakeSources();
    sources.configMaps.set('ns/c', { data: { k: 'v' } });
    sources.secrets.set('ns/s', { data: {} });
    const vm = new VolumeManager({ podsDir, sources, canMount: false });
    await vm.setUp(
      pod({
        volumes: [
          { name: 'e', emptyDir: {} },
          { name: 'c', configMap: { name: 'c' } },
          { name: 's', secret: { secretName: 's' } },
          { name: 'd', downwardAPI: { items: [] } },
          { name: 'p', projected: { sources: [] } },
          { name: 'h', hostPath: { path: '/tmp' } },
        ],
      }),
    );
    const volumes = join(podsDir, 'uid-1', 'volumes');
    const layout = readdirSync(volumes)
      .sort()
      .map((plugin) => `${plugin}/${readdirSync(join(volumes, plugin)).join(',')}`);
    assert.deepEqual(layout, ['kubernetes.io~configmap/c', 'kubernetes.io~downward-api/d', 'kubernetes.io~empty-dir/e', 'kubernetes.io~projected/p', 'kubernetes.io~secret/s']);
  });

  test('every failing volume is reported; the others are set up', async () => {
    const podsDir = tempDir();
    const vm = new VolumeManager({ podsDir, sources: fakeSources(), canMount: false });
    const p = pod({
      volumes: [
        { name: 'a', configMap: { name: 'x' } },
        { name: 'ok', emptyDir: {} },
        { name: 'b', secret: { secretName: 'y' } },
        { name: 'pvc', persistentVolumeClaim: { claimName: 'data' } },
      ],
    });
    await assert.rejects(vm.setUp(p), (e: unknown) => {
      assert.ok(e instanceof PodVolumesError);
      assert.deepEqual(
        e.errors.map((x) => x.message),
        [
          'MountVolume.SetUp failed for volume "a" : configmap "x" not found',
          'MountVolume.SetUp failed for volume "b" : secret "y" not found',
          `MountVolume.SetUp failed for volume "pvc" : no volume plugin matched: kubets's kubelet does not support persistentVolumeClaim volumes`,
        ],
      );
      return true;
    });
    assert.equal(existsSync(join(podsDir, 'uid-1/volumes/kubernetes.io~empty-dir/ok')), true);
    assert.deepEqual(vm.mountsFor(p, { name: 'c', volumeMounts: [{ name: 'ok', mountPath: '/ok' }] }).length, 1);
  });

  test('tearDown removes the pod directory; cleanupOrphans removes those of pods not alive', async () => {
    const podsDir = tempDir();
    const vm = new VolumeManager({ podsDir, sources: fakeSources(), canMount: false });
    for (const uid of ['live', 'gone-1', 'gone-2']) await vm.setUp(pod({ volumes: [{ name: 'e', emptyDir: {} }] }, { uid }));
    writeFileSync(join(podsDir, 'gone-1/volumes/kubernetes.io~empty-dir/e/data'), 'x');
    assert.deepEqual((await vm.cleanupOrphans(['live'])).sort(), ['gone-1', 'gone-2']);
    assert.deepEqual(readdirSync(podsDir), ['live']);
    await vm.tearDown('live');
    await vm.tearDown('live');
    assert.deepEqual(readdirSync(podsDir), []);
  });

  test('calls for one pod are serialised: a tearDown waits for the setUp under way', async () => {
    const podsDir = tempDir();
    const sources = fakeSources();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    sources.configMap = async () => {
      await gate;
      return { data: { k: 'v' } } as ConfigMap;
    };
    const vm = new VolumeManager({ podsDir, sources, canMount: false });
    const setUp = vm.setUp(pod({ volumes: [{ name: 'c', configMap: { name: 'c' } }] }));
    const tearDown = vm.tearDown('uid-1');
    release();
    await setUp;
    await tearDown;
    assert.equal(existsSync(join(podsDir, 'uid-1')), false);
  });

  test('parses mountinfo, octal escapes included; lists mounts under a directory deepest first', () => {
    const table = parseMountInfo(
      [
        '26 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
        '90 26 0:50 / /var/pods/a\\040b rw - tmpfs tmpfs rw',
        '91 90 0:51 / /var/pods/a\\040b/inner rw shared:3 - tmpfs tmpfs rw',
        '92 26 0:52 / /var/podsX rw - tmpfs tmpfs rw',
      ].join('\n'),
    );
    assert.deepEqual(table[1], { mountPoint: '/var/pods/a b', fsType: 'tmpfs', source: 'tmpfs' });
    assert.deepEqual(mountsUnder('/var/pods', table), ['/var/pods/a b/inner', '/var/pods/a b']);
  });

  test('clientVolumeSources: a 404 is "not there", TokenRequests POST to the token subresource', async () => {
    const requests: RawRequest[] = [];
    const client = {
      resource: () => ({
        get: async (_ns: string, name: string) => {
          if (name === 'missing') throw new StatusError(404, 'NotFound', `configmaps "${name}" not found`);
          return { metadata: { name } };
        },
      }),
      request: async (req: RawRequest) => {
        requests.push(req);
        return { spec: {}, status: { token: 't', expirationTimestamp: '2030-01-01T00:00:00Z' } };
      },
    } as unknown as Client;
    const s = clientVolumeSources(client);
    assert.equal(await s.configMap('ns', 'missing'), undefined);
    assert.deepEqual(await s.secret('ns', 'there'), { metadata: { name: 'there' } });
    await s.serviceAccountToken('ns', 'sa', { spec: { audiences: [] } });
    assert.deepEqual(requests, [{ method: 'POST', path: '/api/v1/namespaces/ns/serviceaccounts/sa/token', body: { spec: { audiences: [] } } }]);
  });

  test('a busy mount below the pod directory stops tearDown before anything is removed', { skip: !isRoot && 'needs root to mount tmpfs' }, async () => {
    const podsDir = tempDir();
    const vm = new VolumeManager({ podsDir, sources: fakeSources(), canMount: true });
    await vm.setUp(pod({ volumes: [{ name: 'ram', emptyDir: { medium: 'Memory' } }] }));
    const dir = join(podsDir, 'uid-1/volumes/kubernetes.io~empty-dir/ram');
    writeFileSync(join(dir, 'data'), 'x');
    // A process working inside the tmpfs keeps it busy: umount fails.
    const busy = spawn('sleep', ['30'], { cwd: dir, stdio: 'ignore' });
    await once(busy, 'spawn');
    try {
      await assert.rejects(vm.tearDown('uid-1'), /umount .* failed/);
      assert.equal(existsSync(join(dir, 'data')), true);
    } finally {
      busy.kill('SIGKILL');
      await once(busy, 'exit');
    }
    await vm.tearDown('uid-1');
    assert.deepEqual(mountsUnder(podsDir), []);
    assert.equal(existsSync(join(podsDir, 'uid-1')), false);
  });
});
