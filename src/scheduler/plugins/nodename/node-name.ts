// NodeName (upstream plugins/nodename): a pod that names its node (spec.nodeName) fits only there.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { type CycleState, type FilterPlugin, type NodeInfo, type Status, SUCCESS, unresolvable } from '../../framework/types.js';

export const NODE_NAME = 'NodeName';
export const ERR_REASON_NODE_NAME = "node(s) didn't match the requested node name";

/** Whether the pod may run on the node as far as spec.nodeName goes (upstream nodename.Fits). */
export function fitsNodeName(pod: Pod, node: NodeInfo): boolean {
  const wanted = pod.spec?.nodeName;
  return !wanted || wanted === node.node.metadata?.name;
}

export class NodeName implements FilterPlugin {
  readonly name = NODE_NAME;
  /** The cluster events that may make a pod this plugin rejected fit (upstream EventsToRegister). */
  readonly events = ['NodeAdd'] as const;

  filter(_state: CycleState, pod: Pod, node: NodeInfo): Status {
    return fitsNodeName(pod, node) ? SUCCESS : unresolvable(ERR_REASON_NODE_NAME);
  }
}
