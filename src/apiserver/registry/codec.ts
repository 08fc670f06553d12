// Objects are stored as JSON, without resourceVersion: like kube-apiserver's etcd3 store, the
// resourceVersion is the storage mod revision, set on every read. They are written with
// apiVersion, kind and metadata first, so that a read can splice the resourceVersion into the
// stored bytes instead of parsing and re-serialising the object (lists of thousands of objects).
import type { KeyValue } from '../../storage/index.js';
import type { KubeObject } from '../../api/types.js';

export function encodeObject(obj: KubeObject): Buffer {
  const { apiVersion, kind, metadata, ...rest } = obj as KubeObject & Record<string, unknown>;
  let meta = metadata;
  if (meta && meta.resourceVersion !== undefined) {
    const { resourceVersion: _rv, ...others } = meta;
    meta = others;
  }
  return Buffer.from(JSON.stringify({ apiVersion, kind, metadata: meta ?? {}, ...rest }));
}

export function decodeObject<T extends KubeObject = KubeObject>(value: Uint8Array, revision: number): T {
  const obj = JSON.parse(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8')) as T;
  obj.metadata ??= {};
  obj.metadata.resourceVersion = String(revision);
  return obj;
}

export function decodeKeyValue<T extends KubeObject = KubeObject>(kv: KeyValue): T {
  return decodeObject<T>(kv.value, kv.modRevision);
}

const META = Buffer.from('"metadata":{');

/**
 * The stored bytes with `"resourceVersion":"<revision>"` spliced into metadata: the JSON
 * decodeObject would give, without parsing. Falls back to parsing for bytes not written by
 * encodeObject's key order (metadata must come within the first bytes).
 */
export function encodedWithVersion(value: Uint8Array, revision: number): Buffer {
  return Buffer.concat(encodedWithVersionParts(value, revision));
}

/** encodedWithVersion as slices of the stored bytes (no copy), for writing many in a row. */
export function encodedWithVersionParts(value: Uint8Array, revision: number): Buffer[] {
  const buf = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  // apiVersion and kind are short strings: metadata starts within the first few hundred bytes.
  // A quote inside a JSON string is always escaped, so the first match is the top-level key.
  const at = buf.subarray(0, 512).indexOf(META);
  if (at < 0 || !buf.subarray(0, at).toString('latin1').startsWith('{"apiVersion":')) {
    return [Buffer.from(JSON.stringify(decodeObject(value, revision)))];
  }
  const cut = at + META.length;
  const empty = buf[cut] === 0x7d; // '}'
  const rv = Buffer.from(`"resourceVersion":"${revision}"${empty ? '' : ','}`);
  return [buf.subarray(0, cut), rv, buf.subarray(cut)];
}
