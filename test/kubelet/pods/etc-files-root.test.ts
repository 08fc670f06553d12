// As root, through the real process runtime with a mount namespace per container: a pod's
// container reads the pod's /etc/resolv.conf and /etc/hosts (its start and an exec entering its
// namespace alike), while the node's own files and mount table stay as they were. Everything the
// test makes (processes, sandboxes, directories) is removed when it ends, failed or not.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { EventRecorder } from '../../../src/client/events/types.js';
import { silentLogger } from '../../../src/logging/index.js';
import { RestartBackoff } from '../../../src/kubelet/pods/backoff.js';
import { LABEL_POD_UID, PodWorker } from '../../../src/kubelet/pods/pod-worker.js';
import { NamespaceMounts } from '../../../src/kubelet/runtime/process/mount-namespace.js';
import { ProcessRuntime } from '../../../src/kubelet/runtime/process/runtime.js';
import { containerLogPath, podLogDirectory } from '../../../src/kubelet/runtime/types.js';
import { VolumeManager } from '../../../src/kubelet/volumes/index.js';

const isRoot = process.getuid?.() === 0;
const NODE_IP = '192.0.2.10';

const until = async (what: string, check: () => boolean | Promise<boolean>, ms = 8000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** The content of a CRI log file (`<time> <stream> <F|P> <content>` lines). */
const logContent = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [, , tag, ...rest] = l.split(' ');
      return rest.join(' ') + (tag === 'F' ? '\n' : '');
    })
    .join('');

const mountsAtEtc = () => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => / \/etc\/(hosts|resolv\.conf) /.test(l));

describe('pod /etc/hosts and /etc/resolv.conf in the process runtime', { skip: !isRoot && 'needs root (mount namespaces)' }, () => {
  test('the container sees the pod\'s files; the node\'s files are untouched', async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'kubets-etc-root-'));
    const runtime = new ProcessRuntime({ stateDir: join(root, 'rt'), nodeIp: NODE_IP, mounts: new NamespaceMounts({ stateDir: join(root, 'rt', 'mounts') }), logger: silentLogger });
    const volumes = new VolumeManager({ podsDir: join(root, 'pods'), logger: silentLogger, sources: { configMap: async () => undefined, secret: async () => undefined, serviceAccountToken: async () => { throw new Error('no tokens'); } } });
    const pod: Pod = {
      metadata: { name: 'dns-root', namespace: 'shop', uid: 'uid-dns-root' },
      spec: {
        hostname: 'db-0',
        subdomain: 'db',
        hostAliases: [{ ip: '10.1.2.3', hostnames: ['foo.remote', 'bar.remote'] }],
        dnsConfig: { options: [{ name: 'ndots', value: '2' }] },
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'show', image: 'busybox', command: ['sh', '-c', 'cat /etc/resolv.conf; echo ---; cat /etc/hosts; exec sleep 60'] }],
      },
    };
    const uid = pod.metadata!.uid!;
    const hostResolvConfPath = join(root, 'node-resolv.conf');
    writeFileSync(hostResolvConfPath, 'nameserver 192.0.2.53\nsearch corp.example\n');
    const events: string[] = [];
    const recorder: EventRecorder = { event: (_o, type, reason) => void events.push(`${type} ${reason}`) };
    const worker = new PodWorker(
      {
        runtime,
        backoff: new RestartBackoff(),
        env: { configMap: async () => undefined, secret: async () => undefined },
        logger: silentLogger,
        logRoot: join(root, 'logs'),
        hostIP: NODE_IP,
        setStatus: async () => {},
        finishDeletion: async () => {},
        resyncAfter: () => {},
        recorder,
        volumes,
        dns: { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', hostResolvConfPath },
      },
      uid,
    );
    t.after(async () => {
      await worker.stopAll(0).catch(() => undefined);
      for (const s of await runtime.listPodSandbox()) await runtime.removePodSandbox(s.id);
      await runtime.close();
      await volumes.tearDown(uid).catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    });
    const nodeHosts = readFileSync('/etc/hosts', 'utf8');
    const nodeResolv = readFileSync('/etc/resolv.conf', 'utf8');
    const nodeMounts = mountsAtEtc();

    await worker.sync(pod);
    const log = join(podLogDirectory(join(root, 'logs'), 'shop', 'dns-root', uid), containerLogPath('show', 0));
    await until('the container printed both files', () => existsSync(log) && logContent(log).includes('bar.remote\n'));
    const resolv = 'search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:2\n';
    const hosts = [
      '# Kubernetes-managed hosts file.',
      '127.0.0.1\tlocalhost',
      '::1\tlocalhost ip6-localhost ip6-loopback',
      'fe00::0\tip6-localnet',
      'fe00::0\tip6-mcastprefix',
      'fe00::1\tip6-allnodes',
      'fe00::2\tip6-allrouters',
      `${NODE_IP}\tdb-0.db.shop.svc.cluster.local\tdb-0`,
      '',
      '# Entries added by HostAliases.',
      '10.1.2.3\tfoo.remote\tbar.remote',
      '',
    ].join('\n');
    assert.equal(logContent(log), `${resolv}---\n${hosts}`);

    // An exec enters the container's mount namespace: the same files.
    const [running] = await runtime.listContainers({ labelSelector: { [LABEL_POD_UID]: uid }, state: 'CONTAINER_RUNNING' });
    assert.ok(running, 'the container runs');
    const exec = await runtime.execSync(running.id, ['cat', '/etc/resolv.conf', '/etc/hosts'], 10);
    assert.equal(exec.stdout.toString(), resolv + hosts);
    assert.deepEqual(events.filter((e) => e.startsWith('Warning')), []);

    assert.equal(readFileSync('/etc/hosts', 'utf8'), nodeHosts, 'node /etc/hosts untouched');
    assert.equal(readFileSync('/etc/resolv.conf', 'utf8'), nodeResolv, 'node /etc/resolv.conf untouched');
    assert.deepEqual(mountsAtEtc(), nodeMounts, 'nothing mounted over the node\'s files');

    await worker.terminate({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date().toISOString() } });
    assert.equal(existsSync(volumes.podDir(uid)), false, 'the pod\'s files are removed with it');
    assert.equal(readFileSync('/etc/hosts', 'utf8'), nodeHosts);
  });
});
