// NodeResourcesBalancedAllocation (upstream balanced_allocation.go): favours nodes whose cpu and
// memory (or the configured resources) would be used in similar fractions once the pod is placed,
// scoring 100 * (1 - standard deviation of those fractions).
import type { Pod } from 'kubernetes-types/core/v1.js';
import { SUCCESS, type CycleState, type NodeInfo, type PreScorePlugin, type ScorePlugin, type Status } from '../../framework/types.js';
import {
  DEFAULT_RESOURCES,
  balancedResourceScorer,
  podRequestList,
  resourceAllocationScore,
  validateResources,
  type ResourceSpec,
} from './resource-allocation.js';

export const NODE_RESOURCES_BALANCED_ALLOCATION = 'NodeResourcesBalancedAllocation';
const PRE_SCORE_KEY = 'PreScore' + NODE_RESOURCES_BALANCED_ALLOCATION;

export interface NodeResourcesBalancedAllocationArgs {
  resources?: ResourceSpec[];
}

// Upstream builds this scorer with useRequested: fractions come from real requests of the node's
// pods and of the incoming pod, not from the non-zero defaults NodeResourcesFit scores with.
const USE_REQUESTED = true;

export class NodeResourcesBalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = NODE_RESOURCES_BALANCED_ALLOCATION;
  readonly resources: readonly ResourceSpec[];

  constructor(args: NodeResourcesBalancedAllocationArgs = {}) {
    this.resources = args.resources?.length ? args.resources.map((r) => ({ ...r })) : DEFAULT_RESOURCES;
    validateResources(this.resources, 'resources');
  }

  /**
   * Skips scoring for a pod requesting none of the resources: every node would look equally
   * balanced to it, and upstream skips to keep best-effort pods from piling onto one node
   * (kubernetes/kubernetes#129138).
   */
  preScore(state: CycleState, pod: Pod): Status {
    const requests = podRequestList(pod, this.resources, USE_REQUESTED);
    if (requests.every((r) => r === 0)) return { code: 'Skip', reasons: [] };
    state.write(PRE_SCORE_KEY, requests);
    return SUCCESS;
  }

  score(state: CycleState, pod: Pod, node: NodeInfo): number {
    let requests = state.read<number[]>(PRE_SCORE_KEY);
    if (!requests) {
      requests = podRequestList(pod, this.resources, USE_REQUESTED);
      if (requests.every((r) => r === 0)) return 0;
    }
    return resourceAllocationScore(node, requests, this.resources, USE_REQUESTED, balancedResourceScorer);
  }
}
