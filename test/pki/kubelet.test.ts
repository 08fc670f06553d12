import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensurePki, userFromPeerCertificate, type Pki } from '../../src/pki/index.js';
import { ensureKubeletClientCertificate, issueKubeletServingCertificate, KUBELET_CLIENT_FILES } from '../../src/pki/kubelet.js';

describe('kubelet credentials', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubets-pki-kubelet-'));
  let pki: Pki;
  before(async () => {
    pki = await ensurePki({ dir });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('issues the API server kubelet client certificate once, then reuses it', async () => {
    const first = await ensureKubeletClientCertificate(pki);
    assert.deepEqual(first.created.sort(), [join(dir, KUBELET_CLIENT_FILES.cert), join(dir, KUBELET_CLIENT_FILES.key)].sort());
    const cert = new X509Certificate(first.certPem);
    assert.ok(cert.checkIssued(new X509Certificate(pki.caCertPem)));
    assert.deepEqual(userFromPeerCertificate(cert), { name: 'kube-apiserver-kubelet-client', groups: ['kubeadm:cluster-admins'] });
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2'], 'client authentication only');

    const again = await ensureKubeletClientCertificate(pki);
    assert.deepEqual(again.created, []);
    assert.equal(again.certPem, first.certPem);
  });

  it('reissues a certificate near expiry, keeping the key', async () => {
    const keyBefore = readFileSync(join(dir, KUBELET_CLIENT_FILES.key), 'utf8');
    const later = new Date(Date.now() + 340 * 24 * 3600 * 1000);
    const renewed = await ensureKubeletClientCertificate(pki, later);
    assert.deepEqual(renewed.created, [join(dir, KUBELET_CLIENT_FILES.cert)]);
    assert.equal(renewed.keyPem, keyBefore);
  });

  it('replaces a corrupt certificate', async () => {
    writeFileSync(join(dir, KUBELET_CLIENT_FILES.cert), 'not a certificate');
    const fixed = await ensureKubeletClientCertificate(pki);
    assert.ok(new X509Certificate(fixed.certPem).checkIssued(new X509Certificate(pki.caCertPem)));
  });

  it('issues a kubelet serving certificate for the node', async () => {
    const serving = await issueKubeletServingCertificate(pki, { nodeName: 'node-a', hostnames: ['node-a.example', '10.0.0.7'] });
    const cert = new X509Certificate(serving.certPem);
    assert.ok(cert.checkIssued(new X509Certificate(pki.caCertPem)));
    assert.deepEqual(userFromPeerCertificate(cert), { name: 'system:node:node-a', groups: ['system:nodes'] });
    for (const host of ['node-a', 'node-a.example', 'localhost']) assert.equal(cert.checkHost(host), host);
    for (const ip of ['127.0.0.1', '10.0.0.7']) assert.equal(cert.checkIP(ip), ip);
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'server authentication only');
  });
});
