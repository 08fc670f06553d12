// Authentication and authorization phases. Clients prove who they are with a certificate signed
// by the cluster CA (CN = user, O = groups, the Kubernetes convention) or, without one, with a
// service account token (`Authorization: Bearer <jwt>`) issued through the TokenRequest API.
// Authorization is "authenticated users may do anything" until RBAC lands; anonymous users may
// read health, version, discovery and OpenAPI, as upstream's system:public-info-viewer role allows.
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { KubeObject } from '../api/types.js';
import { StatusError, isNotFound, unauthorized } from '../apimachinery/errors.js';
import {
  TOKEN_LEEWAY_SECONDS,
  TokenError,
  serviceAccountUsername,
  verifyServiceAccountToken,
  unverifiedIssuer,
  type ObjectRefClaim,
  type ServiceAccountSigningKey,
  type ServiceAccountTokenClaims,
} from '../pki/service-account-token.js';
import type { UserInfo } from './handlers/context.js';
import type { RequestInfo } from './request-info.js';
import { InMemorySocket } from './in-process.js';

export const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

/** A connection's user, read once: getPeerCertificate() rebuilds the certificate on every call. */
const usersBySocket = new WeakMap<object, UserInfo>();

/**
 * The request's user: its connection's certificate (or in-process identity) first, as upstream's
 * union authenticator tries x509 before tokens; else its bearer token, when the server checks
 * tokens. A bearer token that does not authenticate is a 401, never anonymous access.
 */
export function authenticate(req: IncomingMessage, tokens?: ServiceAccountTokens): UserInfo | Promise<UserInfo> {
  const socket = req.socket as TLSSocket;
  let user = usersBySocket.get(socket);
  if (!user) {
    user = userOfSocket(socket);
    usersBySocket.set(socket, user);
  }
  if (user !== ANONYMOUS || !tokens) return user;
  const token = bearerToken(req.headers.authorization);
  if (token === undefined) return user;
  return tokens.authenticateToken(token).then((r) => {
    if ('error' in r) throw unauthorized();
    return r.user;
  });
}

/** The token of `Authorization: Bearer <token>` (upstream's bearertoken authenticator parsing). */
export function bearerToken(header: string | undefined): string | undefined {
  const parts = (header ?? '').trim().split(' ');
  if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer' || parts[1] === '') return undefined;
  return parts[1];
}

function userOfSocket(socket: TLSSocket): UserInfo {
  // In-process connections carry the identity they were opened with (see in-process.ts).
  const bound = (socket as unknown as { user?: UserInfo }).user;
  if (bound && socket instanceof InMemorySocket) return bound;
  if (typeof socket.getPeerCertificate === 'function' && socket.authorized) {
    const cert = socket.getPeerCertificate();
    const subject = cert?.subject as unknown as Record<string, string | string[]> | undefined;
    const cn = subject?.CN;
    if (cn) {
      const o = subject?.O;
      const groups = Array.isArray(o) ? o : o ? [o] : [];
      return { name: Array.isArray(cn) ? cn[0]! : cn, groups: [...groups, 'system:authenticated'] };
    }
  }
  return ANONYMOUS;
}

// ---- service account tokens (upstream pkg/serviceaccount: JWT authenticator and validator) ----

export type BoundResource = 'serviceaccounts' | 'pods' | 'secrets' | 'nodes';

/** Reads the objects a token names; undefined when one does not exist. */
export type BoundObjectLookup = (resource: BoundResource, namespace: string, name: string) => Promise<KubeObject | undefined>;

/** A service account's user, with the uid and extra fields upstream's ServiceAccountInfo gives. */
export interface ServiceAccountUser extends UserInfo {
  uid: string;
  extra: Record<string, string[]>;
}

export type TokenAuthentication = { user: ServiceAccountUser; audiences: string[] } | { error: string };

export interface ServiceAccountTokensOptions {
  key: ServiceAccountSigningKey;
  /** The token issuer (iss), and by default the API audience. */
  issuer: string;
  audiences?: readonly string[];
  objects: BoundObjectLookup;
  /** How long a successful authentication is reused (upstream's token success cache: 10 s). */
  successCacheTtlMs?: number;
  now?: () => Date;
}

const SUCCESS_CACHE_TTL_MS = 10_000;
const CACHE_MAX_ENTRIES = 4096;

/** Extra keys of a service account user (k8s.io/apiserver/pkg/authentication/serviceaccount). */
const EXTRA = {
  podName: 'authentication.kubernetes.io/pod-name',
  podUid: 'authentication.kubernetes.io/pod-uid',
  nodeName: 'authentication.kubernetes.io/node-name',
  nodeUid: 'authentication.kubernetes.io/node-uid',
  credentialId: 'authentication.kubernetes.io/credential-id',
};

/**
 * The API server's service account token issuer and authenticator: the key and issuer the
 * TokenRequest handler signs with, and the check a presented token passes (signature, issuer,
 * audience, lifetime, then the service account and bound object still exist with the same uid).
 * Successful results are cached briefly, as upstream caches token authentication, so a busy client
 * costs no lookups per request; a deleted pod's token stops working once its entry expires.
 */
export class ServiceAccountTokens {
  readonly key: ServiceAccountSigningKey;
  readonly issuer: string;
  readonly audiences: readonly string[];
  private readonly cache = new Map<string, { result: TokenAuthentication; until: number }>();

  constructor(private readonly opts: ServiceAccountTokensOptions) {
    this.key = opts.key;
    this.issuer = opts.issuer;
    this.audiences = opts.audiences ?? [opts.issuer];
  }

  now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  /** A fresh token id (jti). */
  newTokenId(): string {
    return randomUUID();
  }

  async authenticateToken(token: string, requestedAudiences?: readonly string[]): Promise<TokenAuthentication> {
    const now = this.now();
    const cacheKey = createHash('sha256').update(token).update('\0').update((requestedAudiences ?? []).join('\0')).digest('base64');
    const hit = this.cache.get(cacheKey);
    if (hit && hit.until > now.getTime()) return hit.result;
    if (hit) this.cache.delete(cacheKey);
    const { result, exp } = await this.check(token, requestedAudiences, now);
    // Failures are not cached (upstream's failure TTL is 0); successes never outlive the token.
    if ('user' in result) this.remember(cacheKey, result, Math.min(now.getTime() + (this.opts.successCacheTtlMs ?? SUCCESS_CACHE_TTL_MS), exp * 1000));
    return result;
  }

  private remember(key: string, result: TokenAuthentication, until: number): void {
    if (this.cache.size >= CACHE_MAX_ENTRIES) {
      // Oldest first: Maps iterate in insertion order.
      for (const k of this.cache.keys()) {
        this.cache.delete(k);
        if (this.cache.size < CACHE_MAX_ENTRIES / 2) break;
      }
    }
    this.cache.set(key, { result, until });
  }

  private async check(token: string, requestedAudiences: readonly string[] | undefined, now: Date): Promise<{ result: TokenAuthentication; exp: number }> {
    // Tokens of other issuers are not this authenticator's (upstream answers "not handled"; with
    // no other token authenticator the request is refused all the same).
    if (unverifiedIssuer(token) !== this.issuer) return { result: { error: 'invalid bearer token' }, exp: 0 };
    try {
      const claims = verifyServiceAccountToken(token, {
        publicKeys: [this.key.publicKey],
        issuer: this.issuer,
        apiAudiences: this.audiences,
        requestedAudiences,
        now,
      });
      const user = await this.validateObjects(claims, now);
      const wanted = requestedAudiences?.length ? requestedAudiences : this.audiences;
      return { result: { user, audiences: claims.aud.filter((a) => wanted.includes(a)) }, exp: claims.exp };
    } catch (e) {
      // A failed lookup refuses the token too (upstream returns the getter's error): a 401.
      return { result: { error: e instanceof Error ? e.message : String(e) }, exp: 0 };
    }
  }

  /** Upstream validator.Validate: the service account and the bound objects must still be there. */
  private async validateObjects(claims: ServiceAccountTokenClaims, now: Date): Promise<ServiceAccountUser> {
    const k8s = claims['kubernetes.io'];
    const { namespace } = k8s;
    const sa = k8s.serviceaccount;
    // Objects deleted more than the leeway ago no longer vouch for the token.
    const invalidIfDeletedBefore = now.getTime() - TOKEN_LEEWAY_SECONDS * 1000;
    const deleted = (obj: KubeObject) => {
      const ts = obj.metadata?.deletionTimestamp;
      return !!ts && Date.parse(ts) < invalidIfDeletedBefore;
    };
    const account = await this.opts.objects('serviceaccounts', namespace, sa.name);
    if (!account) throw new TokenError(`serviceaccounts "${sa.name}" not found`);
    if (deleted(account)) throw new TokenError(`service account ${namespace}/${sa.name} has been deleted`);
    if (account.metadata?.uid !== sa.uid) throw new TokenError(`service account UID (${account.metadata?.uid ?? ''}) does not match claim (${sa.uid ?? ''})`);
    if (k8s.secret) await this.checkBound('secrets', namespace, k8s.secret, 'secret', deleted);
    const extra: Record<string, string[]> = {};
    if (k8s.pod) {
      await this.checkBound('pods', namespace, k8s.pod, 'pod', deleted);
      extra[EXTRA.podName] = [k8s.pod.name];
      extra[EXTRA.podUid] = [k8s.pod.uid ?? ''];
    }
    if (k8s.node) {
      // A pod-bound token names its node for information only; a node-bound one needs the node.
      if (!k8s.pod) await this.checkBound('nodes', '', k8s.node, 'node', deleted);
      extra[EXTRA.nodeName] = [k8s.node.name];
      if (k8s.node.uid) extra[EXTRA.nodeUid] = [k8s.node.uid];
    }
    if (claims.jti) extra[EXTRA.credentialId] = [`JTI=${claims.jti}`];
    return {
      name: serviceAccountUsername(namespace, sa.name),
      uid: sa.uid ?? '',
      groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
      extra,
    };
  }

  private async checkBound(resource: BoundResource, namespace: string, ref: ObjectRefClaim, what: string, deleted: (o: KubeObject) => boolean): Promise<void> {
    const obj = await this.opts.objects(resource, namespace, ref.name);
    if (!obj || deleted(obj)) throw new TokenError('service account token has been invalidated');
    if (obj.metadata?.uid !== ref.uid) {
      const claim = what === 'pod' ? 'pod ref' : what === 'secret' ? 'secret ref' : 'node ref';
      throw new TokenError(`${what} UID (${obj.metadata?.uid ?? ''}) does not match service account ${claim} claim (${ref.uid ?? ''})`);
    }
  }
}

const PUBLIC_PATHS = [/^\/(healthz|livez|readyz)(\/.*)?$/, /^\/version\/?$/, /^\/apis?(\/[^/]+){0,2}\/?$/, /^\/openapi\//];

export function authorize(user: UserInfo, info: RequestInfo): void {
  if (user !== ANONYMOUS) return;
  if (!info.isResourceRequest) {
    if (info.verb === 'get' && PUBLIC_PATHS.some((re) => re.test(info.path))) return;
    throw new StatusError(403, 'Forbidden', `forbidden: User "system:anonymous" cannot ${info.verb} path "${info.path}"`);
  }
  const where = info.namespace ? ` in the namespace "${info.namespace}"` : '';
  const what = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  throw new StatusError(
    403,
    'Forbidden',
    `${info.resource}${info.group ? '.' + info.group : ''}${info.name ? ` "${info.name}"` : ''} is forbidden: User "system:anonymous" cannot ${info.verb} resource "${what}" in API group "${info.group}"${where}`,
    { name: info.name || undefined, group: info.group, kind: info.resource },
  );
}

/** Looks bound objects up in the API server's own stores (what upstream's getter falls back to). */
export function storeLookup(stores: { byResource(group: string, plural: string): { get(namespace: string, name: string): Promise<KubeObject> } }): BoundObjectLookup {
  return async (resource, namespace, name) => {
    try {
      return await stores.byResource('', resource).get(namespace, name);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  };
}
