// Builders for the noderesources tests, after upstream's st.MakePod()/st.MakeNode(): a pod is
// one container per request map, a node's capacity is also its allocatable.
import type { Container, Node, Pod } from 'kubernetes-types/core/v1.js';
import { newNodeInfo } from '../../../../src/scheduler/framework/node-info.js';
import { CycleState, type NodeInfo, type PreFilterPlugin, type ScorePlugin, type PreScorePlugin } from '../../../../src/scheduler/framework/types.js';
import { snapshotOf } from '../../../../src/scheduler/framework/node-info.js';

export type Requests = Record<string, string>;

let uid = 0;

export interface PodSpec {
  containers?: Requests[];
  init?: Requests[];
  sidecars?: Requests[];
  /** Init containers in order, `sidecar: true` for restartPolicy Always. */
  initOrdered?: { req: Requests; sidecar?: boolean }[];
  overhead?: Requests;
}

const container = (req: Requests | undefined, i: number, restartPolicy?: string): Container => ({
  name: `c${i}`,
  image: 'busybox',
  ...(req ? { resources: { requests: req } } : {}),
  ...(restartPolicy ? { restartPolicy } : {}),
});

export function makePod(spec: PodSpec = {}): Pod {
  const id = `pod-${++uid}`;
  const inits: Container[] = [
    ...(spec.sidecars ?? []).map((r, i) => container(r, 100 + i, 'Always')),
    ...(spec.init ?? []).map((r, i) => container(r, 200 + i)),
    ...(spec.initOrdered ?? []).map((x, i) => container(x.req, 300 + i, x.sidecar ? 'Always' : undefined)),
  ];
  return {
    metadata: { name: id, namespace: 'default', uid: id },
    spec: {
      containers: (spec.containers ?? []).map((r, i) => container(r, i)),
      ...(inits.length ? { initContainers: inits } : {}),
      ...(spec.overhead ? { overhead: spec.overhead } : {}),
    },
  };
}

/** A pod with one container per request map. */
export const podWith = (...containers: Requests[]): Pod => makePod({ containers });

export function makeNode(name: string, capacity: Requests): Node {
  return { metadata: { name }, status: { capacity, allocatable: capacity } };
}

export function nodeInfo(name: string, capacity: Requests, pods: Pod[] = []): NodeInfo {
  return newNodeInfo(makeNode(name, { pods: '110', ...capacity }), pods);
}

/** PreScore (when the plugin has it) then Score on every node, as the framework would. */
export function scoreAll(plugin: ScorePlugin & Partial<PreScorePlugin>, pod: Pod, nodes: NodeInfo[]): { name: string; score: number }[] | 'Skip' {
  const state = new CycleState();
  if (plugin.preScore) {
    const s = plugin.preScore(state, pod, nodes, snapshotOf(nodes));
    if (s.code === 'Skip') return 'Skip';
    if (s.code !== 'Success') throw new Error(`preScore: ${s.code} ${s.reasons.join(', ')}`);
  }
  return nodes.map((n) => ({ name: n.node.metadata!.name!, score: plugin.score(state, pod, n) }));
}

/** PreFilter then Filter, as the framework would. */
export function runFilter(plugin: PreFilterPlugin & { filter: (s: CycleState, p: Pod, n: NodeInfo) => ReturnType<PreFilterPlugin['preFilter']> }, pod: Pod, node: NodeInfo) {
  const state = new CycleState();
  const pre = plugin.preFilter(state, pod, snapshotOf([node]));
  if (pre.code !== 'Success') return pre;
  return plugin.filter(state, pod, node);
}
