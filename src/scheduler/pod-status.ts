// The scheduler's writes besides bindings: a pod's PodScheduled=False condition and nomination,
// and preemption's eviction of victims (DisruptionTarget condition, then delete, then an event).
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../apimachinery/errors.js';
import { rfc3339 } from '../apimachinery/time.js';
import type { EventRecorder } from '../client/events/types.js';
import { PODS } from '../client/resources.js';
import type { Client } from '../client/types.js';
import type { Logger } from '../logging/index.js';

const patchStatus = (client: Client, pod: Pod, status: Record<string, unknown>) =>
  client.resource<Pod>(PODS).patch(pod.metadata!.namespace!, pod.metadata!.name!, 'strategic', { status }, { subresource: 'status' });

export interface UnschedulableUpdate {
  message: string;
  /** The node to nominate; '' clears the nomination; undefined leaves it. */
  nominatedNodeName?: string;
}

/** PodScheduled=False (reason Unschedulable) and the nomination, in one status patch, only when they change. */
export async function setUnschedulable(client: Client, logger: Logger, pod: Pod, u: UnschedulableUpdate): Promise<void> {
  const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  const conditionSame = current?.status === 'False' && current.reason === 'Unschedulable' && current.message === u.message;
  const nominationSame = u.nominatedNodeName === undefined || (pod.status?.nominatedNodeName ?? '') === u.nominatedNodeName;
  if (conditionSame && nominationSame) return;
  const status: Record<string, unknown> = {};
  if (!conditionSame) {
    const condition: PodCondition = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: u.message, lastTransitionTime: rfc3339(new Date()) };
    status.conditions = [condition];
  }
  if (!nominationSame) status.nominatedNodeName = u.nominatedNodeName || null;
  try {
    await patchStatus(client, pod, status);
  } catch (e) {
    if (!isNotFound(e)) logger.debug({ pod: `${pod.metadata?.namespace}/${pod.metadata?.name}`, err: e }, 'could not update the pod status');
  }
}

/** upstream clearNominatedNodeName: lower-priority pods nominated to a node the preemptor now claims. */
export async function clearNomination(client: Client, pods: Pod[]): Promise<void> {
  await Promise.all(
    pods
      .filter((p) => p.status?.nominatedNodeName)
      .map((p) =>
        patchStatus(client, p, { nominatedNodeName: null }).catch((e) => {
          if (!isNotFound(e)) throw e;
        }),
      ),
  );
}

/**
 * Preempts one victim as upstream does: a DisruptionTarget condition saying why, then a delete
 * (with the victim's own grace period), then a Preempted event on it. Already-going victims are skipped.
 */
export async function preemptVictim(client: Client, recorder: EventRecorder, preemptor: Pod, victim: Pod, nodeName: string): Promise<void> {
  if (victim.metadata?.deletionTimestamp) return;
  const condition: PodCondition = {
    type: 'DisruptionTarget',
    status: 'True',
    reason: 'PreemptionByScheduler',
    message: `${preemptor.spec?.schedulerName ?? 'default-scheduler'}: preempting to accommodate a higher priority pod`,
    lastTransitionTime: rfc3339(new Date()),
  };
  try {
    await patchStatus(client, victim, { conditions: [condition] });
    await client.resource<Pod>(PODS).delete(victim.metadata!.namespace!, victim.metadata!.name!, { preconditions: { uid: victim.metadata?.uid } });
  } catch (e) {
    if (isNotFound(e)) return;
    throw e;
  }
  recorder.event(victim, 'Normal', 'Preempted', `Preempted by pod ${preemptor.metadata?.uid} on node ${nodeName}`);
}
