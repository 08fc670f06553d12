// Keys and the indexes controllers share (client-go's MetaNamespaceKeyFunc and friends).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../types.js';
import type { IndexFunc, Indexer } from './types.js';

/** `namespace/name`, or `name` for cluster-scoped objects. */
export function keyOf(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name ?? ''}` : (obj.metadata?.name ?? '');
}

/** The namespace ('' if none) and name of a key. */
export function splitKey(key: string): [namespace: string, name: string] {
  const i = key.indexOf('/');
  return i < 0 ? ['', key] : [key.slice(0, i), key.slice(i + 1)];
}

export const OWNER_UID_INDEX = 'owner-uid';
/** Files an object under the uid of each of its owners. */
export const indexByOwnerUid: IndexFunc<KubeObject> = (obj) => (obj.metadata?.ownerReferences ?? []).map((r) => r.uid);

export const CONTROLLER_UID_INDEX = 'controller-uid';
/** Files an object under the uid of its controller (the owner reference with controller: true). */
export const indexByControllerUid: IndexFunc<KubeObject> = (obj) =>
  (obj.metadata?.ownerReferences ?? []).filter((r) => r.controller).map((r) => r.uid);

export const NODE_NAME_INDEX = 'node-name';
/** Files a pod under the node it is bound to. */
export const indexPodByNode: IndexFunc<Pod> = (pod) => (pod.spec?.nodeName ? [pod.spec.nodeName] : []);

export const CLAIM_INDEX = 'claim';
/**
 * Files an object under `uid:<its controller's uid>`, or `orphan:<namespace>` when nothing
 * controls it: what a controller may claim is what it controls plus the orphans of its namespace
 * (objects controlled by others are never adopted), so claiming costs no scan of the namespace.
 */
export const indexForClaim: IndexFunc<KubeObject> = (obj) => {
  const ref = obj.metadata?.ownerReferences?.find((r) => r.controller);
  return [ref ? `uid:${ref.uid}` : `orphan:${obj.metadata?.namespace ?? ''}`];
};

/** What `owner` may claim from an informer indexed by CLAIM_INDEX: its own objects and the orphans. */
export function claimCandidates<T extends KubeObject>(store: Indexer<T>, owner: KubeObject): T[] {
  return [...store.byIndex(CLAIM_INDEX, `uid:${owner.metadata?.uid ?? ''}`), ...store.byIndex(CLAIM_INDEX, `orphan:${owner.metadata?.namespace ?? ''}`)];
}

/** The objects an owner controls, from an informer indexed by CLAIM_INDEX. */
export const controlledBy = <T extends KubeObject>(store: Indexer<T>, ownerUid: string): T[] => store.byIndex(CLAIM_INDEX, `uid:${ownerUid}`);
