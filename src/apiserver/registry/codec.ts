// Objects are stored as JSON, without resourceVersion: like kube-apiserver's etcd3 store, the
// resourceVersion is the storage mod revision, set on every read.
import type { KeyValue } from '../../storage/index.js';
import type { KubeObject } from '../../api/types.js';

export function encodeObject(obj: KubeObject): Buffer {
  const meta = obj.metadata;
  if (meta && meta.resourceVersion !== undefined) {
    const { resourceVersion: _rv, ...rest } = meta;
    return Buffer.from(JSON.stringify({ ...obj, metadata: rest }));
  }
  return Buffer.from(JSON.stringify(obj));
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
