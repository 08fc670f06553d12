// Element order of merged lists in strategic merge patch, as upstream's strategicpatch package
// decides it: items named by the patch (or by its `$setElementOrder/<field>` list) keep the
// patch's order, items only on the server keep theirs, and the two runs are interleaved by where
// the server had them. An item new to the server is therefore placed ahead of the server's items
// that follow it in the walk (a plain `kubectl patch` adding an env var puts it first).
import {
  ERR_NO_LIST_OF_LISTS,
  badArgType,
  goFormat,
  goTypeName,
  noMergeKey,
  patchError,
  unprocessablePatch,
} from './failures.js';
import { hasOwn, isPlainObject } from './values.js';

export const DIRECTIVE = '$patch';

/** Lists of objects are ordered by their merge key's value, lists of scalars by the value itself. */
export type ElementKind = 'map' | 'scalar';

/**
 * The kind of the elements of the given lists, which must all be of one Go type (upstream's
 * sliceElementType); undefined when there are no elements at all.
 */
export function elementKind(...lists: readonly unknown[][]): ElementKind | undefined {
  let first: string | undefined;
  for (const list of lists) {
    for (const item of list) {
      const t = goTypeName(item);
      if (first === undefined) {
        if (Array.isArray(item)) throw unprocessablePatch(ERR_NO_LIST_OF_LISTS);
        first = t;
      } else if (t !== first) {
        throw patchError(`list element types are not identical: ${goFormat(lists)}`);
      }
    }
  }
  if (first === undefined) return undefined;
  return first === goTypeName({}) ? 'map' : 'scalar';
}

const identity = (item: unknown, mergeKey: string, kind: ElementKind): unknown =>
  kind === 'map' ? (isPlainObject(item) ? item[mergeKey] : undefined) : item;

/** Looks up the (first) position of an item in `list` by identity, in constant time. */
function positionsIn(list: readonly unknown[], mergeKey: string, kind: ElementKind): (item: unknown) => number {
  const positions = new Map<unknown, number>();
  list.forEach((x, i) => {
    const id = identity(x, mergeKey, kind);
    if (!positions.has(id)) positions.set(id, i);
  });
  return (item) => positions.get(identity(item, mergeKey, kind)) ?? -1;
}

export function requireMergeKey(item: unknown, mergeKey: string): Record<string, unknown> {
  if (!isPlainObject(item)) throw badArgType('map', item);
  if (!hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
  return item;
}

export const isDeleteItem = (item: unknown): boolean => isPlainObject(item) && item[DIRECTIVE] === 'delete';

/**
 * Sorts `toSort` by the positions its items have in `order`, stably; items `order` does not name
 * stay where they are, and `$patch: delete` items go last (upstream's normalizeSliceOrder).
 */
function normalizeSliceOrder(toSort: unknown[], order: readonly unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  let kept = toSort;
  let deleted: unknown[] = [];
  if (kind === 'map') {
    for (const item of [...toSort, ...order]) requireMergeKey(item, mergeKey);
    kept = toSort.filter((item) => !isDeleteItem(item));
    deleted = toSort.filter(isDeleteItem);
  }
  const positionOf = positionsIn(order, mergeKey, kind);
  const positions = kept.map(positionOf);
  const slots = kept.flatMap((_, i) => (positions[i]! >= 0 ? [i] : []));
  const bySlot = [...slots].sort((a, b) => positions[a]! - positions[b]! || a - b);
  const result = [...kept];
  slots.forEach((slot, n) => {
    result[slot] = kept[bySlot[n]!];
  });
  return [...result, ...deleted];
}

/**
 * Interleaves the server-only items (`left`) into the patch items (`right`): a server item is
 * emitted first only when both are known to the server and it came earlier there.
 */
function mergeSortedSlice(left: unknown[], right: unknown[], serverOrder: readonly unknown[], mergeKey: string, kind: ElementKind): unknown[] {
  const positionOf = positionsIn(serverOrder, mergeKey, kind);
  const result: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const li = positionOf(left[i]);
    const ri = positionOf(right[j]);
    if (li >= 0 && ri >= 0 && li < ri) result.push(left[i++]);
    else result.push(right[j++]);
  }
  return [...result, ...left.slice(i), ...right.slice(j)];
}

export function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: readonly unknown[],
  serverOrder: readonly unknown[],
  mergeKey: string,
  kind: ElementKind,
): unknown[] {
  const patchSorted = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const serverSorted = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(serverSorted, patchSorted, serverOrder, mergeKey, kind);
}

/** Splits `merged` into the items `by` names and the rest, each in `merged`'s order. */
export function partition(merged: readonly unknown[], by: readonly unknown[], mergeKey: string, kind: ElementKind): [unknown[], unknown[]] {
  let names: Set<unknown>;
  if (kind === 'scalar') {
    names = new Set(by);
  } else {
    names = new Set();
    by.forEach((other, i) => {
      if (!isPlainObject(other)) throw patchError(`value for key ${i} is not a map.`);
      if (hasOwn(other, mergeKey)) names.add(other[mergeKey]);
    });
  }
  const named: unknown[] = [];
  const rest: unknown[] = [];
  for (const item of merged) {
    const id = kind === 'scalar' ? item : requireMergeKey(item, mergeKey)[mergeKey];
    (names.has(id) ? named : rest).push(item);
  }
  return [named, rest];
}

function sameElement(left: unknown, right: unknown, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  return requireMergeKey(left, mergeKey)[mergeKey] === requireMergeKey(right, mergeKey)[mergeKey];
}

/**
 * Checks that the patch list names its items in the same relative order as `$setElementOrder`
 * and names none that list lacks (deletions aside), as upstream's validatePatchWithSetOrderList.
 */
export function validateSetElementOrder(patchList: readonly unknown[], order: readonly unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (mergeKey) {
    for (const item of patchList) if (!isPlainObject(item)) throw badArgType('map', item);
    items = patchList.filter((item) => !isDeleteItem(item));
  }
  let p = 0;
  let s = 0;
  while (p < items.length && s < order.length) {
    if (isPlainObject(items[p]) && hasOwn(items[p] as Record<string, unknown>, DIRECTIVE)) {
      p++;
      continue;
    }
    if (sameElement(items[p], order[s], mergeKey)) p++;
    s++;
  }
  if (p < items.length && s >= order.length) {
    throw patchError(
      `The order in patch list:\n${goFormat(patchList)}\n doesn't match $setElementOrder list:\n${goFormat(order)}\n`,
    );
  }
}
