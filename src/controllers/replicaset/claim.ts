// Who owns a pod (upstream's BaseControllerRefManager.ClaimObject and the patches of
// PodControllerRefManager): a controller keeps the pods it controls that its selector still
// matches, adopts matching orphans, and releases the pods it controls that no longer match.
// Adoption and release are strategic merge patches of ownerReferences (merged by uid) that also
// name the pod's uid, so they fail rather than touch a pod recreated under the same name.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { controllerRef, type OwnerIdentity } from './pod-template.js';

export type ClaimAction =
  /** Ours and matching: counts as a replica. */
  | 'keep'
  /** An orphan that matches: adopt, then count it. */
  | 'adopt'
  /** Ours but no longer matching: release it. */
  | 'release'
  /** Someone else's, or not ours to take. */
  | 'ignore';

export interface ClaimingController {
  uid: string;
  namespace: string;
  /** The controller is being deleted: it neither adopts nor releases. */
  deleting: boolean;
}

export function controllerOf(pod: Pod): OwnerReference | undefined {
  return pod.metadata?.ownerReferences?.find((r) => r.controller);
}

export function claimAction(pod: Pod, controller: ClaimingController, matches: boolean): ClaimAction {
  const ref = controllerOf(pod);
  if (ref) {
    if (ref.uid !== controller.uid) return 'ignore';
    if (matches) return 'keep';
    return controller.deleting ? 'ignore' : 'release';
  }
  if (controller.deleting || !matches) return 'ignore';
  if (pod.metadata?.deletionTimestamp) return 'ignore';
  if (controller.namespace && controller.namespace !== pod.metadata?.namespace) return 'ignore';
  return 'adopt';
}

/** upstream ownerRefControllerPatch. */
export function adoptPatch(owner: OwnerIdentity, podUid: string): unknown {
  return { metadata: { ownerReferences: [controllerRef(owner)], uid: podUid } };
}

/** upstream GenerateDeleteOwnerRefStrategicMergeBytes. */
export function releasePatch(ownerUid: string, podUid: string): unknown {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: podUid } };
}
