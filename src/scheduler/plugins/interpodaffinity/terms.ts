// Pod (anti-)affinity terms as the scheduler evaluates them (upstream framework.AffinityTerm and
// the term lists of framework.PodInfo): selectors parsed once per pod object, namespaces resolved
// to the pod's own namespace when a term names none, and the topology-pair counters Filter uses.
import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from 'kubernetes-types/core/v1.js';
import { selectorFromLabelSelector, type Selector } from '../../../apimachinery/labels.js';

/** Labels of a namespace by name; undefined when unknown (then only an empty namespaceSelector matches it). */
export type NamespaceLabels = (namespace: string) => Record<string, string> | undefined;

export interface AffinityTerm {
  /** Namespaces named by the term; the owning pod's namespace when it names none and has no namespaceSelector. */
  namespaces: ReadonlySet<string>;
  /** Selects nothing when the term has no namespaceSelector, everything when it is `{}`. */
  namespaceSelector: Selector;
  selector: Selector;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

export interface PodAffinityTerms {
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: WeightedAffinityTerm[];
  preferredAntiAffinity: WeightedAffinityTerm[];
  /** Why some list could not be parsed (that list is then empty), as upstream's aggregated parse error. */
  parseError?: string;
}

export const podNamespace = (pod: Pod): string => pod.metadata?.namespace || 'default';

/** Own-property lookup: label maps are plain objects, and `constructor` is a legal label key. */
export function labelValue(labels: Record<string, string> | undefined, key: string): string | undefined {
  return labels && Object.hasOwn(labels, key) ? labels[key] : undefined;
}

function newAffinityTerm(pod: Pod, term: PodAffinityTerm): AffinityTerm {
  const named = term.namespaces ?? [];
  // upstream getNamespacesFromPodAffinityTerm: neither namespaces nor namespaceSelector means "my namespace".
  const namespaces = new Set(named.length === 0 && !term.namespaceSelector ? [podNamespace(pod)] : named);
  return {
    namespaces,
    namespaceSelector: selectorFromLabelSelector(term.namespaceSelector),
    selector: selectorFromLabelSelector(term.labelSelector),
    topologyKey: term.topologyKey,
  };
}

const EMPTY: PodAffinityTerms = Object.freeze({
  requiredAffinity: [],
  requiredAntiAffinity: [],
  preferredAffinity: [],
  preferredAntiAffinity: [],
}) as PodAffinityTerms;

// Pods in the scheduler's cache are replaced, not mutated, on update; keying on the object lets
// every cycle reuse the parsed selectors the way upstream keeps them in PodInfo.
const cache = new WeakMap<Pod, PodAffinityTerms>();

/** The pod's parsed terms (cached per pod object). Invalid selectors empty their list and set parseError. */
export function affinityTermsOf(pod: Pod): PodAffinityTerms {
  const affinity = pod.spec?.affinity;
  if (!affinity?.podAffinity && !affinity?.podAntiAffinity) return EMPTY;
  let terms = cache.get(pod);
  if (terms) return terms;
  const errors: string[] = [];
  const parse = <T, R>(what: string, list: T[] | undefined, fn: (t: T) => R): R[] => {
    try {
      return (list ?? []).map(fn);
    } catch (e) {
      errors.push(`${what}: ${(e as Error).message}`);
      return [];
    }
  };
  const weighted = (w: WeightedPodAffinityTerm): WeightedAffinityTerm => ({ ...newAffinityTerm(pod, w.podAffinityTerm), weight: w.weight });
  terms = {
    requiredAffinity: parse('requiredAffinityTerms', affinity.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution, (t) => newAffinityTerm(pod, t)),
    requiredAntiAffinity: parse('requiredAntiAffinityTerms', affinity.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution, (t) => newAffinityTerm(pod, t)),
    preferredAffinity: parse('preferredAffinityTerms', affinity.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution, weighted),
    preferredAntiAffinity: parse('preferredAntiAffinityTerms', affinity.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution, weighted),
  };
  // utilerrors.NewAggregate prints one error as itself and several as "[a, b]".
  if (errors.length) terms.parseError = errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
  cache.set(pod, terms);
  return terms;
}

/**
 * upstream AffinityTerm.Matches: the pod is in one of the term's namespaces (by name, or by the
 * namespaceSelector over its namespace's labels) and its labels match the term's selector.
 */
export function termMatches(term: AffinityTerm, pod: Pod, nsLabels: NamespaceLabels): boolean {
  const ns = podNamespace(pod);
  const inNamespace =
    term.namespaces.has(ns) || (!term.namespaceSelector.matchesNothing() && (term.namespaceSelector.isEmpty() || term.namespaceSelector.matches(nsLabels(ns))));
  return inNamespace && term.selector.matches(pod.metadata?.labels);
}

/** upstream podMatchesAllAffinityTerms: false for no terms. */
export function podMatchesAllTerms(terms: AffinityTerm[], pod: Pod, nsLabels: NamespaceLabels): boolean {
  return terms.length > 0 && terms.every((t) => termMatches(t, pod, nsLabels));
}

/** Where per-pair deltas go (TopologyCounts, or a recorder of one node's contributions). */
export interface PairSink {
  add(key: string, value: string, delta: number): void;
}

/** Counts per (topology key, value) pair; entries that drop to zero are removed, so `size` counts live pairs. */
export class TopologyCounts implements PairSink {
  private readonly byKey = new Map<string, Map<string, number>>();
  private pairs = 0;

  get size(): number {
    return this.pairs;
  }

  get(key: string, value: string): number {
    return this.byKey.get(key)?.get(value) ?? 0;
  }

  add(key: string, value: string, delta: number): void {
    let values = this.byKey.get(key);
    if (!values) this.byKey.set(key, (values = new Map()));
    const before = values.get(value) ?? 0;
    const after = before + delta;
    if (after === 0) {
      if (values.delete(value)) this.pairs--;
      if (values.size === 0) this.byKey.delete(key);
    } else {
      if (before === 0) this.pairs++;
      values.set(value, after);
    }
  }

  /** True when some label of the node is a pair with a positive count. */
  anyPositive(labels: Record<string, string> | undefined): boolean {
    for (const [key, values] of this.byKey) {
      const v = labelValue(labels, key);
      if (v !== undefined && (values.get(v) ?? 0) > 0) return true;
    }
    return false;
  }

  /** The counts as key -> value -> count (shared: read only). */
  asMap(): ReadonlyMap<string, ReadonlyMap<string, number>> {
    return this.byKey;
  }

  clone(): TopologyCounts {
    const c = new TopologyCounts();
    for (const [key, values] of this.byKey) for (const [v, n] of values) c.add(key, v, n);
    return c;
  }
}
