// Protobuf field tables for batch/v1, in the compact form described in ../schema.ts.
// Upstream source: k8s.io/api batch/v1/generated.proto. test/apiserver/protobuf/descriptors.test.ts
// checks every number, name and type here against the descriptors compiled into kubectl 1.33.
import type { MessageTable } from '../schema.js';

/** batch/v1 Job and CronJob. */
export const BATCH_V1: MessageTable = {
  CronJob: { 1: 'metadata meta.ObjectMeta', 2: 'spec CronJobSpec', 3: 'status CronJobStatus' },
  Job: { 1: 'metadata meta.ObjectMeta', 2: 'spec JobSpec', 3: 'status JobStatus' },
  JobTemplateSpec: { 1: 'metadata meta.ObjectMeta', 2: 'spec JobSpec' },
  CronJobSpec: {
    1: 'schedule string', 2: 'startingDeadlineSeconds int64', 3: 'concurrencyPolicy string?', 4: 'suspend bool',
    5: 'jobTemplate JobTemplateSpec', 6: 'successfulJobsHistoryLimit int32', 7: 'failedJobsHistoryLimit int32',
    8: 'timeZone string',
  },
  CronJobStatus: { 1: 'active []core.ObjectReference', 4: 'lastScheduleTime time', 5: 'lastSuccessfulTime time' },
  JobCondition: {
    1: 'type string', 2: 'status string', 3: 'lastProbeTime time', 4: 'lastTransitionTime time', 5: 'reason string?',
    6: 'message string?',
  },
  JobSpec: {
    1: 'parallelism int32', 2: 'completions int32', 3: 'activeDeadlineSeconds int64',
    4: 'selector meta.LabelSelector', 5: 'manualSelector bool', 6: 'template core.PodTemplateSpec',
    7: 'backoffLimit int32', 8: 'ttlSecondsAfterFinished int32', 9: 'completionMode string', 10: 'suspend bool',
    11: 'podFailurePolicy PodFailurePolicy', 12: 'backoffLimitPerIndex int32', 13: 'maxFailedIndexes int32',
    14: 'podReplacementPolicy string', 15: 'managedBy string', 16: 'successPolicy SuccessPolicy',
  },
  JobStatus: {
    1: 'conditions []JobCondition', 2: 'startTime time', 3: 'completionTime time', 4: 'active int32?',
    5: 'succeeded int32?', 6: 'failed int32?', 7: 'completedIndexes string?',
    8: 'uncountedTerminatedPods UncountedTerminatedPods', 9: 'ready int32', 10: 'failedIndexes string',
    11: 'terminating int32',
  },
  PodFailurePolicy: { 1: 'rules []PodFailurePolicyRule' },
  PodFailurePolicyOnExitCodesRequirement: { 1: 'containerName string', 2: 'operator string', 3: 'values []int32' },
  PodFailurePolicyOnPodConditionsPattern: { 1: 'type string', 2: 'status string' },
  PodFailurePolicyRule: {
    1: 'action string', 2: 'onExitCodes PodFailurePolicyOnExitCodesRequirement',
    3: 'onPodConditions []PodFailurePolicyOnPodConditionsPattern',
  },
  SuccessPolicy: { 1: 'rules []SuccessPolicyRule' },
  SuccessPolicyRule: { 1: 'succeededIndexes string', 2: 'succeededCount int32' },
  UncountedTerminatedPods: { 1: 'succeeded []string', 2: 'failed []string' },
};
