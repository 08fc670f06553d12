// Small builders for the PodTopologySpread tests, in the spirit of upstream's st.MakePod/MakeNode.
import type { Node, Pod, Taint, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { newNodeInfo, snapshotOf } from '../../../../src/scheduler/framework/node-info.js';
import type { NodeInfo } from '../../../../src/scheduler/framework/types.js';

export const HOST = 'kubernetes.io/hostname';
export const fooSelector: LabelSelector = { matchExpressions: [{ key: 'foo', operator: 'Exists' }] };
export const barSelector: LabelSelector = { matchExpressions: [{ key: 'bar', operator: 'Exists' }] };

export function node(name: string, labels: Record<string, string>, taints?: Taint[]): Node {
  return { metadata: { name, labels }, spec: taints ? { taints } : {} };
}

/** `zone` and hostname labels, as upstream's fixtures use. */
export const zoned = (name: string, zone: string) => node(name, { zone, [HOST]: name });

export interface PodOpts {
  labels?: Record<string, string>;
  node?: string;
  namespace?: string;
  constraints?: TopologySpreadConstraint[];
  nodeSelector?: Record<string, string>;
  terminating?: boolean;
  spec?: Pod['spec'];
}

export function pod(name: string, o: PodOpts = {}): Pod {
  return {
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      labels: o.labels ?? {},
      ...(o.terminating ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
    },
    spec: {
      containers: [{ name: 'c', image: 'img' }],
      ...(o.node ? { nodeName: o.node } : {}),
      ...(o.constraints ? { topologySpreadConstraints: o.constraints } : {}),
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...o.spec,
    },
  };
}

/** `p-a1` style shorthand: `pods('node-a', 2, {foo: ''})` gives two matching pods on node-a. */
export function pods(nodeName: string, n: number, labels: Record<string, string> = { foo: '' }, prefix = nodeName): Pod[] {
  return Array.from({ length: n }, (_, i) => pod(`${prefix}-p${i}-${Object.keys(labels).join('')}`, { node: nodeName, labels }));
}

export function spread(
  maxSkew: number,
  topologyKey: string,
  whenUnsatisfiable: 'DoNotSchedule' | 'ScheduleAnyway',
  /** null: no labelSelector at all (selects nothing). */
  labelSelector: LabelSelector | null = fooSelector,
  extra: Partial<TopologySpreadConstraint> = {},
): TopologySpreadConstraint {
  return { maxSkew, topologyKey, whenUnsatisfiable, ...(labelSelector ? { labelSelector } : {}), ...extra };
}

/** NodeInfos for the nodes, each holding the existing pods bound to it. */
export function nodeInfos(nodes: Node[], existing: Pod[]): NodeInfo[] {
  return nodes.map((n) => newNodeInfo(n, existing.filter((p) => p.spec?.nodeName === n.metadata!.name)));
}

export const snapshot = snapshotOf;
