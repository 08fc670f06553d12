// The scheduler's cache: every node with the pods counted on it, from the informers (bound pods)
// and from the scheduler itself (assumed pods: placed but whose binding is still in flight), so
// a node is never over-committed while bindings travel. An assumed pod is confirmed when the
// informer shows it bound, forgotten if its binding fails, and expires if never confirmed.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { addPod, newNodeInfo, newPodInfo, removePod, setNode } from '../framework/node-info.js';
import type { NodeInfo, Snapshot } from '../framework/types.js';

interface PodState {
  pod: Pod;
  nodeName: string;
  assumed: boolean;
  /** Assumed pods not confirmed by then are forgotten (upstream's 15 min TTL after binding). */
  deadline?: number;
}

const uidOf = (p: Pod) => p.metadata?.uid ?? `${p.metadata?.namespace}/${p.metadata?.name}`;

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  /** Pods bound to nodes the cache has not seen yet (their node may come later). */
  private readonly podStates = new Map<string, PodState>();
  private list: NodeInfo[] | undefined;
  /** Nodes hosting pods with (anti-)affinity, kept as pods come and go (upstream keeps these lists in its snapshot). */
  private readonly withAffinity = new Set<NodeInfo>();
  private readonly withRequiredAntiAffinity = new Set<NodeInfo>();
  private affinityLists: { affinity: NodeInfo[]; anti: NodeInfo[] } | undefined;
  /** How many nodes hold each image (upstream's imageStates). */
  private readonly imageNodes = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  addOrUpdateNode(node: Node): void {
    const name = node.metadata!.name!;
    const info = this.nodes.get(name);
    if (info) {
      this.countImages(info, -1);
      setNode(info, node);
      this.countImages(info, 1);
    } else {
      const fresh = newNodeInfo(node);
      for (const s of this.podStates.values()) if (s.nodeName === name) addPod(fresh, newPodInfo(s.pod));
      this.nodes.set(name, fresh);
      this.countImages(fresh, 1);
      this.trackAffinity(fresh);
      this.list = undefined;
    }
  }

  removeNode(name: string): void {
    const info = this.nodes.get(name);
    if (!info) return;
    this.nodes.delete(name);
    this.countImages(info, -1);
    this.withAffinity.delete(info);
    this.withRequiredAntiAffinity.delete(info);
    this.affinityLists = undefined;
    this.list = undefined;
  }

  /** A pod the informer shows bound to a node (confirms an assumed one). */
  addOrUpdatePod(pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    const uid = uidOf(pod);
    const prior = this.podStates.get(uid);
    if (prior) this.detach(uid, prior);
    this.attach(uid, { pod, nodeName, assumed: false });
  }

  removePod(pod: Pod): void {
    const uid = uidOf(pod);
    const prior = this.podStates.get(uid);
    if (!prior) return;
    this.detach(uid, prior);
    this.podStates.delete(uid);
  }

  /** Counts `pod` on `nodeName` before its binding is confirmed. */
  assume(pod: Pod, nodeName: string, ttlMs = 15 * 60_000): void {
    const uid = uidOf(pod);
    const prior = this.podStates.get(uid);
    if (prior) this.detach(uid, prior);
    const bound = { ...pod, spec: { ...pod.spec!, nodeName } } as Pod;
    this.attach(uid, { pod: bound, nodeName, assumed: true, deadline: this.now() + ttlMs });
  }

  /** Undoes assume() after a failed binding. */
  forget(pod: Pod): void {
    const uid = uidOf(pod);
    const prior = this.podStates.get(uid);
    if (!prior?.assumed) return;
    this.detach(uid, prior);
    this.podStates.delete(uid);
  }

  isAssumed(pod: Pod): boolean {
    return !!this.podStates.get(uidOf(pod))?.assumed;
  }

  /** Drops assumed pods whose confirmation never came. */
  cleanupExpired(): void {
    const now = this.now();
    for (const [uid, s] of this.podStates) {
      if (s.assumed && s.deadline !== undefined && s.deadline < now) {
        this.detach(uid, s);
        this.podStates.delete(uid);
      }
    }
  }

  nodeCount(): number {
    return this.nodes.size;
  }

  /**
   * The nodes for one scheduling cycle. NodeInfos are shared, not copied: the scheduler runs one
   * cycle at a time on one thread, and the cycle's own assume() is exactly what the next cycle
   * must see.
   */
  snapshot(): Snapshot {
    const infos = (this.list ??= [...this.nodes.values()]);
    const nodes = this.nodes;
    return {
      nodeInfos: () => infos,
      get: (name) => nodes.get(name),
      havePodsWithAffinity: () => this.affinityNodeLists().affinity,
      havePodsWithRequiredAntiAffinity: () => this.affinityNodeLists().anti,
      imageNodeCount: (image) => this.imageNodes.get(image) ?? 0,
    };
  }

  private affinityNodeLists(): { affinity: NodeInfo[]; anti: NodeInfo[] } {
    return (this.affinityLists ??= { affinity: [...this.withAffinity], anti: [...this.withRequiredAntiAffinity] });
  }

  private trackAffinity(info: NodeInfo): void {
    const sets: [Set<NodeInfo>, boolean][] = [
      [this.withAffinity, info.podsWithAffinity.length > 0],
      [this.withRequiredAntiAffinity, info.podsWithRequiredAntiAffinity.length > 0],
    ];
    for (const [set, has] of sets) {
      if (has === set.has(info)) continue;
      if (has) set.add(info);
      else set.delete(info);
      this.affinityLists = undefined;
    }
  }

  private countImages(info: NodeInfo, delta: 1 | -1): void {
    for (const image of info.imageSizes.keys()) {
      const n = (this.imageNodes.get(image) ?? 0) + delta;
      if (n > 0) this.imageNodes.set(image, n);
      else this.imageNodes.delete(image);
    }
  }

  private attach(uid: string, s: PodState): void {
    this.podStates.set(uid, s);
    const info = this.nodes.get(s.nodeName);
    if (!info) return;
    addPod(info, newPodInfo(s.pod));
    this.trackAffinity(info);
  }

  private detach(uid: string, s: PodState): void {
    const info = this.nodes.get(s.nodeName);
    if (!info) return;
    removePod(info, uid);
    this.trackAffinity(info);
  }
}
