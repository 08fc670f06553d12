// Controller benchmark: N Deployments of R replicas created through the API of a real
// `kubets server` child process (controllers inside it); a fake node in this process binds the
// pods and reports them Running and Ready. Measures the time until every Deployment is available
// (pods created/s end to end), then a rolling update of all of them (pods replaced/s), and the
// controllers' work-queue latency (p50/p99 from the server's /metrics).
// Not a test: it prints figures. `npm run bench:controllers`; `--quick` for a smoke run; `--help`.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import { ApiClient } from '../../src/client/client.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { DEPLOYMENTS, NAMESPACES } from '../../src/client/resources.js';
import { httpsTransport } from '../../src/client/transport.js';
import { parseBenchOptions, type BenchDatastore } from '../common/options.js';
import { FakeNode } from '../../src/simulated-node/fake-node.js';
import { parseHistograms, quantile, since, type Histogram } from './metrics.js';

const here = dirname(fileURLToPath(import.meta.url));
const KUBETS_BIN = resolve(here, '../../src/cli/main.js');
const TARGET_PODS_PER_S = 500;

const USAGE = `Usage: node dist/bench/controllers/main.js [--quick] [--deployments=N] [--replicas=N] [--datastores=memory,sqlite] [--tmp-dir=DIR]
  Creates N Deployments of R replicas (default 1000 x 10; --quick 20 x 5), waits until all are
  available, rolls all of them, and prints pods/s and work-queue latency per datastore.`;

interface Sizes extends Record<string, number> {
  deployments: number;
  replicas: number;
}

async function startServer(dataDir: string, datastore: BenchDatastore): Promise<{ child: ChildProcess; kubeconfig: string }> {
  // KUBETS_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server.
  const nodeArgs = (process.env.KUBETS_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const args = [...nodeArgs, KUBETS_BIN, 'server', '--data-dir', dataDir, '--port', '0', '--bind-address', '127.0.0.1', '--no-merge-kubeconfig', '--datastore', datastore, '--disable-scheduler', '--disable-agent'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: dataDir } });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`kubets server did not start:\n${out}\n${err}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/serving the Kubernetes API at/.test(out)) {
        clearTimeout(timer);
        ok();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`kubets server exited with ${code}:\n${out}\n${err}`));
    });
  });
  return { child, kubeconfig: join(dataDir, 'kubeconfig.yaml') };
}

function deployment(i: number, replicas: number): Deployment {
  const labels = { app: `bench-${i}` };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `bench-${i}`, namespace: 'bench' },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'registry.local/app:1' }] } },
    },
  };
}

async function inBatches<T>(items: T[], concurrency: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** Waits until `done()` holds, printing progress every 2 s. */
async function until(done: () => boolean, progress: () => string, timeoutMs: number): Promise<void> {
  const started = performance.now();
  let lastPrint = started;
  while (!done()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out: ${progress()}`);
    if (performance.now() - lastPrint > 2000) {
      process.stderr.write(`    ... ${progress()}\n`);
      lastPrint = performance.now();
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function scrapeQueues(client: ApiClient): Promise<Map<string, Histogram>> {
  const res = await client.stream({ method: 'GET', path: '/metrics', accept: 'text/plain' });
  let text = '';
  for await (const chunk of res) text += (chunk as Buffer).toString('utf8');
  return parseHistograms(text, 'workqueue_queue_duration_seconds');
}

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

async function benchDatastore(datastore: BenchDatastore, sizes: Sizes, root: string): Promise<void> {
  const dataDir = mkdtempSync(join(root, `${datastore}-`));
  process.stderr.write(`starting kubets server (${datastore})\n`);
  const { child, kubeconfig } = await startServer(dataDir, datastore);
  const client = new ApiClient(httpsTransport(loadKubeconfig(kubeconfig)));
  const abort = new AbortController();
  try {
    const node = new FakeNode(client, 'bench-node');
    await node.register();
    await node.start(abort.signal);
    await client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
    const deployments = node.informers.for<Deployment>(DEPLOYMENTS);
    await node.informers.waitForCacheSync(abort.signal);
    const { deployments: n, replicas: r } = sizes;
    const total = n * r;
    const ready = (gen: 'any' | 'rolled') =>
      deployments.store.list().filter((d) => {
        const s = d.status ?? {};
        const current = (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
        const rolled = gen === 'any' || d.spec?.template?.metadata?.annotations?.rev === '2';
        return rolled && current && s.availableReplicas === r && s.updatedReplicas === r && s.replicas === r;
      }).length;
    process.stdout.write(`\n${datastore}: ${fmt(n)} Deployments x ${r} replicas = ${fmt(total)} pods\n`);

    const q0 = await scrapeQueues(client);
    const t0 = performance.now();
    await inBatches([...Array(n).keys()], 32, (i) => client.resource<Deployment>(DEPLOYMENTS).create(deployment(i, r)));
    const createdMs = performance.now() - t0;
    await until(() => deployments.store.size === n && ready('any') === n, () => `${ready('any')}/${n} deployments available, ${node.started} pods started`, 600_000);
    const upMs = performance.now() - t0;
    const q1 = await scrapeQueues(client);

    const t1 = performance.now();
    await inBatches([...Array(n).keys()], 32, (i) =>
      client.resource<Deployment>(DEPLOYMENTS).patch('bench', `bench-${i}`, 'merge', { spec: { template: { metadata: { annotations: { rev: '2' } } } } }),
    );
    await until(() => ready('rolled') === n, () => `${ready('rolled')}/${n} deployments rolled`, 600_000);
    const rollMs = performance.now() - t1;
    const q2 = await scrapeQueues(client);

    const line = (label: string, value: string, extra = '') => process.stdout.write(`  ${label.padEnd(44)} ${value.padStart(12)}  ${extra}\n`);
    line('Deployment creates sent', `${fmt(createdMs / 1000, 1)} s`);
    line('all available (pods created end to end)', `${fmt(upMs / 1000, 1)} s`, `${fmt(total / (upMs / 1000))} pods/s (target >= ${TARGET_PODS_PER_S})`);
    line('rolling update of all (pods replaced)', `${fmt(rollMs / 1000, 1)} s`, `${fmt(total / (rollMs / 1000))} pods/s`);
    for (const [phase, a, b] of [['create', q0, q1], ['rollout', q1, q2]] as const) {
      for (const name of ['deployment', 'replicaset']) {
        const h = b.get(name);
        if (!h) continue;
        const d = since(h, a.get(name));
        line(`work queue ${name} (${phase})`, `p99 ${fmt(quantile(d, 0.99) * 1000, 1)} ms`, `p50 ${fmt(quantile(d, 0.5) * 1000, 1)} ms, ${fmt(d.count)} items`);
      }
    }
  } finally {
    abort.abort();
    client.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseBenchOptions<Sizes>(process.argv.slice(2), process.env, {
      usage: USAGE,
      full: { deployments: 1000, replicas: 10 },
      quick: { deployments: 20, replicas: 5 },
      numeric: { deployments: 'deployments', replicas: 'replicas' },
      listOption: 'datastores',
      listNoun: 'datastore',
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const root = mkdtempSync(join(opts.tmpDir ?? tmpdir(), 'kubets-bench-controllers-'));
  try {
    for (const ds of opts.datastores) await benchDatastore(ds, opts.sizes, root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return 0;
}

process.exitCode = await main();
