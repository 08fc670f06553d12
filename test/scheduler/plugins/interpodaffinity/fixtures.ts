// Builders for InterPodAffinity tests: nodes with topology labels, pods with affinity terms.
import type { Node, Pod, PodAffinityTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { newNodeInfo, snapshotOf } from '../../../../src/scheduler/framework/node-info.js';
import type { NodeInfo } from '../../../../src/scheduler/framework/types.js';

export const ZONE = 'topology.kubernetes.io/zone';
export const HOST = 'kubernetes.io/hostname';

export function node(name: string, labels: Record<string, string> = { [HOST]: name }): Node {
  return { metadata: { name, labels } };
}

export interface PodSpecLite {
  ns?: string;
  labels?: Record<string, string>;
  affinity?: PodAffinityTerm[];
  antiAffinity?: PodAffinityTerm[];
  preferredAffinity?: WeightedPodAffinityTerm[];
  preferredAntiAffinity?: WeightedPodAffinityTerm[];
}

let uid = 0;
export function pod(name: string, o: PodSpecLite = {}): Pod {
  const hasAff = o.affinity || o.preferredAffinity;
  const hasAnti = o.antiAffinity || o.preferredAntiAffinity;
  return {
    metadata: { name, namespace: o.ns ?? 'default', uid: `uid-${++uid}`, labels: o.labels },
    spec: {
      containers: [{ name: 'c' }],
      affinity:
        hasAff || hasAnti
          ? {
              podAffinity: hasAff
                ? { requiredDuringSchedulingIgnoredDuringExecution: o.affinity, preferredDuringSchedulingIgnoredDuringExecution: o.preferredAffinity }
                : undefined,
              podAntiAffinity: hasAnti
                ? { requiredDuringSchedulingIgnoredDuringExecution: o.antiAffinity, preferredDuringSchedulingIgnoredDuringExecution: o.preferredAntiAffinity }
                : undefined,
            }
          : undefined,
    },
  };
}

/** A required term over `topologyKey`; `extra` adds namespaces / namespaceSelector. */
export function term(topologyKey: string, selector: LabelSelector, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm {
  return { topologyKey, labelSelector: selector, ...extra };
}

export const labelsIs = (matchLabels: Record<string, string>): LabelSelector => ({ matchLabels });
export const keyIn = (key: string, ...values: string[]): LabelSelector => ({ matchExpressions: [{ key, operator: 'In', values }] });

export const weighted = (weight: number, t: PodAffinityTerm): WeightedPodAffinityTerm => ({ weight, podAffinityTerm: t });

/** NodeInfos with pods placed by node name: [[node, pods...]]. */
export function cluster(layout: [Node, ...Pod[]][]): { infos: NodeInfo[]; snapshot: ReturnType<typeof snapshotOf> } {
  const infos = layout.map(([n, ...pods]) => newNodeInfo(n, pods.map((p) => ({ ...p, spec: { ...p.spec!, nodeName: n.metadata!.name } }))));
  return { infos, snapshot: snapshotOf(infos) };
}
