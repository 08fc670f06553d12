// Starts a real `kubets server` (the built CLI, as a child process) on a free port with a fresh
// data directory, and drives it with the real kubectl binaries installed on the machine.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { createServer, type AddressInfo } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { ApiClient } from '../../src/client/client.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { httpsTransport } from '../../src/client/transport.js';
import { defaultBridgeName } from '../../src/kubelet/runtime/process/bridge-network.js';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/src/cli/main.js, next to this compiled file's dist/test/e2e. */
export const KUBETS_BIN = resolve(here, '../../src/cli/main.js');

export const KUBECTL_VERSIONS: Record<string, string> = {
  '1.27': '/usr/lib/google-cloud-sdk/bin/kubectl.1.27',
  '1.33': '/usr/lib/google-cloud-sdk/bin/kubectl.1.33',
};

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface TestClusterOptions {
  datastore?: 'sqlite' | 'memory';
  dataDir?: string;
  extraArgs?: string[];
  /** Run the server's local node (kubelet); without it tests bring Node objects or a simulated node. */
  agent?: boolean;
  /** The pods' range (--cluster-cidr); with `agent`, a random 10.x.0.0/16 unless given, kept across restarts. */
  clusterCidr?: string;
  /** The services' range (--service-cidr); with `agent`, the upper half of the random 10.x.0.0/16 unless given. */
  serviceCidr?: string;
}

export class TestCluster {
  private constructor(
    readonly dataDir: string,
    readonly url: string,
    readonly kubeconfig: string,
    private readonly child: ChildProcess,
    readonly output: { stdout: string; stderr: string },
    private readonly startOpts: TestClusterOptions = {},
  ) {}

  static async start(opts: TestClusterOptions = {}): Promise<TestCluster> {
    const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'kubets-e2e-'));
    // Servers of tests running side by side must not give their nodes the same pod subnet (each
    // node's bridge routes its podCIDR).
    // Their service proxies program the same kernel: their service ranges must differ too. Names
    // outside the cluster go to a resolver on loopback (never to the machine's real resolvers).
    if (opts.agent) {
      const x = 100 + Math.floor(Math.random() * 120);
      opts = { ...opts, clusterCidr: opts.clusterCidr ?? `10.${x}.0.0/17`, serviceCidr: opts.serviceCidr ?? `10.${x}.128.0/17` };
      if (!existsSync(join(dataDir, 'resolv.conf'))) writeFileSync(join(dataDir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
    }
    const args = [
      KUBETS_BIN,
      'server',
      '--data-dir',
      dataDir,
      '--port',
      '0',
      '--bind-address',
      '127.0.0.1',
      '--no-merge-kubeconfig',
      '--datastore',
      opts.datastore ?? 'sqlite',
      ...(opts.agent
        ? ['--kubelet-port', '0', '--cluster-cidr', opts.clusterCidr!, '--service-cidr', opts.serviceCidr!, ...(opts.extraArgs?.includes('--resolv-conf') ? [] : ['--resolv-conf', join(dataDir, 'resolv.conf')])]
        : ['--disable-agent']),
      ...(opts.extraArgs ?? []),
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: dataDir } });
    const output = { stdout: '', stderr: '' };
    child.stdout!.on('data', (d) => (output.stdout += d));
    child.stderr!.on('data', (d) => (output.stderr += d));
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`kubets server did not start in 20 s:\n${output.stdout}\n${output.stderr}`)), 20_000);
      const check = () => {
        const m = /serving the Kubernetes API at (https:\/\/\S+)/.exec(output.stdout);
        if (m) {
          clearTimeout(timer);
          resolveUrl(m[1]!);
        }
      };
      child.stdout!.on('data', check);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`kubets server exited with ${code}:\n${output.stdout}\n${output.stderr}`));
      });
    });
    return new TestCluster(dataDir, url, join(dataDir, 'kubeconfig.yaml'), child, output, { ...opts, dataDir });
  }

  /** Runs kubectl (default: the newest) against this cluster with a fresh discovery cache. */
  kubectl(args: string[], opts: { version?: string; stdin?: string; timeoutMs?: number } = {}): Promise<KubectlResult> {
    const bin = opts.version ? KUBECTL_VERSIONS[opts.version]! : KUBECTL_VERSIONS['1.33']!;
    const cacheDir = join(this.dataDir, `kubectl-cache-${opts.version ?? '1.33'}`);
    return new Promise((resolveRun) => {
      const child = execFile(
        bin,
        ['--kubeconfig', this.kubeconfig, '--cache-dir', cacheDir, ...args],
        { timeout: opts.timeoutMs ?? 30_000, env: { ...process.env, HOME: this.dataDir, KUBECONFIG: '' }, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
          resolveRun({ code, stdout, stderr });
        },
      );
      if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
      else child.stdin!.end();
    });
  }

  /** kubectl that must succeed: returns stdout, throws with stderr otherwise. */
  async kubectlOk(args: string[], opts: { version?: string; stdin?: string } = {}): Promise<string> {
    const r = await this.kubectl(args, opts);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  /** Spawns a long-running kubectl (e.g. get -w); the caller kills it. */
  kubectlSpawn(args: string[], version = '1.33'): ChildProcess {
    return spawn(KUBECTL_VERSIONS[version]!, ['--kubeconfig', this.kubeconfig, '--cache-dir', join(this.dataDir, `kubectl-cache-${version}`), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: this.dataDir, KUBECONFIG: '' },
    });
  }

  /** kubets' own API client over HTTPS with the cluster's kubeconfig (close() when done). */
  client(): ApiClient {
    return new ApiClient(httpsTransport(loadKubeconfig(this.kubeconfig)));
  }

  /** Raw HTTPS requests as the admin user (keep-alive; close() when done). */
  http() {
    const cfg = parseYaml(readFileSync(this.kubeconfig, 'utf8'));
    const b64 = (v: string) => Buffer.from(v, 'base64');
    const agent = new Agent({
      keepAlive: true,
      maxSockets: 16,
      ca: b64(cfg.clusters[0].cluster['certificate-authority-data']),
      cert: b64(cfg.users[0].user['client-certificate-data']),
      key: b64(cfg.users[0].user['client-key-data']),
    });
    const url = new URL(this.url);
    const send = (method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<HttpReply> =>
      new Promise((resolve, reject) => {
        const length = body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) };
        const req = request({ host: url.hostname, port: url.port, method, path, agent, headers: { ...length, ...headers } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        });
        req.on('error', reject);
        req.end(body);
      });
    return { send, close: () => agent.destroy() };
  }

  /** Stops the server with `signal` (SIGKILL: as a crash) and starts it again on the same data. */
  async restart(opts: { signal?: NodeJS.Signals } = {}): Promise<TestCluster> {
    const exited = new Promise<void>((r) => (this.child.exitCode !== null ? r() : this.child.once('exit', () => r())));
    this.child.kill(opts.signal ?? 'SIGTERM');
    await exited;
    return TestCluster.start(this.startOpts);
  }

  async stop(opts: { keepData?: boolean } = {}): Promise<number | null> {
    const exited = new Promise<number | null>((r) => {
      if (this.child.exitCode !== null) return r(this.child.exitCode);
      this.child.once('exit', (code) => r(code));
    });
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    const code = await exited;
    clearTimeout(timer);
    if (!opts.keepData && existsSync(this.dataDir)) {
      if (this.startOpts.agent) removePodNetwork(join(this.dataDir, 'runtime', 'network'));
      rmSync(this.dataDir, { recursive: true, force: true });
    }
    return code;
  }
}

/** Removes what a stopped server's node left in the kernel: its pods' network namespaces and its bridge. */
export function removePodNetwork(networkStateDir: string): void {
  const bridge = defaultBridgeName(networkStateDir);
  const run = (args: string[]) => {
    try {
      return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return '';
    }
  };
  for (const line of run(['netns', 'list']).split('\n')) {
    const name = line.split(' ')[0];
    if (name?.startsWith(`${bridge}-`)) run(['netns', 'delete', name]);
  }
  run(['link', 'delete', bridge]);
  // The service proxy's nftables table has the bridge's name; the pods' egress masquerade, <bridge>-egress.
  for (const table of [bridge, `${bridge}-egress`]) {
    try {
      execFileSync('nft', ['delete', 'table', 'ip', table], { stdio: 'ignore' });
    } catch {
      // none (no nft, or the proxy ran in userspace mode)
    }
  }
}

/** A TCP port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Polls `check` every 50 ms until it returns something truthy; throws naming `what` after the timeout. */
export async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
