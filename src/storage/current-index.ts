import sortedBtree from 'sorted-btree';
import type { StoredRow } from './engine.js';

const BTree = sortedBtree.default;

/**
 * The newest row of every key, in key order, in memory: gets and lists of the current state are
 * served from here. Writes of a batch are staged, then applied once the batch has committed, so
 * a failed transaction leaves nothing behind.
 */
export class CurrentIndex {
  private readonly rows = new BTree<string, StoredRow>();
  /** Staged changes of the batch being committed: a row, or null for a deletion. */
  private staged = new Map<string, StoredRow | null>();

  load(rows: Iterable<StoredRow>): void {
    for (const row of rows) this.rows.set(row.key, row);
  }

  /** The row as the batch being committed sees it. */
  get(key: string): StoredRow | undefined {
    const s = this.staged.get(key);
    if (s !== undefined) return s ?? undefined;
    return this.rows.get(key);
  }

  /** Committed rows with start <= key < end, in key order. */
  *scan(start: string, end: string): Iterable<StoredRow> {
    for (const [key, row] of this.rows.entries(start)) {
      if (key >= end) return;
      yield row;
    }
  }

  stage(key: string, row: StoredRow | null): void {
    this.staged.set(key, row);
  }

  commitStaged(): void {
    for (const [key, row] of this.staged) {
      if (row) this.rows.set(key, row);
      else this.rows.delete(key);
    }
    this.staged.clear();
  }

  discardStaged(): void {
    this.staged.clear();
  }

  get size(): number {
    return this.rows.size;
  }

  clear(): void {
    this.rows.clear();
    this.staged.clear();
  }
}
