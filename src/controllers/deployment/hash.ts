// The pod-template-hash: a short, stable name for one version of a Deployment's pod template,
// added to its ReplicaSet's name, selector and pod labels (upstream controller.ComputeHash).
// Upstream feeds a spew dump of the Go struct to FNV-1a; a Go struct dump cannot be reproduced
// here, so the same FNV-1a runs over a canonical JSON form of the template instead. The value
// differs from upstream's but keeps its properties: deterministic, changed by any semantic change
// of the template, salted by collisionCount, and rendered in upstream's "safe" alphabet.
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';

/** upstream's rand alphanums: no vowels, no 0/1/3, so that hashes never spell words. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** upstream rand.SafeEncodeString: every character mapped into the safe alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += SAFE_ALPHABET[ch.codePointAt(0)! % SAFE_ALPHABET.length];
  return out;
}

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

/** FNV-1a, 32 bits, continuing from `hash` (Go's hash/fnv New32a). */
export function fnv32a(bytes: Uint8Array, hash = FNV32_OFFSET): number {
  let h = hash >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, FNV32_PRIME) >>> 0;
  }
  return h >>> 0;
}

const isEmpty = (v: unknown): boolean =>
  v === undefined ||
  v === null ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);

/**
 * JSON with sorted keys and without empty values, so that templates the API considers
 * semantically equal (an empty map and a missing one) hash alike.
 */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const parts = Object.keys(o)
      .sort()
      .filter((k) => !isEmpty(o[k]))
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/**
 * The hash of a pod template, salted with collisionCount when the Deployment has one (upstream
 * appends the count as 8 little-endian bytes, of which the uint32 fills the first 4).
 */
export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJson(template ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const salt = new Uint8Array(8);
    new DataView(salt.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(salt, h);
  }
  return safeEncodeString(String(h));
}
