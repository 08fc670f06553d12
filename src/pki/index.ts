/** Certificates for `kubets server`: the cluster CA, the API server's serving certificate, client credentials. */
export {
  ensurePki,
  issueClientCertificate,
  servingNames,
  ADMIN_SUBJECT,
  DEFAULT_SERVING_DNS_NAMES,
  DEFAULT_SERVING_IPS,
  PKI_FILES,
  RENEW_BEFORE_MS,
} from './pki.js';
export type { CertAndKey, EnsurePkiOptions, Pki, PkiPaths } from './pki.js';
export { userFromPeerCertificate } from './identity.js';
export type { CertificateUser } from './identity.js';
