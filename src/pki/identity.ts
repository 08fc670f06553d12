import type { X509Certificate as NodeX509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { x509 } from './x509.js';

/** The user a client certificate authenticates as. */
export interface CertificateUser {
  name: string;
  groups: string[];
}

/**
 * Maps a client certificate to a Kubernetes user the way the API server's x509 authenticator does:
 * the subject's CommonName is the user name and each Organization is a group. Like Go's pkix.Name,
 * the last CN wins when there are several. A certificate without a CN authenticates nobody
 * (upstream rejects it as "common name of client certificate was empty").
 *
 * This only reads the subject: whether the chain is trusted is the TLS layer's verdict
 * (`socket.authorized`), which the caller must check first.
 */
export function userFromPeerCertificate(cert: PeerCertificate | NodeX509Certificate): CertificateUser | undefined {
  // Both kinds carry the DER; parsing it gives the exact attribute values, where Node's textual
  // subject forms escape or merge them.
  const raw: Buffer | undefined = cert?.raw;
  if (!raw || raw.length === 0) return undefined; // getPeerCertificate() returns {} without a certificate
  let parsed: x509.X509Certificate;
  try {
    parsed = new x509.X509Certificate(raw);
  } catch {
    return undefined;
  }
  const commonNames = parsed.subjectName.getField('CN');
  const name = commonNames[commonNames.length - 1];
  if (!name) return undefined;
  return { name, groups: parsed.subjectName.getField('O') };
}
