// The garbage collector's dependency graph (upstream's GraphBuilder and node): one node per object
// uid the informers have shown, each knowing its owner references and the uids of its dependents.
// An owner that is referenced but not (yet) observed gets a "virtual" node, which the collector
// verifies against the API: if the owner does not exist, the virtual node is removed and its
// dependents are looked at again. Every change answers with the uids the collector should
// (re)process; the graph itself does no I/O.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/** Where an object lives and which one it is (upstream's objectReference). */
export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  /** '' for cluster-scoped objects (and for virtual nodes of cluster-scoped owners). */
  namespace: string;
  name: string;
  uid: string;
}

/** What the graph needs to know of an observed object. */
export interface ObservedObject {
  identity: ObjectIdentity;
  ownerReferences: readonly OwnerReference[];
  deletionTimestamp?: string;
  finalizers?: readonly string[];
}

export interface GraphNode {
  identity: ObjectIdentity;
  owners: OwnerReference[];
  /** Uids of the objects that name this one as an owner. */
  readonly dependents: Set<string>;
  /** false: a virtual node, known only from a dependent's owner reference. */
  observed: boolean;
  beingDeleted: boolean;
  /** Being deleted with the foregroundDeletion finalizer: waits for its blocking dependents. */
  deletingDependents: boolean;
  /** Being deleted with the orphan finalizer: its dependents lose their references to it. */
  orphaningDependents: boolean;
}

const has = (list: readonly string[] | undefined, f: string) => (list ?? []).includes(f);
const blocks = (ref: OwnerReference | undefined) => ref?.blockOwnerDeletion === true;

export class DependencyGraph {
  private readonly nodes = new Map<string, GraphNode>();

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  get size(): number {
    return this.nodes.size;
  }

  dependentsOf(uid: string): GraphNode[] {
    const node = this.nodes.get(uid);
    return node ? [...node.dependents].flatMap((d) => this.nodes.get(d) ?? []) : [];
  }

  /** Dependents whose reference to `uid` has blockOwnerDeletion: what a foreground deletion waits for. */
  blockingDependents(uid: string): GraphNode[] {
    return this.dependentsOf(uid).filter((d) => blocks(d.owners.find((r) => r.uid === uid)));
  }

  /**
   * Records an object as an informer shows it (add or update) and returns the uids to process:
   * new virtual owners (to verify), owners a removed or unblocked reference may release, and the
   * object and its dependents when it starts a foreground or orphan deletion.
   */
  observe(obj: ObservedObject): string[] {
    const out = new Set<string>();
    const uid = obj.identity.uid;
    const beingDeleted = !!obj.deletionTimestamp;
    const deletingDependents = beingDeleted && has(obj.finalizers, FOREGROUND_FINALIZER);
    const orphaningDependents = beingDeleted && has(obj.finalizers, ORPHAN_FINALIZER);
    const owners = [...obj.ownerReferences];
    let node = this.nodes.get(uid);
    // A virtual node's flags say nothing yet, so its first observation counts as a transition.
    const wasDeletingDependents = !!node?.observed && node.deletingDependents;
    const wasOrphaningDependents = !!node?.observed && node.orphaningDependents;
    if (!node) {
      node = { identity: { ...obj.identity }, owners: [], dependents: new Set(), observed: true, beingDeleted, deletingDependents, orphaningDependents };
      this.nodes.set(uid, node);
    }
    node.identity = { ...obj.identity };
    node.observed = true;
    const { added, removed, changed } = referencesDiff(node.owners, owners);
    // A reference that blocked its owner's deletion and is gone or no longer blocks may let a
    // foreground deletion finish (upstream's addUnblockedOwnersToDeleteQueue).
    for (const ref of removed) if (blocks(ref) && this.nodes.has(ref.uid)) out.add(ref.uid);
    for (const [before, after] of changed) if (blocks(before) && !blocks(after) && this.nodes.has(after.uid)) out.add(after.uid);
    node.owners = owners;
    for (const ref of removed) this.nodes.get(ref.uid)?.dependents.delete(uid);
    for (const ref of added) {
      let owner = this.nodes.get(ref.uid);
      if (!owner) {
        const namespace = obj.identity.namespace;
        owner = {
          identity: { apiVersion: ref.apiVersion, kind: ref.kind, namespace, name: ref.name, uid: ref.uid },
          owners: [],
          dependents: new Set(),
          observed: false,
          beingDeleted: false,
          deletingDependents: false,
          orphaningDependents: false,
        };
        this.nodes.set(ref.uid, owner);
        out.add(ref.uid);
      } else if (owner.deletingDependents) {
        // A dependent that appears while its owner waits in foreground deletion is deleted too.
        out.add(uid);
      }
      owner.dependents.add(uid);
    }
    node.beingDeleted = beingDeleted;
    node.deletingDependents = deletingDependents;
    node.orphaningDependents = orphaningDependents;
    if (orphaningDependents && !wasOrphaningDependents) out.add(uid);
    if (deletingDependents && !wasDeletingDependents) {
      for (const d of node.dependents) out.add(d);
      out.add(uid);
    }
    return [...out];
  }

  /**
   * Forgets an object the informers saw deleted (or the API said is gone) and returns the uids to
   * process: its dependents, which may now be garbage, and its owners waiting in foreground
   * deletion, which may now be free to go.
   */
  remove(uid: string): string[] {
    const node = this.nodes.get(uid);
    if (!node) return [];
    this.nodes.delete(uid);
    const out = new Set<string>(node.dependents);
    for (const ref of node.owners) {
      const owner = this.nodes.get(ref.uid);
      if (!owner) continue;
      owner.dependents.delete(uid);
      if (owner.deletingDependents) out.add(ref.uid);
      // A virtual owner no dependent names any more is of no use.
      if (!owner.observed && owner.dependents.size === 0) this.nodes.delete(ref.uid);
    }
    return [...out];
  }
}

/** Owner references added, removed and changed (same uid, other fields) between two lists. */
export function referencesDiff(
  before: readonly OwnerReference[],
  after: readonly OwnerReference[],
): { added: OwnerReference[]; removed: OwnerReference[]; changed: [OwnerReference, OwnerReference][] } {
  const old = new Map(before.map((r) => [r.uid, r]));
  const added: OwnerReference[] = [];
  const changed: [OwnerReference, OwnerReference][] = [];
  for (const ref of after) {
    const prev = old.get(ref.uid);
    if (!prev) added.push(ref);
    else if (!sameReference(prev, ref)) changed.push([prev, ref]);
    old.delete(ref.uid);
  }
  return { added, removed: [...old.values()], changed };
}

function sameReference(a: OwnerReference, b: OwnerReference): boolean {
  return (
    a.apiVersion === b.apiVersion &&
    a.kind === b.kind &&
    a.name === b.name &&
    a.uid === b.uid &&
    (a.controller ?? false) === (b.controller ?? false) &&
    (a.blockOwnerDeletion ?? false) === (b.blockOwnerDeletion ?? false)
  );
}
