// Objects for the deployment controller's unit tests, shaped like upstream's test helpers
// (newDeployment, rs, newRSWithStatus in deployment_controller_test.go).
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { setReplicasAnnotations } from '../../../src/controllers/deployment/annotations.js';
import { maxSurge } from '../../../src/controllers/deployment/strategy.js';

let uid = 0;

/** upstream newDeployment: RollingUpdate with maxSurge and maxUnavailable 0 unless given. */
export function newDeployment(
  name: string,
  replicas: number,
  opts: { revisionHistoryLimit?: number; maxSurge?: number | string; maxUnavailable?: number | string; selector?: Record<string, string> } = {},
): Deployment {
  const selector = opts.selector ?? { foo: 'bar' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default', uid: `uid-${name}-${++uid}`, annotations: {}, generation: 1 },
    spec: {
      replicas,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: opts.maxSurge ?? 0, maxUnavailable: opts.maxUnavailable ?? 0 } },
      template: { metadata: { labels: { ...selector } }, spec: { containers: [{ name: 'c', image: 'foo/bar' }] } },
      revisionHistoryLimit: opts.revisionHistoryLimit,
    },
  };
}

export const timestamp = (hour: number): string => `2016-05-20T0${hour}:00:00Z`;

/** upstream rs(): spec.replicas `replicas`, all of them available. */
export function rs(name: string, replicas: number, created = timestamp(0)): ReplicaSet {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: created },
    spec: { replicas, selector: { matchLabels: {} }, template: {} },
    status: { replicas, availableReplicas: replicas },
  };
}

/** upstream newRSWithStatus. */
export function rsWithStatus(name: string, specReplicas: number, statusReplicas: number): ReplicaSet {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: timestamp(0) },
    spec: { replicas: specReplicas, selector: { matchLabels: {} }, template: {} },
    status: { replicas: statusReplicas },
  };
}

/** Records the Deployment's size (as upstream's TestScale does) in the RS's replica annotations. */
export function annotate(set: ReplicaSet, d: Deployment, desired = d.spec!.replicas!): ReplicaSet {
  setReplicasAnnotations(set, desired, desired + maxSurge(d));
  return set;
}

/** Sets server-owned metadata fields (readonly in kubernetes-types). */
export function setMeta<T extends { metadata?: object }>(obj: T, fields: Record<string, unknown>): T {
  Object.assign(obj.metadata!, fields);
  return obj;
}

/** Sets a ReplicaSet's status (readonly in kubernetes-types). */
export function setStatus(set: ReplicaSet, status: NonNullable<ReplicaSet['status']>): ReplicaSet {
  (set as { status?: ReplicaSet['status'] }).status = status;
  return set;
}
