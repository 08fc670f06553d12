import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { VolumeManager } from '../../../src/kubelet/volumes/manager.js';
import { b64, cleanupDirs, fakeSources, modeOf, pod, read, tempDir } from './helpers.js';

/** A pod with upstream's kube-api-access volume (token, CA, namespace). */
const apiAccess = (token: { audience?: string; expirationSeconds?: number } = {}) =>
  pod(
    {
      serviceAccountName: 'builder',
      volumes: [
        {
          name: 'kube-api-access',
          projected: {
            sources: [
              { serviceAccountToken: { path: 'token', expirationSeconds: 3600, ...token } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              { downwardAPI: { items: [{ path: 'namespace', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
            ],
          },
        },
      ],
    },
  );

describe('projected volumes', () => {
  afterEach(cleanupDirs);

  const setup = (now: { t: number }) => {
    const podsDir = tempDir();
    const sources = fakeSources(() => now.t);
    sources.configMaps.set('ns/kube-root-ca.crt', { data: { 'ca.crt': 'CA' } });
    const vm = new VolumeManager({ podsDir, sources, canMount: false, now: () => now.t });
    const dir = join(podsDir, 'uid-1/volumes/kubernetes.io~projected/kube-api-access');
    return { vm, sources, dir };
  };

  test('projects a bound token, a ConfigMap key and the namespace', async () => {
    const now = { t: Date.parse('2025-01-01T00:00:00Z') };
    const { vm, sources, dir } = setup(now);
    await vm.setUp(apiAccess({ audience: 'vault' }));
    assert.equal(read(join(dir, 'token')), 'token-1');
    assert.equal(read(join(dir, 'ca.crt')), 'CA');
    assert.equal(read(join(dir, 'namespace')), 'ns');
    assert.equal(modeOf(join(dir, '..data/token')), 0o644);
    assert.deepEqual(sources.tokenRequests, [
      {
        namespace: 'ns',
        serviceAccount: 'builder',
        request: {
          apiVersion: 'authentication.k8s.io/v1',
          kind: 'TokenRequest',
          spec: { audiences: ['vault'], expirationSeconds: 3600, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'web', uid: 'uid-1' } },
        },
      },
    ]);
  });

  test('the token is asked again only once 80% of its lifetime has passed', async () => {
    const now = { t: Date.parse('2025-01-01T00:00:00Z') };
    const { vm, sources, dir } = setup(now);
    const p = apiAccess();
    await vm.setUp(p);
    now.t += 2879_000; // just under 80% of an hour
    await vm.refresh(p);
    assert.equal(sources.tokenRequests.length, 1);
    assert.equal(read(join(dir, 'token')), 'token-1');
    now.t += 2_000;
    await vm.refresh(p);
    assert.equal(sources.tokenRequests.length, 2);
    assert.equal(read(join(dir, 'token')), 'token-2');
  });

  test('the lifetime the server granted decides, not the one asked for', async () => {
    const now = { t: Date.parse('2025-01-01T00:00:00Z') };
    const { vm, sources } = setup(now);
    sources.grantSeconds = 600;
    const p = apiAccess();
    await vm.setUp(p);
    now.t += 481_000;
    await vm.refresh(p);
    assert.equal(sources.tokenRequests.length, 2);
  });

  test('a failed refresh keeps the current token until it expires', async () => {
    const now = { t: Date.parse('2025-01-01T00:00:00Z') };
    const { vm, sources, dir } = setup(now);
    const p = apiAccess();
    await vm.setUp(p);
    sources.tokenFailure = 'connection refused';
    now.t += 3000_000;
    await vm.refresh(p);
    assert.equal(read(join(dir, 'token')), 'token-1');
    now.t += 700_000;
    await assert.rejects(vm.refresh(p), /token builder\/ns expired and refresh failed: connection refused/);
  });

  test('failures of several sources are reported together, in upstream aggregate form', async () => {
    const now = { t: Date.now() };
    const { vm, sources } = setup(now);
    sources.configMaps.clear();
    sources.tokenFailure = 'serviceaccounts "builder" not found';
    await assert.rejects(vm.setUp(apiAccess()), {
      message: 'MountVolume.SetUp failed for volume "kube-api-access" : [failed to fetch token: serviceaccounts "builder" not found, configmap "kube-root-ca.crt" not found]',
    });
  });

  test('secrets and defaultMode; fsGroup makes the token owner-only', async () => {
    const podsDir = tempDir();
    const sources = fakeSources();
    sources.secrets.set('ns/s', { data: { k: b64('v') } });
    const vm = new VolumeManager({ podsDir, sources, canMount: false });
    const p = pod({
      securityContext: { fsGroup: 2000 },
      volumes: [{ name: 'all', projected: { defaultMode: 0o440, sources: [{ secret: { name: 's' } }, { serviceAccountToken: { path: 't/token' } }] } }],
    });
    await vm.setUp(p);
    const dir = join(podsDir, 'uid-1/volumes/kubernetes.io~projected/all');
    assert.equal(read(join(dir, 'k')), 'v');
    assert.equal(modeOf(join(dir, '..data/k')), 0o440);
    assert.equal(modeOf(join(dir, '..data/t/token')), 0o600);
    assert.equal(sources.tokenRequests[0]!.serviceAccount, 'default');
    assert.equal(sources.tokenRequests[0]!.request.spec.expirationSeconds, 3600);
    assert.deepEqual(sources.tokenRequests[0]!.request.spec.audiences, []);
  });

  test('tearDown forgets the pod tokens: a new setUp asks again', async () => {
    const now = { t: Date.now() };
    const { vm, sources } = setup(now);
    const p = apiAccess();
    await vm.setUp(p);
    await vm.tearDown('uid-1');
    await vm.setUp(p);
    assert.equal(sources.tokenRequests.length, 2);
  });
});
