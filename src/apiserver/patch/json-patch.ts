// RFC 6902 JSON patch and RFC 7386 JSON merge patch, with the status codes upstream's PATCH handler
// gives their failures (apiserver endpoints/handlers/patch.go, applyJSPatch): a document that does
// not decode as a patch is a 400 carrying the decoder's message, a patch with too many operations
// is a 413, and an operation that cannot be applied is a 422 with upstream's generic message.
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { StatusError, badRequest } from '../../apimachinery/errors.js';
import { jsonTypeName, unprocessable } from './failures.js';
import { type JsonObject, isPlainObject, setOwn } from './values.js';

/** Upstream's maxJSONPatchOperations. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

export function applyJsonPatch(original: unknown, patch: unknown): unknown {
  // `null` decodes to an empty patch upstream (a nil operation list), which changes nothing.
  if (patch === null || patch === undefined) return structuredClone(original);
  if (!Array.isArray(patch)) {
    throw badRequest(`json: cannot unmarshal ${jsonTypeName(patch)} into Go value of type jsonpatch.Patch`);
  }
  for (const op of patch) {
    // Each operation decodes as a JSON object; a null one decodes (as an empty operation) and fails later.
    if (op !== null && !isPlainObject(op)) {
      throw badRequest(`json: cannot unmarshal ${jsonTypeName(op)} into Go value of type jsonpatch.Operation`);
    }
  }
  if (patch.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new StatusError(
      413,
      'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${patch.length}`,
    );
  }
  const document = structuredClone(original);
  try {
    // validateOperation=true makes a missing path or a failed `test` throw instead of being skipped;
    // the document is our own copy, so it may be mutated in place.
    return jsonpatch.applyPatch(document, structuredClone(patch) as Operation[], true, true, true).newDocument;
  } catch (e) {
    throw unprocessable(e);
  }
}

/** RFC 7386: null deletes, objects merge recursively, anything else replaces. */
export function applyMergePatch(original: unknown, patch: unknown): unknown {
  // evanphx/json-patch (used upstream) refuses a patch that is not a JSON object with ErrBadJSONPatch.
  if (!isPlainObject(patch)) throw badRequest('Invalid JSON Patch');
  return mergeValue(structuredClone(original), patch);
}

function mergeValue(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result: JsonObject = isPlainObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else setOwn(result, key, mergeValue(Object.hasOwn(result, key) ? result[key] : undefined, value));
  }
  return result;
}
