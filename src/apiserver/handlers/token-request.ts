// POST serviceaccounts/{name}/token (upstream's TokenREST, pkg/registry/core/serviceaccount/storage/
// token.go): an authentication.k8s.io/v1 TokenRequest in, the same TokenRequest out with
// status.token, a JWT signed with the service account key, bound to its audiences, lifetime and
// optionally to a Pod, Secret or Node that must exist in the service account's namespace.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/types.js';
import { badRequest, conflict, internalError, invalid as invalidObject, isNotFound, pathNotFound } from '../../apimachinery/errors.js';
import { type FieldError, invalid } from '../../apimachinery/field-errors.js';
import { rfc3339 } from '../../apimachinery/time.js';
import { serviceAccountClaims, signServiceAccountToken, type ObjectRefClaim } from '../../pki/service-account-token.js';
import type { ServiceAccountTokens } from '../authn.js';
import { bodyFormat, decodeBody, expectObject, readBody } from '../http/body.js';
import { writeJson } from '../http/respond.js';
import type { RequestContext } from './context.js';

const API_VERSION = 'authentication.k8s.io/v1';
const TOKEN_REQUEST = { group: 'authentication.k8s.io', kind: 'TokenRequest' };

/** SetDefaults_TokenRequestSpec: one hour. */
export const DEFAULT_EXPIRATION_SECONDS = 60 * 60;
/** Upstream's MinTokenAgeSec (ten minutes) and the 2^32 s ceiling of ValidateTokenRequest. */
export const MIN_EXPIRATION_SECONDS = 10 * 60;
export const MAX_EXPIRATION_SECONDS = 2 ** 32;
/**
 * The kubelet asks for 3607 s for kube-api-access volumes; with --service-account-extend-token-
 * expiration (on by default) such pod-bound API tokens live a year and only warn after the hour.
 */
export const WARN_ONLY_EXPIRATION_SECONDS = 60 * 60 + 7;
export const EXTENDED_EXPIRATION_SECONDS = 24 * 365 * 60 * 60;

export interface BoundObjectReference {
  kind?: string;
  apiVersion?: string;
  name?: string;
  uid?: string;
}

export interface TokenRequestSpec {
  audiences: string[];
  expirationSeconds: number;
  boundObjectRef: BoundObjectReference | null;
}

export interface TokenRequest {
  apiVersion: string;
  kind: 'TokenRequest';
  metadata: { name?: string; namespace?: string; creationTimestamp?: string | null; [k: string]: unknown };
  spec: TokenRequestSpec;
  status: { token: string; expirationTimestamp: string | null };
}

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Reads a body into a defaulted TokenRequest; shape errors are 400s, as a failed decode is upstream. */
export function decodeTokenRequest(body: Record<string, unknown>, apiAudiences: readonly string[]): TokenRequest {
  if (body.apiVersion !== undefined && body.apiVersion !== API_VERSION) {
    throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${API_VERSION})`);
  }
  const metadata = (body.metadata ?? {}) as TokenRequest['metadata'];
  if (typeof metadata !== 'object' || Array.isArray(metadata)) throw badRequest('TokenRequest.metadata must be an object');
  const spec = (body.spec ?? {}) as Record<string, unknown>;
  if (typeof spec !== 'object' || Array.isArray(spec)) throw badRequest('TokenRequest.spec must be an object');
  const audiences = spec.audiences ?? [];
  if (!isStringList(audiences)) throw badRequest('TokenRequest.spec.audiences must be a list of strings');
  const expirationSeconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  if (typeof expirationSeconds !== 'number' || !Number.isInteger(expirationSeconds)) {
    throw badRequest(`TokenRequest.spec.expirationSeconds must be an integer, not ${JSON.stringify(expirationSeconds)}`);
  }
  const ref = spec.boundObjectRef ?? null;
  if (ref !== null && (typeof ref !== 'object' || Array.isArray(ref))) throw badRequest('TokenRequest.spec.boundObjectRef must be an object');
  for (const [k, v] of Object.entries(ref ?? {})) {
    if (v !== undefined && v !== null && typeof v !== 'string') throw badRequest(`TokenRequest.spec.boundObjectRef.${k} must be a string`);
  }
  // System fields a client sent are dropped, as the create handler wipes them (WipeObjectMetaSystemFields).
  const { uid: _uid, creationTimestamp: _created, deletionTimestamp: _deleted, deletionGracePeriodSeconds: _grace, selfLink: _link, ...kept } = metadata;
  return {
    apiVersion: API_VERSION,
    kind: 'TokenRequest',
    metadata: kept,
    // Unset audiences become the API server's (upstream defaults them in the REST handler).
    spec: { audiences: audiences.length ? audiences : [...apiAudiences], expirationSeconds, boundObjectRef: ref as BoundObjectReference | null },
    status: { token: '', expirationTimestamp: null },
  };
}

/** Upstream ValidateTokenRequest. */
export function validateTokenRequest(tr: TokenRequest): FieldError[] {
  const errs: FieldError[] = [];
  const { expirationSeconds } = tr.spec;
  if (expirationSeconds < MIN_EXPIRATION_SECONDS) {
    errs.push(invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration less than 10 minutes'));
  }
  if (expirationSeconds > MAX_EXPIRATION_SECONDS) {
    errs.push(invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
  }
  return errs;
}

/** schema.FromAPIVersionAndKind(...).String(): `group/version, Kind=kind`. */
function gvkString(ref: BoundObjectReference): { group: string; text: string } {
  const apiVersion = ref.apiVersion ?? '';
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return { group, text: `${group}/${version}, Kind=${ref.kind ?? ''}` };
}

interface Bound {
  pod?: ObjectRefClaim;
  secret?: ObjectRefClaim;
  node?: ObjectRefClaim;
}

/** Looks up the bound object (404 when missing; Conflict when its uid is not the one named). */
async function resolveBoundObject(ctx: RequestContext, saName: string, ref: BoundObjectReference): Promise<Bound> {
  const { group, text } = gvkString(ref);
  const namespace = ctx.info.namespace;
  const name = ref.name ?? '';
  // The generic registry refuses a get without a name this way.
  const get = async (plural: string, ns: string): Promise<KubeObject> => {
    if (!name) throw badRequest('Name parameter required.');
    return ctx.storeOf('', 'v1', plural).get(ns, name);
  };
  let bound: Bound;
  let uid: string | undefined;
  if (group === '' && ref.kind === 'Pod') {
    const pod = (await get('pods', namespace)) as Pod;
    if (pod.spec?.serviceAccountName !== saName) {
      throw badRequest(`cannot bind token for serviceaccount ${JSON.stringify(saName)} to pod running with different serviceaccount name.`);
    }
    uid = pod.metadata?.uid;
    bound = { pod: { name, uid } };
    const nodeName = pod.spec?.nodeName;
    if (nodeName) {
      // For information only: a missing node still leaves its name in the token.
      try {
        const node = (await ctx.storeOf('', 'v1', 'nodes').get('', nodeName)) as Node;
        bound.node = { name: nodeName, uid: node.metadata?.uid };
      } catch (e) {
        if (!isNotFound(e)) throw internalError(e);
        bound.node = { name: nodeName };
      }
    }
  } else if (group === '' && ref.kind === 'Node') {
    const node = await get('nodes', '');
    uid = node.metadata?.uid;
    bound = { node: { name, uid } };
  } else if (group === '' && ref.kind === 'Secret') {
    const secret = await get('secrets', namespace);
    uid = secret.metadata?.uid;
    bound = { secret: { name, uid } };
  } else {
    throw badRequest(`cannot bind token to object of type ${text}`);
  }
  if (ref.uid && ref.uid !== uid) {
    throw conflict(
      { group, resource: ref.kind ?? '' },
      name,
      `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  }
  return bound;
}

/** Handles POST .../serviceaccounts/{name}/token. Without a signing key the subresource is not served. */
export async function handleTokenRequest(ctx: RequestContext, tokens: ServiceAccountTokens | undefined): Promise<void> {
  if (!tokens) throw pathNotFound();
  const { namespace, name } = ctx.info;
  const body = expectObject(decodeBody(await readBody(ctx.req), bodyFormat(ctx.req.headers['content-type'])), 'TokenRequest');
  const req = decodeTokenRequest(body, tokens.audiences);
  if (req.metadata.name && req.metadata.name !== name) {
    throw invalidObject(TOKEN_REQUEST, name, [invalid('metadata.name', req.metadata.name, 'must match the service account name if specified')]);
  }
  if (req.metadata.namespace && req.metadata.namespace !== namespace) {
    throw invalidObject(TOKEN_REQUEST, name, [invalid('metadata.namespace', req.metadata.namespace, 'must match the service account namespace if specified')]);
  }
  const sa = await ctx.store.get(namespace, name);
  req.metadata.name = sa.metadata?.name;
  req.metadata.namespace = sa.metadata?.namespace;
  // Taken before the token is built, so status.expirationTimestamp is never after the token's exp.
  const now = tokens.now();
  req.metadata.creationTimestamp = rfc3339(now);
  const errs = validateTokenRequest(req);
  if (errs.length) throw invalidObject(TOKEN_REQUEST, '', errs);

  const bound = req.spec.boundObjectRef ? await resolveBoundObject(ctx, name, req.spec.boundObjectRef) : {};
  let exp = req.spec.expirationSeconds;
  let warnAfterSeconds = 0;
  const apiAudiencesOnly = req.spec.audiences.every((a) => tokens.audiences.includes(a));
  if (bound.pod && exp === WARN_ONLY_EXPIRATION_SECONDS && apiAudiencesOnly) {
    warnAfterSeconds = exp;
    exp = EXTENDED_EXPIRATION_SECONDS;
  }
  const claims = serviceAccountClaims({
    issuer: tokens.issuer,
    audiences: req.spec.audiences,
    serviceAccount: { namespace, name, uid: sa.metadata?.uid ?? '' },
    ...bound,
    expirationSeconds: exp,
    warnAfterSeconds,
    jti: tokens.newTokenId(),
    now,
  });
  req.status = {
    token: signServiceAccountToken(tokens.key, claims),
    expirationTimestamp: rfc3339(new Date(now.getTime() + req.spec.expirationSeconds * 1000)),
  };
  writeJson(ctx.res, 201, req);
}
