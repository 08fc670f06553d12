// DefaultPreemption (PostFilter): when a pod fits nowhere, find nodes where evicting pods of
// lower priority would make room, dry-run each (on copies of the node and the cycle state), and
// pick one by upstream's rules. The result names the node to nominate and the victims; the
// scheduler deletes them (in the background) and the pod is placed once they are gone.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { fitErrorMessage } from '../../framework/framework.js';
import { cloneNodeInfo } from '../../framework/node-info.js';
import {
  SUCCESS,
  unresolvable,
  unschedulable,
  type CycleState,
  type NodeInfo,
  type PostFilterContext,
  type PostFilterPlugin,
  type PostFilterResult,
  type Status,
} from '../../framework/types.js';
import { pickOneNodeForPreemption, type Candidate } from './select.js';
import { priorityOf, selectVictimsOnNode } from './victims.js';

export const NAME = 'DefaultPreemption';
export const ERR_NOT_HELPFUL = 'Preemption is not helpful for scheduling';

export interface DefaultPreemptionArgs {
  /** Dry-run at least this share of the potential nodes (upstream default 10). */
  minCandidateNodesPercentage?: number;
  /** ... and at least this many (upstream default 100). */
  minCandidateNodesAbsolute?: number;
}

export interface DefaultPreemptionOptions extends DefaultPreemptionArgs {
  podDisruptionBudgets?: () => readonly PodDisruptionBudget[];
  random?: () => number;
}

/** A pod the scheduler preempted: being deleted and marked DisruptionTarget by the scheduler. */
const terminatingByPreemption = (p: Pod) =>
  !!p.metadata?.deletionTimestamp &&
  !!p.status?.conditions?.some((c) => c.type === 'DisruptionTarget' && c.status === 'True' && c.reason === 'PreemptionByScheduler');

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = NAME;
  readonly events = ['AssignedPodDelete', 'PodDisruptionBudgetChange'] as const;
  private readonly pct: number;
  private readonly abs: number;
  private readonly pdbs: () => readonly PodDisruptionBudget[];
  private readonly random: () => number;

  constructor(opts: DefaultPreemptionOptions = {}) {
    this.pct = opts.minCandidateNodesPercentage ?? 10;
    this.abs = opts.minCandidateNodesAbsolute ?? 100;
    // upstream ValidateDefaultPreemptionArgs: every problem, in one message.
    const errs: string[] = [];
    if (!Number.isInteger(this.pct) || this.pct < 0 || this.pct > 100) errs.push(`minCandidateNodesPercentage: Invalid value: ${this.pct}: not in valid range [0, 100]`);
    if (!Number.isInteger(this.abs) || this.abs < 0) errs.push(`minCandidateNodesAbsolute: Invalid value: ${this.abs}: not in valid range [0, inf)`);
    if (this.pct === 0 && this.abs === 0) {
      errs.push('minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the same time as minCandidateNodesAbsolute');
      errs.push('minCandidateNodesAbsolute: Invalid value: 0: cannot be zero at the same time as minCandidateNodesPercentage');
    }
    if (errs.length) throw new Error(errs.join(', '));
    this.pdbs = opts.podDisruptionBudgets ?? (() => []);
    this.random = opts.random ?? Math.random;
  }

  postFilter(state: CycleState, pod: Pod, failures: ReadonlyMap<string, Status>, ctx: PostFilterContext): PostFilterResult {
    const why = this.ineligible(pod, failures, ctx);
    if (why) return { status: unschedulable(`preemption: ${why}`) };
    const all = ctx.snapshot.nodeInfos();
    if (all.length === 0) return { status: { code: 'Error', reasons: ['preemption: no nodes available'] } };
    const potential = all.filter((n) => failures.get(n.node.metadata!.name!)?.code === 'Unschedulable');
    const { candidates, statuses } = this.dryRun(state, pod, potential, ctx);
    // Errors (not verdicts) on every dry run: retry later rather than report the pod unschedulable (upstream).
    const errors = [...statuses.values()].filter((s) => s.code === 'Error');
    if (candidates.length === 0 && errors.length > 0) {
      return { status: { code: 'Error', reasons: [`preemption: ${errors.flatMap((e) => e.reasons).join(', ')}`] } };
    }
    if (candidates.length === 0) {
      for (const n of all) {
        const name = n.node.metadata!.name!;
        if (!statuses.has(name)) statuses.set(name, unresolvable(ERR_NOT_HELPFUL));
      }
      // Clearing nominatedNodeName: the pod no longer waits for room on a node.
      return { status: unschedulable(`preemption: ${fitErrorMessage(all.length, statuses)}`), nominatedNodeName: '' };
    }
    const best = pickOneNodeForPreemption(candidates)!;
    const clearNomination = ctx
      .nominatedPodsFor(best.nodeName)
      .filter((p) => priorityOf(p.pod) < priorityOf(pod))
      .map((p) => p.pod);
    return { status: SUCCESS, nominatedNodeName: best.nodeName, victims: best.victims.pods, clearNomination };
  }

  /** upstream PodEligibleToPreemptOthers: the reason the pod may not preempt, or undefined. */
  private ineligible(pod: Pod, failures: ReadonlyMap<string, Status>, ctx: PostFilterContext): string | undefined {
    if (pod.spec?.preemptionPolicy === 'Never') return 'not eligible due to preemptionPolicy=Never.';
    const nominated = pod.status?.nominatedNodeName;
    if (!nominated) return undefined;
    // A nominated node that cannot take the pod any more (label gone ...) frees it to try elsewhere.
    if (failures.get(nominated)?.code === 'UnschedulableAndUnresolvable') return undefined;
    const info = ctx.snapshot.get(nominated);
    const p = priorityOf(pod);
    if (info?.pods.some((v) => priorityOf(v.pod) < p && terminatingByPreemption(v.pod))) {
      return 'not eligible due to a terminating pod on the nominated node.';
    }
    return undefined;
  }

  /** upstream DryRunPreemption from a random offset, stopping once enough candidates are found. */
  private dryRun(state: CycleState, pod: Pod, potential: NodeInfo[], ctx: PostFilterContext) {
    const statuses = new Map<string, Status>();
    const nonViolating: Candidate[] = [];
    const violating: Candidate[] = [];
    const n = potential.length;
    const want = Math.min(n, Math.max(Math.floor((n * this.pct) / 100), this.abs));
    const offset = n ? Math.floor(this.random() * n) : 0;
    const pdbs = this.pdbs();
    for (let i = 0; i < n; i++) {
      const info = potential[(offset + i) % n]!;
      const nodeName = info.node.metadata!.name!;
      const r = selectVictimsOnNode(ctx, ctx.cloneState(state), pod, cloneNodeInfo(info), pdbs);
      if (r.victims && r.victims.pods.length > 0) {
        (r.victims.numPDBViolations === 0 ? nonViolating : violating).push({ nodeName, victims: r.victims });
        if (nonViolating.length > 0 && nonViolating.length + violating.length >= want) break;
      } else {
        statuses.set(nodeName, r.status ?? { code: 'Error', reasons: [`expected at least one victim pod on node "${nodeName}"`] });
      }
    }
    return { candidates: [...nonViolating, ...violating], statuses };
  }
}
