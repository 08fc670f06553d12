// The PATCH machinery of the API server: which patch format a request carries, and applying each
// format to a decoded object. Server-side apply (`application/apply-patch+yaml`) is recognised
// here but applied elsewhere.
export { applyJsonPatch, applyMergePatch } from './json-patch.js';
export { applyStrategicMergePatch } from './strategic.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const PATCH_TYPES: ReadonlyMap<string, PatchType> = new Map([
  ['application/json-patch+json', 'json'],
  ['application/merge-patch+json', 'merge'],
  ['application/strategic-merge-patch+json', 'strategic'],
  ['application/apply-patch+yaml', 'apply'],
]);

/** The patch format a Content-Type names; parameters such as `; charset=utf-8` are ignored. */
export function patchTypeFromContentType(contentType: string): PatchType | undefined {
  // As upstream: cut at the first ';' and compare the rest exactly (kubectl sends these verbatim).
  const semicolon = contentType.indexOf(';');
  const mediaType = semicolon >= 0 ? contentType.slice(0, semicolon) : contentType;
  return PATCH_TYPES.get(mediaType);
}
