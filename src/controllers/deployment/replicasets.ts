// Reading a Deployment's ReplicaSets: which one is new (runs the current template), which are old,
// how many replicas they hold, and the orders upstream sorts them in (pkg/controller's
// ReplicaSetsByCreationTimestamp / BySizeOlder / BySizeNewer and deployment/util).
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { semanticEqual } from '../../api/core/v1/semantic-equal.js';

/** The label the pod-template hash goes under (apps/v1 DefaultDeploymentUniqueLabelKey). */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

const specReplicas = (rs: ReplicaSet): number => rs.spec?.replicas ?? 0;
const created = (rs: ReplicaSet): number => {
  const t = rs.metadata?.creationTimestamp;
  return t ? Date.parse(t) : 0;
};

/** upstream ReplicaSetsByCreationTimestamp: oldest first, then by name. */
export function compareByCreation(a: ReplicaSet, b: ReplicaSet): number {
  const d = created(a) - created(b);
  if (d !== 0) return d;
  const an = a.metadata?.name ?? '';
  const bn = b.metadata?.name ?? '';
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/** upstream ReplicaSetsBySizeOlder: largest first; among equals the older first. */
export const compareBySizeOlder = (a: ReplicaSet, b: ReplicaSet): number =>
  specReplicas(b) - specReplicas(a) || compareByCreation(a, b);

/** upstream ReplicaSetsBySizeNewer: largest first; among equals the newer first. */
export const compareBySizeNewer = (a: ReplicaSet, b: ReplicaSet): number =>
  specReplicas(b) - specReplicas(a) || compareByCreation(b, a);

/** upstream FilterActiveReplicaSets: the sets asked to run pods. */
export function filterActive(rss: (ReplicaSet | undefined)[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => rs !== undefined && specReplicas(rs) > 0);
}

/** Sum of spec.replicas (upstream GetReplicaCountForReplicaSets). */
export const replicaCount = (rss: (ReplicaSet | undefined)[]): number => rss.reduce((n, rs) => n + (rs ? specReplicas(rs) : 0), 0);
/** Sum of status.replicas (upstream GetActualReplicaCountForReplicaSets). */
export const actualReplicaCount = (rss: (ReplicaSet | undefined)[]): number => rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
export const readyReplicaCount = (rss: (ReplicaSet | undefined)[]): number => rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
export const availableReplicaCount = (rss: (ReplicaSet | undefined)[]): number =>
  rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);

function withoutHash(t: PodTemplateSpec | undefined): PodTemplateSpec {
  const copy: PodTemplateSpec = { ...(t ?? {}), metadata: { ...(t?.metadata ?? {}) } };
  if (copy.metadata!.labels) {
    const { [POD_TEMPLATE_HASH_LABEL]: _hash, ...rest } = copy.metadata!.labels;
    copy.metadata!.labels = rest;
  }
  return copy;
}

/** upstream EqualIgnoreHash: the templates are semantically equal but for the pod-template-hash label. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return semanticEqual(withoutHash(a), withoutHash(b));
}

/**
 * upstream FindNewReplicaSet: the RS whose template is the Deployment's; the oldest one if several
 * are (possible after upgrades, kubernetes#40415).
 */
export function findNewReplicaSet(template: PodTemplateSpec | undefined, rss: ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(compareByCreation).find((rs) => equalIgnoreHash(rs.spec?.template, template));
}

/** upstream FindOldReplicaSets: every RS but the new one (`all`), and those of them that have replicas. */
export function findOldReplicaSets(
  template: PodTemplateSpec | undefined,
  rss: ReplicaSet[],
): { withReplicas: ReplicaSet[]; all: ReplicaSet[] } {
  const newRS = findNewReplicaSet(template, rss);
  const all = rss.filter((rs) => !newRS || rs.metadata?.uid !== newRS.metadata?.uid);
  return { withReplicas: all.filter((rs) => specReplicas(rs) !== 0), all };
}

/**
 * upstream FindActiveOrLatest: the only active set, or the newest when none is active (the new RS
 * first); undefined when several are active (they then scale proportionally).
 */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => compareByCreation(b, a));
  const active = filterActive([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  return active.length === 1 ? active[0] : undefined;
}
