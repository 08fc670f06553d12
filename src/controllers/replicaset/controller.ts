// The ReplicaSet controller (kube-controller-manager's replicaset-controller): keeps
// spec.replicas pods of each ReplicaSet. All logic is in ReplicaManager, shared with the
// ReplicationController controller.
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { ControllerContext } from '../context.js';
import { REPLICA_SET_KIND } from './kinds.js';
import { ReplicaManager, type ReplicaControllerOptions } from './replica-manager.js';

export class ReplicaSetController extends ReplicaManager<ReplicaSet> {
  constructor(ctx: ControllerContext, opts: ReplicaControllerOptions = {}) {
    super(ctx, REPLICA_SET_KIND, opts);
  }
}
