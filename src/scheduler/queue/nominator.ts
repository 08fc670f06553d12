// Pods nominated to a node (status.nominatedNodeName: a preemptor waiting for its victims to
// leave), as upstream's nominator in the scheduling queue: filters count them on their node so a
// pod of lower priority does not take the room that preemption made.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { newPodInfo } from '../framework/node-info.js';
import type { PodInfo } from '../framework/types.js';

const NONE: PodInfo[] = [];
const uidOf = (p: Pod) => p.metadata?.uid ?? `${p.metadata?.namespace}/${p.metadata?.name}`;

export class Nominator {
  private readonly byNode = new Map<string, PodInfo[]>();
  private readonly nodeOf = new Map<string, string>();

  /** Nominates `pod` to `nodeName` (replacing an earlier nomination); '' removes it. */
  nominate(pod: Pod, nodeName: string): void {
    this.remove(pod);
    if (!nodeName) return;
    const uid = uidOf(pod);
    this.nodeOf.set(uid, nodeName);
    const list = this.byNode.get(nodeName);
    const info = newPodInfo(pod);
    if (list) list.push(info);
    else this.byNode.set(nodeName, [info]);
  }

  /**
   * An update from the informer: an unbound pod with status.nominatedNodeName is nominated there.
   * Without one the scheduler's own nomination stays (the informer may not have caught up with
   * the status patch yet) unless the previous version had one: then it was cleared on purpose
   * (upstream keeps it only when neither version has one).
   */
  observe(pod: Pod, old?: Pod): void {
    if (pod.spec?.nodeName || pod.metadata?.deletionTimestamp) return this.remove(pod);
    const nominated = pod.status?.nominatedNodeName;
    if (!nominated && old?.status?.nominatedNodeName) return this.remove(pod);
    if (nominated) {
      if (this.nodeOf.get(uidOf(pod)) !== nominated || this.infoOf(pod)?.pod !== pod) this.nominate(pod, nominated);
    }
  }

  remove(pod: Pod): void {
    const uid = uidOf(pod);
    const node = this.nodeOf.get(uid);
    if (node === undefined) return;
    this.nodeOf.delete(uid);
    const list = this.byNode.get(node)!.filter((p) => uidOf(p.pod) !== uid);
    if (list.length) this.byNode.set(node, list);
    else this.byNode.delete(node);
  }

  nodeNameOf(pod: Pod): string | undefined {
    return this.nodeOf.get(uidOf(pod));
  }

  podsOn(nodeName: string): PodInfo[] {
    if (this.byNode.size === 0) return NONE;
    return this.byNode.get(nodeName) ?? NONE;
  }

  get size(): number {
    return this.nodeOf.size;
  }

  private infoOf(pod: Pod): PodInfo | undefined {
    const node = this.nodeOf.get(uidOf(pod));
    return node === undefined ? undefined : this.byNode.get(node)?.find((p) => uidOf(p.pod) === uidOf(pod));
  }
}
