// Which ReplicaSets a Deployment owns (upstream getReplicaSetsForDeployment with the
// ReplicaSetControllerRefManager): the ones it controls and still selects; orphans it selects are
// adopted, ones it controls but no longer selects are released. Adoption first re-reads the
// Deployment from the API, so that one just deleted (or recreated under its name) adopts nothing.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isInvalid, isNotFound } from '../../apimachinery/errors.js';
import type { Selector } from '../../apimachinery/labels.js';
import { DEPLOYMENTS, REPLICA_SETS } from '../../client/resources.js';
import type { Client } from '../../client/types.js';

/** The controller reference a Deployment puts on its ReplicaSets (upstream NewControllerRef). */
export function deploymentControllerRef(d: Deployment): OwnerReference {
  return { apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata!.name!, uid: d.metadata!.uid!, controller: true, blockOwnerDeletion: true };
}

export function controllerOf(obj: { metadata?: { ownerReferences?: OwnerReference[] } }): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller);
}

export type ClaimAction = 'keep' | 'adopt' | 'release' | 'ignore';

/** upstream BaseControllerRefManager.ClaimObject's decision for one ReplicaSet. */
export function claimAction(rs: ReplicaSet, d: Deployment, selector: Selector): ClaimAction {
  const matches = selector.matches(rs.metadata?.labels);
  const deleting = !!d.metadata?.deletionTimestamp;
  const ref = controllerOf(rs);
  if (ref) {
    if (ref.uid !== d.metadata?.uid) return 'ignore';
    if (matches) return 'keep';
    return deleting ? 'ignore' : 'release';
  }
  if (deleting || !matches || rs.metadata?.deletionTimestamp) return 'ignore';
  if (rs.metadata?.namespace !== d.metadata?.namespace) return 'ignore';
  return 'adopt';
}

/**
 * Claims the candidate ReplicaSets for the Deployment; returns those it owns afterwards (adopted
 * ones as the API returned them). Every candidate is tried; the first error is thrown at the end,
 * as upstream aggregates them.
 */
export async function claimReplicaSets(client: Client, d: Deployment, selector: Selector, candidates: ReplicaSet[]): Promise<ReplicaSet[]> {
  const rsClient = client.resource<ReplicaSet>(REPLICA_SETS);
  const ns = d.metadata!.namespace!;
  const claimed: ReplicaSet[] = [];
  let adoptable: Promise<void> | undefined;
  let firstError: unknown;
  for (const rs of candidates) {
    const uid = rs.metadata!.uid!;
    try {
      switch (claimAction(rs, d, selector)) {
        case 'keep':
          claimed.push(rs);
          break;
        case 'adopt': {
          adoptable ??= recheckDeployment(client, d);
          await adoptable;
          const patch = { metadata: { ownerReferences: [deploymentControllerRef(d)], uid } };
          claimed.push(await rsClient.patch(ns, rs.metadata!.name!, 'strategic', patch));
          break;
        }
        case 'release': {
          const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: d.metadata!.uid }], uid } };
          await rsClient.patch(ns, rs.metadata!.name!, 'strategic', patch);
          break;
        }
        case 'ignore':
          break;
      }
    } catch (e) {
      // Gone, or replaced under the same name (the uid in the patch no longer matches): nothing to claim.
      if (isNotFound(e) || isInvalid(e)) continue;
      firstError ??= e;
    }
  }
  if (firstError) throw firstError;
  return claimed;
}

/** upstream RecheckDeletionTimestamp: the Deployment as the API has it now must be the same and alive. */
async function recheckDeployment(client: Client, d: Deployment): Promise<void> {
  const fresh = await client.resource<Deployment>(DEPLOYMENTS).get(d.metadata!.namespace!, d.metadata!.name!);
  if (fresh.metadata?.uid !== d.metadata?.uid) {
    throw new Error(`original Deployment ${d.metadata!.namespace}/${d.metadata!.name} is gone: got uid ${fresh.metadata?.uid}, wanted ${d.metadata?.uid}`);
  }
  if (fresh.metadata?.deletionTimestamp) {
    throw new Error(`${d.metadata!.namespace}/${d.metadata!.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  }
}
