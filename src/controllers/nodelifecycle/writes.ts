// The node lifecycle controller's writes (upstream's controller/util/node helpers): swapping the
// taints it owns on a node, and marking the pods of a node that stopped being Ready not ready.
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { isConflict, isNotFound } from '../../apimachinery/errors.js';
import { rfc3339 } from '../../apimachinery/time.js';
import type { EventRecorder } from '../../client/events/types.js';
import { NODES, PODS } from '../../client/resources.js';
import type { Client } from '../../client/types.js';
import { swapTaints } from './taints.js';

/** upstream's UpdateTaintBackoff steps. */
const TAINT_UPDATE_ATTEMPTS = 5;

/**
 * Adds `add` and removes `remove` from the node's taints. The first attempt uses `node` (from the
 * cache); a conflict reads the node again, as upstream's AddOrUpdateTaintOnNode. True when the
 * node carries the wanted taints (or is gone).
 */
export async function swapNodeTaints(client: Client, node: Node, add: readonly Taint[], remove: readonly Taint[], now: Date = new Date()): Promise<boolean> {
  const nodes = client.resource<Node>(NODES);
  const name = node.metadata?.name ?? '';
  let current = node;
  for (let attempt = 0; attempt < TAINT_UPDATE_ATTEMPTS; attempt++) {
    const taints = swapTaints(current.spec?.taints, add, remove, rfc3339(now));
    if (!taints) return true;
    const next = structuredClone(current);
    next.spec = { ...next.spec, taints };
    if (!taints.length) delete next.spec.taints;
    try {
      await nodes.update(next);
      return true;
    } catch (e) {
      if (isNotFound(e)) return true;
      if (!isConflict(e)) throw e;
    }
    try {
      current = await nodes.get('', name);
    } catch (e) {
      if (isNotFound(e)) return true;
      throw e;
    }
  }
  return false;
}

/**
 * Sets the Ready condition of the node's pods to False (upstream's MarkPodsNotReady): the node
 * can no longer vouch for them, so Services stop sending them traffic. Pods already not ready
 * are left alone; each pod marked gets a NodeNotReady warning.
 */
export async function markPodsNotReady(client: Client, recorder: EventRecorder, pods: readonly Pod[], nodeName: string, now: Date = new Date()): Promise<void> {
  const errors: unknown[] = [];
  for (const pod of pods) {
    if (pod.spec?.nodeName !== nodeName) continue;
    const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
    if (!ready || ready.status === 'False') continue;
    try {
      // A patch merging by condition type: the kubelet's other conditions stay as they are.
      await client.resource<Pod>(PODS).patch(
        pod.metadata?.namespace ?? '',
        pod.metadata?.name ?? '',
        'strategic',
        { metadata: { uid: pod.metadata?.uid }, status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: rfc3339(now) }] } },
        { subresource: 'status' },
      );
      recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
    } catch (e) {
      if (!isNotFound(e)) errors.push(e);
    }
  }
  if (errors.length) throw new AggregateError(errors, `unable to mark all pods NotReady on node ${nodeName}`);
}
