// The ReplicationController controller (kube-controller-manager's
// replicationcontroller-controller): the ReplicaSet controller run over core/v1
// ReplicationControllers, whose selector is a plain label map, as upstream does.
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import type { ControllerContext } from '../context.js';
import { REPLICATION_CONTROLLER_KIND } from './kinds.js';
import { ReplicaManager, type ReplicaControllerOptions } from './replica-manager.js';

export class ReplicationControllerController extends ReplicaManager<ReplicationController> {
  constructor(ctx: ControllerContext, opts: ReplicaControllerOptions = {}) {
    super(ctx, REPLICATION_CONTROLLER_KIND, opts);
  }
}
