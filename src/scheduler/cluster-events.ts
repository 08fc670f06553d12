// Which cluster events an informer change is (upstream's ClusterEvent with its action types), so
// the queue moves only the parked pods a change may help: a node heartbeat changes nothing a
// plugin looks at and moves nobody; a new label moves pods NodeAffinity rejected, and so on.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { ClusterEvent } from './framework/types.js';
import { nodeAllocatable } from './framework/resources.js';

/** Maps equal whatever their key order; absent and empty are the same (as upstream's comparisons). */
function sameRecord(a: Record<string, unknown> | undefined | null, b: Record<string, unknown> | undefined | null): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && JSON.stringify(a![k]) === JSON.stringify(b![k]));
}

/** Lists equal as JSON; absent and empty are the same. */
const sameList = (a: unknown[] | undefined | null, b: unknown[] | undefined | null) => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

function sameResources(a: ReturnType<typeof nodeAllocatable>, b: ReturnType<typeof nodeAllocatable>): boolean {
  const ra = a.resources;
  const rb = b.resources;
  return a.pods === b.pods && ra.milliCpu === rb.milliCpu && ra.memory === rb.memory && ra.ephemeralStorage === rb.ephemeralStorage && sameRecord(ra.scalar, rb.scalar);
}

export function nodeUpdateEvents(old: Node, node: Node): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  if (!sameResources(nodeAllocatable(old), nodeAllocatable(node))) out.push('NodeAllocatableChange');
  if (!sameRecord(old.metadata?.labels, node.metadata?.labels)) out.push('NodeLabelChange');
  if (!sameList(old.spec?.taints, node.spec?.taints)) out.push('NodeTaintChange');
  if (!!old.spec?.unschedulable !== !!node.spec?.unschedulable) out.push('NodeSchedulableChange');
  if (!sameList(old.status?.images, node.status?.images)) out.push('NodeImagesChange');
  return out;
}

export const isTerminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** Events of a pod bound to a node changing (its labels, or its end, which frees its node's resources). */
export function assignedPodUpdateEvents(old: Pod, pod: Pod): ClusterEvent[] {
  const out: ClusterEvent[] = [];
  if (!sameRecord(old.metadata?.labels, pod.metadata?.labels)) out.push('AssignedPodLabelChange');
  if (!isTerminal(old) && isTerminal(pod)) out.push('AssignedPodDelete');
  return out;
}
