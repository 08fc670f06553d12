// `kubectl logs` end to end: real kubectl -> real `kubets server` (pods/log) -> a kubelet server
// (this process, over mutual TLS with the cluster CA) reading CRI log files it is pointed at.
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { ApiClient } from '../../src/client/client.js';
import { NODES, PODS } from '../../src/client/resources.js';
import { formatCriRecord } from '../../src/kubelet/server/cri-log.js';
import { KubeletServer, type PodLogInfo } from '../../src/kubelet/server/index.js';
import { containerLogPath, podLogDirectory } from '../../src/kubelet/runtime/types.js';
import { issueKubeletServingCertificate } from '../../src/pki/kubelet.js';
import { PKI_FILES } from '../../src/pki/index.js';
import { TestCluster, until } from './harness.js';

const NODE = 'logs-node';
const VERSIONS = ['1.27', '1.33'];
const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace('Z', '042000Z');
const line = (msAgo: number, text: string, stream: 'stdout' | 'stderr' = 'stdout') => formatCriRecord(at(msAgo), stream, false, text);

const pod = (name: string, opts: { node?: string; containers: string[]; init?: string[]; defaultContainer?: string; unschedulable?: boolean }): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', annotations: opts.defaultContainer ? { 'kubectl.kubernetes.io/default-container': opts.defaultContainer } : undefined },
  spec: {
    nodeName: opts.node,
    nodeSelector: opts.unschedulable ? { nowhere: 'true' } : undefined,
    initContainers: opts.init?.map((c) => ({ name: c, image: 'busybox' })),
    containers: opts.containers.map((c) => ({ name: c, image: 'busybox' })),
  },
});

// Every case reads its own pod or file: they run side by side to keep the file fast.
describe('kubectl logs', { concurrency: true }, () => {
  let c: TestCluster;
  let client: ApiClient;
  const abort = new AbortController();
  const logRoot = mkdtempSync(join(tmpdir(), 'kubets-e2e-logs-'));
  const pods = new Map<string, PodLogInfo>();
  const files = new Map<string, string>();
  /** How often the kubelet looked each pod up (a follower does so while it follows). */
  const lookups = new Map<string, number>();

  /** Registers the pod (as the kubelet would know it) and writes its containers' log files. */
  async function podWithLogs(name: string, logs: Record<string, { restartCount: number; running: boolean; attempts: string[] }>): Promise<void> {
    const pod = await client.resource<Pod>(PODS).get('default', name);
    const uid = pod.metadata!.uid!;
    pods.set(name, { uid, containers: Object.entries(logs).map(([n, l]) => ({ name: n, restartCount: l.restartCount, running: l.running })) });
    for (const [container, l] of Object.entries(logs)) {
      l.attempts.forEach((content, attempt) => {
        const path = join(podLogDirectory(logRoot, 'default', name, uid), containerLogPath(container, attempt));
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, content);
        files.set(`${name}/${container}/${attempt}`, path);
      });
    }
  }

  before(async () => {
    c = await TestCluster.start();
    client = c.client();
    const tls = join(c.dataDir, 'tls');
    const ca = { caCertPem: readFileSync(join(tls, PKI_FILES.caCert), 'utf8'), caKeyPem: readFileSync(join(tls, PKI_FILES.caKey), 'utf8') };
    const serving = await issueKubeletServingCertificate(ca, { nodeName: NODE });
    const kubelet = new KubeletServer({
      host: '127.0.0.1',
      port: 0,
      tls: { certPem: serving.certPem, keyPem: serving.keyPem, clientCaPem: ca.caCertPem },
      logRoot,
      findPod: (ns, name) => {
        lookups.set(name, (lookups.get(name) ?? 0) + 1);
        return ns === 'default' ? pods.get(name) : undefined;
      },
      followPollMs: 50,
    });
    void kubelet.start(abort.signal);
    const { port } = await kubelet.address();
    // A port nothing listens on, for a node whose kubelet is down.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const deadPort = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));

    const node = (name: string, kubeletPort: number): Node => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name },
      status: {
        addresses: [
          { type: 'Hostname', address: name },
          { type: 'InternalIP', address: '127.0.0.1' },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: kubeletPort } },
      },
    });
    await client.resource<Node>(NODES).create(node(NODE, port));
    await client.resource<Node>(NODES).create(node('dead-node', deadPort));
    for (const p of [
      pod('single', { node: NODE, containers: ['main'] }),
      pod('multi', { node: NODE, init: ['setup'], containers: ['web', 'proxy'], defaultContainer: 'proxy' }),
      ...VERSIONS.map((v) => pod(`follow-${v.replace('.', '')}`, { node: NODE, containers: ['main'] })),
      pod('unscheduled', { containers: ['main'], unschedulable: true }),
      pod('orphan', { node: 'dead-node', containers: ['main'] }),
      pod('abandoned', { node: NODE, containers: ['main'] }),
    ]) {
      await client.resource<Pod>(PODS).create(p);
    }
    await podWithLogs('single', {
      main: {
        restartCount: 1,
        running: true,
        attempts: [line(600_000, 'first run'), line(7_200_000, 'two hours ago') + line(2_000, 'hello from main', 'stderr') + line(1_000, 'second line')],
      },
    });
    await podWithLogs('multi', {
      setup: { restartCount: 0, running: false, attempts: [line(5_000, 'setup done')] },
      web: { restartCount: 0, running: true, attempts: [line(4_000, 'web line')] },
      proxy: { restartCount: 0, running: true, attempts: [line(3_000, 'proxy line')] },
    });
    await podWithLogs('abandoned', { main: { restartCount: 0, running: true, attempts: [line(1_000, 'anyone there?')] } });
    for (const v of VERSIONS) {
      await podWithLogs(`follow-${v.replace('.', '')}`, { main: { restartCount: 0, running: true, attempts: [line(1_000, 'started')] } });
    }
  });

  after(async () => {
    abort.abort();
    client?.close();
    await c?.stop();
    rmSync(logRoot, { recursive: true, force: true });
  });

  for (const version of VERSIONS) {
    describe(`kubectl ${version}`, { concurrency: 4 }, () => {
      const ok = (args: string[]) => c.kubectlOk(args, { version });
      const fails = async (args: string[]) => {
        const r = await c.kubectl(args, { version });
        assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should fail: ${r.stdout}`);
        return r.stderr;
      };

      const cases: { args: string[]; want: string | RegExp; sorted?: boolean }[] = [
        { args: ['logs', 'single'], want: 'two hours ago\nhello from main\nsecond line\n' },
        { args: ['logs', 'single', '--tail=1'], want: 'second line\n' },
        { args: ['logs', 'single', '--since=1m'], want: 'hello from main\nsecond line\n' },
        { args: ['logs', 'single', '--timestamps', '--tail=1'], want: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}042000Z second line\n$/ },
        { args: ['logs', 'single', '--limit-bytes=9'], want: 'two hours' },
        { args: ['logs', 'single', '--previous'], want: 'first run\n' },
        { args: ['logs', 'multi', '-c', 'web'], want: 'web line\n' },
        { args: ['logs', 'pod/multi'], want: 'proxy line\n' },
        // kubectl 1.27 walks the containers in map order: only the set of lines is certain.
        { args: ['logs', 'multi', '--all-containers'], want: 'proxy line\nsetup done\nweb line\n', sorted: true },
        { args: ['logs', 'multi', '-c', 'setup'], want: 'setup done\n' },
      ];
      for (const t of cases) {
        it(t.args.slice(1).join(' '), async () => {
          let out = await ok(t.args);
          if (t.sorted) out = `${out.split('\n').filter(Boolean).sort().join('\n')}\n`;
          if (typeof t.want === 'string') assert.equal(out, t.want);
          else assert.match(out, t.want);
        });
      }

      it('follows with -f until the container stops', async () => {
        const pod = `follow-${version.replace('.', '')}`;
        const proc = c.kubectlSpawn(['logs', '-f', pod], version);
        let out = '';
        let err = '';
        proc.stdout!.on('data', (d) => (out += d));
        proc.stderr!.on('data', (d) => (err += d));
        const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
        try {
          await until(() => out === 'started\n', `the first line (got ${JSON.stringify(out)} ${err})`, 10_000);
          appendFileSync(files.get(`${pod}/main/0`)!, line(0, 'more output'));
          await until(() => out === 'started\nmore output\n', `the appended line (got ${JSON.stringify(out)})`, 10_000);
          appendFileSync(files.get(`${pod}/main/0`)!, line(0, 'goodbye'));
          pods.get(pod)!.containers[0]!.running = false;
          let timer: NodeJS.Timeout | undefined;
          const code = await Promise.race([exited, new Promise((r) => (timer = setTimeout(() => r('still running'), 10_000)))]);
          clearTimeout(timer);
          assert.equal(code, 0, err);
          assert.equal(out, 'started\nmore output\ngoodbye\n');
        } finally {
          proc.kill();
        }
      });

      it('reports a missing previous instance', async () => {
        assert.match(await fails(['logs', 'multi', '-c', 'web', '--previous']), /Error from server \(BadRequest\): previous terminated container "web" in pod "multi" not found/);
      });

      it('reports an unknown container and an unknown pod', async () => {
        assert.match(await fails(['logs', 'multi', '-c', 'nope']), /container nope is not valid for pod multi/);
        // 1.33 words it itself ("error: error from server (NotFound): ... in namespace"), 1.27 as the server does.
        assert.match(await fails(['logs', 'ghost']), /rror from server \(NotFound\): pods "ghost" not found/);
      });

      it('is told to name a container when the server cannot choose', async () => {
        const stderr = await fails(['get', '--raw', '/api/v1/namespaces/default/pods/multi/log']);
        assert.match(stderr, /Error from server \(BadRequest\): a container name must be specified for pod multi, choose one of: \[setup web proxy\]/);
        assert.match(await fails(['get', '--raw', '/api/v1/namespaces/default/pods/multi/log?container=nope']), /container nope is not valid for pod multi/);
      });
    });
  }

  describe('the pods/log subresource', { concurrency: true }, () => {
    it('is in discovery with the get verb', async () => {
      const list = JSON.parse(await c.kubectlOk(['get', '--raw', '/api/v1']));
      const log = list.resources.find((r: { name: string }) => r.name === 'pods/log');
      assert.deepEqual({ kind: log?.kind, verbs: log?.verbs }, { kind: 'Pod', verbs: ['get'] });
    });

    it('validates PodLogOptions (422) and refuses undecodable ones (400)', async () => {
      const http = c.http();
      try {
        const invalid = await http.send('GET', '/api/v1/namespaces/default/pods/single/log?tailLines=-1&limitBytes=0');
        assert.equal(invalid.status, 422);
        const status = JSON.parse(invalid.body);
        assert.equal(status.reason, 'Invalid');
        assert.equal(status.message, 'PodLogOptions "single" is invalid: [tailLines: Invalid value: -1: must be greater than or equal to 0, limitBytes: Invalid value: 0: must be greater than 0]');
        assert.deepEqual(status.details.causes.map((x: { field: string }) => x.field), ['tailLines', 'limitBytes']);
        const bad = await http.send('GET', '/api/v1/namespaces/default/pods/single/log?tailLines=abc');
        assert.equal(bad.status, 400);
        assert.equal(JSON.parse(bad.body).message, 'strconv.ParseInt: parsing "abc": invalid syntax');
      } finally {
        http.close();
      }
    });

    it('answers an empty log for a pod not scheduled yet', async () => {
      const http = c.http();
      try {
        const r = await http.send('GET', '/api/v1/namespaces/default/pods/unscheduled/log');
        assert.deepEqual([r.status, r.body], [200, '']);
      } finally {
        http.close();
      }
    });

    it('stops following at the kubelet when kubectl goes away', async () => {
      const proc = c.kubectlSpawn(['logs', '-f', 'abandoned']);
      let out = '';
      proc.stdout!.on('data', (d) => (out += d));
      const exited = new Promise((r) => proc.once('exit', r));
      await until(() => out === 'anyone there?\n', 'the first line', 10_000);
      await until(() => (lookups.get('abandoned') ?? 0) >= 3, 'the kubelet polling its follower', 5_000);
      proc.kill('SIGINT');
      await exited;
      // The API server drops its kubelet request, and the kubelet its follower: the polling (every
      // 50 ms while following) stops; a follower left behind would fail this within 5 s.
      let last = -1;
      await until(
        async () => {
          const seen = lookups.get('abandoned');
          const settled = seen === last;
          last = seen ?? 0;
          await new Promise((r) => setTimeout(r, 300));
          return settled;
        },
        'the kubelet to stop following',
        5_000,
      );
    });

    it('passes on a kubelet that cannot be reached', async () => {
      const stderr = (await c.kubectl(['logs', 'orphan'])).stderr;
      assert.match(stderr, /Error from server: Get "https:\/\/127\.0\.0\.1:\d+\/containerLogs\/default\/orphan\/main": dial tcp 127\.0\.0\.1:\d+: connect: connection refused/);
    });
  });
});
