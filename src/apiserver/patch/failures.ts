// Failures met while applying a patch, and how they become API errors. Upstream's PATCH handler
// (apiserver endpoints/handlers/patch.go) sorts them three ways: a malformed patch document is a
// 400, a well-formed patch that cannot be applied is a 422 with a fixed, generic message, and any
// other strategic-merge failure (a missing merge key, an unknown `$patch` value) reaches the client
// as a 500 carrying the raw Go error text. Messages below keep upstream's wording, including its Go
// `%v` rendering of maps and lists, because kubectl prints them verbatim.
import { StatusError, badRequest } from '../../apimachinery/errors.js';
import { isPlainObject } from './values.js';

export type PatchFailureKind = 'BadRequest' | 'Invalid' | 'Internal';

export class PatchFailure extends Error {
  constructor(
    readonly kind: PatchFailureKind,
    message: string,
  ) {
    super(message);
    this.name = `PatchFailure(${kind})`;
  }
}

// The mergepatch package's sentinel errors (k8s.io/apimachinery/pkg/util/mergepatch).
export const ERR_BAD_PRIMITIVE_LIST = 'invalid patch format of primitive list';
export const ERR_BAD_RETAIN_KEYS = 'invalid patch format of retainKeys';
export const ERR_BAD_SET_ELEMENT_ORDER = 'invalid patch format of setElementOrder list';
export const ERR_NO_LIST_OF_LISTS = 'lists of lists are not supported';

export const badPatch = (message: string) => new PatchFailure('BadRequest', message);
export const unprocessablePatch = (message: string) => new PatchFailure('Invalid', message);
export const patchError = (message: string) => new PatchFailure('Internal', message);

/** mergepatch.ErrNoMergeKey */
export const noMergeKey = (item: unknown, key: string) =>
  patchError(`map: ${goFormat(item)} does not contain declared merge key: ${key}`);

/** mergepatch.ErrBadArgType, with the Go type names upstream prints. */
export const badArgType = (expected: 'map' | 'list', actual: unknown) =>
  patchError(`expected a ${expected === 'map' ? GO_MAP : GO_LIST}, but received a ${goTypeName(actual)}`);

/** mergepatch.ErrBadPatchType */
export const badPatchType = (directive: unknown, item: unknown) =>
  patchError(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(item)}`);

/**
 * The message upstream's generic 422 carries (errors.NewGenericServerResponse drops the detailed
 * error it is given, so a failed json-patch `test` reads only this: kubectl prints
 * "The request is invalid: the server rejected our request due to an error in our request").
 */
export const UNPROCESSABLE_MESSAGE = 'the server rejected our request due to an error in our request';

export function unprocessable(cause?: unknown): StatusError {
  // Empty details (not none) as upstream sends them: kubectl's "The request is invalid: ..." needs them.
  const err = new StatusError(422, 'Invalid', UNPROCESSABLE_MESSAGE, {});
  if (cause !== undefined) err.cause = cause;
  return err;
}

export function toStatusError(failure: PatchFailure): StatusError {
  switch (failure.kind) {
    case 'BadRequest':
      return badRequest(failure.message);
    case 'Invalid':
      return unprocessable(failure);
    case 'Internal':
      // Upstream returns a plain Go error here, which becomes a 500 whose message is the error text
      // itself (reason Unknown, which the shared catalogue has no name for; InternalError is closest).
      return new StatusError(500, 'InternalError', failure.message);
  }
}

const GO_MAP = 'map[string]interface {}';
const GO_LIST = '[]interface {}';

/** Go's reflect type name of a decoded JSON value (integers decode as int64 in the API server). */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return GO_LIST;
  if (typeof v === 'object') return GO_MAP;
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** The JSON type name encoding/json uses in "cannot unmarshal X into Go value" messages. */
export function jsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** Go's `%v` rendering of a decoded JSON value: `map[a:1 b:[x y]]`, keys sorted. */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (isPlainObject(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goFormat(v[k])}`).join(' ')}]`;
  }
  return String(v);
}
