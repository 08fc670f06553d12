import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { SigningKey } from './keys.js';
import type * as X509 from '@peculiar/x509';

type X509Module = typeof X509;

/** @peculiar/x509 (and its polyfills) cost ~250 ms to load: only certificate signing needs it. */
const loadX509 = async (): Promise<X509Module> => (await import('./x509.js')).x509;

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
export const CA_VALIDITY_MS = 3650 * DAY_MS;
export const LEAF_VALIDITY_MS = 365 * DAY_MS;
/**
 * Certificates start an hour in the past so that a peer whose clock is slightly behind (a VM, a
 * container host) does not reject them as "not yet valid"; client-go's self-signed helper does the same.
 */
const BACKDATE_MS = HOUR_MS;

/** Subject of a certificate: one CN and any number of O attributes (the Kubernetes user and groups). */
export interface Subject {
  commonName: string;
  organizations?: string[];
}

export interface Issuer {
  certPem: string;
  key: SigningKey;
}

export interface CertificateRequest {
  subject: Subject;
  /** SubjectPublicKeyInfo (DER) of the key being certified. */
  publicKeyDer: ArrayBuffer;
  /** Whether the certified key is RSA; decides if keyEncipherment is a valid key usage. */
  rsa: boolean;
  /** Omitted: a self-signed CA certificate, signed by `selfKey`. */
  issuer?: Issuer;
  selfKey?: SigningKey;
  extendedKeyUsages?: ('serverAuth' | 'clientAuth')[];
  dnsNames?: string[];
  ips?: string[];
  now?: Date;
}

/** The characters of ASN.1 PrintableString; anything else needs UTF8String. */
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/**
 * RDN sequence with O before CN, in the order Go's pkix.Name writes them. Values go in as typed
 * strings (PrintableString when possible, else UTF8String, as Go chooses) because plain strings
 * are read by @peculiar/x509 as RFC 4514 text, where quotes, backslashes and a leading '#' mean
 * something: a user named `a "b" c` would come out as `b`.
 */
function toName(x509: X509Module, subject: Subject): X509.Name {
  const value = (v: string): X509.JsonAttributeObject[] => [PRINTABLE.test(v) ? { printableString: v } : { utf8String: v }];
  return new x509.Name([...(subject.organizations ?? []).map((o) => ({ O: value(o) })), { CN: value(subject.commonName) }]);
}

/**
 * 128 random bits with the top bit cleared: serials must be positive (Go rejects negative ones since
 * 1.23) and unique per issuer (RFC 5280 4.1.2.2).
 */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

/** Signs a certificate and returns it as PEM. */
export async function signCertificate(req: CertificateRequest): Promise<string> {
  const now = req.now ?? new Date();
  const isCa = req.issuer === undefined;
  const signer = req.issuer?.key ?? req.selfKey;
  if (!signer) throw new Error('signCertificate: a CA certificate needs selfKey');
  const x509 = await loadX509();
  const issuerCert = req.issuer ? new x509.X509Certificate(req.issuer.certPem) : undefined;
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  let notAfter = new Date(now.getTime() + (isCa ? CA_VALIDITY_MS : LEAF_VALIDITY_MS));
  // A leaf never outlives its CA: verifiers reject the chain from the CA's expiry on anyway.
  if (issuerCert && issuerCert.notAfter < notAfter) notAfter = issuerCert.notAfter;

  const extensions: X509.Extension[] = [new x509.BasicConstraintsExtension(isCa, isCa ? 0 : undefined, true)];
  if (isCa) {
    extensions.push(
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
    );
  } else {
    const usages = x509.KeyUsageFlags.digitalSignature | (req.rsa ? x509.KeyUsageFlags.keyEncipherment : 0);
    extensions.push(new x509.KeyUsagesExtension(usages, true));
    const eku = (req.extendedKeyUsages ?? []).map((u) => x509.ExtendedKeyUsage[u]);
    if (eku.length > 0) extensions.push(new x509.ExtendedKeyUsageExtension(eku, false));
  }
  const names: X509.JsonGeneralName[] = [
    ...(req.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(req.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names, false));
  extensions.push(await x509.SubjectKeyIdentifierExtension.create(req.publicKeyDer));
  if (req.issuer) extensions.push(await x509.AuthorityKeyIdentifierExtension.create(req.issuer.key.publicKeyDer));

  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: toName(x509, req.subject),
    issuer: issuerCert ? issuerCert.subjectName : toName(x509, req.subject),
    notBefore,
    notAfter,
    publicKey: req.publicKeyDer,
    signingKey: signer.cryptoKey,
    signingAlgorithm: signer.signingAlgorithm,
    extensions,
  });
  return cert.toString('pem') + '\n';
}

/** Splits a list of names into DNS names and IP addresses (callers may mix them). */
export function splitNames(values: readonly string[]): { dnsNames: string[]; ips: string[] } {
  const dnsNames: string[] = [];
  const ips: string[] = [];
  for (const v of values) (isIP(v) ? ips : dnsNames).push(v);
  return { dnsNames, ips };
}
