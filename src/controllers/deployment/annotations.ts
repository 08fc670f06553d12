// The annotations a Deployment and its ReplicaSets carry (upstream deployment/util): the rollout
// sequence number (revision), the revisions an RS served before it became new again
// (revision-history), and the size the Deployment had when an RS was last scaled (desired and
// max replicas), which tells scaling events apart from rollouts.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { maxSurge } from './strategy.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const LAST_APPLIED_CONFIG_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
export const DEPRECATED_ROLLBACK_TO_ANNOTATION = 'deprecated.deployment.rollback.to';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';

/** upstream limits revision-history to about 100 revisions. */
export const MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000;

/** Annotations a Deployment does not pass on to its new ReplicaSet (upstream annotationsToSkip). */
const ANNOTATIONS_TO_SKIP = new Set([
  LAST_APPLIED_CONFIG_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  DEPRECATED_ROLLBACK_TO_ANNOTATION,
]);

export const skipCopyAnnotation = (key: string): boolean => ANNOTATIONS_TO_SKIP.has(key);

interface Annotated {
  metadata?: { annotations?: { [key: string]: string } };
}

function annotationsOf(obj: Annotated): { [key: string]: string } {
  const meta = (obj.metadata ??= {});
  return (meta.annotations ??= {});
}

/** Go's strconv.ParseInt(s, 10, 64) for the values the controller writes. */
function parseInt64(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

/**
 * upstream Revision: the revision annotation as a number; 0 without one; undefined (upstream's
 * parse error) when it is not a number.
 */
export function revisionOf(obj: Annotated | undefined): number | undefined {
  const v = obj?.metadata?.annotations?.[REVISION_ANNOTATION];
  return v === undefined ? 0 : parseInt64(v);
}

/** upstream MaxRevision: the highest revision among the sets (unparsable ones skipped). */
export function maxRevision(rss: (ReplicaSet | undefined)[]): number {
  let max = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (v !== undefined && v > max) max = v;
  }
  return max;
}

/** upstream LastRevision: the second highest revision (what `rollout undo` goes back to). */
export function lastRevision(rss: ReplicaSet[]): number {
  let max = 0;
  let second = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (v === undefined) continue;
    if (v >= max) {
      second = max;
      max = v;
    } else if (v > second) {
      second = v;
    }
  }
  return second;
}

/** upstream SetDeploymentRevision: true when the Deployment's revision changed. */
export function setDeploymentRevision(d: Deployment, revision: string): boolean {
  const annotations = annotationsOf(d);
  if (annotations[REVISION_ANNOTATION] === revision) return false;
  annotations[REVISION_ANNOTATION] = revision;
  return true;
}

/** Copies the Deployment's annotations (but the skipped ones) onto the RS; true when any changed. */
export function copyDeploymentAnnotationsToReplicaSet(d: Deployment, rs: ReplicaSet): boolean {
  const target = annotationsOf(rs);
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (skipCopyAnnotation(k) || target[k] === v) continue;
    target[k] = v;
    changed = true;
  }
  return changed;
}

/** upstream SetReplicasAnnotations: true when desired-replicas or max-replicas changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const annotations = annotationsOf(rs);
  let updated = false;
  if (annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    annotations[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    updated = true;
  }
  if (annotations[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    annotations[MAX_REPLICAS_ANNOTATION] = String(max);
    updated = true;
  }
  return updated;
}

/** upstream ReplicasAnnotationsNeedUpdate. */
export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const annotations = rs.metadata?.annotations;
  if (!annotations) return true;
  return annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || annotations[MAX_REPLICAS_ANNOTATION] !== String(max);
}

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  // Go's strconv.Atoi: optional sign, decimal digits.
  return v !== undefined && /^[+-]?\d+$/.test(v) ? Number(v) : undefined;
}

/** upstream GetDesiredReplicasAnnotation (undefined when missing or unparsable). */
export const desiredReplicasAnnotation = (rs: ReplicaSet): number | undefined => intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
export const maxReplicasAnnotation = (rs: ReplicaSet): number | undefined => intAnnotation(rs, MAX_REPLICAS_ANNOTATION);

/**
 * upstream SetNewReplicaSetAnnotations: copies the Deployment's annotations onto its new RS and
 * raises the RS's revision to `newRevision` when it is lower. An RS that already had a revision
 * (an old template coming back, e.g. `kubectl rollout undo`) keeps the revisions it served in
 * revision-history, trimmed from the front to `maxHistoryChars`. A ReplicaSet about to be created
 * (`exists` false) also gets its replica annotations. True when any annotation changed.
 */
export function setNewReplicaSetAnnotations(
  d: Deployment,
  rs: ReplicaSet,
  newRevision: string,
  exists: boolean,
  maxHistoryChars = MAX_REV_HISTORY_LENGTH_IN_CHARS,
): boolean {
  let changed = copyDeploymentAnnotationsToReplicaSet(d, rs);
  const annotations = annotationsOf(rs);
  const oldRevision = annotations[REVISION_ANNOTATION];
  const hadRevision = oldRevision !== undefined;
  let oldInt = 0;
  if (hadRevision && oldRevision !== '') {
    const parsed = parseInt64(oldRevision);
    // upstream logs and gives up on an RS whose revision is not a number.
    if (parsed === undefined) return false;
    oldInt = parsed;
  }
  const newInt = parseInt64(newRevision);
  if (newInt === undefined) return false;
  if (oldInt < newInt) {
    annotations[REVISION_ANNOTATION] = newRevision;
    changed = true;
    if (hadRevision) {
      const history = annotations[REVISION_HISTORY_ANNOTATION] ?? '';
      if (history === '') {
        annotations[REVISION_HISTORY_ANNOTATION] = oldRevision;
      } else {
        const old = history.split(',');
        let total = history.length + oldRevision.length + 1;
        let start = 0;
        while (total > maxHistoryChars && start < old.length) {
          total -= old[start]!.length + 1;
          start++;
        }
        if (total <= maxHistoryChars) annotations[REVISION_HISTORY_ANNOTATION] = [...old.slice(start), oldRevision].join(',');
      }
    }
  }
  if (!exists) {
    const replicas = d.spec?.replicas ?? 1;
    if (setReplicasAnnotations(rs, replicas, replicas + maxSurge(d))) changed = true;
  }
  return changed;
}
