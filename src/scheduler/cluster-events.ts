// Which cluster events an informer change is (upstream's ClusterEvent with its action types), so
// the queue moves only the parked pods a change may help: a node heartbeat changes nothing a
// plugin looks at and moves nobody; a new label moves pods NodeAffinity rejected, and so on.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { ClusterEvent } from './framework/types.js';
import { nodeAllocatable } from './framework/resources.js';

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function nodeUpdateEvents(old: Node, node: Node): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  if (!same(nodeAllocatable(old), nodeAllocatable(node))) out.push('NodeAllocatableChange');
  if (!same(old.metadata?.labels, node.metadata?.labels)) out.push('NodeLabelChange');
  if (!same(old.spec?.taints, node.spec?.taints)) out.push('NodeTaintChange');
  if (!!old.spec?.unschedulable !== !!node.spec?.unschedulable) out.push('NodeSchedulableChange');
  if (!same(old.status?.images, node.status?.images)) out.push('NodeImagesChange');
  return out;
}

export const isTerminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** Events of a pod bound to a node changing (its labels, or its end, which frees its node's resources). */
export function assignedPodUpdateEvents(old: Pod, pod: Pod): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  if (!same(old.metadata?.labels, pod.metadata?.labels)) out.push('AssignedPodLabelChange');
  if (!isTerminal(old) && isTerminal(pod)) out.push('AssignedPodDelete');
  return out;
}
