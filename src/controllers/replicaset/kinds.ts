// The two kinds one replica controller serves (upstream runs the ReplicaSet controller for
// ReplicationControllers too, converting them on the way in and out): everything that differs
// between apps/v1 ReplicaSet and core/v1 ReplicationController is here.
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { PodTemplateSpec, ReplicationController } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../api/types.js';
import { type Selector, selectorFromLabelSelector, selectorFromSet } from '../../apimachinery/labels.js';
import { REPLICA_SETS, REPLICATION_CONTROLLERS } from '../../client/resources.js';
import type { ResourceType } from '../../client/types.js';
import type { ReplicaStatus } from './status.js';

/** The fields both kinds share. */
export interface ReplicaObject extends KubeObject {
  spec?: { replicas?: number; minReadySeconds?: number; template?: PodTemplateSpec };
  status?: ReplicaStatus;
}

export interface ReplicaKind<T extends ReplicaObject> {
  readonly type: ResourceType;
  /** The Runnable's name (upstream's controller name in kube-controller-manager). */
  readonly controllerName: string;
  /** The source component of its events. */
  readonly eventComponent: string;
  /** The pod selector; throws a SelectorError when it cannot be parsed. */
  selector(obj: T): Selector;
}

export const REPLICA_SET_KIND: ReplicaKind<ReplicaSet> = {
  type: REPLICA_SETS,
  controllerName: 'replicaset-controller',
  eventComponent: 'replicaset-controller',
  selector: (rs) => selectorFromLabelSelector(rs.spec?.selector),
};

export const REPLICATION_CONTROLLER_KIND: ReplicaKind<ReplicationController> = {
  type: REPLICATION_CONTROLLERS,
  controllerName: 'replicationcontroller-controller',
  eventComponent: 'replication-controller',
  // A missing map selects nothing, as upstream's conversion to a nil LabelSelector does.
  selector: (rc) => (rc.spec?.selector ? selectorFromSet(rc.spec.selector) : selectorFromLabelSelector(undefined)),
};

export const desiredReplicas = (obj: ReplicaObject): number => obj.spec?.replicas ?? 1;
export const minReadySeconds = (obj: ReplicaObject): number => obj.spec?.minReadySeconds ?? 0;
