// Credentials between the API server and the kubelets, both signed by the cluster CA as kubeadm
// sets them up: the API server's kubelet client certificate (apiserver-kubelet-client.crt, with
// which it calls /containerLogs, /exec... and which kubelets accept), and a kubelet's serving
// certificate (CN system:node:<name>, O system:nodes, as a kubelet-serving CSR would get).
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { signCertificate, splitNames, type Subject } from './certs.js';
import { PRIVATE_FILE_MODE, PUBLIC_FILE_MODE, readOptional, writeFileAtomic } from './files.js';
import { generateSigningKey, loadSigningKey } from './keys.js';
import { RENEW_BEFORE_MS, type CertAndKey, type Pki } from './pki.js';

export const KUBELET_CLIENT_FILES = {
  cert: 'apiserver-kubelet-client.crt',
  key: 'apiserver-kubelet-client.key',
} as const;

/** kubeadm's subject for the API server's kubelet client (1.29+; earlier O=system:masters). */
export const APISERVER_KUBELET_CLIENT_SUBJECT: Subject = {
  commonName: 'kube-apiserver-kubelet-client',
  organizations: ['kubeadm:cluster-admins'],
};

export interface KubeletClientCredentials extends CertAndKey {
  /** Files written by this call (empty when the existing ones were kept). */
  created: string[];
}

/** Whether an existing certificate and key can be kept: matching, issued by the CA, far from expiry. */
function stillGood(certPem: string, keyPem: string, caCertPem: string, now: Date): boolean {
  try {
    const cert = new X509Certificate(certPem);
    const ca = new X509Certificate(caCertPem);
    return (
      cert.checkPrivateKey(createPrivateKey(keyPem)) &&
      cert.checkIssued(ca) &&
      cert.verify(ca.publicKey) &&
      new Date(cert.validFrom).getTime() <= now.getTime() &&
      new Date(cert.validTo).getTime() - now.getTime() >= RENEW_BEFORE_MS
    );
  } catch {
    return false;
  }
}

/**
 * The API server's kubelet client certificate in `pki.dir`: reused while valid, else issued
 * (with a new key when the key is missing or unusable) and written next to the other credentials.
 */
export async function ensureKubeletClientCertificate(
  pki: Pick<Pki, 'dir' | 'caCertPem' | 'caKeyPem'>,
  now: Date = new Date(),
): Promise<KubeletClientCredentials> {
  const certFile = join(pki.dir, KUBELET_CLIENT_FILES.cert);
  const keyFile = join(pki.dir, KUBELET_CLIENT_FILES.key);
  const created: string[] = [];
  const existingCert = readOptional(certFile);
  let keyPem = readOptional(keyFile);
  if (existingCert !== undefined && keyPem !== undefined && stillGood(existingCert, keyPem, pki.caCertPem, now)) {
    return { certPem: existingCert, keyPem, created };
  }
  let key = keyPem === undefined ? undefined : await loadSigningKey(keyPem, keyFile).catch(() => undefined);
  if (!key || keyPem === undefined) {
    const generated = await generateSigningKey();
    keyPem = generated.pem;
    key = generated.key;
    writeFileAtomic(keyFile, keyPem, PRIVATE_FILE_MODE);
    created.push(keyFile);
  }
  const caKey = await loadSigningKey(pki.caKeyPem, 'CA key');
  const certPem = await signCertificate({
    subject: APISERVER_KUBELET_CLIENT_SUBJECT,
    publicKeyDer: key.publicKeyDer,
    rsa: key.rsa,
    issuer: { certPem: pki.caCertPem, key: caKey },
    extendedKeyUsages: ['clientAuth'],
    now,
  });
  writeFileAtomic(certFile, certPem, PUBLIC_FILE_MODE);
  created.push(certFile);
  return { certPem, keyPem, created };
}

export interface KubeletServingOptions {
  nodeName: string;
  /** Names and addresses the API server may dial (IP literals are taken as IPs). */
  hostnames?: string[];
  ips?: string[];
  now?: Date;
}

/**
 * A kubelet serving certificate (fresh key, nothing written): CN system:node:<nodeName>,
 * O system:nodes, serverAuth, for the node name, this host's name, localhost and the loopback
 * addresses plus the given names and addresses.
 */
export async function issueKubeletServingCertificate(pki: Pick<Pki, 'caCertPem' | 'caKeyPem'>, opts: KubeletServingOptions): Promise<CertAndKey> {
  if (!opts.nodeName) throw new Error('issueKubeletServingCertificate: nodeName is required');
  const extra = splitNames([opts.nodeName, hostname().toLowerCase(), 'localhost', ...(opts.hostnames ?? [])]);
  const dnsNames = [...new Set(extra.dnsNames.filter((n) => n !== '').map((n) => n.toLowerCase()))];
  const ips = [...new Set(['127.0.0.1', '::1', ...extra.ips, ...(opts.ips ?? [])])];
  const caKey = await loadSigningKey(pki.caKeyPem, 'CA key');
  const generated = await generateSigningKey();
  const certPem = await signCertificate({
    subject: { commonName: `system:node:${opts.nodeName}`, organizations: ['system:nodes'] },
    publicKeyDer: generated.key.publicKeyDer,
    rsa: false,
    issuer: { certPem: pki.caCertPem, key: caKey },
    extendedKeyUsages: ['serverAuth'],
    dnsNames,
    ips,
    now: opts.now,
  });
  return { certPem, keyPem: generated.pem };
}
