// NodePorts (upstream plugins/nodeports): a pod asking for host ports fits only on nodes where
// none of them is taken. A wildcard (0.0.0.0) request conflicts with that protocol/port on any
// IP; a specific IP conflicts with the same IP or with a wildcard already bound.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { hostPorts } from '../../framework/node-info.js';
import {
  type CycleState,
  type FilterPlugin,
  type HostPortInfo,
  type NodeInfo,
  type PreFilterPlugin,
  type Snapshot,
  type Status,
  SUCCESS,
  unschedulable,
} from '../../framework/types.js';

export const NODE_PORTS = 'NodePorts';
export const ERR_REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";
const PRE_FILTER_KEY = `PreFilter${NODE_PORTS}`;
const BIND_ALL = '0.0.0.0';

/** Whether (ip, protocol, port) clashes with a port in use (upstream HostPortInfo.CheckConflict). */
export function portConflicts(used: readonly HostPortInfo[], want: HostPortInfo): boolean {
  if (want.port <= 0) return false;
  const ip = want.ip || BIND_ALL;
  const protocol = want.protocol || 'TCP';
  return used.some((u) => {
    if (u.port !== want.port || (u.protocol || 'TCP') !== protocol) return false;
    const usedIp = u.ip || BIND_ALL;
    return ip === BIND_ALL || usedIp === BIND_ALL || usedIp === ip;
  });
}

export function fitsPorts(want: readonly HostPortInfo[], node: NodeInfo): boolean {
  return !want.some((p) => portConflicts(node.usedPorts, p));
}

export class NodePorts implements PreFilterPlugin, FilterPlugin {
  readonly name = NODE_PORTS;
  /** The cluster events that may make a pod this plugin rejected fit (upstream EventsToRegister). */
  readonly events = ['NodeAdd', 'AssignedPodDelete'] as const;

  /** Records the pod's host ports; Skip when it asks for none (upstream skips Filter then). */
  preFilter(state: CycleState, pod: Pod, _snapshot?: Snapshot): Status {
    const ports = hostPorts(pod);
    if (ports.length === 0) return { code: 'Skip', reasons: [] };
    state.write(PRE_FILTER_KEY, ports);
    return SUCCESS;
  }

  filter(state: CycleState, pod: Pod, node: NodeInfo): Status {
    // Upstream reports an Error without PreFilter's state; computing the ports here is equivalent.
    const want = state.read<HostPortInfo[]>(PRE_FILTER_KEY) ?? hostPorts(pod);
    return fitsPorts(want, node) ? SUCCESS : unschedulable(ERR_REASON_NODE_PORTS);
  }
}
