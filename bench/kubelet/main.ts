// Kubelet benchmark: pod startup latency on `kubets server`'s own node with the process runtime.
// A server child process (scheduler, kubelet, memory storage) gets N pods running `sleep` created
// at once over HTTPS; a watch records when each pod is Running and when it is Ready. Prints
// p50/p99 of create -> Running and create -> Ready beside upstream's pod startup SLO (p99 <= 5 s)
// and kubets' target (p99 < 1 s). Not a test: it prints figures. `--pods=N` (default 100).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { ApiClient } from '../../src/client/client.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { NAMESPACES, NODES, PODS } from '../../src/client/resources.js';
import { httpsTransport } from '../../src/client/transport.js';
import { defaultBridgeName } from '../../src/kubelet/runtime/process/bridge-network.js';

const here = dirname(fileURLToPath(import.meta.url));
const KUBETS_BIN = resolve(here, '../../src/cli/main.js');

async function startServer(dataDir: string): Promise<ChildProcess> {
  const nodeArgs = (process.env.KUBETS_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const args = [...nodeArgs, KUBETS_BIN, 'server', '--data-dir', dataDir, '--port', '0', '--bind-address', '127.0.0.1', '--no-merge-kubeconfig', '--datastore', 'memory', '--kubelet-port', '0'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: dataDir } });
  let out = '';
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`kubets server did not start:\n${out}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/serving the Kubernetes API at/.test(out)) {
        clearTimeout(timer);
        ok();
      }
    });
    child.once('exit', (code) => fail(new Error(`kubets server exited with ${code}:\n${out}`)));
  });
  return child;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
};

async function main(): Promise<number> {
  const arg = process.argv.find((a) => a.startsWith('--pods='));
  const n = arg ? Number(arg.slice('--pods='.length)) : 100;
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write('usage: node dist/bench/kubelet/main.js [--pods=N]\n');
    return 2;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'kubets-bench-kubelet-'));
  const child = await startServer(dataDir);
  const client = new ApiClient(httpsTransport(loadKubeconfig(join(dataDir, 'kubeconfig.yaml'))));
  const ac = new AbortController();
  try {
    // Wait for the local node to be Ready.
    for (let i = 0; i < 100; i++) {
      const items = (await client.resource<Node>(NODES).list('')).items;
      if (items.some((x) => x.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
    const created = new Map<string, number>();
    const running = new Map<string, number>();
    const ready = new Map<string, number>();
    const watching = (async () => {
      for await (const e of client.resource<Pod>(PODS).watch('bench', { signal: ac.signal })) {
        const p = e.object as Pod;
        const name = p.metadata?.name ?? '';
        if (p.status?.phase === 'Running' && !running.has(name)) running.set(name, Date.now());
        if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && !ready.has(name)) ready.set(name, Date.now());
      }
    })().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    process.stdout.write(`creating ${n} pods (sleep 3600) ...\n`);
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const name = `p-${i}`;
        created.set(name, Date.now());
        await client.resource<Pod>(PODS).create({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace: 'bench' },
          spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }] },
        });
      }),
    );
    const deadline = Date.now() + 60_000;
    let shown = -1;
    while (ready.size < n && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      if (ready.size !== shown) process.stdout.write(`    ... ${(shown = ready.size)}/${n} ready\n`);
    }
    const lat = (m: Map<string, number>) => [...m].map(([k, t]) => t - created.get(k)!);
    const r = lat(running);
    const rd = lat(ready);
    const fmt = (xs: number[]) => `p50 ${quantile(xs, 0.5)} ms, p99 ${quantile(xs, 0.99)} ms`;
    const sample = (await client.resource<Pod>(PODS).get('bench', 'p-0')).status?.podIP;
    process.stdout.write(`pod network: ${sample} (p-0's IP)\n`);
    process.stdout.write(`pods Running: ${running.size}/${n}; create -> Running ${fmt(r)}\n`);
    process.stdout.write(`pods Ready:   ${ready.size}/${n}; create -> Ready   ${fmt(rd)}\n`);
    process.stdout.write(`all ${n} Ready in ${((Math.max(...ready.values()) - started) / 1000).toFixed(1)} s; upstream SLO p99 <= 5000 ms, kubets target p99 < 1000 ms\n`);
    return ready.size === n ? 0 : 1;
  } finally {
    ac.abort();
    client.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    // The node's bridge outlives the server (as a node's would); this one's data dir goes now.
    try {
      execFileSync('ip', ['link', 'delete', defaultBridgeName(join(dataDir, 'runtime', 'network'))], { stdio: 'ignore' });
    } catch {
      // not root, or no pod network was set up
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => (process.exitCode = code),
  (e) => {
    process.stderr.write(`bench:kubelet: ${(e as Error).message}\n`);
    process.exitCode = 1;
  },
);
