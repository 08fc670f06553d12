// The start-up contract: embedded defaults, certificates and kubeconfig written (and merged into
// ~/.kube/config), health endpoints, a clean SIGTERM, and a restart that keeps everything.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KUBECTL_VERSIONS, KUBETS_BIN, TestCluster } from './harness.js';

function run(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(bin, args, { env, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('kubets server start-up contract', () => {
  it('keeps certificates and objects across a restart and exits 0 on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kubets-life-'));
    try {
      let c = await TestCluster.start({ dataDir });
      const caBefore = readFileSync(join(dataDir, 'tls', 'ca.crt'), 'utf8');
      await c.kubectlOk(['create', 'namespace', 'kept']);
      await c.kubectlOk(['create', 'configmap', 'kept', '-n', 'kept', '--from-literal=a=b']);
      const rv = await c.kubectlOk(['get', 'cm', 'kept', '-n', 'kept', '-o', 'jsonpath={.metadata.resourceVersion}']);
      assert.equal(await c.stop({ keepData: true }), 0);
      assert.match(c.output.stdout, /kubets: stopped/);

      c = await TestCluster.start({ dataDir });
      assert.doesNotMatch(c.output.stdout, /wrote .*ca\.crt/, 'the CA is reused, not written again');
      assert.equal(readFileSync(join(dataDir, 'tls', 'ca.crt'), 'utf8'), caBefore);
      assert.equal(await c.kubectlOk(['get', 'cm', 'kept', '-n', 'kept', '-o', 'jsonpath={.data.a}']), 'b');
      assert.equal(await c.kubectlOk(['get', 'cm', 'kept', '-n', 'kept', '-o', 'jsonpath={.metadata.resourceVersion}']), rv);
      for (const path of ['/livez', '/readyz', '/healthz']) assert.equal(await c.kubectlOk(['get', '--raw', path]), 'ok');
      assert.equal(await c.stop({ keepData: true }), 0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('merges a "kubets" context into ~/.kube/config, keeping other entries', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kubets-home-'));
    const kubeDir = join(home, '.kube');
    mkdirSync(kubeDir);
    writeFileSync(
      join(kubeDir, 'config'),
      'apiVersion: v1\nkind: Config\nclusters:\n- name: other\n  cluster:\n    server: https://other.invalid:6443\ncontexts:\n- name: other\n  context:\n    cluster: other\n    user: other\nusers:\n- name: other\n  user:\n    token: abc\ncurrent-context: other\n',
    );
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [KUBETS_BIN, 'server', '--data-dir', join(home, 'data'), '--port', '0', '--bind-address', '127.0.0.1', '--disable-agent'], {
      env: { ...process.env, HOME: home, KUBECONFIG: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      const started = Date.now();
      while (!/serving the Kubernetes API/.test(out)) {
        assert.ok(Date.now() - started < 20_000, `server did not start: ${out}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.match(out, new RegExp(`wrote ${join(kubeDir, 'config').replace(/[.]/g, '\\.')}`));
      const env = { ...process.env, HOME: home, KUBECONFIG: '' };
      const ctx = await run(KUBECTL_VERSIONS['1.33']!, ['config', 'current-context'], env);
      assert.equal(ctx.stdout.trim(), 'kubets');
      const contexts = await run(KUBECTL_VERSIONS['1.33']!, ['config', 'get-contexts', '-o', 'name'], env);
      assert.deepEqual(contexts.stdout.trim().split('\n').sort(), ['kubets', 'other']);
      const ns = await run(KUBECTL_VERSIONS['1.33']!, ['get', 'ns', 'default', '-o', 'name', '--cache-dir', join(home, 'cache')], env);
      assert.equal(ns.stdout.trim(), 'namespace/default', ns.stderr);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('refuses bad flags with one line and exit code 2', async () => {
    const r = await run(process.execPath, [KUBETS_BIN, 'server', '--datastore', 'postgres'], process.env);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /--datastore must be "sqlite" or "memory", not "postgres"/);
    const unknown = await run(process.execPath, [KUBETS_BIN, 'server', '--frobnicate'], process.env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown option '--frobnicate'/);
    const cidr = await run(process.execPath, [KUBETS_BIN, 'server', '--cluster-cidr', '10.42.0.0/25'], process.env);
    assert.equal(cidr.code, 2);
    assert.match(cidr.stderr, /--cluster-cidr must be an IPv4 CIDR of \/24 or wider, not "10\.42\.0\.0\/25"/);
  });

  it('refuses a corrupt data file with one line naming it, and changes nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kubets-corrupt-'));
    try {
      mkdirSync(join(dataDir, 'db'));
      const file = join(dataDir, 'db', 'state.db');
      writeFileSync(file, 'this is not a database at all, not even close');
      const r = await run(process.execPath, [KUBETS_BIN, 'server', '--data-dir', dataDir, '--port', '0', '--no-merge-kubeconfig'], { ...process.env, HOME: dataDir });
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`cannot open storage file ${file.replace(/[.]/g, '\\.')}`));
      assert.equal(readFileSync(file, 'utf8'), 'this is not a database at all, not even close');
      assert.ok(!existsSync(join(dataDir, 'kubeconfig.yaml')));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
