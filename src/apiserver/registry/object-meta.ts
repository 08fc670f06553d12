// The metadata rules every resource follows (upstream's rest.BeforeCreate / BeforeUpdate and
// ObjectMeta validation): the server owns uid, creationTimestamp, resourceVersion, generation and
// deletion fields; clients own name, labels, annotations, finalizers and ownerReferences.
import { randomUUID } from 'node:crypto';
import type { KubeObject, MutableObjectMeta, ResourceDefinition } from '../../api/types.js';
import { badRequest } from '../../apimachinery/errors.js';
import { type FieldError, FieldPath, invalid } from '../../apimachinery/field-errors.js';
import { rfc3339 } from '../../apimachinery/time.js';

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** upstream names.SimpleNameGenerator: the prefix plus 5 random characters. */
export function generateName(prefix: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)];
  return prefix.slice(0, 63 - 5) + suffix;
}

/** RFC 3339 in UTC to the second, as metav1.Time serialises. */
export { rfc3339 };

/** Whether the kind tracks metadata.generation (kinds with a spec, unless said otherwise). */
export function tracksGeneration(def: ResourceDefinition, obj: KubeObject): boolean {
  return def.tracksGeneration ?? 'spec' in obj;
}

export function prepareMetaForCreate(obj: KubeObject, def: ResourceDefinition, namespace: string, now: Date): void {
  const meta: MutableObjectMeta = (obj.metadata ??= {});
  if (def.namespaced) {
    if (meta.namespace && meta.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    meta.namespace = namespace;
  } else {
    delete meta.namespace;
  }
  if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
  meta.uid = randomUUID();
  meta.creationTimestamp = rfc3339(now);
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  if (tracksGeneration(def, obj)) meta.generation = 1;
  else delete meta.generation;
  obj.apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
  obj.kind = def.kind;
}

/**
 * Carries the server-owned fields of `old` into `obj` and bumps generation when anything but
 * metadata and status changed. Returns errors for server-owned fields the client changed.
 */
export function prepareMetaForUpdate(obj: KubeObject, old: KubeObject, def: ResourceDefinition): FieldError[] {
  const meta: MutableObjectMeta = (obj.metadata ??= {});
  const oldMeta = old.metadata ?? {};
  const path = FieldPath.root('metadata');
  const errs: FieldError[] = [];
  if (meta.uid && meta.uid !== oldMeta.uid) errs.push(invalid(path.child('uid'), meta.uid, 'field is immutable'));
  if (meta.creationTimestamp && meta.creationTimestamp !== oldMeta.creationTimestamp) {
    // upstream silently keeps the old value for creationTimestamp.
  }
  meta.uid = oldMeta.uid;
  meta.name = oldMeta.name;
  if (def.namespaced) meta.namespace = oldMeta.namespace;
  else delete meta.namespace;
  meta.creationTimestamp = oldMeta.creationTimestamp;
  setOrDelete(meta, 'deletionTimestamp', oldMeta.deletionTimestamp);
  setOrDelete(meta, 'deletionGracePeriodSeconds', oldMeta.deletionGracePeriodSeconds);
  delete meta.selfLink;
  if (tracksGeneration(def, old) || tracksGeneration(def, obj)) {
    const gen = oldMeta.generation ?? 1;
    meta.generation = specChanged(obj, old) ? gen + 1 : gen;
  } else {
    delete meta.generation;
  }
  obj.apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
  obj.kind = def.kind;
  return errs;
}

function setOrDelete<K extends keyof MutableObjectMeta>(meta: MutableObjectMeta, k: K, v: MutableObjectMeta[K] | undefined): void {
  if (v === undefined) delete meta[k];
  else meta[k] = v;
}

/** Anything outside metadata and status differs (upstream bumps generation on spec changes). */
export function specChanged(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o as KubeObject & { status?: unknown };
    return rest;
  };
  return !deepEqual(strip(a), strip(b));
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  for (const k of ak) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}

export function deepCopy<T>(v: T): T {
  return structuredClone(v);
}
