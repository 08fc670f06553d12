// POST pods/{name}/eviction (upstream's eviction REST): a deletion the pod's PodDisruptionBudget
// may refuse. Pods no budget protects go at once; otherwise one disruption is taken from the
// budget's status (recorded in disruptedPods) before the pod is marked DisruptionTarget and deleted.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import type { KubeObject } from '../../api/types.js';
import { badRequest, conflict, forbidden, internalError, isConflict, timeout, tooManyRequestsWithCauses } from '../../apimachinery/errors.js';
import { rfc3339 } from '../../apimachinery/time.js';
import {
  DISRUPTION_BUDGET_CAUSE,
  budgetsGuarding,
  isPodReady,
  unhealthyPodEvictionPolicy,
  withDisruptionAllowedCondition,
} from '../../controllers/disruption/budget.js';
import { evictionDisruptionTarget } from '../../controllers/disruption/pod-conditions.js';
import { sleep } from '../../manager/index.js';
import { writeJson } from '../http/respond.js';
import { bodyFormat, decodeBody, expectObject, readBody } from '../http/body.js';
import type { DeleteOptions, ResourceStore } from '../registry/store.js';
import type { RequestContext } from './context.js';

/** More entries than this in status.disruptedPods and evictions stop (upstream MaxDisruptedPodSize). */
const MAX_DISRUPTED_POD_SIZE = 2000;
/** Conflicts on the pod are retried this often, this far apart (upstream EvictionsRetry). */
const EVICTION_RETRY_STEPS = 20;
const EVICTION_RETRY_MS = 500;
const EVICTION_REFUSED = "Cannot evict pod as it would violate the pod's disruption budget.";

const budgetStore = (ctx: RequestContext): ResourceStore => ctx.storeOf('policy', 'v1', 'poddisruptionbudgets');

/** The budgets of the pod's namespace. */
const listBudgets = async (ctx: RequestContext, namespace: string): Promise<PodDisruptionBudget[]> =>
  (await budgetStore(ctx).list(namespace)) as PodDisruptionBudget[];

const checkDryRun = (values: readonly unknown[]): void => {
  for (const d of values) if (d !== 'All') throw badRequest(`dryRun: Unsupported value: ${JSON.stringify(d)}: supported values: "All"`);
};

/** The eviction's DeleteOptions, with the request's dryRun pushed in (upstream propagateDryRun). */
function evictionDeleteOptions(ctx: RequestContext, body: Record<string, unknown>): DeleteOptions {
  const raw = (body.deleteOptions ?? {}) as Record<string, unknown>;
  const query = ctx.query.getAll('dryRun');
  const inBody = Array.isArray(raw.dryRun) ? (raw.dryRun as unknown[]) : [];
  checkDryRun(query);
  checkDryRun(inBody);
  if (query.length > 0 && inBody.length > 0 && JSON.stringify(query) !== JSON.stringify(inBody)) {
    throw internalError(new Error(`Non-matching dry-run options in request and content: [${query.join(' ')}] and [${inBody.join(' ')}]`));
  }
  const opts: DeleteOptions = { dryRun: query.length > 0 || inBody.length > 0 };
  if (raw.gracePeriodSeconds !== undefined && raw.gracePeriodSeconds !== null) {
    if (typeof raw.gracePeriodSeconds !== 'number' || !Number.isInteger(raw.gracePeriodSeconds)) throw badRequest('gracePeriodSeconds must be an integer');
    opts.gracePeriodSeconds = raw.gracePeriodSeconds;
  }
  const policy = raw.propagationPolicy ?? (raw.orphanDependents === undefined ? undefined : raw.orphanDependents ? 'Orphan' : 'Background');
  if (policy !== undefined) {
    if (policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground') {
      throw badRequest(`propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Background", "Foreground", "Orphan"`);
    }
    opts.propagationPolicy = policy;
  }
  const pre = raw.preconditions as DeleteOptions['preconditions'] | undefined;
  if (pre) opts.preconditions = { ...pre };
  return opts;
}

const resourceVersionIsUnset = (o: DeleteOptions): boolean => !o.preconditions?.resourceVersion;
const withResourceVersion = (o: DeleteOptions, rv: string | undefined): DeleteOptions => ({ ...o, preconditions: { ...o.preconditions, resourceVersion: rv } });
const phaseOf = (pod: Pod): string | undefined => pod.status?.phase;
/** Finished, not yet running, or already going: deleted without asking any budget. */
const canIgnoreBudget = (pod: Pod): boolean =>
  ['Succeeded', 'Failed', 'Pending'].includes(phaseOf(pod) ?? '') || !!pod.metadata?.deletionTimestamp;
/** Whether the delete must not race with the pod becoming ready (all but finished or going pods). */
const shouldEnforceResourceVersion = (pod: Pod): boolean =>
  !['Succeeded', 'Failed'].includes(phaseOf(pod) ?? '') && !pod.metadata?.deletionTimestamp;

const budgetStillProcessing = (name: string) =>
  tooManyRequestsWithCauses(EVICTION_REFUSED, 10, [{ reason: DISRUPTION_BUDGET_CAUSE, message: `The disruption budget ${name} is still being processed by the server.` }]);

/**
 * The budget after granting one disruption to `podName` (upstream checkAndDecrement); throws the
 * refusal otherwise. A dry run records no disrupted pod.
 */
function decrementBudget(pdb: PodDisruptionBudget, podName: string, dryRun: boolean): PodDisruptionBudget {
  const name = pdb.metadata?.name ?? '';
  const status = pdb.status ?? { currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 };
  if ((status.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) throw budgetStillProcessing(name);
  const policyResource = { group: 'policy', resource: 'poddisruptionbudget' };
  if (status.disruptionsAllowed < 0) throw forbidden(policyResource, name, 'pdb disruptions allowed is negative');
  if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE) {
    throw forbidden(policyResource, name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  }
  if (status.disruptionsAllowed === 0) {
    throw tooManyRequestsWithCauses(EVICTION_REFUSED, 0, [
      { reason: DISRUPTION_BUDGET_CAUSE, message: `The disruption budget ${name} needs ${status.desiredHealthy} healthy pods and has ${status.currentHealthy} currently` },
    ]);
  }
  let next: PodDisruptionBudgetStatus = { ...status, disruptionsAllowed: status.disruptionsAllowed - 1 };
  if (next.disruptionsAllowed === 0) next = withDisruptionAllowedCondition(next);
  if (!dryRun) next.disruptedPods = { ...next.disruptedPods, [podName]: rfc3339(new Date()) };
  return { ...pdb, status: next };
}

/**
 * Marks the pod with a DisruptionTarget condition (through its status, from the stored pod, with
 * the request's preconditions checked against it), then deletes it (upstream addConditionAndDeletePod).
 */
async function addConditionAndDeletePod(ctx: RequestContext, opts: DeleteOptions): Promise<void> {
  const { namespace, name } = ctx.info;
  if (!opts.dryRun) {
    const podResource = { group: '', resource: 'Pod' };
    const updated = await ctx.store.guaranteedUpdate(
      namespace,
      name,
      (latest) => {
        const pre = opts.preconditions;
        const m = latest.metadata ?? {};
        if (pre?.uid && pre.uid !== m.uid) {
          throw conflict(podResource, name, `the UID in the precondition (${pre.uid}) does not match the UID in record (${m.uid}). The object might have been deleted and then recreated`);
        }
        if (pre?.resourceVersion && pre.resourceVersion !== m.resourceVersion) {
          throw conflict(podResource, name, `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${m.resourceVersion}). The object might have been modified`);
        }
        const pod = latest as Pod;
        const conditions = evictionDisruptionTarget(pod);
        if (!conditions) return latest;
        const next = { ...pod, status: { ...pod.status, conditions } } as KubeObject;
        delete next.metadata!.resourceVersion;
        return next;
      },
      { subresource: 'status' },
    );
    // The condition moved the pod's resourceVersion: a precondition on it now names that one.
    if (!resourceVersionIsUnset(opts)) opts = withResourceVersion(opts, updated.metadata?.resourceVersion);
  }
  await ctx.store.delete(namespace, name, opts);
}

/** POST pods/{name}/eviction: a deletion that the pod's disruption budget may refuse. */
export async function handleEviction(ctx: RequestContext): Promise<void> {
  const body = expectObject(decodeBody(await readBody(ctx.req), bodyFormat(ctx.req.headers['content-type'])), 'Eviction');
  const { namespace, name } = ctx.info;
  if ((body.metadata as { name?: unknown } | undefined)?.name !== name) throw badRequest('name in URL does not match name in Eviction object');
  const original = evictionDeleteOptions(ctx, body);

  // Pods no budget protects (finished, pending, already going) are deleted at once; conflicts on
  // the pod are retried unless the caller pinned a resourceVersion.
  let pod: Pod | undefined;
  for (let attempt = 1; ; attempt++) {
    pod = (await ctx.store.get(namespace, name)) as Pod;
    if (!canIgnoreBudget(pod)) break;
    const opts = shouldEnforceResourceVersion(pod) && resourceVersionIsUnset(original) ? withResourceVersion(original, pod.metadata?.resourceVersion) : original;
    try {
      await addConditionAndDeletePod(ctx, opts);
      return writeEvicted(ctx);
    } catch (e) {
      if (!isConflict(e) || !resourceVersionIsUnset(original) || attempt >= EVICTION_RETRY_STEPS) throw e;
      await sleep(EVICTION_RETRY_MS * (1 + Math.random() * 0.1), ctx.signal);
    }
  }

  const pdbs = budgetsGuarding(await listBudgets(ctx, namespace), pod);
  if (pdbs.length > 1) {
    writeJson(ctx.res, 500, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
      code: 500,
    });
    return;
  }
  const pdb = pdbs[0];
  let deleteUnhealthy = false;
  if (pdb) {
    const pdbName = pdb.metadata?.name ?? '';
    // An unhealthy pod counts toward no budget: it goes without a disruption when the policy
    // always allows it, or (IfHealthyBudget) while the budget is met.
    if (!isPodReady(pod)) {
      const status = pdb.status;
      deleteUnhealthy =
        unhealthyPodEvictionPolicy(pdb) === 'AlwaysAllow' ||
        (!!status && status.currentHealthy >= status.desiredHealthy && status.desiredHealthy > 0);
    }
    if (!deleteUnhealthy) await grantDisruption(ctx, pdbName, name, !!original.dryRun);
  }

  // An unhealthy pod is deleted only as it was judged: not if it became ready meanwhile.
  const opts = deleteUnhealthy ? withResourceVersion(original, pod.metadata?.resourceVersion) : original;
  try {
    await addConditionAndDeletePod(ctx, opts);
  } catch (e) {
    if (isConflict(e) && deleteUnhealthy && resourceVersionIsUnset(original)) throw budgetStillProcessing(pdb?.metadata?.name ?? '');
    throw e;
  }
  writeEvicted(ctx);
}

/** Takes one disruption from the budget's status (read, check, write; conflicts retried). */
async function grantDisruption(ctx: RequestContext, pdbName: string, podName: string, dryRun: boolean): Promise<void> {
  const store = budgetStore(ctx);
  const namespace = ctx.info.namespace;
  if (dryRun) {
    decrementBudget((await store.get(namespace, pdbName)) as PodDisruptionBudget, podName, true);
    return;
  }
  try {
    await store.guaranteedUpdate(
      namespace,
      pdbName,
      (current) => {
        const next = decrementBudget(current as PodDisruptionBudget, podName, false) as KubeObject;
        // No resourceVersion: the store retries conflicts from a fresh read.
        delete next.metadata!.resourceVersion;
        return next;
      },
      { subresource: 'status' },
    );
  } catch (e) {
    if (isConflict(e)) throw timeout(`Timeout: couldn't update PodDisruptionBudget ${JSON.stringify(pdbName)} due to conflicts`, 10);
    throw e;
  }
}

function writeEvicted(ctx: RequestContext): void {
  writeJson(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}
