// LIST with upstream's resourceVersion semantics, pagination and selectors.
import type { KubeObject } from '../../api/types.js';
import { badRequest, expired, timeout } from '../../apimachinery/errors.js';
import { isCompacted, isStorageError } from '../../storage/index.js';
import type { SelectionPredicate } from './selection.js';
import type { ResourceStore } from './store.js';

export interface ListParams {
  namespace: string;
  predicate: SelectionPredicate;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

/** One listed object: its stored bytes, and the decoded object when selection needed it. */
export interface ListEntry {
  value: Uint8Array;
  revision: number;
  object?: KubeObject;
}

export interface ListPage {
  entries: ListEntry[];
  /** The objects, decoded on first use. */
  readonly items: KubeObject[];
  resourceVersion: string;
  continue?: string;
}

/** Storage pages read per filtered page, at most, before returning what was found. */
const MAX_PAGE_READS = 64;

export async function listObjects(store: ResourceStore, p: ListParams): Promise<ListPage> {
  const storage = store.backend;
  const rvMatch = p.resourceVersionMatch ?? '';
  if (rvMatch && rvMatch !== 'Exact' && rvMatch !== 'NotOlderThan') {
    throw badRequest(`resourceVersionMatch: Unsupported value: "${rvMatch}": supported values: "Exact", "NotOlderThan"`);
  }
  let revision: number | undefined;
  const rv = p.resourceVersion ?? '';
  if (rv && !/^\d+$/.test(rv)) throw badRequest(`resourceVersion: Invalid value: "${rv}": must be a non-negative integer`);
  if (p.continue && rv && rv !== '0') {
    throw badRequest('specifying resource version is not allowed when using continue');
  }
  if (rvMatch === 'Exact') {
    if (!rv || rv === '0') throw badRequest('resourceVersionMatch "Exact" requires a non-zero resourceVersion');
    revision = Number(rv);
  } else if (rv && rv !== '0') {
    // NotOlderThan (the default for a set resourceVersion): the newest state is never older.
    const current = await storage.currentRevision();
    if (Number(rv) > current) throw timeout(`Too large resource version: ${rv}, current: ${current}`, 1);
  }
  const limit = p.limit && p.limit > 0 ? p.limit : 0;
  const prefix = store.prefix(p.namespace);
  const entries: ListEntry[] = [];
  let token = p.continue;
  let readRevision = 0;
  try {
    for (let reads = 0; reads < MAX_PAGE_READS; reads++) {
      const want = limit ? limit - entries.length : 0;
      const page = await storage.list(prefix, {
        limit: want,
        continue: token,
        revision: token ? undefined : revision,
      });
      readRevision = page.revision;
      for (const kv of page.items) {
        if (p.predicate.everything) {
          entries.push({ value: kv.value, revision: kv.modRevision });
          continue;
        }
        const obj = store.decode(kv.value, kv.modRevision);
        if (p.predicate.matches(obj)) entries.push({ value: kv.value, revision: kv.modRevision, object: obj });
      }
      token = page.continue;
      if (!token || (limit && entries.length >= limit)) break;
      revision = page.revision;
    }
  } catch (e) {
    if (isCompacted(e)) {
      throw expired(
        p.continue
          ? 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.'
          : `The resourceVersion for the provided list is too old.`,
      );
    }
    if (isStorageError(e, 'InvalidContinue')) throw badRequest(e.message);
    if (isStorageError(e, 'FutureRevision')) throw timeout(`Too large resource version: ${rv}`, 1);
    throw e;
  }
  let decoded: KubeObject[] | undefined;
  const out: ListPage = {
    entries,
    get items() {
      return (decoded ??= entries.map((e) => e.object ?? store.decode(e.value, e.revision)));
    },
    resourceVersion: String(readRevision),
  };
  if (token) out.continue = token;
  return out;
}
