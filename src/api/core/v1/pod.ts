// Pods (core/v1): upstream's pod strategy (pkg/registry/core/pod/strategy.go), defaulting,
// validation, field selectors and the pods table.
import type { Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import type { Mutable, ResourceDefinition } from '../../types.js';
import { defaultPod } from './pod-defaults.js';
import { podTable } from './pod-table.js';
import { validatePodStatusUpdate, validatePodUpdate } from './pod-update-validation.js';
import { validatePodCreate } from './pod-validation.js';
import { computeQOSClass } from './resource-validation.js';

/** Pending with the QoS class computed; a pod with scheduling gates also says why it waits. */
function initialStatus(pod: Pod): PodStatus {
  const status: PodStatus = { phase: 'Pending', qosClass: computeQOSClass(pod.spec) };
  if (pod.spec?.schedulingGates?.length) {
    const gated: PodCondition = {
      type: 'PodScheduled',
      status: 'False',
      reason: 'SchedulingGated',
      message: 'Scheduling is blocked due to non-empty scheduling gates',
    };
    return { ...status, conditions: [gated] };
  }
  return status;
}

/** upstream ToSelectableFields for pods (metadata.name and metadata.namespace are the store's). */
export function podSelectableFields(pod: Pod): Record<string, string> {
  return {
    'spec.nodeName': pod.spec?.nodeName ?? '',
    'spec.restartPolicy': pod.spec?.restartPolicy ?? '',
    'spec.schedulerName': pod.spec?.schedulerName ?? '',
    'spec.serviceAccountName': pod.spec?.serviceAccountName ?? '',
    'spec.hostNetwork': String(pod.spec?.hostNetwork ?? false),
    'status.phase': pod.status?.phase ?? '',
    'status.podIP': pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '',
    'status.nominatedNodeName': pod.status?.nominatedNodeName ?? '',
  };
}

export const podResource: ResourceDefinition<Pod> = {
  group: '',
  version: 'v1',
  kind: 'Pod',
  plural: 'pods',
  singular: 'pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  subresources: { status: true },
  defaults: defaultPod,
  prepareForCreate(pod) {
    (pod as Mutable<Pod>).status = initialStatus(pod);
  },
  // upstream's Priority admission on update: priority and preemptionPolicy left out of an update
  // keep their values (they are immutable, and a client replacing the pod need not repeat them).
  prepareForUpdate(pod, old) {
    if (!pod.spec || !old.spec) return;
    const spec = pod.spec as Mutable<NonNullable<Pod['spec']>>;
    if (spec.priority === undefined && old.spec.priority !== undefined) spec.priority = old.spec.priority;
    if (spec.preemptionPolicy === undefined && old.spec.preemptionPolicy !== undefined) spec.preemptionPolicy = old.spec.preemptionPolicy;
  },
  validate: validatePodCreate,
  validateUpdate: validatePodUpdate,
  validateStatusUpdate: validatePodStatusUpdate,
  selectableFields: podSelectableFields,
  table: podTable,
};
