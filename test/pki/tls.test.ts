import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { adminKubeconfig, writeKubeconfig } from '../../src/cli/kubeconfig.js';
import { ensurePki, issueClientCertificate, userFromPeerCertificate, type Pki } from '../../src/pki/index.js';

const KUBECTL = '/usr/bin/kubectl';
const VERSION = { major: '1', minor: '33', gitVersion: 'v1.33.0' };

interface Seen {
  authorized: boolean;
  user: ReturnType<typeof userFromPeerCertificate>;
}

/** An HTTPS server on 127.0.0.1 that reports the TLS verdict and the certificate user it saw. */
async function startServer(pki: Pki, requireClientCert: boolean): Promise<{ server: https.Server; port: number }> {
  const server = https.createServer(
    { key: pki.serving.keyPem, cert: pki.serving.certPem, ca: pki.caCertPem, requestCert: true, rejectUnauthorized: requireClientCert },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      const seen: Seen = { authorized: socket.authorized, user: userFromPeerCertificate(socket.getPeerCertificate()) };
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/version')) res.end(JSON.stringify(VERSION));
      else res.end(JSON.stringify(seen));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function get(port: number, options: https.RequestOptions): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path: '/whoami', agent: false, ...options }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(JSON.parse(body) as Seen));
    });
    req.on('error', reject);
    req.end();
  });
}

function kubectl(home: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // A private HOME and no proxy or KUBECONFIG from the caller: the real ~/.kube is never read.
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, NO_PROXY: '*' };
    execFile(KUBECTL, [...args, '--cache-dir', join(home, 'cache')], { env, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('certificates over real TLS', () => {
  const root = mkdtempSync(join(tmpdir(), 'kubets-tls-'));
  let pki: Pki;
  let other: Pki;
  let server: https.Server;
  let port: number;
  before(async () => {
    pki = await ensurePki({ dir: join(root, 'pki'), ips: ['10.43.0.1'] });
    other = await ensurePki({ dir: join(root, 'other') });
    ({ server, port } = await startServer(pki, false));
  });
  after(() => {
    server.close();
    rmSync(root, { recursive: true, force: true });
  });

  const serverNames: [string, string | undefined][] = [
    ['by name localhost', 'localhost'],
    ['by name kubernetes.default.svc', 'kubernetes.default.svc'],
    ['by IP 127.0.0.1 (no SNI)', undefined],
  ];
  for (const [title, servername] of serverNames) {
    it(`verifies the server ${title} and authenticates the admin as system:masters`, async () => {
      const seen = await get(port, { ca: pki.caCertPem, cert: pki.admin.certPem, key: pki.admin.keyPem, servername, rejectUnauthorized: true });
      assert.deepEqual(seen, { authorized: true, user: { name: 'kubets-admin', groups: ['system:masters'] } });
    });
  }

  it('authenticates issued client certificates', async () => {
    const node = await issueClientCertificate(pki, { commonName: 'system:node:n1', organizations: ['system:nodes'] });
    const seen = await get(port, { ca: pki.caCertPem, cert: node.certPem, key: node.keyPem, servername: 'localhost' });
    assert.deepEqual(seen, { authorized: true, user: { name: 'system:node:n1', groups: ['system:nodes'] } });
  });

  it('fails a client that trusts another CA', async () => {
    await assert.rejects(get(port, { ca: other.caCertPem, servername: 'localhost' }), (err: NodeJS.ErrnoException) => {
      assert.match(err.code ?? '', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|CERT_SIGNATURE_FAILURE/);
      return true;
    });
  });

  it('fails a server name the certificate does not cover', async () => {
    await assert.rejects(get(port, { ca: pki.caCertPem, servername: 'not-the-api.example.test' }), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });

  it('reports no user without a client certificate, and an untrusted one as unauthorized', async () => {
    assert.deepEqual(await get(port, { ca: pki.caCertPem, servername: 'localhost' }), { authorized: false });
    const foreign = await get(port, { ca: pki.caCertPem, servername: 'localhost', cert: other.admin.certPem, key: other.admin.keyPem });
    // The subject still reads as a user: only socket.authorized says it must not be believed.
    assert.equal(foreign.authorized, false);
  });
});

describe('kubectl (Go TLS) accepts the certificates', () => {
  const root = mkdtempSync(join(tmpdir(), 'kubets-kubectl-'));
  let pki: Pki;
  let server: https.Server;
  let port: number;
  before(async () => {
    pki = await ensurePki({ dir: join(root, 'pki') });
    ({ server, port } = await startServer(pki, true));
  });
  after(() => {
    server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('kubectl get --raw /version through the written kubeconfig, client certificate required', async () => {
    const path = join(root, 'pki', 'kubeconfig.yaml');
    const config = adminKubeconfig({ server: `https://127.0.0.1:${port}`, caCertPem: pki.caCertPem, clientCertPem: pki.admin.certPem, clientKeyPem: pki.admin.keyPem });
    writeKubeconfig(path, config);
    const result = await kubectl(root, ['--kubeconfig', path, 'get', '--raw', '/version']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), VERSION);
  });

  it('kubectl refuses the server when the kubeconfig trusts another CA', async () => {
    const other = await ensurePki({ dir: join(root, 'other') });
    const path = join(root, 'wrong-ca.yaml');
    writeKubeconfig(path, adminKubeconfig({ server: `https://127.0.0.1:${port}`, caCertPem: other.caCertPem, clientCertPem: pki.admin.certPem, clientKeyPem: pki.admin.keyPem }));
    const result = await kubectl(root, ['--kubeconfig', path, 'get', '--raw', '/version']);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /x509: certificate signed by unknown authority/);
  });
});
