// What the garbage collector does with one object, decided from what the API said about its
// owners (upstream's classifyReferences and the switch in attemptToDeleteItem), and the metadata
// patches it sends. Pure: the controller does the lookups and the writes.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { KubeObject } from '../../client/types.js';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from './graph.js';

export type Propagation = 'Background' | 'Foreground' | 'Orphan';

/** An owner as the API answered for one reference: absent (or another uid), or its metadata. */
export type OwnerLookup = { absent: true } | { absent: false; deletionTimestamp?: string; finalizers?: readonly string[] };

export interface ClassifiedReferences {
  /** Owners that exist and are not waiting for their dependents. */
  solid: OwnerReference[];
  /** Owners that do not exist. */
  dangling: OwnerReference[];
  /** Owners being deleted in the foreground, waiting for their dependents to go. */
  waiting: OwnerReference[];
}

export function classifyReferences(refs: readonly OwnerReference[], lookups: readonly OwnerLookup[]): ClassifiedReferences {
  const out: ClassifiedReferences = { solid: [], dangling: [], waiting: [] };
  refs.forEach((ref, i) => {
    const owner = lookups[i];
    if (!owner || owner.absent) out.dangling.push(ref);
    else if (owner.deletionTimestamp && (owner.finalizers ?? []).includes(FOREGROUND_FINALIZER)) out.waiting.push(ref);
    else out.solid.push(ref);
  });
  return out;
}

export type Plan =
  | { action: 'none' }
  /** Some owner remains: only the references to gone (or foreground-deleting) owners are dropped. */
  | { action: 'removeReferences'; uids: string[] }
  /** No owner remains: the object goes, with `unblockFirst` asking to clear blockOwnerDeletion first. */
  | { action: 'delete'; policy: Propagation; unblockFirst: boolean };

export interface PlanInput extends ClassifiedReferences {
  /** The object's own finalizers (an orphan or foreground one already there is honoured). */
  finalizers: readonly string[];
  hasDependents: boolean;
  /** Some dependent of the object is itself waiting in foreground deletion. */
  dependentDeletingDependents: boolean;
}

export function planFor(input: PlanInput): Plan {
  const { solid, dangling, waiting } = input;
  if (solid.length > 0) {
    if (dangling.length === 0 && waiting.length === 0) return { action: 'none' };
    // A reference to a foreground-deleting owner is dropped too: the object stays (it has another
    // owner), so the owner must not wait for it.
    return { action: 'removeReferences', uids: [...dangling, ...waiting].map((r) => r.uid) };
  }
  if (waiting.length > 0 && input.hasDependents) {
    // The object goes in the foreground as well, so that its owner waits for the whole subtree.
    // A dependent that waits too might be waiting on it in a cycle: upstream then makes the
    // object's own references non-blocking first, and so do we.
    return { action: 'delete', policy: 'Foreground', unblockFirst: input.dependentDeletingDependents };
  }
  const policy: Propagation = input.finalizers.includes(ORPHAN_FINALIZER)
    ? 'Orphan'
    : input.finalizers.includes(FOREGROUND_FINALIZER)
      ? 'Foreground'
      : 'Background';
  return { action: 'delete', policy, unblockFirst: false };
}

/**
 * A JSON merge patch setting the object's owner references to `refs`, with the object's uid and
 * resourceVersion as preconditions (a merge patch replaces lists whole, so it must not race).
 */
export function ownerReferencesPatch(obj: KubeObject, refs: readonly OwnerReference[]): unknown {
  return {
    metadata: {
      uid: obj.metadata?.uid,
      resourceVersion: obj.metadata?.resourceVersion,
      ownerReferences: refs.length > 0 ? refs : null,
    },
  };
}

/** The object's references without those to `uids`. */
export function withoutReferences(obj: KubeObject, uids: readonly string[]): OwnerReference[] {
  const drop = new Set(uids);
  return (obj.metadata?.ownerReferences ?? []).filter((r) => !drop.has(r.uid));
}

/** The object's references with blockOwnerDeletion cleared (upstream's unblockOwnerReferences). */
export function unblockedReferences(obj: KubeObject): OwnerReference[] {
  return (obj.metadata?.ownerReferences ?? []).map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r));
}

/** A JSON merge patch removing one finalizer, guarded by the object's resourceVersion. */
export function removeFinalizerPatch(obj: KubeObject, finalizer: string): unknown | undefined {
  const finalizers = obj.metadata?.finalizers ?? [];
  if (!finalizers.includes(finalizer)) return undefined;
  const rest = finalizers.filter((f) => f !== finalizer);
  return { metadata: { resourceVersion: obj.metadata?.resourceVersion, finalizers: rest.length > 0 ? rest : null } };
}

/**
 * Owners the API said are gone, so that many dependents of one deleted owner cost one lookup
 * (upstream's absentOwnerCache, an LRU). Keyed by namespace and uid: a uid absent from one
 * namespace may still be the owner of objects in its own.
 */
export class AbsentOwnerCache {
  private readonly keys = new Map<string, true>();

  constructor(private readonly capacity = 500) {}

  private static key(namespace: string, uid: string): string {
    return `${namespace}/${uid}`;
  }

  add(namespace: string, uid: string): void {
    const k = AbsentOwnerCache.key(namespace, uid);
    this.keys.delete(k);
    this.keys.set(k, true);
    if (this.keys.size > this.capacity) this.keys.delete(this.keys.keys().next().value!);
  }

  has(namespace: string, uid: string): boolean {
    const k = AbsentOwnerCache.key(namespace, uid);
    if (!this.keys.has(k)) return false;
    this.keys.delete(k);
    this.keys.set(k, true);
    return true;
  }
}
