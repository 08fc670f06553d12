import type { CurrentIndex } from './current-index.js';
import type { Engine, StoredRow } from './engine.js';

interface ListRange {
  start: string;
  end: string;
  revision: number;
  limit: number;
  /** `revision` is the newest one: the current rows are the answer as they are. */
  latest: boolean;
}

/**
 * Lists [start, end) as it stood at `revision`: the current rows, with every key changed since
 * then put back to its state at `revision` (keys created since drop out, keys deleted since come
 * back). Stops after `limit` rows and returns the key to continue from.
 */
export function listAtRevision(
  current: CurrentIndex,
  engine: Engine,
  range: ListRange,
): { rows: StoredRow[]; nextKey?: string } {
  const rows: StoredRow[] = [];
  const changed = range.latest
    ? new Map<string, StoredRow | undefined>()
    : engine.stateAtForChangedKeys(range.revision, range.start, range.end);
  // Keys that changed since `revision`, in key order, merged into the scan of current rows.
  const restored = [...changed.keys()].sort();
  let r = 0;
  const push = (row: StoredRow): boolean => {
    if (rows.length === range.limit) return false;
    rows.push(row);
    return true;
  };
  let nextKey: string | undefined;
  outer: for (const row of current.scan(range.start, range.end)) {
    while (r < restored.length && restored[r]! < row.key) {
      const old = changed.get(restored[r]!);
      if (old && !push(old)) {
        nextKey = old.key;
        break outer;
      }
      r++;
    }
    if (r < restored.length && restored[r] === row.key) {
      r++;
      const old = changed.get(row.key);
      if (old && !push(old)) {
        nextKey = old.key;
        break;
      }
      continue;
    }
    if (!push(row)) {
      nextKey = row.key;
      break;
    }
  }
  if (nextKey === undefined) {
    for (; r < restored.length; r++) {
      const old = changed.get(restored[r]!);
      if (old && !push(old)) {
        nextKey = old.key;
        break;
      }
    }
  }
  return nextKey === undefined ? { rows } : { rows, nextKey };
}
