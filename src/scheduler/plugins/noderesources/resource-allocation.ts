// The scoring half shared by NodeResourcesFit and NodeResourcesBalancedAllocation (upstream's
// resourceAllocationScorer): per configured resource, what the node would have requested with the
// pod placed on it against what it can allocate, folded into one 0..100 score by a strategy.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podRequests } from '../../framework/resources.js';
import { MAX_NODE_SCORE, type NodeInfo, type Resources } from '../../framework/types.js';

export interface ResourceSpec {
  name: string;
  weight: number;
}

export interface UtilizationShapePoint {
  /** 0..100 */
  utilization: number;
  /** 0..10 (upstream's MaxCustomPriorityScore), scaled to 0..100 when scoring. */
  score: number;
}

/** Upstream's default scoring resources: cpu and memory, weight 1 each. */
export const DEFAULT_RESOURCES: readonly ResourceSpec[] = Object.freeze([
  { name: 'cpu', weight: 1 },
  { name: 'memory', weight: 1 },
]);

/** Folds per-resource (requested, allocatable) pairs into a score; allocatable 0 means "not scored". */
export type Scorer = (requested: number[], allocatable: number[]) => number;

/** Go's int64 division truncates toward zero; scores must match upstream's integer arithmetic. */
const idiv = (a: number, b: number): number => Math.trunc(a / b);

/** Upstream's IsPrefixedNativeResource: names in the kubernetes.io domain. */
const isPrefixedNative = (name: string): boolean => name.includes('kubernetes.io/');

/** Upstream's IsExtendedResourceName: domain-qualified, outside kubernetes.io, not a quota name. */
export function isExtendedResourceName(name: string): boolean {
  return name.includes('/') && !isPrefixedNative(name) && !name.startsWith('requests.');
}

/**
 * Upstream's IsScalarResourceName: everything kept in Resource.ScalarResources (extended,
 * hugepages-*, kubernetes.io/-prefixed, attachable-volumes-*), none of cpu, memory, storage.
 */
export function isScalarResourceName(name: string): boolean {
  return isExtendedResourceName(name) || name.startsWith('hugepages-') || isPrefixedNative(name) || name.startsWith('attachable-volumes-');
}

function amount(r: Resources, name: string): number {
  switch (name) {
    case 'cpu':
      return r.milliCpu;
    case 'memory':
      return r.memory;
    case 'ephemeral-storage':
      return r.ephemeralStorage;
    default:
      return r.scalar[name] ?? 0;
  }
}

/**
 * The pod's request per configured resource. Without `useRequested` containers that omit a cpu or
 * memory request count upstream's non-zero defaults (100m, 200Mi), so that best-effort pods still
 * spread (upstream calculatePodResourceRequest with NonMissingContainerRequests).
 */
export function podRequestList(pod: Pod, resources: readonly ResourceSpec[], useRequested: boolean): number[] {
  const req = podRequests(pod, !useRequested);
  return resources.map((r) => amount(req, r.name));
}

// Scoring runs for hundreds of nodes per pod: one pair of scratch arrays instead of new ones per
// node (scorers read them synchronously and keep nothing).
let scratchRequested: number[] = [0, 0];
let scratchAllocatable: number[] = [0, 0];

/**
 * Allocatable and requested-with-the-pod on this node for one resource, into the scratch arrays
 * at `i`. cpu and memory use the node's non-zero sums unless `useRequested`; other resources
 * always use real requests. A scalar resource the pod does not request, or one the node lacks,
 * stays (0, 0) so it is left out.
 */
function fillResource(node: NodeInfo, name: string, podRequest: number, useRequested: boolean, i: number): void {
  const requested = useRequested ? node.requested : node.nonZeroRequested;
  let alloc = 0;
  let req = 0;
  switch (name) {
    case 'cpu':
      alloc = node.allocatable.milliCpu;
      req = requested.milliCpu + podRequest;
      break;
    case 'memory':
      alloc = node.allocatable.memory;
      req = requested.memory + podRequest;
      break;
    case 'ephemeral-storage':
      alloc = node.allocatable.ephemeralStorage;
      req = node.requested.ephemeralStorage + podRequest;
      break;
    default:
      if (podRequest === 0 && isScalarResourceName(name)) break;
      if (name in node.allocatable.scalar) {
        alloc = node.allocatable.scalar[name]!;
        req = (node.requested.scalar[name] ?? 0) + podRequest;
      }
  }
  scratchAllocatable[i] = alloc;
  scratchRequested[i] = alloc === 0 ? 0 : req;
}

export function resourceAllocationScore(
  node: NodeInfo,
  podRequests: number[],
  resources: readonly ResourceSpec[],
  useRequested: boolean,
  scorer: Scorer,
): number {
  const n = resources.length;
  if (scratchRequested.length !== n) {
    scratchRequested = new Array<number>(n).fill(0);
    scratchAllocatable = new Array<number>(n).fill(0);
  }
  for (let i = 0; i < n; i++) fillResource(node, resources[i]!.name, podRequests[i] ?? 0, useRequested, i);
  return scorer(scratchRequested, scratchAllocatable);
}

function weightedMean(
  resources: readonly ResourceSpec[],
  perResource: (requested: number, capacity: number) => number,
): Scorer {
  return (requested, allocatable) => {
    let score = 0;
    let weights = 0;
    for (let i = 0; i < requested.length; i++) {
      const alloc = allocatable[i]!;
      if (alloc === 0) continue;
      const w = resources[i]!.weight;
      score += perResource(requested[i]!, alloc) * w;
      weights += w;
    }
    return weights === 0 ? 0 : idiv(score, weights);
  };
}

/** LeastAllocated: the free fraction of each resource, weighted; over-committed resources score 0. */
export function leastAllocatedScorer(resources: readonly ResourceSpec[]): Scorer {
  return weightedMean(resources, (requested, capacity) => {
    if (capacity === 0 || requested > capacity) return 0;
    return idiv((capacity - requested) * MAX_NODE_SCORE, capacity);
  });
}

/** MostAllocated: the used fraction, weighted; requests above capacity (non-zero defaults) count as full. */
export function mostAllocatedScorer(resources: readonly ResourceSpec[]): Scorer {
  return weightedMean(resources, (requested, capacity) => {
    if (capacity === 0) return 0;
    return idiv(Math.min(requested, capacity) * MAX_NODE_SCORE, capacity);
  });
}

/** MaxCustomPriorityScore in upstream's config: shape scores are 0..10. */
export const MAX_CUSTOM_PRIORITY_SCORE = 10;
const MAX_UTILIZATION = 100;

/** Piecewise-linear through the shape points (sorted by utilization), flat before the first and after the last. */
export function brokenLinearFunction(shape: readonly UtilizationShapePoint[]): (p: number) => number {
  return (p) => {
    for (let i = 0; i < shape.length; i++) {
      if (p <= shape[i]!.utilization) {
        if (i === 0) return shape[0]!.score;
        const a = shape[i - 1]!;
        const b = shape[i]!;
        return a.score + idiv((b.score - a.score) * (p - a.utilization), b.utilization - a.utilization);
      }
    }
    return shape[shape.length - 1]!.score;
  };
}

/**
 * RequestedToCapacityRatio: each resource's utilization (0..100, integer) mapped through the shape;
 * resources scoring 0 are left out of the weighted mean, which is rounded (not truncated) as upstream.
 */
export function requestedToCapacityRatioScorer(resources: readonly ResourceSpec[], shape: readonly UtilizationShapePoint[]): Scorer {
  const scaled = shape.map((p) => ({ utilization: p.utilization, score: p.score * idiv(MAX_NODE_SCORE, MAX_CUSTOM_PRIORITY_SCORE) }));
  const raw = brokenLinearFunction(scaled);
  const perResource = (requested: number, capacity: number) =>
    capacity === 0 || requested > capacity ? raw(MAX_UTILIZATION) : raw(idiv(requested * MAX_UTILIZATION, capacity));
  return (requested, allocatable) => {
    let score = 0;
    let weights = 0;
    requested.forEach((req, i) => {
      if (allocatable[i] === 0) return;
      const s = perResource(req, allocatable[i]!);
      if (s > 0) {
        const w = resources[i]!.weight;
        score += s * w;
        weights += w;
      }
    });
    return weights === 0 ? 0 : goRound(score / weights);
  };
}

/** Go's math.Round: halves away from zero (JS Math.round rounds -2.5 to -2). */
const goRound = (x: number): number => Math.sign(x) * Math.round(Math.abs(x));

/**
 * BalancedAllocation: 100 * (1 - standard deviation of the used fractions, each capped at 1).
 * With two resources upstream uses |f1 - f2| / 2, which is the same deviation.
 */
export function balancedResourceScorer(requested: number[], allocatable: number[]): number {
  if (requested.length === 2 && allocatable[0] !== 0 && allocatable[1] !== 0) {
    const d = Math.min(requested[0]! / allocatable[0]!, 1) - Math.min(requested[1]! / allocatable[1]!, 1);
    return Math.trunc((1 - Math.abs(d / 2)) * MAX_NODE_SCORE);
  }
  const fractions: number[] = [];
  requested.forEach((req, i) => {
    if (allocatable[i] === 0) return;
    fractions.push(Math.min(req / allocatable[i]!, 1));
  });
  let std = 0;
  if (fractions.length === 2) {
    std = Math.abs((fractions[0]! - fractions[1]!) / 2);
  } else if (fractions.length > 2) {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) * (f - mean), 0) / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

/** Upstream's ResourceSpec validation: weights 1..100 (shared by both plugins' args). */
export function validateResources(resources: readonly ResourceSpec[], path: string): void {
  resources.forEach((r, i) => {
    if (!Number.isInteger(r.weight) || r.weight <= 0 || r.weight > MAX_NODE_SCORE) {
      throw new Error(`${path}[${i}].weight: Invalid value: ${r.weight}: resource weight of ${r.name} should be in the range [1, ${MAX_NODE_SCORE}]`);
    }
  });
}
