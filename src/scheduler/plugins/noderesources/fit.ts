// NodeResourcesFit (upstream pkg/scheduler/framework/plugins/noderesources/fit.go): a node fits a
// pod when it has a free pod slot and, for every resource the pod requests, allocatable minus what
// its pods already request covers the pod's request. Scoring ranks the feasible nodes by one of
// three strategies over the configured resources (LeastAllocated by default).
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podRequests } from '../../framework/resources.js';
import {
  SUCCESS,
  type CycleState,
  type FilterPlugin,
  type NodeInfo,
  type PreFilterPlugin,
  type PreScorePlugin,
  type Resources,
  type ScorePlugin,
  type Status,
} from '../../framework/types.js';
import {
  DEFAULT_RESOURCES,
  isExtendedResourceName,
  leastAllocatedScorer,
  mostAllocatedScorer,
  podRequestList,
  requestedToCapacityRatioScorer,
  resourceAllocationScore,
  validateResources,
  type ResourceSpec,
  type Scorer,
  type UtilizationShapePoint,
} from './resource-allocation.js';

export const NODE_RESOURCES_FIT = 'NodeResourcesFit';
const PRE_FILTER_KEY = 'PreFilter' + NODE_RESOURCES_FIT;
const PRE_SCORE_KEY = 'PreScore' + NODE_RESOURCES_FIT;

export type ScoringStrategyType = 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';

export interface NodeResourcesFitArgs {
  scoringStrategy?: {
    type: ScoringStrategyType;
    resources?: ResourceSpec[];
    requestedToCapacityRatio?: { shape: UtilizationShapePoint[] };
  };
  /** Extended resources Filter does not check (e.g. ones a node-local agent arbitrates). */
  ignoredResources?: string[];
  /** Extended resource domains (the part before '/') Filter does not check. */
  ignoredResourceGroups?: string[];
}

/** One resource the node is short of; `reason` is what the Unschedulable status carries. */
export interface InsufficientResource {
  resourceName: string;
  reason: string;
  requested: number;
  used: number;
  capacity: number;
}

/**
 * The node's shortfalls for a pod requesting `request` (upstream fitsRequest). Pod count is always
 * checked; a pod requesting nothing checks nothing else. Extended resources are listed by name.
 */
export function fitsRequest(
  request: Resources,
  node: NodeInfo,
  ignoredResources: ReadonlySet<string> = new Set(),
  ignoredResourceGroups: ReadonlySet<string> = new Set(),
): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  if (node.pods.length + 1 > node.allowedPodNumber) {
    out.push({ resourceName: 'pods', reason: 'Too many pods', requested: 1, used: node.pods.length, capacity: node.allowedPodNumber });
  }
  const scalars = Object.entries(request.scalar).filter(([, q]) => q !== 0);
  if (request.milliCpu === 0 && request.memory === 0 && request.ephemeralStorage === 0 && scalars.length === 0) return out;

  const check = (name: string, want: number, used: number, capacity: number) => {
    if (want > 0 && want > capacity - used) out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: want, used, capacity });
  };
  check('cpu', request.milliCpu, node.requested.milliCpu, node.allocatable.milliCpu);
  check('memory', request.memory, node.requested.memory, node.allocatable.memory);
  check('ephemeral-storage', request.ephemeralStorage, node.requested.ephemeralStorage, node.allocatable.ephemeralStorage);
  // Upstream walks a Go map (random order); sorted names keep the reasons deterministic.
  for (const [name, want] of scalars.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (isExtendedResourceName(name) && (ignoredResources.has(name) || ignoredResourceGroups.has(name.split('/')[0]!))) continue;
    // A node without the resource has 0 of it: any request is insufficient.
    check(name, want, node.requested.scalar[name] ?? 0, node.allocatable.scalar[name] ?? 0);
  }
  return out;
}

function validateShape(shape: readonly UtilizationShapePoint[] | undefined): void {
  const path = 'scoringStrategy.requestedToCapacityRatio.shape';
  if (!shape || shape.length === 0) throw new Error(`${path}: Required value: at least one point must be specified`);
  shape.forEach((p, i) => {
    if (!Number.isInteger(p.utilization) || p.utilization < 0 || p.utilization > 100) {
      throw new Error(`${path}[${i}].utilization: Invalid value: ${p.utilization}: not in valid range [0, 100]`);
    }
    if (i > 0 && p.utilization <= shape[i - 1]!.utilization) {
      throw new Error(`${path}[${i}].utilization: Invalid value: ${p.utilization}: values must be sorted in increasing order`);
    }
    if (!Number.isInteger(p.score) || p.score < 0 || p.score > 10) {
      throw new Error(`${path}[${i}].score: Invalid value: ${p.score}: not in valid range [0, 10]`);
    }
  });
}

export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = NODE_RESOURCES_FIT;
  /** The cluster events that may make a pod this plugin rejected fit (upstream EventsToRegister). */
  readonly events = ['NodeAdd', 'NodeAllocatableChange', 'AssignedPodDelete'] as const;
  readonly resources: readonly ResourceSpec[];
  readonly strategy: ScoringStrategyType;
  private readonly scorer: Scorer;
  private readonly ignoredResources: ReadonlySet<string>;
  private readonly ignoredResourceGroups: ReadonlySet<string>;

  /** Throws on invalid args (upstream's ValidateNodeResourcesFitArgs fails plugin construction). */
  constructor(args: NodeResourcesFitArgs = {}) {
    const strategy = args.scoringStrategy ?? { type: 'LeastAllocated' as const };
    this.strategy = strategy.type;
    this.resources = strategy.resources?.length ? strategy.resources.map((r) => ({ ...r })) : DEFAULT_RESOURCES;
    validateResources(this.resources, 'scoringStrategy.resources');
    switch (strategy.type) {
      case 'LeastAllocated':
        this.scorer = leastAllocatedScorer(this.resources);
        break;
      case 'MostAllocated':
        this.scorer = mostAllocatedScorer(this.resources);
        break;
      case 'RequestedToCapacityRatio': {
        const shape = strategy.requestedToCapacityRatio?.shape;
        validateShape(shape);
        this.scorer = requestedToCapacityRatioScorer(this.resources, shape!);
        break;
      }
      default:
        throw new Error(
          `scoringStrategy.type: Unsupported value: "${String((strategy as { type: unknown }).type)}": supported values: "LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"`,
        );
    }
    this.ignoredResources = new Set(args.ignoredResources ?? []);
    this.ignoredResourceGroups = new Set(args.ignoredResourceGroups ?? []);
  }

  /** Computes the pod's real requests once per cycle (no non-zero defaults: Filter checks true requests). */
  preFilter(state: CycleState, pod: Pod): Status {
    state.write(PRE_FILTER_KEY, podRequests(pod));
    return SUCCESS;
  }

  filter(state: CycleState, _pod: Pod, node: NodeInfo): Status {
    const request = state.read<Resources>(PRE_FILTER_KEY);
    // Upstream fails with an Error when PreFilter did not run.
    if (!request) return { code: 'Error', reasons: [`error reading "${PRE_FILTER_KEY}" from cycleState: not found`] };
    const insufficient = fitsRequest(request, node, this.ignoredResources, this.ignoredResourceGroups);
    if (insufficient.length === 0) return SUCCESS;
    return { code: 'Unschedulable', reasons: insufficient.map((r) => r.reason) };
  }

  preScore(state: CycleState, pod: Pod): Status {
    state.write(PRE_SCORE_KEY, podRequestList(pod, this.resources, false));
    return SUCCESS;
  }

  /** 0..100 by the strategy; cpu and memory count non-zero defaults for request-less containers. */
  score(state: CycleState, pod: Pod, node: NodeInfo): number {
    const requests = state.read<number[]>(PRE_SCORE_KEY) ?? podRequestList(pod, this.resources, false);
    return resourceAllocationScore(node, requests, this.resources, false, this.scorer);
  }
}
