// NodeUnschedulable (upstream plugins/nodeunschedulable): cordoned nodes (spec.unschedulable)
// take no new pods, except pods tolerating the node.kubernetes.io/unschedulable:NoSchedule taint
// (DaemonSet pods get that toleration), which upstream treats as tolerating the flag itself.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { type CycleState, type FilterPlugin, type NodeInfo, type Status, SUCCESS, unresolvable } from '../../framework/types.js';
import { TAINT_NODE_UNSCHEDULABLE, tolerationsTolerateTaint } from '../helper/taints.js';

export const NODE_UNSCHEDULABLE = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';

export class NodeUnschedulable implements FilterPlugin {
  readonly name = NODE_UNSCHEDULABLE;
  /** The cluster events that may make a pod this plugin rejected fit (upstream EventsToRegister). */
  readonly events = ['NodeAdd', 'NodeSchedulableChange', 'NodeTaintChange'] as const;

  filter(_state: CycleState, pod: Pod, node: NodeInfo): Status {
    if (!node.node.spec?.unschedulable) return SUCCESS;
    const tolerates = tolerationsTolerateTaint(pod.spec?.tolerations, { key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' });
    return tolerates ? SUCCESS : unresolvable(ERR_REASON_UNSCHEDULABLE);
  }
}
