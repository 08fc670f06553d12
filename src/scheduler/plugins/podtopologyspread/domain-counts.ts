// Matching pods per topology domain, kept across scheduling cycles. Upstream recounts every pod on
// every node each cycle (with 16 goroutines); here one cycle changes one node, so the counts of
// the previous cycle are reused and only nodes whose NodeInfo changed since (their generation)
// are counted again. The memo is keyed by everything the counts depend on: the namespace, each
// constraint's selector, topology key and inclusion policies, and the pod's node affinity and
// tolerations when a policy honours them.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NodeInfo } from '../../framework/types.js';
import { type SpreadConstraint, countMatchingPods, labelValue, nodeHasAllTopologyKeys, nodeIncluded } from './common.js';
import type { NodeMatcher } from './node-inclusion.js';

interface NodeEntry {
  info: NodeInfo;
  generation: number;
  /** Per constraint: the node's domain when it is one (undefined: not counted). */
  values: (string | undefined)[];
  counts: number[];
}

interface Aggregate {
  nodes: readonly NodeInfo[];
  entries: (NodeEntry | undefined)[];
  /** Per constraint: matching pods per domain, and how many counted nodes make up each domain. */
  totals: Map<string, number>[];
  domainNodes: Map<string, number>[];
}

const MAX_KEYS = 32;

export function memoKey(pod: Pod, constraints: readonly SpreadConstraint[]): string {
  const parts = [pod.metadata?.namespace ?? ''];
  let affinity = false;
  let taints = false;
  for (const c of constraints) {
    parts.push(c.topologyKey, c.selector.toString(), c.nodeAffinityPolicy, c.nodeTaintsPolicy);
    affinity ||= c.nodeAffinityPolicy === 'Honor';
    taints ||= c.nodeTaintsPolicy === 'Honor';
  }
  if (affinity) parts.push(JSON.stringify(pod.spec?.nodeSelector ?? null), JSON.stringify(pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? null));
  if (taints) parts.push(JSON.stringify(pod.spec?.tolerations ?? null));
  return parts.join('\u0000');
}

export class DomainCounts {
  private readonly memo = new Map<string, Aggregate>();

  /**
   * Per constraint (same order): matching pods per domain over the counted nodes (those with
   * every topology key that the constraint's inclusion policies admit). The maps are fresh copies.
   */
  count(pod: Pod, constraints: readonly SpreadConstraint[], nodes: readonly NodeInfo[], affinity: NodeMatcher): Map<string, number>[] {
    const key = memoKey(pod, constraints);
    let agg = this.memo.get(key);
    if (!agg || agg.nodes !== nodes) {
      agg = { nodes, entries: new Array(nodes.length), totals: constraints.map(() => new Map()), domainNodes: constraints.map(() => new Map()) };
      this.memo.delete(key);
      if (this.memo.size >= MAX_KEYS) this.memo.delete(this.memo.keys().next().value!);
      this.memo.set(key, agg);
    }
    const namespace = pod.metadata?.namespace ?? '';
    for (let i = 0; i < nodes.length; i++) {
      const info = nodes[i]!;
      const prior = agg.entries[i];
      if (prior && prior.info === info && prior.generation === info.generation) continue;
      if (prior) apply(agg, prior, -1);
      const entry = countNode(info, pod, constraints, namespace, affinity);
      apply(agg, entry, 1);
      agg.entries[i] = entry;
    }
    return agg.totals.map((m) => new Map(m));
  }
}

function countNode(info: NodeInfo, pod: Pod, constraints: readonly SpreadConstraint[], namespace: string, affinity: NodeMatcher): NodeEntry {
  const node = info.node;
  const values: (string | undefined)[] = new Array(constraints.length);
  const counts: number[] = new Array(constraints.length).fill(0);
  // A node missing any topology key is no domain for any constraint (upstream behaviour).
  if (nodeHasAllTopologyKeys(node, constraints)) {
    constraints.forEach((c, i) => {
      if (!nodeIncluded(c, pod, node, affinity)) return;
      values[i] = labelValue(node, c.topologyKey)!;
      counts[i] = countMatchingPods(info.pods, c.selector, namespace);
    });
  }
  return { info, generation: info.generation, values, counts };
}

function apply(agg: Aggregate, e: NodeEntry, sign: 1 | -1): void {
  e.values.forEach((value, i) => {
    if (value === undefined) return;
    const totals = agg.totals[i]!;
    const domainNodes = agg.domainNodes[i]!;
    const members = (domainNodes.get(value) ?? 0) + sign;
    if (members === 0) {
      domainNodes.delete(value);
      totals.delete(value);
      return;
    }
    domainNodes.set(value, members);
    totals.set(value, (totals.get(value) ?? 0) + sign * e.counts[i]!);
  });
}
