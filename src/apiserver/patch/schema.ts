// The patch metadata strategic merge patch needs: for each field of a type, whether its list merges
// (and by which key) or is replaced, whether a map is replaced whole, and the type of its value.
// Upstream reads these from the `patchStrategy`/`patchMergeKey` struct tags of k8s.io/api; here
// each type is a small table (see schema-core.ts and schema-kinds.ts). A field absent from a table
// behaves as an untagged Go field does: maps merge key by key, lists are replaced whole.

export interface FieldMeta {
  /**
   * 'merge' on a list: merge by `mergeKey` (lists of objects) or as a set (lists of primitives).
   * 'replace' on a map: the patch's map replaces the live one. Absent: maps merge, lists replace.
   */
  readonly strategy?: 'merge' | 'replace';
  readonly mergeKey?: string;
  /** The `retainKeys` strategy; it only shapes the patches clients compute (`$retainKeys`), which apply on any map. */
  readonly retainKeys?: boolean;
  /** The type of the field's value, or of each element of a list. */
  readonly type?: TypeMeta;
}

/** The fields of one type that carry patch metadata or lead to types that do. */
export interface TypeMeta {
  readonly [field: string]: FieldMeta;
}

const NONE: FieldMeta = Object.freeze({});

/** A type's table; null-prototype so that a field called `constructor` or `__proto__` finds nothing. */
export function type(fields: Record<string, FieldMeta>): TypeMeta {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, FieldMeta>, fields));
}

/** A struct-valued field whose own fields carry metadata. */
export const field = (t: TypeMeta): FieldMeta => ({ type: t });

/** `patchStrategy:"merge" patchMergeKey:"<key>"` on a list of objects. */
export const mergeList = (mergeKey: string, elem?: TypeMeta): FieldMeta => ({ strategy: 'merge', mergeKey, type: elem });

/** `patchStrategy:"merge"` on a list of primitives: a set (finalizers). */
export const primitiveSet: FieldMeta = Object.freeze({ strategy: 'merge' });

/** Adds the `retainKeys` strategy to a field (`patchStrategy:"merge,retainKeys"` or `"retainKeys"`). */
export const retainKeys = (meta: FieldMeta = NONE): FieldMeta => ({ ...meta, retainKeys: true });

/** A list with no strategy (replaced whole by a patch), kept in a table to document that choice. */
export const atomicList = (elem?: TypeMeta): FieldMeta => ({ type: elem });

/** `patchStrategy:"replace"` on a map-valued field. */
export const replaceMap = (t?: TypeMeta): FieldMeta => ({ strategy: 'replace', type: t });

/** The metadata of `name` in `t`; an unknown type or field has none. */
export function lookup(t: TypeMeta | undefined, name: string): FieldMeta {
  if (t === undefined) return NONE;
  return Object.hasOwn(t, name) ? t[name]! : NONE;
}
