// Lifecycle hooks, service environment variables, resourceFieldRef and the grpc probe: the pure
// parts as case tables, the hooks and variables through a Kubelet on a real API server with the
// in-memory fake runtime (preStop before SIGTERM, a failing postStart kills the container).
import assert from 'node:assert/strict';
import { createServer, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Container, Event, Pod, Service } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../../src/apimachinery/errors.js';
import { EVENTS, PODS, SERVICES } from '../../../src/client/resources.js';
import { silentLogger } from '../../../src/logging/index.js';
import { Kubelet } from '../../../src/kubelet/kubelet.js';
import { linuxResources } from '../../../src/kubelet/pods/pod-worker.js';
import { resourceFieldValue } from '../../../src/kubelet/pods/environment.js';
import { serviceEnv, servicesForPod } from '../../../src/kubelet/pods/service-env.js';
import { decodeHealthCheckResponse, encodeHealthCheckRequest, grpcAction } from '../../../src/kubelet/prober/grpc.js';
import type { ContainerConfig, PodSandboxConfig } from '../../../src/kubelet/runtime/types.js';
import { startControlPlane, waitFor, type ControlPlane } from '../../controllers/harness.js';
import { FakeRuntime } from '../runtime/fake-runtime.js';

const svc = (namespace: string, name: string, clusterIP: string, ports: NonNullable<Service['spec']>['ports']): Service => ({
  metadata: { namespace, name },
  spec: { clusterIP, ports },
});

describe('service environment variables', () => {
  const pod = (namespace: string, enableServiceLinks?: boolean): Pod => ({ metadata: { namespace, name: 'p' }, spec: { containers: [], enableServiceLinks } });
  const all = [
    svc('default', 'kubernetes', '10.43.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]),
    svc('shop', 'my-db', '10.43.0.20', [{ name: 'sql', port: 5432 }, { name: 'metrics-port', port: 9100, protocol: 'UDP' }]),
    svc('shop', 'headless', 'None', [{ port: 80 }]),
    svc('other', 'elsewhere', '10.43.0.30', [{ port: 80 }]),
  ];

  it('gives the pod its namespace\'s services and the master service, not others or headless ones', () => {
    assert.deepEqual(servicesForPod(pod('shop'), all).map((s) => s.metadata?.name).sort(), ['kubernetes', 'my-db']);
    assert.deepEqual(servicesForPod(pod('shop', false), all).map((s) => s.metadata?.name), ['kubernetes']);
  });

  it('writes the variables as upstream names them', () => {
    const env = serviceEnv(servicesForPod(pod('shop'), all));
    const cases: [string, string][] = [
      ['KUBERNETES_SERVICE_HOST', '10.43.0.1'],
      ['KUBERNETES_SERVICE_PORT', '443'],
      ['KUBERNETES_SERVICE_PORT_HTTPS', '443'],
      ['KUBERNETES_PORT', 'tcp://10.43.0.1:443'],
      ['KUBERNETES_PORT_443_TCP_ADDR', '10.43.0.1'],
      ['MY_DB_SERVICE_HOST', '10.43.0.20'],
      ['MY_DB_SERVICE_PORT', '5432'],
      ['MY_DB_SERVICE_PORT_METRICS_PORT', '9100'],
      ['MY_DB_PORT', 'tcp://10.43.0.20:5432'],
      ['MY_DB_PORT_9100_UDP', 'udp://10.43.0.20:9100'],
      ['MY_DB_PORT_9100_UDP_PROTO', 'udp'],
      ['MY_DB_PORT_9100_UDP_PORT', '9100'],
    ];
    for (const [k, v] of cases) assert.equal(env[k], v, k);
    assert.equal(env.HEADLESS_SERVICE_HOST, undefined);
  });
});

describe('resourceFieldRef', () => {
  const pod: Pod = {
    metadata: { namespace: 'd', name: 'p' },
    spec: {
      containers: [
        { name: 'app', resources: { limits: { cpu: '1500m', memory: '64Mi' }, requests: { cpu: '250m', memory: '32Mi' } } },
        { name: 'bare' },
      ],
    },
  };
  const [app, bare] = pod.spec!.containers;
  const allocatable = { cpu: '4', memory: '8Gi' };
  const cases: [string, typeof app, string, string | undefined, string][] = [
    ['cpu limit in cores rounds up', app!, 'limits.cpu', undefined, '2'],
    ['cpu limit in millicores', app!, 'limits.cpu', '1m', '1500'],
    ['memory limit in bytes', app!, 'limits.memory', undefined, String(64 * 1024 * 1024)],
    ['memory limit in Mi', app!, 'limits.memory', '1Mi', '64'],
    ['cpu request', app!, 'requests.cpu', '1m', '250'],
    ['unset limit is node allocatable', bare!, 'limits.cpu', undefined, '4'],
    ['unset memory limit is node allocatable', bare!, 'limits.memory', '1Gi', '8'],
    ['unset request is 0', bare!, 'requests.memory', undefined, '0'],
  ];
  for (const [name, c, resource, divisor, want] of cases) {
    it(name, () => assert.equal(resourceFieldValue(pod, c, { resource, divisor }, allocatable), want));
  }
  it('names another container', () => assert.equal(resourceFieldValue(pod, bare!, { resource: 'limits.memory', containerName: 'app', divisor: '1Mi' }, allocatable), '64'));
  it('refuses unknown resources', () => assert.throws(() => resourceFieldValue(pod, app!, { resource: 'limits.gpu' }), /unsupported container resource/));
});

describe('grpc probe', () => {
  let server: Http2Server;
  let port = 0;
  let answer = 1;
  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        // Answer with the status asked for by the service name ("" -> the default answer).
        const asked = body.length > 7 ? body.subarray(7).toString() : '';
        const status = asked === 'down' ? 2 : answer;
        res.writeHead(200, { 'content-type': 'application/grpc' });
        res.addTrailers({ 'grpc-status': '0' });
        res.end(Buffer.from([0, 0, 0, 0, 2, 0x08, status]));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());

  it('encodes requests and decodes responses', () => {
    assert.deepEqual([...encodeHealthCheckRequest('')], [0, 0, 0, 0, 0]);
    assert.deepEqual([...encodeHealthCheckRequest('ab')], [0, 0, 0, 0, 4, 0x0a, 2, 0x61, 0x62]);
    assert.equal(decodeHealthCheckResponse(Buffer.from([0, 0, 0, 0, 2, 0x08, 1])), 1);
    assert.equal(decodeHealthCheckResponse(Buffer.from([0, 0, 0, 0, 0])), 0);
  });
  it('SERVING succeeds', async () => assert.deepEqual(await grpcAction({ port }, '127.0.0.1', 1000), { ok: true }));
  it('NOT_SERVING fails with upstream\'s message', async () => {
    const r = await grpcAction({ port, service: 'down' }, '127.0.0.1', 1000);
    assert.deepEqual(r, { ok: false, message: 'service unhealthy (responded with "NOT_SERVING")' });
  });
  it('a closed port fails', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const p = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const r = await grpcAction({ port: p }, '127.0.0.1', 1000);
    assert.equal(r.ok, false);
  });
});

class RecordingRuntime extends FakeRuntime {
  readonly configs = new Map<string, ContainerConfig>();
  /** Sandboxes of pods with these names cannot be created (a broken network, say). */
  readonly failSandboxes = new Set<string>();
  override async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    if (this.failSandboxes.has(config.metadata.name)) throw new Error('network setup failed: no route');
    return super.runPodSandbox(config);
  }
  override async createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string> {
    const id = await super.createContainer(podSandboxId, config, sandboxConfig);
    this.configs.set(id, config);
    return id;
  }
}

describe('hooks and variables through the kubelet (fake runtime)', () => {
  const NODE = 'node-h';
  let cp: ControlPlane;
  let runtime: RecordingRuntime;
  const ac = new AbortController();
  let running: Promise<void>;
  const execs: string[] = [];

  before(async () => {
    cp = await startControlPlane();
    runtime = new RecordingRuntime('10.42.0.9');
    runtime.execHandler = (_id, cmd) => {
      execs.push(cmd.join(' '));
      return { stdout: Buffer.alloc(0), stderr: Buffer.from('nope'), exitCode: cmd.includes('fail') ? 1 : 0 };
    };
    await cp.client.resource<Service>(SERVICES).create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'backend', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 8080 }] } });
    const kubelet = new Kubelet({ client: cp.client, runtime, logger: silentLogger, nodeName: NODE, hostIP: '192.0.2.11', logRoot: '/tmp/kubets-test-logs', resyncMs: 200 });
    running = kubelet.start(ac.signal);
  });
  after(async () => {
    ac.abort();
    await running;
    await cp.stop();
  });

  const pods = () => cp.client.resource<Pod>(PODS);
  const create = (name: string, container: Partial<Container>) =>
    pods().create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: NODE, terminationGracePeriodSeconds: 5, containers: [{ name: 'app', image: 'x', command: ['sleep', '3600'], ...container }] } });
  const uidOf = async (name: string) => (await pods().get('default', name)).metadata!.uid!;
  const events = async (reason: string) => (await cp.client.resource<Event>(EVENTS).list('default')).items.filter((e) => e.reason === reason);

  it('gives containers service variables and resourceFieldRef values', async () => {
    await create('env', { resources: { limits: { memory: '16Mi' } }, env: [{ name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } }] });
    const uid = await uidOf('env');
    const config = await waitFor(() => [...runtime.configs.values()].find((c) => c.labels['io.kubernetes.pod.uid'] === uid), 5000, 'container created');
    const env = Object.fromEntries(config.envs.map((e) => [e.key, e.value]));
    assert.equal(env.MEM, '16');
    const backend = await cp.client.resource<Service>(SERVICES).get('default', 'backend');
    assert.ok(backend.spec?.clusterIP, 'the API server gave the service an IP');
    assert.equal(env.BACKEND_SERVICE_HOST, backend.spec.clusterIP);
    assert.equal(env.BACKEND_SERVICE_PORT_HTTP, '8080');
  });

  it('a sandbox that cannot be created: one FailedCreatePodSandBox event, ContainerCreating, then Running once it can', async () => {
    runtime.failSandboxes.add('nosandbox');
    await create('nosandbox', {});
    const [ev] = await waitFor(async () => { const e = await events('FailedCreatePodSandBox'); return e.length ? e : undefined; }, 5000, 'FailedCreatePodSandBox event');
    assert.equal(ev!.message, 'Failed to create pod sandbox: network setup failed: no route');
    const waiting = await waitFor(async () => (await pods().get('default', 'nosandbox')).status?.containerStatuses?.[0]?.state?.waiting, 5000, 'a container status');
    assert.equal(waiting.reason, 'ContainerCreating');
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal((await events('FailedCreatePodSandBox')).length, 1, 'the same failure is recorded once');
    runtime.failSandboxes.delete('nosandbox');
    await waitFor(async () => ((await pods().get('default', 'nosandbox')).status?.phase === 'Running' ? true : undefined), 8000, 'Running after the retry');
  });

  it('a failing postStart hook records FailedPostStartHook and kills the container', async () => {
    await create('post', { lifecycle: { postStart: { exec: { command: ['sh', '-c', 'fail'] } } } });
    const uid = await uidOf('post');
    const [ev] = await waitFor(async () => { const e = await events('FailedPostStartHook'); return e.length ? e : undefined; }, 5000, 'FailedPostStartHook event');
    assert.match(ev!.message!, /^Exec lifecycle hook \(\["sh","-c","fail"\]\) for Container "app" in Pod "post_default\(.+\)" failed - error: command .* exited with 1/);
    const first = await waitFor(async () => (await runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': uid } })).find((c) => c.metadata.attempt === 0 && c.state === 'CONTAINER_EXITED'), 5000, 'first attempt killed');
    assert.ok(runtime.calls.includes(`stopContainer ${first.id} 5`), 'killed with the pod\'s grace period');
  });

  it('preStop runs before the container is stopped, with what remains of the grace period', async () => {
    await create('pre', { lifecycle: { preStop: { exec: { command: ['echo', 'bye'] } } } });
    const uid = await uidOf('pre');
    const c = await waitFor(async () => (await runtime.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': uid }, state: 'CONTAINER_RUNNING' }))[0], 5000, 'running');
    const before = runtime.calls.length;
    await pods().delete('default', 'pre');
    await waitFor(async () => {
      try {
        await pods().get('default', 'pre');
        return false;
      } catch (e) {
        return isNotFound(e);
      }
    }, 8000, 'pod gone');
    const later = runtime.calls.slice(before);
    const exec = later.indexOf(`execSync ${c.id} echo bye`);
    const stop = later.findIndex((x) => x.startsWith(`stopContainer ${c.id} `));
    assert.ok(execs.includes('echo bye'), 'preStop command ran');
    assert.ok(exec >= 0 && stop > exec, `preStop before stop: ${later.join(', ')}`);
    assert.match(later[stop]!, / [2-5]$/, 'SIGTERM gets the remaining grace (>= 2 s)');
  });
});

describe('cgroup settings from container resources', () => {
  const cases: [string, Container['resources'], ReturnType<typeof linuxResources>][] = [
    ['nothing set: minimal shares, no limits', undefined, { cpuShares: 2 }],
    ['request only', { requests: { cpu: '250m' } }, { cpuShares: 256 }],
    ['limits: quota over 100 ms and memory', { limits: { cpu: '1500m', memory: '64Mi' } }, { cpuShares: 1536, cpuPeriod: 100_000, cpuQuota: 150_000, memoryLimitInBytes: 64 * 1024 * 1024 }],
    ['a tiny cpu limit gets the 1 ms minimum quota', { limits: { cpu: '1m' } }, { cpuShares: 2, cpuPeriod: 100_000, cpuQuota: 1000 }],
  ];
  for (const [name, resources, want] of cases) it(name, () => assert.deepEqual(linuxResources({ name: 'c', resources }), want));
});
