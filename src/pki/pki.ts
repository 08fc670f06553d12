import { X509Certificate } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { signCertificate, splitNames, type Subject } from './certs.js';
import { PRIVATE_FILE_MODE, PUBLIC_FILE_MODE, readOptional, writeFileAtomic } from './files.js';
import { generateSigningKey, loadSigningKey, type SigningKey } from './keys.js';

export interface PkiPaths {
  dir: string;
}

export interface CertAndKey {
  certPem: string;
  keyPem: string;
}

export interface Pki {
  dir: string;
  caCertPem: string;
  /** The CA's private key, so that later credentials (kubelet, nodes) can be issued. */
  caKeyPem: string;
  serving: CertAndKey;
  admin: CertAndKey;
  /** Absolute paths of the files written by this call (empty when everything was reused). */
  created: string[];
}

export interface EnsurePkiOptions extends PkiPaths {
  /** Extra DNS names for the serving certificate (IP literals given here are treated as IPs). */
  hostnames?: string[];
  /** Extra IP addresses for the serving certificate, e.g. the kubernetes service IP. */
  ips?: string[];
  now?: Date;
}

export const PKI_FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  servingCert: 'server.crt',
  servingKey: 'server.key',
  adminCert: 'admin.crt',
  adminKey: 'admin.key',
} as const;

/** The names in-cluster clients and kubectl use for the API server (as kube-apiserver's own certificate). */
export const DEFAULT_SERVING_DNS_NAMES = [
  'localhost',
  'kubernetes',
  'kubernetes.default',
  'kubernetes.default.svc',
  'kubernetes.default.svc.cluster.local',
];
export const DEFAULT_SERVING_IPS = ['127.0.0.1', '::1'];
export const ADMIN_SUBJECT: Subject = { commonName: 'kubets-admin', organizations: ['system:masters'] };
const SERVING_SUBJECT: Subject = { commonName: 'kube-apiserver' };
const CA_SUBJECT: Subject = { commonName: 'kubets-ca' };
/** Leaf certificates closer than this to expiry are reissued at start-up. */
export const RENEW_BEFORE_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Every name the serving certificate must cover: the defaults, this host's name and its
 * non-loopback addresses, then the caller's. IPv6 link-local addresses are left out: they are
 * unusable in a URL without a zone and change with every virtual interface.
 */
export function servingNames(opts: Pick<EnsurePkiOptions, 'hostnames' | 'ips'> = {}): { dnsNames: string[]; ips: string[] } {
  const extra = splitNames(opts.hostnames ?? []);
  const host = hostname().toLowerCase();
  const interfaceIps = Object.values(networkInterfaces())
    .flatMap((addrs) => addrs ?? [])
    .filter((a) => !a.internal && !/^fe[89ab]/i.test(a.address))
    .map((a) => a.address);
  const dnsNames = [...DEFAULT_SERVING_DNS_NAMES, ...(host ? [host] : []), ...extra.dnsNames].map((n) => n.toLowerCase());
  const ips = [...DEFAULT_SERVING_IPS, ...interfaceIps, ...extra.ips, ...(opts.ips ?? [])];
  return { dnsNames: [...new Set(dnsNames)], ips: [...new Set(ips)] };
}

function parseCertificate(pem: string, file: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new Error(`${file}: not a valid PEM certificate`);
  }
}

function matchesKey(cert: X509Certificate, key: SigningKey): boolean {
  try {
    return cert.checkPrivateKey(key.keyObject);
  } catch {
    return false; // e.g. an RSA certificate next to an EC key
  }
}

/** Why an existing leaf certificate cannot be kept, or undefined when it can. */
function staleReason(cert: X509Certificate, key: SigningKey, ca: X509Certificate, now: Date): string | undefined {
  if (!matchesKey(cert, key)) return 'does not match its key';
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return 'was not issued by the CA';
  if (new Date(cert.validFrom).getTime() > now.getTime()) return 'is not valid yet';
  if (new Date(cert.validTo).getTime() - now.getTime() < RENEW_BEFORE_MS) return 'expires within 30 days';
  return undefined;
}

interface Context {
  dir: string;
  now: Date;
  created: string[];
}

function write(ctx: Context, name: string, data: string, mode: number): void {
  const path = join(ctx.dir, name);
  writeFileAtomic(path, data, mode);
  ctx.created.push(path);
}

interface Ca {
  cert: X509Certificate;
  certPem: string;
  keyPem: string;
  key: SigningKey;
}

async function ensureCa(ctx: Context): Promise<Ca> {
  const certFile = join(ctx.dir, PKI_FILES.caCert);
  const keyFile = join(ctx.dir, PKI_FILES.caKey);
  let certPem = readOptional(certFile);
  let keyPem = readOptional(keyFile);
  if (certPem === undefined && keyPem === undefined) {
    const generated = await generateSigningKey();
    keyPem = generated.pem;
    certPem = await signCertificate({
      subject: CA_SUBJECT,
      publicKeyDer: generated.key.publicKeyDer,
      rsa: generated.key.rsa,
      selfKey: generated.key,
      now: ctx.now,
    });
    // Key first: a crash in between leaves a key without certificate, reported below, never a
    // certificate whose key is lost.
    write(ctx, PKI_FILES.caKey, keyPem, PRIVATE_FILE_MODE);
    write(ctx, PKI_FILES.caCert, certPem, PUBLIC_FILE_MODE);
    return { cert: new X509Certificate(certPem), certPem, keyPem, key: generated.key };
  }
  if (certPem === undefined) throw new Error(`${certFile} is missing while ${keyFile} exists; restore it or remove both`);
  if (keyPem === undefined) throw new Error(`${keyFile} is missing while ${certFile} exists; restore it or remove both`);
  const cert = parseCertificate(certPem, certFile);
  const key = await loadSigningKey(keyPem, keyFile);
  if (!cert.ca) throw new Error(`${certFile}: not a CA certificate`);
  if (!matchesKey(cert, key)) throw new Error(`${keyFile} does not match ${certFile}`);
  return { cert, certPem, keyPem, key };
}

interface LeafSpec {
  certName: string;
  keyName: string;
  /** Extra reason to reissue an otherwise valid certificate (e.g. missing SANs). */
  insufficient?: (cert: X509Certificate) => boolean;
  issue: (key: SigningKey) => Promise<string>;
}

/** Reuses a leaf certificate and key when still good; otherwise issues a new certificate (and key, if absent). */
async function ensureLeaf(ctx: Context, ca: Ca, spec: LeafSpec): Promise<CertAndKey> {
  const certFile = join(ctx.dir, spec.certName);
  const keyFile = join(ctx.dir, spec.keyName);
  let keyPem = readOptional(keyFile);
  const certPem = readOptional(certFile);
  let key = keyPem === undefined ? undefined : await loadSigningKey(keyPem, keyFile);
  const cert = certPem === undefined ? undefined : parseCertificate(certPem, certFile);
  if (keyPem !== undefined && key && certPem !== undefined && cert) {
    if (staleReason(cert, key, ca.cert, ctx.now) === undefined && !spec.insufficient?.(cert)) return { certPem, keyPem };
  }
  if (keyPem === undefined || !key) {
    const generated = await generateSigningKey();
    keyPem = generated.pem;
    key = generated.key;
    write(ctx, spec.keyName, keyPem, PRIVATE_FILE_MODE);
  }
  const issued = await spec.issue(key);
  write(ctx, spec.certName, issued, PUBLIC_FILE_MODE);
  return { certPem: issued, keyPem };
}

/**
 * Creates (first start) or reuses (restart) the cluster's CA, the API server's serving certificate
 * and the admin client certificate under `dir`. The serving certificate alone is reissued when it
 * no longer covers the names and addresses asked for (the host's addresses changed) or nears
 * expiry; the CA is never replaced, so existing kubeconfigs keep working. Unreadable or corrupt
 * files are reported, never overwritten.
 */
export async function ensurePki(opts: EnsurePkiOptions): Promise<Pki> {
  const ctx: Context = { dir: opts.dir, now: opts.now ?? new Date(), created: [] };
  try {
    mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new Error(`cannot create ${opts.dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const ca = await ensureCa(ctx);
  const issuer = { certPem: ca.certPem, key: ca.key };
  const names = servingNames(opts);
  const serving = await ensureLeaf(ctx, ca, {
    certName: PKI_FILES.servingCert,
    keyName: PKI_FILES.servingKey,
    insufficient: (cert) =>
      names.dnsNames.some((n) => cert.checkHost(n, { subject: 'never', wildcards: false }) === undefined) ||
      names.ips.some((ip) => cert.checkIP(ip) === undefined),
    issue: (key) =>
      signCertificate({
        subject: SERVING_SUBJECT,
        publicKeyDer: key.publicKeyDer,
        rsa: key.rsa,
        issuer,
        extendedKeyUsages: ['serverAuth'],
        dnsNames: names.dnsNames,
        ips: names.ips,
        now: ctx.now,
      }),
  });
  const admin = await ensureLeaf(ctx, ca, {
    certName: PKI_FILES.adminCert,
    keyName: PKI_FILES.adminKey,
    issue: (key) =>
      signCertificate({ subject: ADMIN_SUBJECT, publicKeyDer: key.publicKeyDer, rsa: key.rsa, issuer, extendedKeyUsages: ['clientAuth'], now: ctx.now }),
  });
  return { dir: opts.dir, caCertPem: ca.certPem, caKeyPem: ca.keyPem, serving, admin, created: ctx.created };
}

/**
 * Issues a client certificate (a fresh key, signed by the cluster CA) for the given user and
 * groups, e.g. CN=system:node:<name>, O=system:nodes for a kubelet. Nothing is written to disk.
 */
export async function issueClientCertificate(
  pki: Pick<Pki, 'caCertPem' | 'caKeyPem'>,
  subject: { commonName: string; organizations?: string[] },
  now?: Date,
): Promise<CertAndKey> {
  if (!subject.commonName) throw new Error('issueClientCertificate: commonName is required');
  const caKey = await loadSigningKey(pki.caKeyPem, 'CA key');
  const generated = await generateSigningKey();
  const certPem = await signCertificate({
    subject: { commonName: subject.commonName, organizations: subject.organizations ?? [] },
    publicKeyDer: generated.key.publicKeyDer,
    rsa: false,
    issuer: { certPem: pki.caCertPem, key: caKey },
    extendedKeyUsages: ['clientAuth'],
    now,
  });
  return { certPem, keyPem: generated.pem };
}
