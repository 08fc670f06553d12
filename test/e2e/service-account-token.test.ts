// Service account tokens with the real kubectl (1.27 and 1.33): `kubectl create token` (the
// TokenRequest subresource), then kubectl authenticating with nothing but that token; tampered
// tokens and tokens of deleted pods are refused as upstream refuses them; and every namespace
// carries the cluster CA in kube-root-ca.crt.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KUBECTL_VERSIONS, TestCluster, until, type KubectlResult } from './harness.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
// kubectl words a 401 by the request that met it: a GET decodes the Status ("Unauthorized"), a
// discovery request (no cache yet) does not and prints client-go's generic 401 text, as against
// upstream's API server.
const UNAUTHORIZED = /^error: You must be logged in to the server \((Unauthorized|the server has asked for the client to provide credentials)\)$/;
/** kubectl's last word (discovery's failures are logged before it, as against any cluster). */
const lastLine = (stderr: string) => stderr.trim().split('\n').pop() ?? '';

describe('service account tokens with kubectl', () => {
  let c: TestCluster;
  let caFile: string;
  let emptyKubeconfig: string;

  before(async () => {
    c = await TestCluster.start({ datastore: 'memory' });
    caFile = join(c.dataDir, 'tls', 'ca.crt');
    // kubectl must not find the admin's client certificate: that would authenticate first.
    emptyKubeconfig = join(c.dataDir, 'empty-kubeconfig.yaml');
    writeFileSync(emptyKubeconfig, 'apiVersion: v1\nkind: Config\n');
    await c.kubectlOk(['create', 'serviceaccount', 'robot']);
  });

  after(async () => {
    await c.stop();
  });

  /** kubectl with only a token, the server and its CA. */
  const withToken = (version: string, token: string, args: string[]): Promise<KubectlResult> =>
    new Promise((resolve) => {
      execFile(
        KUBECTL_VERSIONS[version]!,
        ['--kubeconfig', emptyKubeconfig, '--cache-dir', join(c.dataDir, `token-cache-${version}`), `--token=${token}`, `--server=${c.url}`, `--certificate-authority=${caFile}`, ...args],
        { timeout: 30_000, env: { ...process.env, HOME: c.dataDir, KUBECONFIG: '' } },
        (err, stdout, stderr) => resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr }),
      );
    });
  const payload = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

  for (const version of ['1.27', '1.33']) {
    describe(`kubectl ${version}`, () => {
      const ok = (args: string[]) => c.kubectlOk(args, { version });

      it('creates a token that kubectl can use alone, and refuses a tampered one', async () => {
        const token = (await ok(['create', 'token', 'robot'])).trim();
        const claims = payload(token);
        assert.equal(claims.sub, 'system:serviceaccount:default:robot');
        assert.deepEqual(claims.aud, [ISSUER]);
        assert.equal(claims.exp - claims.iat, 3600);
        const [h, p, s] = token.split('.') as [string, string, string];
        const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url');
        const [listed, sa, ...refused] = await Promise.all([
          withToken(version, token, ['get', 'pods']),
          withToken(version, token, ['get', 'serviceaccount', 'robot', '-o', 'jsonpath={.metadata.name}']),
          withToken(version, `${h}.${forged}.${s}`, ['get', 'pods']),
          withToken(version, `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`, ['get', 'pods']),
        ]);
        assert.equal(listed.code, 0, listed.stderr);
        assert.match(listed.stderr, /No resources found in default namespace/);
        assert.equal(sa.stdout, 'robot');
        for (const r of refused) {
          assert.equal(r.code, 1);
          assert.match(lastLine(r.stderr), UNAUTHORIZED);
        }
      });

      it('passes audience and duration through, and reports the server refusing them', async () => {
        const [created, short, missing] = await Promise.all([
          ok(['create', 'token', 'robot', '--audience=vault', '--duration=20m']),
          c.kubectl(['create', 'token', 'robot', '--duration=5m'], { version }),
          c.kubectl(['create', 'token', 'ghost'], { version }),
        ]);
        const token = created.trim();
        const claims = payload(token);
        assert.deepEqual(claims.aud, ['vault']);
        assert.equal(claims.exp - claims.iat, 1200);
        assert.equal(short.code, 1);
        assert.match(short.stderr, /failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes/);
        assert.match(missing.stderr, /failed to create token: serviceaccounts "ghost" not found/);
        // A token for another audience does not open the API server.
        assert.match(lastLine((await withToken(version, token, ['get', 'pods'])).stderr), UNAUTHORIZED);
      });

      it('binds a token to a pod, which stops working once the pod is gone', async () => {
        const pod = `holder-${version.replace('.', '-')}`;
        await c.kubectlOk(['create', '-f', '-'], {
          version,
          stdin: JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: pod }, spec: { serviceAccountName: 'robot', containers: [{ name: 'c', image: 'busybox' }] } }),
        });
        const token = (await ok(['create', 'token', 'robot', '--bound-object-kind=Pod', `--bound-object-name=${pod}`])).trim();
        assert.equal(payload(token)['kubernetes.io'].pod.name, pod);
        await ok(['delete', 'pod', pod, '--grace-period=0', '--force']);
        const r = await withToken(version, token, ['get', 'pods']);
        assert.equal(r.code, 1);
        assert.match(lastLine(r.stderr), UNAUTHORIZED);
      });
    });
  }

  it('publishes the cluster CA in every namespace and puts it back when deleted', async () => {
    const ca = readFileSync(caFile, 'utf8');
    const caOf = (ns: string) => c.kubectl(['get', 'configmap', 'kube-root-ca.crt', '-n', ns, '-o', 'jsonpath={.data.ca\\.crt}']).then((r) => r.stdout);
    await Promise.all(['default', 'kube-system'].map(async (ns) => assert.equal(await until(() => caOf(ns), `${ns}/kube-root-ca.crt`, 10_000), ca)));
    await c.kubectlOk(['create', 'namespace', 'fresh']);
    assert.equal(await until(() => caOf('fresh'), 'fresh/kube-root-ca.crt', 10_000), ca);
    const description = await c.kubectlOk(['get', 'configmap', 'kube-root-ca.crt', '-n', 'fresh', '-o', 'jsonpath={.metadata.annotations.kubernetes\\.io/description}']);
    assert.match(description, /^Contains a CA bundle that can be used to verify the kube-apiserver/);
    await c.kubectlOk(['delete', 'configmap', 'kube-root-ca.crt', '-n', 'fresh']);
    assert.equal(await until(() => caOf('fresh'), 'kube-root-ca.crt recreated', 10_000), ca);
  });
});
