// NodeInfo: a node and the pods the scheduler counts on it, with their summed requests, ports and
// affinity-bearing pods kept current as pods are added and removed (upstream framework.NodeInfo).
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { addResources, emptyResources, nodeAllocatable, podRequests } from './resources.js';
import type { HostPortInfo, NodeInfo, PodInfo } from './types.js';

let generation = 0;
const nextGeneration = () => ++generation;

export function newPodInfo(pod: Pod): PodInfo {
  return { pod, requests: podRequests(pod), nonZeroRequests: podRequests(pod, true) };
}

export function newNodeInfo(node: Node, pods: Pod[] = []): NodeInfo {
  const { resources, pods: allowed } = nodeAllocatable(node);
  const info: NodeInfo = {
    node,
    pods: [],
    requested: emptyResources(),
    nonZeroRequested: emptyResources(),
    allocatable: resources,
    allowedPodNumber: allowed,
    usedPorts: [],
    podsWithAffinity: [],
    podsWithRequiredAntiAffinity: [],
    imageSizes: new Map((node.status?.images ?? []).flatMap((img) => (img.names ?? []).map((n) => [n, img.sizeBytes ?? 0] as [string, number]))),
    generation: nextGeneration(),
  };
  for (const p of pods) addPod(info, newPodInfo(p));
  return info;
}

/** Replaces the node object (allocatable, labels, taints may have changed), keeping its pods. */
export function setNode(info: NodeInfo, node: Node): void {
  const { resources, pods } = nodeAllocatable(node);
  info.node = node;
  info.allocatable = resources;
  info.allowedPodNumber = pods;
  info.imageSizes = new Map((node.status?.images ?? []).flatMap((img) => (img.names ?? []).map((n) => [n, img.sizeBytes ?? 0] as [string, number])));
  info.generation = nextGeneration();
}

/** A copy that addPod/removePod may change without touching the original (preemption dry runs). */
export function cloneNodeInfo(info: NodeInfo): NodeInfo {
  return {
    ...info,
    pods: [...info.pods],
    requested: { ...info.requested, scalar: { ...info.requested.scalar } },
    nonZeroRequested: { ...info.nonZeroRequested, scalar: { ...info.nonZeroRequested.scalar } },
    usedPorts: [...info.usedPorts],
    podsWithAffinity: [...info.podsWithAffinity],
    podsWithRequiredAntiAffinity: [...info.podsWithRequiredAntiAffinity],
  };
}

export function hostPorts(pod: Pod): HostPortInfo[] {
  const out: HostPortInfo[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.hostPort) out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

const hasAffinity = (pod: Pod) => !!(pod.spec?.affinity?.podAffinity || pod.spec?.affinity?.podAntiAffinity);
const hasRequiredAntiAffinity = (pod: Pod) => (pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length ?? 0) > 0;

export function addPod(info: NodeInfo, p: PodInfo): void {
  info.pods.push(p);
  addResources(info.requested, p.requests);
  addResources(info.nonZeroRequested, p.nonZeroRequests);
  info.usedPorts.push(...hostPorts(p.pod));
  if (hasAffinity(p.pod)) info.podsWithAffinity.push(p);
  if (hasRequiredAntiAffinity(p.pod)) info.podsWithRequiredAntiAffinity.push(p);
  info.generation = nextGeneration();
}

/** Removes the pod with this uid; false if it was not there. */
export function removePod(info: NodeInfo, uid: string): boolean {
  const i = info.pods.findIndex((p) => p.pod.metadata?.uid === uid);
  if (i < 0) return false;
  const [p] = info.pods.splice(i, 1);
  addResources(info.requested, p!.requests, -1);
  addResources(info.nonZeroRequested, p!.nonZeroRequests, -1);
  for (const port of info.usedPorts.length ? hostPorts(p!.pod) : []) {
    const j = info.usedPorts.findIndex((u) => u.ip === port.ip && u.protocol === port.protocol && u.port === port.port);
    if (j >= 0) info.usedPorts.splice(j, 1);
  }
  if (hasAffinity(p!.pod)) info.podsWithAffinity = info.podsWithAffinity.filter((x) => x !== p);
  if (hasRequiredAntiAffinity(p!.pod)) info.podsWithRequiredAntiAffinity = info.podsWithRequiredAntiAffinity.filter((x) => x !== p);
  info.generation = nextGeneration();
  return true;
}

/** A snapshot over NodeInfos (for plugins and tests). */
export function snapshotOf(infos: NodeInfo[]) {
  const byName = new Map(infos.map((i) => [i.node.metadata!.name!, i]));
  return {
    nodeInfos: () => infos,
    get: (name: string) => byName.get(name),
    havePodsWithAffinity: () => infos.filter((i) => i.podsWithAffinity.length > 0),
    havePodsWithRequiredAntiAffinity: () => infos.filter((i) => i.podsWithRequiredAntiAffinity.length > 0),
    imageNodeCount: (image: string) => infos.filter((i) => i.imageSizes.has(image)).length,
  };
}
