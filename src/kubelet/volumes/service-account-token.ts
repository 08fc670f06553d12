// The kubelet's token manager (pkg/kubelet/token): service account tokens for projected volumes,
// asked of the API with a TokenRequest bound to the pod, cached per (service account, audience,
// expiration, pod), and asked again once 80% of a token's lifetime has passed or it is a day old.
// When asking again fails, the cached token is kept while it has not expired.
import type { TokenRequest } from 'kubernetes-types/authentication/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Logger } from '../../logging/index.js';
import type { VolumeSources } from './types.js';

/** upstream's maxTTL: tokens older than this are refreshed whatever their lifetime. */
const MAX_TTL_MS = 24 * 60 * 60 * 1000;
/** The API's default for a projection without expirationSeconds. */
export const DEFAULT_EXPIRATION_SECONDS = 3600;

interface Cached {
  podUid: string;
  token: TokenRequest;
  /** Epoch ms. */
  issuedAt: number;
  expiresAt: number;
}

export interface TokenProjection {
  audience?: string;
  expirationSeconds?: number;
}

export class TokenManager {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly sources: Pick<VolumeSources, 'serviceAccountToken'>,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** The token for `pod` and `projection`: cached while fresh, else asked of the API. */
  async token(pod: Pod, projection: TokenProjection): Promise<string> {
    const namespace = pod.metadata?.namespace ?? 'default';
    const serviceAccount = pod.spec?.serviceAccountName || 'default';
    const expirationSeconds = projection.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
    const audiences = projection.audience ? [projection.audience] : [];
    const podUid = pod.metadata?.uid ?? '';
    const key = JSON.stringify([serviceAccount, namespace, audiences, expirationSeconds, podUid]);
    const cached = this.cache.get(key);
    if (cached && !this.requiresRefresh(cached)) return cached.token.status!.token;

    // An empty audience list lets the API server use its own audiences (upstream sends none).
    const request: TokenRequest = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {
        audiences,
        expirationSeconds,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name, uid: podUid },
      },
    };
    let response: TokenRequest;
    try {
      response = await this.sources.serviceAccountToken(namespace, serviceAccount, request);
      if (!response.status?.token) throw new Error('the TokenRequest response has no token');
    } catch (e) {
      const message = (e as Error).message;
      if (!cached) throw new Error(`failed to fetch token: ${message}`);
      if (this.now() >= cached.expiresAt) throw new Error(`token ${serviceAccount}/${namespace} expired and refresh failed: ${message}`);
      this.logger.warn({ serviceAccount: `${namespace}/${serviceAccount}`, err: e }, "couldn't update a service account token; keeping the current one");
      return cached.token.status!.token;
    }
    // The server may grant another lifetime than asked: its answer (spec and expiration) decides,
    // and the issue time is the expiration less that lifetime, as upstream computes it.
    const granted = response.spec?.expirationSeconds ?? expirationSeconds;
    const stamped = Date.parse(response.status.expirationTimestamp ?? '');
    const expiresAt = Number.isFinite(stamped) ? stamped : this.now() + granted * 1000;
    this.cache.set(key, { podUid, token: response, issuedAt: expiresAt - granted * 1000, expiresAt });
    return response.status.token;
  }

  /** upstream requiresRefresh: within the last 20% of its lifetime, or older than a day. */
  private requiresRefresh(c: Cached): boolean {
    const now = this.now();
    const ttl = c.expiresAt - c.issuedAt;
    if (now >= c.issuedAt + MAX_TTL_MS) return true;
    return now >= c.expiresAt - ttl * 0.2;
  }

  /** Forgets the pod's tokens (upstream deleteServiceAccountToken on tear down). */
  forgetPod(podUid: string): void {
    for (const [key, c] of this.cache) if (c.podUid === podUid) this.cache.delete(key);
  }
}
