// The API's error catalogue. Every failure a request can meet is a StatusError built here, with
// upstream's reason, HTTP code and message wording, and becomes a metav1.Status in one place
// (toStatus). kubectl prints `Error from server (<Reason>): <message>` from it.
import type { Status, StatusCause, StatusDetails } from 'kubernetes-types/meta/v1.js';
import { type FieldError, fieldErrorString } from './field-errors.js';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Expired'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'TooManyRequests'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout';

/** Names a kind of resource in messages: `pods`, `deployments.apps`. */
export interface QualifiedResource {
  group: string;
  resource: string;
}

export const qualified = (r: QualifiedResource): string => (r.group ? `${r.resource}.${r.group}` : r.resource);

export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
    this.name = `StatusError(${reason})`;
  }
}

export const badRequest = (message: string, causes?: StatusCause[]) =>
  new StatusError(400, 'BadRequest', message, causes ? { causes } : undefined);

export const unauthorized = (message = 'Unauthorized') => new StatusError(401, 'Unauthorized', message);

export const forbidden = (r: QualifiedResource, name: string, why: string) =>
  new StatusError(
    403,
    'Forbidden',
    name ? `${qualified(r)} "${name}" is forbidden: ${why}` : `${qualified(r)} is forbidden: ${why}`,
    { name: name || undefined, group: r.group, kind: r.resource },
  );

export const notFound = (r: QualifiedResource, name: string) =>
  new StatusError(404, 'NotFound', `${qualified(r)} "${name}" not found`, {
    name,
    group: r.group,
    kind: r.resource,
  });

/** A URL that names no resource the server serves (upstream answers with a bare 404). */
export const pathNotFound = () => new StatusError(404, 'NotFound', 'the server could not find the requested resource');

export const alreadyExists = (r: QualifiedResource, name: string) =>
  new StatusError(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, {
    name,
    group: r.group,
    kind: r.resource,
  });

export const conflict = (r: QualifiedResource, name: string, why: string) =>
  new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${why}`, {
    name,
    group: r.group,
    kind: r.resource,
  });

export const OBJECT_MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

/** A resourceVersion older than the compacted history (410, reason Expired). */
export const expired = (message: string) => new StatusError(410, 'Expired', message);

export const gone = (message: string) => new StatusError(410, 'Gone', message);

/** 422: `<Kind> "<name>" is invalid: <field errors>`, each error a cause. */
export function invalid(groupKind: { group: string; kind: string }, name: string, errors: readonly FieldError[]) {
  const list = errors.map(fieldErrorString);
  const summary = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${groupKind.kind}${groupKind.group ? '.' + groupKind.group : ''} "${name}" is invalid: ${summary}`, {
    name,
    group: groupKind.group,
    kind: groupKind.kind,
    causes: errors.map((e) => ({ reason: e.type, message: e.message, field: e.field })),
  });
}

export const methodNotSupported = (r: QualifiedResource, verb: string) =>
  new StatusError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${qualified(r)}"`, {
    group: r.group,
    kind: r.resource,
  });

export const notAcceptable = (message: string) => new StatusError(406, 'NotAcceptable', message);

export const requestEntityTooLarge = (limitBytes: number) =>
  new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limitBytes}`);

export const BODY_MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
export const PATCH_MEDIA_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/apply-patch+yaml',
  'application/strategic-merge-patch+json',
];

/** 415, in upstream's words; `accepted` names what this endpoint takes. */
export const unsupportedMediaType = (contentType: string, accepted: readonly string[] = BODY_MEDIA_TYPES) =>
  new StatusError(
    415,
    'UnsupportedMediaType',
    `${contentType ? `${contentType}: ` : ''}the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );

export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new StatusError(429, 'TooManyRequests', message, { retryAfterSeconds });

/**
 * 429 with causes (upstream NewTooManyRequests plus appended causes, as the eviction subresource
 * answers); a zero retryAfterSeconds is left out, as upstream's omitempty does.
 */
export const tooManyRequestsWithCauses = (message: string, retryAfterSeconds: number, causes: StatusCause[]) =>
  new StatusError(429, 'TooManyRequests', message, retryAfterSeconds > 0 ? { retryAfterSeconds, causes } : { causes });

export const internalError = (cause: unknown) =>
  new StatusError(
    500,
    'InternalError',
    `Internal error occurred: ${cause instanceof Error ? cause.message : String(cause)}`,
    { causes: [{ message: cause instanceof Error ? cause.message : String(cause) }] },
  );

export const serviceUnavailable = (message: string) => new StatusError(503, 'ServiceUnavailable', message);

export const timeout = (message: string, retryAfterSeconds = 1) =>
  new StatusError(504, 'Timeout', message, { retryAfterSeconds });

export const isStatusError = (e: unknown, reason?: StatusReason): e is StatusError =>
  e instanceof StatusError && (reason === undefined || e.reason === reason);
export const isNotFound = (e: unknown) => isStatusError(e, 'NotFound');
export const isAlreadyExists = (e: unknown) => isStatusError(e, 'AlreadyExists');
export const isConflict = (e: unknown) => isStatusError(e, 'Conflict');
export const isInvalid = (e: unknown) => isStatusError(e, 'Invalid');

/** The one place an error becomes a metav1.Status. Anything not a StatusError is a 500. */
export function toStatus(e: unknown): Status {
  const err = e instanceof StatusError ? e : internalError(e);
  const status: Status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: err.message,
    reason: err.reason,
    code: err.code,
  };
  if (err.details) status.details = err.details;
  return status;
}
