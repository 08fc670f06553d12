// The two rollout strategies (upstream rolling.go and recreate.go), built on DeploymentSync.
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { deploymentComplete } from './conditions.js';
import { actualReplicaCount, filterActive } from './replicasets.js';
import { planNewReplicaSet, planOldReplicaSets } from './scaling.js';
import { desiredReplicas } from './strategy.js';
import type { DeploymentSync } from './sync.js';

/**
 * upstream rolloutRolling: grow the new set within maxSurge; when it cannot grow, shrink the old
 * ones within maxUnavailable; once the rollout is complete, clean up old revisions.
 */
export async function rolloutRolling(s: DeploymentSync): Promise<void> {
  const { newRS, oldRSs } = await s.newAndOld(true);
  const cur = (rs: ReplicaSet | undefined) => rs && s.current(rs);
  const all = () => [...oldRSs, newRS].map(cur);

  const target = planNewReplicaSet(s.d, all(), cur(newRS)!);
  if (target !== undefined && (await s.scaleAndRecord(cur(newRS)!, target)).scaled) {
    return s.syncRolloutStatus(all(), newRS);
  }

  let scaledDown = false;
  for (const step of planOldReplicaSets(s.d, all(), filterActive(oldRSs.map(cur)), cur(newRS))) {
    if ((await s.scaleAndRecord(s.current(step.rs), step.replicas)).scaled) scaledDown = true;
  }
  if (scaledDown) return s.syncRolloutStatus(all(), newRS);

  if (deploymentComplete(s.d, s.d.status ?? {})) await s.cleanup(oldRSs);
  return s.syncRolloutStatus(all(), newRS);
}

/**
 * upstream oldPodsRunning: an old set still reports pods, or a pod of an old set is not finished
 * (a pod in phase Unknown may still run, so it counts too).
 */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], podMap: Map<string, Pod[]>): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata?.uid === uid) continue;
    if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}

/**
 * upstream rolloutRecreate: scale every old set to zero, wait until none of their pods runs, and
 * only then create (or scale up) the new set.
 */
export async function rolloutRecreate(s: DeploymentSync, podMap: Map<string, Pod[]>): Promise<void> {
  // The new set is not created yet, so that nothing scales up before the old pods are gone.
  let { newRS, oldRSs } = await s.newAndOld(false);
  const cur = (rs: ReplicaSet | undefined) => rs && s.current(rs);
  const all = () => [...oldRSs, newRS].map(cur);

  let scaledDown = false;
  for (const rs of filterActive(oldRSs.map(cur))) {
    if ((await s.scaleAndRecord(rs, 0)).scaled) scaledDown = true;
  }
  if (scaledDown) return s.syncRolloutStatus(all(), newRS);
  if (oldPodsRunning(cur(newRS), oldRSs.map((rs) => s.current(rs)), podMap)) return s.syncRolloutStatus(all(), newRS);

  if (!newRS) ({ newRS, oldRSs } = await s.newAndOld(true));
  await s.scaleAndRecord(cur(newRS)!, desiredReplicas(s.d));

  if (deploymentComplete(s.d, s.d.status ?? {})) await s.cleanup(oldRSs);
  return s.syncRolloutStatus(all(), newRS);
}
