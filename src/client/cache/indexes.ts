// Keys and the indexes controllers share (client-go's MetaNamespaceKeyFunc and friends).
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../types.js';
import type { IndexFunc } from './types.js';

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
