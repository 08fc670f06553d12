// The kubelet with a VolumeManager on a real API server and the fake runtime: a pod whose
// ConfigMap volume is missing waits in ContainerCreating with one FailedMount event, then starts
// once the ConfigMap exists, its container getting the volume at its mountPath; deleting the pod
// removes its volume directory.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ConfigMap, Event, Pod } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../../src/apimachinery/errors.js';
import { CONFIG_MAPS, EVENTS, PODS } from '../../../src/client/resources.js';
import { silentLogger } from '../../../src/logging/index.js';
import { Kubelet } from '../../../src/kubelet/kubelet.js';
import { VolumeManager } from '../../../src/kubelet/volumes/index.js';
import { startControlPlane, waitFor, type ControlPlane } from '../../controllers/harness.js';
import { FakeRuntime } from '../runtime/fake-runtime.js';

describe('kubelet volumes (fake runtime)', () => {
  const NODE = 'node-v';
  const dir = mkdtempSync(join(tmpdir(), 'kubets-volumes-wiring-'));
  let cp: ControlPlane;
  const runtime = new FakeRuntime('10.42.0.5');
  const ac = new AbortController();
  let running: Promise<void>;
  let volumes: VolumeManager;

  before(async () => {
    cp = await startControlPlane();
    volumes = new VolumeManager({ podsDir: dir, canMount: false, logger: silentLogger, client: cp.client });
    const kubelet = new Kubelet({ client: cp.client, runtime, logger: silentLogger, nodeName: NODE, hostIP: '192.0.2.12', logRoot: join(dir, 'logs'), resyncMs: 200, volumes });
    running = kubelet.start(ac.signal);
  });
  after(async () => {
    ac.abort();
    await running;
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits for a missing ConfigMap with FailedMount, then mounts it', async () => {
    const pods = cp.client.resource<Pod>(PODS);
    await pods.create({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'vol', namespace: 'default' },
      spec: {
        nodeName: NODE,
        volumes: [{ name: 'cfg', configMap: { name: 'app-config' } }],
        containers: [{ name: 'app', image: 'x', command: ['sleep', '3600'], volumeMounts: [{ name: 'cfg', mountPath: '/etc/app', readOnly: true }] }],
      },
    });
    const failed = await waitFor(async () => {
      const found = (await cp.client.resource<Event>(EVENTS).list('default')).items.filter((e) => e.reason === 'FailedMount');
      return found.length ? found : undefined;
    }, 5000, 'FailedMount');
    await waitFor(async () => ((await pods.get('default', 'vol')).status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ContainerCreating' ? true : undefined), 5000, 'ContainerCreating');
    assert.equal(failed[0]?.message, 'MountVolume.SetUp failed for volume "cfg" : configmap "app-config" not found');
    assert.equal(runtime.created.length, 0, 'no container before the volume exists');
    await cp.client.resource<ConfigMap>(CONFIG_MAPS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'default' }, data: { 'mode.txt': 'fast' } });
    const config = await waitFor(() => runtime.created.find((c) => c.metadata.name === 'app'), 8000, 'container created');
    const mount = config.mounts.find((m) => m.containerPath === '/etc/app');
    assert.ok(mount, JSON.stringify(config.mounts));
    assert.equal(mount.readonly, true);
    assert.equal(readFileSync(join(mount.hostPath, 'mode.txt'), 'utf8'), 'fast');
    const uid = (await pods.get('default', 'vol')).metadata!.uid!;
    assert.equal((await cp.client.resource<Event>(EVENTS).list('default')).items.filter((e) => e.reason === 'FailedMount').length, 1, 'one event per distinct failure');
    await pods.delete('default', 'vol');
    await waitFor(async () => {
      try {
        await pods.get('default', 'vol');
        return undefined;
      } catch (e) {
        return isNotFound(e) ? true : undefined;
      }
    }, 8000, 'pod gone');
    assert.ok(!existsSync(volumes.podDir(uid)), 'volume directory removed');
  });
});
