// Service account tokens: the signing key kept beside the cluster CA (sa.key / sa.pub, as kubeadm
// names them) and the JWTs kube-apiserver issues through the TokenRequest API. Tokens carry the
// claims of upstream's bound tokens (pkg/serviceaccount/claims.go): iss, sub, aud, exp, iat, nbf,
// jti and a private `kubernetes.io` claim naming the namespace, the service account and the object
// the token is bound to. Signing and verification use node:crypto (RS256 or ES256).
import { createHash, createPrivateKey, createPublicKey, generateKeyPair, sign, verify, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PRIVATE_FILE_MODE, PUBLIC_FILE_MODE, readOptional, writeFileAtomic } from './files.js';

export const SERVICE_ACCOUNT_KEY_FILES = { privateKey: 'sa.key', publicKey: 'sa.pub' } as const;

/** The issuer (and API audience) kube-apiserver is given by kubeadm and most distributions. */
export const DEFAULT_SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** go-jose's DefaultLeeway: clock skew tolerated on exp, nbf and iat. */
export const TOKEN_LEEWAY_SECONDS = 60;

export type TokenAlgorithm = 'RS256' | 'ES256';

export interface ServiceAccountSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  alg: TokenAlgorithm;
  /** The JWT header's kid: base64url(SHA-256(SPKI DER)), as upstream's keyIDFromPublicKey. */
  keyId: string;
}

/** A name and uid, as the private claim records the service account and bound objects. */
export interface ObjectRefClaim {
  name: string;
  uid?: string;
}

export interface KubernetesClaims {
  namespace: string;
  node?: ObjectRefClaim;
  pod?: ObjectRefClaim;
  secret?: ObjectRefClaim;
  serviceaccount: ObjectRefClaim;
  /** Seconds since the epoch after which a "warn-only" extended token counts as stale. */
  warnafter?: number;
}

/** The claims of a bound service account token; keys in the order Go's JSON encoder writes them. */
export interface ServiceAccountTokenClaims {
  aud: string[];
  exp: number;
  iat: number;
  iss: string;
  jti?: string;
  'kubernetes.io': KubernetesClaims;
  nbf: number;
  sub: string;
}

/** Why a token was refused (the message upstream's authenticator logs and TokenReview reports). */
export class TokenError extends Error {
  override readonly name = 'TokenError';
}

const SA_PREFIX = 'system:serviceaccount:';

/** The user name of a service account (upstream serviceaccount.MakeUsername). */
export const serviceAccountUsername = (namespace: string, name: string): string => `${SA_PREFIX}${namespace}:${name}`;

function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
}

function algorithmOf(key: KeyObject, source: string): TokenAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error(`${source}: unsupported key type for service account tokens (want RSA or ECDSA P-256)`);
}

/** Parses sa.key (PKCS#1, SEC1 or PKCS#8 PEM); `source` names it in the one-line error. */
export function serviceAccountKeyFromPem(pem: string, source: string): ServiceAccountSigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new Error(`${source}: not a valid PEM private key`);
  }
  const alg = algorithmOf(privateKey, source);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, alg, keyId: keyIdOf(publicKey) };
}

const samePublicKey = (a: KeyObject, b: KeyObject): boolean =>
  a.export({ type: 'spki', format: 'der' }).equals(b.export({ type: 'spki', format: 'der' }));

/**
 * Creates (first start) or loads the service account signing key under `dir`: sa.key, and sa.pub
 * (its public half, which is what a verifier needs). A new key is ECDSA P-256 (ES256, kubeadm's
 * ECDSA-P256 choice): an RSA key takes up to a second to make, at every fresh start. A lost
 * sa.pub is written again from sa.key; a lost sa.key or a mismatched pair is reported, never
 * replaced, since every token issued so far depends on the key.
 */
export async function ensureServiceAccountKey(dir: string): Promise<{ key: ServiceAccountSigningKey; created: string[] }> {
  const keyFile = join(dir, SERVICE_ACCOUNT_KEY_FILES.privateKey);
  const pubFile = join(dir, SERVICE_ACCOUNT_KEY_FILES.publicKey);
  const created: string[] = [];
  let keyPem = readOptional(keyFile);
  const pubPem = readOptional(pubFile);
  if (keyPem === undefined) {
    if (pubPem !== undefined) throw new Error(`${keyFile} is missing while ${pubFile} exists; restore it or remove both`);
    const { privateKey } = await promisify(generateKeyPair)('ec', { namedCurve: 'prime256v1' });
    keyPem = privateKey.export({ type: 'sec1', format: 'pem' }) as string;
    writeFileAtomic(keyFile, keyPem, PRIVATE_FILE_MODE);
    created.push(keyFile);
  }
  const key = serviceAccountKeyFromPem(keyPem, keyFile);
  if (pubPem === undefined) {
    writeFileAtomic(pubFile, key.publicKey.export({ type: 'spki', format: 'pem' }) as string, PUBLIC_FILE_MODE);
    created.push(pubFile);
  } else {
    let pub: KeyObject;
    try {
      pub = createPublicKey(pubPem);
    } catch {
      throw new Error(`${pubFile}: not a valid PEM public key`);
    }
    if (!samePublicKey(pub, key.publicKey)) throw new Error(`${pubFile} does not match ${keyFile}`);
  }
  return { key, created };
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** ES256 signatures are the raw r||s pair in JWS (RFC 7518 §3.4), not DER. */
const signatureOptions = (alg: TokenAlgorithm) => (alg === 'ES256' ? { dsaEncoding: 'ieee-p1363' as const } : {});

/** A compact JWS of the claims, with the header upstream's signer writes ({alg, kid}). */
export function signServiceAccountToken(key: ServiceAccountSigningKey, claims: ServiceAccountTokenClaims): string {
  const input = `${b64url({ alg: key.alg, kid: key.keyId })}.${b64url(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key: key.privateKey, ...signatureOptions(key.alg) });
  return `${input}.${signature.toString('base64url')}`;
}

export interface ClaimsInput {
  issuer: string;
  audiences: readonly string[];
  serviceAccount: { namespace: string; name: string; uid: string };
  /** The object the token is bound to, if any (a pod-bound token may also name the pod's node). */
  pod?: ObjectRefClaim;
  secret?: ObjectRefClaim;
  node?: ObjectRefClaim;
  expirationSeconds: number;
  /** Non-zero for the warn-only extended tokens: when the requested lifetime ends. */
  warnAfterSeconds?: number;
  jti?: string;
  now: Date;
}

/** The claims of a new token (upstream token.Claims). */
export function serviceAccountClaims(input: ClaimsInput): ServiceAccountTokenClaims {
  const now = Math.floor(input.now.getTime() / 1000);
  const { namespace, name, uid } = input.serviceAccount;
  // A secret-bound token names nothing else; a pod-bound one may carry its node for information.
  if (input.secret && (input.pod || input.node)) throw new Error('internal error, token can only be bound to one object type');
  const k8s: KubernetesClaims = {
    namespace,
    ...(input.node ? { node: refClaim(input.node) } : {}),
    ...(input.pod ? { pod: refClaim(input.pod) } : {}),
    ...(input.secret ? { secret: refClaim(input.secret) } : {}),
    serviceaccount: { name, uid },
    ...(input.warnAfterSeconds ? { warnafter: now + input.warnAfterSeconds } : {}),
  };
  const claims: ServiceAccountTokenClaims = {
    aud: [...input.audiences],
    exp: now + input.expirationSeconds,
    iat: now,
    iss: input.issuer,
    ...(input.jti ? { jti: input.jti } : {}),
    'kubernetes.io': k8s,
    nbf: now,
    sub: serviceAccountUsername(namespace, name),
  };
  return claims;
}

const refClaim = (r: ObjectRefClaim): ObjectRefClaim => (r.uid ? { name: r.name, uid: r.uid } : { name: r.name });

function parseSegment(segment: string | undefined, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment ?? '', 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new TokenError(`malformed token: invalid ${what}`);
}

/** The issuer a token claims, unverified, or undefined when it is no JWT (upstream hasCorrectIssuer peeks the same way). */
export function unverifiedIssuer(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const iss = parseSegment(parts[1], 'payload').iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

export interface VerifyOptions {
  /** Keys any of which may have signed the token. */
  publicKeys: readonly KeyObject[];
  issuer: string;
  /** The API server's audiences: a token must name one of them (or of `requestedAudiences`). */
  apiAudiences: readonly string[];
  /** What the caller asked for (TokenReview spec.audiences); default the API audiences. */
  requestedAudiences?: readonly string[];
  now?: Date;
}

const goQuoted = (list: readonly string[]) => `[${list.map((a) => JSON.stringify(a)).join(' ')}]`;

function numericClaim(claims: Record<string, unknown>, name: string): number | undefined {
  const v = claims[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TokenError(`malformed token: claim ${name} is not a number`);
  return v;
}

function checkSignature(token: string, opts: VerifyOptions): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new TokenError('malformed token: compact JWS format must have three parts');
  const header = parseSegment(parts[0], 'header');
  const claims = parseSegment(parts[1], 'payload');
  const alg = header.alg;
  if (alg !== 'RS256' && alg !== 'ES256') throw new TokenError(`unsupported signature algorithm ${JSON.stringify(alg)}`);
  const input = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2]!, 'base64url');
  const ok = opts.publicKeys.some((key) => {
    try {
      return algorithmOf(key, 'key') === alg && verify('sha256', input, { key, ...signatureOptions(alg) }, signature);
    } catch {
      return false;
    }
  });
  if (!ok) throw new TokenError('error in cryptographic primitive');
  return claims;
}

/**
 * Verifies a token's signature, issuer, audience and lifetime (upstream's JWT authenticator and
 * the time checks of its validator, with go-jose's one-minute leeway) and returns its claims.
 * Whether the service account and the bound object still exist is the caller's to check.
 */
export function verifyServiceAccountToken(token: string, opts: VerifyOptions): ServiceAccountTokenClaims {
  const claims = checkSignature(token, opts);
  if (claims.iss !== opts.issuer) throw new TokenError(`token issuer ${JSON.stringify(claims.iss)} is not ${JSON.stringify(opts.issuer)}`);
  const rawAud = claims.aud;
  let tokenAudiences = typeof rawAud === 'string' ? [rawAud] : Array.isArray(rawAud) ? rawAud.filter((a): a is string => typeof a === 'string') : [];
  // Tokens without an audience (legacy secret tokens) are good for the API server only.
  if (tokenAudiences.length === 0) tokenAudiences = [...opts.apiAudiences];
  const requested = opts.requestedAudiences?.length ? opts.requestedAudiences : opts.apiAudiences;
  if (!tokenAudiences.some((a) => requested.includes(a)) && opts.apiAudiences.length > 0) {
    throw new TokenError(`token audiences ${goQuoted(tokenAudiences)} is invalid for the target audiences ${goQuoted(requested)}`);
  }
  const now = (opts.now ?? new Date()).getTime() / 1000;
  const nbf = numericClaim(claims, 'nbf');
  const exp = numericClaim(claims, 'exp');
  const iat = numericClaim(claims, 'iat');
  if (nbf !== undefined && now + TOKEN_LEEWAY_SECONDS < nbf) throw new TokenError('service account token is not valid yet');
  if (exp !== undefined && now - TOKEN_LEEWAY_SECONDS > exp) throw new TokenError('service account token has expired');
  if (iat !== undefined && now + TOKEN_LEEWAY_SECONDS < iat) throw new TokenError('service account token is issued in the future');
  const k8s = claims['kubernetes.io'] as Partial<KubernetesClaims> | undefined;
  if (!k8s || typeof k8s !== 'object' || typeof k8s.namespace !== 'string' || typeof k8s.serviceaccount?.name !== 'string') {
    throw new TokenError('service account token claims could not be validated due to unexpected private claim');
  }
  return { ...(claims as unknown as ServiceAccountTokenClaims), aud: tokenAudiences };
}
