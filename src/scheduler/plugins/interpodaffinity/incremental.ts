// Topology-pair counts kept across scheduling cycles. Upstream walks every pod of every node in
// PreFilter and PreScore each cycle (with 16 goroutines); a cycle here changes one node, so the
// totals of an earlier cycle are reused and only nodes whose NodeInfo changed since (their
// generation) are walked again. A memo key must name everything a node's contribution depends on
// besides the node itself (the incoming pod's labels, namespace, terms, namespace labels).
import type { NodeInfo } from '../../framework/types.js';
import { TopologyCounts, type PairSink } from './terms.js';

interface Contribution {
  key: string;
  value: string;
  delta: number;
}

interface Entry {
  info: NodeInfo;
  generation: number;
  contributions: Contribution[];
}

interface Memo {
  nodes: readonly NodeInfo[];
  entries: (Entry | undefined)[];
  totals: TopologyCounts;
}

const MAX_KEYS = 32;

/** Below this many nodes to walk, walking them beats checking every node's generation. */
export const MEMO_MIN_NODES = 64;

class Recorder implements PairSink {
  readonly contributions: Contribution[] = [];
  add(key: string, value: string, delta: number): void {
    this.contributions.push({ key, value, delta });
  }
}

export class IncrementalTopologyCounts {
  private readonly memo = new Map<string, Memo>();

  /** @param minNodes below this many nodes to walk, callers walk them directly instead. */
  constructor(readonly minNodes = MEMO_MIN_NODES) {}

  /**
   * The sum over `nodes` of what `perNode` adds for each. The result is the memo's own object:
   * read it, or clone it before changing it (as preemption's dry runs do).
   */
  count(key: string, nodes: readonly NodeInfo[], perNode: (info: NodeInfo, sink: PairSink) => void): TopologyCounts {
    let m = this.memo.get(key);
    if (!m || m.nodes !== nodes) {
      m = { nodes, entries: new Array(nodes.length), totals: new TopologyCounts() };
      this.memo.delete(key);
      if (this.memo.size >= MAX_KEYS) this.memo.delete(this.memo.keys().next().value!);
      this.memo.set(key, m);
    }
    for (let i = 0; i < nodes.length; i++) {
      const info = nodes[i]!;
      const prior = m.entries[i];
      if (prior && prior.info === info && prior.generation === info.generation) continue;
      if (prior) for (const c of prior.contributions) m.totals.add(c.key, c.value, -c.delta);
      const r = new Recorder();
      perNode(info, r);
      for (const c of r.contributions) m.totals.add(c.key, c.value, c.delta);
      m.entries[i] = { info, generation: info.generation, contributions: r.contributions };
    }
    return m.totals;
  }
}

/** Labels as a canonical string for memo keys. */
export const labelsKey = (labels: Record<string, string> | undefined | null): string =>
  JSON.stringify(Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
