// The pod's /etc/hosts and /etc/resolv.conf on the node: written (atomically, once per sandbox
// for resolv.conf) in the pod's directory, mounted into every container unless it mounts the path
// itself, a MissingClusterDNS event when ClusterFirst has no cluster DNS, removed with the pod.
// The pod worker runs on the in-memory fake runtime.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../../../src/client/events/types.js';
import { silentLogger } from '../../../src/logging/index.js';
import { RestartBackoff } from '../../../src/kubelet/pods/backoff.js';
import { ETC_HOSTS_FILE, PodEtcFiles, RESOLV_CONF_FILE, withEtcMounts } from '../../../src/kubelet/pods/etc-files.js';
import { PodWorker } from '../../../src/kubelet/pods/pod-worker.js';
import type { ContainerConfig, Mount } from '../../../src/kubelet/runtime/types.js';
import { VolumeManager } from '../../../src/kubelet/volumes/index.js';
import { FakeRuntime } from '../runtime/fake-runtime.js';

const root = mkdtempSync(join(tmpdir(), 'kubets-etc-files-'));
after(() => rmSync(root, { recursive: true, force: true }));
const hostResolvConfPath = join(root, 'host-resolv.conf');
const hostHostsPath = join(root, 'host-hosts');
writeFileSync(hostResolvConfPath, 'nameserver 10.0.0.2\nsearch corp.example\n');
writeFileSync(hostHostsPath, '127.0.0.1 localhost\n192.0.2.7 node-a\n');
const files = (clusterDNS = ['10.96.0.10']) => new PodEtcFiles({ clusterDNS, clusterDomain: 'cluster.local', hostResolvConfPath, hostHostsPath });

let n = 0;
const newPod = (spec: Partial<NonNullable<Pod['spec']>> = {}): Pod => {
  n++;
  return { metadata: { name: `web${n}`, namespace: 'shop', uid: `uid-${n}` }, spec: { containers: [{ name: 'app', image: 'x', command: ['sleep', '1'] }], ...spec } };
};

describe('PodEtcFiles', () => {
  it('writes resolv.conf once per sandbox (events then) and the hosts file for each container', () => {
    const dir = join(root, 'pod-a');
    const f = files([]);
    const pod = newPod({ hostname: 'h', subdomain: 'sub' });
    const first = f.ensure(pod, dir, 'sb1', '10.244.0.7');
    assert.deepEqual(first.paths, { hosts: join(dir, ETC_HOSTS_FILE), resolvConf: join(dir, RESOLV_CONF_FILE) });
    assert.deepEqual(first.events.map((e) => e.reason), ['MissingClusterDNS']);
    assert.equal(readFileSync(first.paths.resolvConf, 'utf8'), 'search corp.example\nnameserver 10.0.0.2\n', 'fell back to the host settings');
    assert.match(readFileSync(first.paths.hosts!, 'utf8'), /\n10\.244\.0\.7\th\.sub\.shop\.svc\.cluster\.local\th\n$/);
    assert.equal(statSync(first.paths.hosts!).mode & 0o777, 0o644);
    const inode = statSync(first.paths.hosts!).ino;
    assert.deepEqual(f.ensure(pod, dir, 'sb1', '10.244.0.7').events, [], 'same sandbox: no new events');
    assert.equal(statSync(first.paths.hosts!).ino, inode, 'unchanged content keeps the file (and the containers sharing it)');
    f.ensure(pod, dir, 'sb1', '10.244.0.8');
    assert.notEqual(statSync(first.paths.hosts!).ino, inode, 'changed content replaced by rename');
    assert.match(readFileSync(first.paths.hosts!, 'utf8'), /10\.244\.0\.8/);
    rmSync(first.paths.resolvConf);
    assert.deepEqual(f.ensure(pod, dir, 'sb1', '10.244.0.8').events, []);
    assert.ok(existsSync(first.paths.resolvConf), 'a vanished resolv.conf is written again');
    assert.deepEqual(f.ensure(pod, dir, 'sb2', '10.244.0.8').events.map((e) => e.reason), ['MissingClusterDNS'], 'a new sandbox records again');
  });

  it('no pod IP: no hosts file (upstream mounts none); host network: the node\'s hosts file', () => {
    const f = files();
    assert.equal(f.ensure(newPod(), join(root, 'pod-b'), 'sb', undefined).paths.hosts, undefined);
    const { paths } = f.ensure(newPod({ hostNetwork: true }), join(root, 'pod-c'), 'sb', undefined);
    assert.equal(readFileSync(paths.hosts!, 'utf8'), '# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n192.0.2.7 node-a\n');
    assert.equal(readFileSync(paths.resolvConf, 'utf8'), 'search corp.example\nnameserver 10.0.0.2\n', 'ClusterFirst on the host network: Default');
  });

  it('a write failure is a ContainerMountError (CreateContainerConfigError)', () => {
    const blocker = join(root, 'a-file');
    writeFileSync(blocker, '');
    assert.throws(() => files().ensure(newPod(), join(blocker, 'pod'), 'sb', '10.0.0.1'), { name: 'ContainerMountError', reason: 'CreateContainerConfigError' });
  });
});

describe('withEtcMounts', () => {
  const paths = { hosts: '/p/etc-hosts', resolvConf: '/p/resolv.conf' };
  const hosts: Mount = { containerPath: '/etc/hosts', hostPath: '/p/etc-hosts', readonly: false };
  const resolv: Mount = { containerPath: '/etc/resolv.conf', hostPath: '/p/resolv.conf', readonly: false };
  const vol: Mount = { containerPath: '/data', hostPath: '/v', readonly: true };
  const c: Container = { name: 'c' };
  const cases: [string, Mount[], Container, typeof paths | { resolvConf: string }, Mount[]][] = [
    ['both after the volumes', [vol], c, paths, [vol, hosts, resolv]],
    ['not /etc/hosts when the container mounts it', [{ ...vol, containerPath: '/etc/hosts' }], c, paths, [{ ...vol, containerPath: '/etc/hosts' }, resolv]],
    ['not resolv.conf when the container mounts it (path spelled differently)', [{ ...vol, containerPath: '/etc//resolv.conf/' }], c, paths, [{ ...vol, containerPath: '/etc//resolv.conf/' }, hosts]],
    ['no hosts file yet: resolv.conf only', [], c, { resolvConf: paths.resolvConf }, [resolv]],
    ['a read-only root filesystem makes resolv.conf read-only (containerd)', [], { name: 'c', securityContext: { readOnlyRootFilesystem: true } }, paths, [hosts, { ...resolv, readonly: true }]],
  ];
  for (const [name, mounts, container, p, want] of cases) it(name, () => assert.deepEqual(withEtcMounts(mounts, container, p), want));
});

describe('pod worker (fake runtime)', () => {
  const setup = (clusterDNS: string[]) => {
    const runtime = new FakeRuntime('10.42.0.5');
    const events: [string, string, string][] = [];
    const recorder: EventRecorder = { event: (_o, type, reason, message) => void events.push([type, reason, message]) };
    const volumes = new VolumeManager({ podsDir: join(root, `pods-${++n}`), canMount: false, logger: silentLogger, sources: { configMap: async () => undefined, secret: async () => undefined, serviceAccountToken: async () => { throw new Error('no tokens'); } } });
    const worker = (uid: string) =>
      new PodWorker(
        {
          runtime,
          backoff: new RestartBackoff(),
          env: { configMap: async () => undefined, secret: async () => undefined },
          logger: silentLogger,
          logRoot: join(root, 'logs'),
          hostIP: '192.0.2.1',
          setStatus: async () => {},
          finishDeletion: async () => {},
          resyncAfter: () => {},
          recorder,
          volumes,
          dns: { clusterDNS, clusterDomain: 'cluster.local', hostResolvConfPath, hostHostsPath },
        },
        uid,
      );
    return { runtime, events, volumes, worker };
  };

  it('mounts the pod\'s files into every container (init ones too), not over a container\'s own /etc/hosts; removed with the pod', async () => {
    const { runtime, events, volumes, worker } = setup(['10.96.0.10']);
    const pod = newPod({
      volumes: [{ name: 'own', emptyDir: {} }],
      initContainers: [{ name: 'init', image: 'x', command: ['true'] }],
      containers: [
        { name: 'app', image: 'x', command: ['sleep', '1'] },
        { name: 'own-hosts', image: 'x', command: ['sleep', '1'], volumeMounts: [{ name: 'own', mountPath: '/etc/hosts', subPath: 'hosts' }] },
      ],
    });
    const uid = pod.metadata!.uid!;
    const w = worker(uid);
    await w.sync(pod);
    const init = runtime.created.find((c) => c.metadata.name === 'init')!;
    const dir = volumes.podDir(uid);
    const etc = (c: ContainerConfig) => c.mounts.filter((m) => m.containerPath.startsWith('/etc/'));
    assert.deepEqual(etc(init), [
      { containerPath: '/etc/hosts', hostPath: join(dir, 'etc-hosts'), readonly: false },
      { containerPath: '/etc/resolv.conf', hostPath: join(dir, 'resolv.conf'), readonly: false },
    ]);
    runtime.exit((await runtime.listContainers({ state: 'CONTAINER_RUNNING' }))[0]!.id, 0);
    await w.sync(pod);
    const app = runtime.created.find((c) => c.metadata.name === 'app')!;
    const own = runtime.created.find((c) => c.metadata.name === 'own-hosts')!;
    assert.deepEqual(etc(app), etc(init));
    assert.deepEqual(etc(own).map((m) => [m.containerPath, m.hostPath.startsWith(join(dir, 'volumes'))]), [['/etc/hosts', true], ['/etc/resolv.conf', false]]);
    assert.equal(readFileSync(join(dir, 'resolv.conf'), 'utf8'), 'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n');
    assert.match(readFileSync(join(dir, 'etc-hosts'), 'utf8'), new RegExp(`\\n10\\.42\\.0\\.5\\t${pod.metadata!.name}\\n$`));
    assert.deepEqual(events.filter(([type]) => type === 'Warning'), []);
    await w.terminate({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date().toISOString() } });
    assert.equal(existsSync(dir), false, 'the pod directory and its files are gone');
  });

  it('ClusterFirst without cluster DNS: one MissingClusterDNS Warning on the pod, the host\'s resolver settings', async () => {
    const { events, volumes, worker, runtime } = setup([]);
    const pod = newPod({ containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'x' }] });
    const w = worker(pod.metadata!.uid!);
    await w.sync(pod);
    await w.sync(pod);
    assert.equal(runtime.created.length, 2);
    assert.deepEqual(events.filter(([type]) => type === 'Warning'), [
      ['Warning', 'MissingClusterDNS', `pod: "${pod.metadata!.name}_shop(${pod.metadata!.uid})". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`],
    ]);
    assert.equal(readFileSync(join(volumes.podDir(pod.metadata!.uid!), 'resolv.conf'), 'utf8'), 'search corp.example\nnameserver 10.0.0.2\n');
    await volumes.tearDown(pod.metadata!.uid!);
  });
});
