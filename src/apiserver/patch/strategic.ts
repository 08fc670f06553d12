// Kubernetes strategic merge patch, applied server side with the semantics of upstream's
// strategicpatch.StrategicMergeMapPatch: maps merge recursively and `null` deletes a key; lists
// tagged `merge` merge by their merge key (or as sets of primitives); other lists are replaced.
// Directives: `$patch: replace|delete` on a map or list item, `$setElementOrder/<field>`,
// `$deleteFromPrimitiveList/<field>` and `$retainKeys`.
//
// One deliberate difference: upstream copies a patch value verbatim when the live object lacks the
// key, which can leave directives or nulls in it for the typed decoder to drop. This server keeps
// objects untyped, so such values are merged into an empty value instead, which applies their
// directives and drops their nulls; and a `$deleteFromPrimitiveList` for a missing list deletes
// nothing (upstream would store the deletion list itself).
import { badRequest } from '../../apimachinery/errors.js';
import {
  ERR_BAD_PRIMITIVE_LIST,
  ERR_BAD_RETAIN_KEYS,
  ERR_BAD_SET_ELEMENT_ORDER,
  PatchFailure,
  badArgType,
  badPatch,
  badPatchType,
  jsonTypeName,
  noMergeKey,
  patchError,
  toStatusError,
} from './failures.js';
import { type FieldMeta, type TypeMeta, lookup } from './schema.js';
import { patchMetaForKind } from './schema-kinds.js';
import { DIRECTIVE, elementKind, normalizeElementOrder, partition, validateSetElementOrder } from './strategic-order.js';
import { type JsonObject, hasOwn, isPlainObject, setOwn } from './values.js';

const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

export function applyStrategicMergePatch(
  original: unknown,
  patch: unknown,
  kind: { group: string; version: string; kind: string },
): unknown {
  // A `null` body decodes to a nil map upstream, which patches nothing.
  if (patch === null || patch === undefined) return structuredClone(original);
  if (!isPlainObject(patch)) {
    throw badRequest(`json: cannot unmarshal ${jsonTypeName(patch)} into Go value of type map[string]interface {}`);
  }
  try {
    if (!isPlainObject(original)) throw badArgType('map', original);
    return mergeMap(structuredClone(original), structuredClone(patch), patchMetaForKind(kind));
  } catch (e) {
    if (e instanceof PatchFailure) throw toStatusError(e);
    throw e;
  }
}

/** Merges `patch` into `original` (which it mutates and returns); `t` describes their type. */
export function mergeMap(original: JsonObject, patch: JsonObject, t: TypeMeta | undefined): JsonObject {
  if (hasOwn(patch, DIRECTIVE)) return mapDirective(patch, t);
  applyRetainKeys(original, patch);
  const ordered = mergeOrderedLists(original, patch, t);
  for (const [patchKey, value] of Object.entries(patch)) {
    if (patchKey === RETAIN_KEYS || patchKey.startsWith(SET_ELEMENT_ORDER)) continue;
    const deletion = patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    const key = deletion ? fieldOf(patchKey, DELETE_FROM_PRIMITIVE_LIST, ERR_BAD_PRIMITIVE_LIST) : patchKey;
    if (!deletion && ordered.has(key)) continue;
    if (value === null) {
      delete original[key];
    } else if (deletion) {
      deleteFromPrimitiveList(original, key, value);
    } else if (!hasOwn(original, key)) {
      setOwn(original, key, fresh(value, lookup(t, key)));
    } else {
      setOwn(original, key, mergeValue(original[key], value, lookup(t, key)));
    }
  }
  return original;
}

/** `$patch` on a map: `replace` makes the patch the whole map, `delete` empties it. */
function mapDirective(patch: JsonObject, t: TypeMeta | undefined): JsonObject {
  const directive = patch[DIRECTIVE];
  if (directive === 'replace') {
    const rest = { ...patch };
    delete rest[DIRECTIVE];
    return mergeMap({}, rest, t);
  }
  if (directive === 'delete') return {};
  throw badPatchType(directive, patch);
}

function mergeValue(current: unknown, value: unknown, meta: FieldMeta): unknown {
  if (isPlainObject(current) && isPlainObject(value)) {
    return meta.strategy === 'replace' ? fresh(value, meta) : mergeMap(current, value, meta.type);
  }
  if (Array.isArray(current) && Array.isArray(value)) {
    const list = inferListMeta(meta, value, []);
    return list.strategy === 'merge' ? mergeSlice(current, value, list) : fresh(value, list);
  }
  // Scalars, and values whose JSON type changed, are replaced.
  return fresh(value, meta);
}

/** A patch value for a key the live object lacks: merged into an empty value of its kind. */
function fresh(value: unknown, meta: FieldMeta): unknown {
  if (isPlainObject(value)) return mergeMap({}, value, meta.type);
  if (Array.isArray(value)) {
    const list = inferListMeta(meta, value, []);
    if (list.strategy === 'merge') return mergeSlice([], value, list);
    return value.map((item) => (isPlainObject(item) ? mergeMap({}, item, meta.type) : item));
  }
  return value;
}

/**
 * The metadata of a list, completed from the patch when this server's tables do not tag the field
 * but the client evidently did: `$setElementOrder` entries naming one key, or a `$patch` item
 * naming one key, show a list merged by that key; scalar `$setElementOrder` entries show a set.
 */
function inferListMeta(meta: FieldMeta, patchList: readonly unknown[], order: readonly unknown[]): FieldMeta {
  if (meta.strategy === 'merge') return meta;
  const keyOf = (item: unknown, extra: number) => {
    if (!isPlainObject(item)) return undefined;
    const keys = Object.keys(item).filter((k) => k !== DIRECTIVE);
    return keys.length === 1 && Object.keys(item).length === 1 + extra ? keys[0] : undefined;
  };
  if (order.length > 0) {
    if (order.every((item) => !isPlainObject(item) && !Array.isArray(item))) return { ...meta, strategy: 'merge' };
    const keys = new Set(order.map((item) => keyOf(item, 0)));
    const [key] = keys;
    if (keys.size === 1 && key !== undefined) return { ...meta, strategy: 'merge', mergeKey: key };
  }
  for (const item of patchList) {
    const key = isPlainObject(item) && hasOwn(item, DIRECTIVE) ? keyOf(item, 1) : undefined;
    if (key !== undefined) return { ...meta, strategy: 'merge', mergeKey: key };
  }
  return meta;
}

/** Merges a list tagged `merge`: by merge key for objects, as a set for primitives. */
function mergeSlice(original: unknown[], patch: unknown[], meta: FieldMeta): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch) ?? 'scalar';
  if (kind === 'scalar') {
    const merged = [...new Set([...original, ...patch])];
    const [named, serverOnly] = partition(merged, patch, '', kind);
    return normalizeElementOrder(named, serverOnly, patch, original, '', kind);
  }
  const mergeKey = meta.mergeKey;
  if (!mergeKey) throw patchError('cannot merge lists without merge key for type struct');
  const [base, items] = applyListDirectives(original, patch, mergeKey, meta.type);
  const merged = [...base];
  // Where each merge key value first occurs: a patch item merges into that live item.
  const at = new Map<unknown, number>();
  merged.forEach((o, i) => {
    if (isPlainObject(o) && hasOwn(o, mergeKey) && !at.has(o[mergeKey])) at.set(o[mergeKey], i);
  });
  for (const item of items as JsonObject[]) {
    if (!hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
    const i = at.get(item[mergeKey]);
    if (i !== undefined) {
      merged[i] = mergeMap(merged[i] as JsonObject, item, meta.type);
    } else {
      at.set(item[mergeKey], merged.length);
      merged.push(mergeMap({}, item, meta.type));
    }
  }
  const [named, serverOnly] = partition(merged, items, mergeKey, kind);
  return normalizeElementOrder(named, serverOnly, items, base, mergeKey, kind);
}

/**
 * Applies `$patch` items of a merging list: `delete` removes every live item with that merge key,
 * `replace` makes the other patch items the whole list. Returns the live list left and the patch
 * items still to merge.
 */
function applyListDirectives(original: unknown[], patch: unknown[], mergeKey: string, elem: TypeMeta | undefined): [unknown[], unknown[]] {
  let base = original;
  let replace = false;
  const items: unknown[] = [];
  for (const item of patch) {
    const entry = item as JsonObject;
    if (!hasOwn(entry, DIRECTIVE)) {
      items.push(item);
      continue;
    }
    const directive = entry[DIRECTIVE];
    if (directive === 'delete') {
      if (!hasOwn(entry, mergeKey)) throw noMergeKey(entry, mergeKey);
      base = base.filter((o) => !(isPlainObject(o) && hasOwn(o, mergeKey) && o[mergeKey] === entry[mergeKey]));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw patchError('merging lists cannot yet be specified in the patch');
    } else {
      throw badPatchType(directive, entry);
    }
  }
  if (replace) return [items.map((item) => mergeMap({}, item as JsonObject, elem)), []];
  return [base, items];
}

/** `$deleteFromPrimitiveList/<field>`: removes the listed values from a list of primitives. */
function deleteFromPrimitiveList(original: JsonObject, key: string, values: unknown): void {
  if (!Array.isArray(values)) throw badPatch(ERR_BAD_PRIMITIVE_LIST);
  const current = original[key];
  if (!Array.isArray(current)) return;
  setOwn(original, key, current.filter((v) => !values.includes(v)));
}

/** `$retainKeys`: drops live keys the list does not name; every key the patch sets must be named. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!hasOwn(patch, RETAIN_KEYS)) return;
  const retained = patch[RETAIN_KEYS];
  if (!Array.isArray(retained)) throw badPatch(ERR_BAD_RETAIN_KEYS);
  const keep = new Set(retained);
  for (const [key, value] of Object.entries(patch)) {
    if (key === RETAIN_KEYS || value === null) continue;
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(key)) throw badPatch(ERR_BAD_RETAIN_KEYS);
  }
  for (const key of Object.keys(original)) if (!keep.has(key)) delete original[key];
}

/**
 * `$setElementOrder/<field>`: merges the field's list now and puts its items in the order given
 * (server-only items interleaved by their live position). Returns the fields it handled.
 */
function mergeOrderedLists(original: JsonObject, patch: JsonObject, t: TypeMeta | undefined): Set<string> {
  const handled = new Set<string>();
  for (const [patchKey, order] of Object.entries(patch)) {
    if (!patchKey.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!Array.isArray(order)) throw badArgType('list', order);
    const key = fieldOf(patchKey, SET_ELEMENT_ORDER, ERR_BAD_SET_ELEMENT_ORDER);
    const live = hasOwn(original, key) ? original[key] : undefined;
    const given = hasOwn(patch, key) ? patch[key] : undefined;
    if (live !== undefined && !Array.isArray(live)) throw badArgType('list', live);
    if (given !== undefined && !Array.isArray(given)) throw badArgType('list', given);
    const meta = inferListMeta(lookup(t, key), given ?? [], order);
    validateSetElementOrder(given ?? [], order, meta.mergeKey ?? '');
    if (live === undefined && given === undefined) continue;
    const merged: unknown[] =
      given === undefined
        ? live!
        : live === undefined
          ? (fresh(given, meta) as unknown[])
          : meta.strategy === 'merge'
            ? mergeSlice(live, given, meta)
            : (fresh(given, meta) as unknown[]);
    handled.add(key);
    const kind = elementKind(live ?? [], given ?? []);
    const mergeKey = kind === 'map' ? meta.mergeKey : '';
    if (kind === undefined || mergeKey === undefined) {
      // Nothing to order, or objects with no key to order them by.
      setOwn(original, key, merged);
      continue;
    }
    const [named, serverOnly] = partition(merged, order, mergeKey, kind);
    setOwn(original, key, normalizeElementOrder(named, serverOnly, order, live ?? [], mergeKey, kind));
  }
  return handled;
}

/** The field a `<prefix>/<field>` directive key names. */
function fieldOf(patchKey: string, prefix: string, malformed: string): string {
  const slash = patchKey.indexOf('/');
  if (slash < 0 || patchKey.slice(0, slash) !== prefix) throw badPatch(malformed);
  return patchKey.slice(slash + 1);
}
