// Jobs (batch/v1): upstream's SetDefaults_Job, the job strategy (pkg/registry/batch/job/
// strategy.go: generated selectors and pod labels), field selectors and printJob.
import type { Job, JobSpec } from 'kubernetes-types/batch/v1.js';
import { type FieldError, FieldPath } from '../../../apimachinery/field-errors.js';
import { labelSelectorString } from '../../../apimachinery/labels.js';
import { AGE_COLUMN, age, humanDuration, NAME_COLUMN } from '../../printing.js';
import type { Mutable, ResourceDefinition } from '../../types.js';
import { defaultPodTemplateSpec } from '../../core/v1/pod-defaults.js';
import { semanticEqual } from '../../core/v1/semantic-equal.js';
import { CONTAINERS_COLUMN, containerCells, IMAGES_COLUMN, selectorColumn } from '../../core/v1/template-printing.js';
import { nonNegative } from '../../workload-validation.js';
import {
  CONTROLLER_UID_LABEL,
  JOB_NAME_LABEL,
  LEGACY_CONTROLLER_UID_LABEL,
  LEGACY_JOB_NAME_LABEL,
  validateJob,
  validateJobUpdate,
} from './job-validation.js';

const MAX_INT32 = 2147483647;

export function defaultJob(job: Job): void {
  const spec = (job.spec ??= {} as JobSpec);
  // A non-parallel job may leave both unset: then both are 1.
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? MAX_INT32 : 6;
  const labels = spec.template?.metadata?.labels;
  const meta = (job.metadata ??= {});
  if (labels && Object.keys(meta.labels ?? {}).length === 0) meta.labels = { ...labels };
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const pattern of rule.onPodConditions ?? []) pattern.status ||= 'True';
  }
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  spec.manualSelector ??= false;
  defaultPodTemplateSpec((spec.template ??= {}));
}

/**
 * upstream generateSelector: the template gets job-name and controller-uid labels (legacy and
 * batch.kubernetes.io/ forms) unless the user set them, and the selector matches the uid.
 */
export function generateSelector(job: Job): void {
  const spec = job.spec!;
  const template = (spec.template ??= {});
  const tmeta = (template.metadata ??= {});
  const labels = (tmeta.labels ??= {});
  const name = job.metadata?.name ?? '';
  const uid = job.metadata?.uid ?? '';
  for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) if (!(key in labels)) labels[key] = name;
  for (const key of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) if (!(key in labels)) labels[key] = uid;
  const selector = (spec.selector ??= {});
  const matchLabels = (selector.matchLabels ??= {});
  if (!(CONTROLLER_UID_LABEL in matchLabels)) matchLabels[CONTROLLER_UID_LABEL] = uid;
}

function prepareJobForCreate(job: Job): void {
  const spec = (job.spec ??= {} as JobSpec);
  const meta = (job.metadata ??= {});
  // Defaulting copied the template labels to the job; upstream shares that map with the template,
  // so the job's labels show the generated ones too (and so does every later read).
  const copiedLabels = semanticEqual(meta.labels, spec.template?.metadata?.labels);
  if (!spec.manualSelector) generateSelector(job);
  if (copiedLabels) meta.labels = { ...spec.template?.metadata?.labels };
  delete (job as Mutable<Job>).status;
}

const conditionTrue = (job: Job, type: string) => job.status?.conditions?.find((c) => c.type === type)?.status === 'True';

/** upstream printJob's STATUS. */
export function jobStatus(job: Job): string {
  if (conditionTrue(job, 'Complete')) return 'Complete';
  if (conditionTrue(job, 'Failed')) return 'Failed';
  if (job.metadata?.deletionTimestamp) return 'Terminating';
  if (conditionTrue(job, 'Suspended')) return 'Suspended';
  if (conditionTrue(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function completions(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions !== undefined) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function duration(job: Job, now: Date): string {
  const start = job.status?.startTime;
  if (!start) return '';
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now.getTime();
  return humanDuration(end - Date.parse(start));
}

function validateJobStatusUpdate(job: Job): FieldError[] {
  const path = FieldPath.root('status');
  const s = job.status;
  return (['active', 'succeeded', 'failed', 'ready', 'terminating'] as const).flatMap((f) => nonNegative(s?.[f], path.child(f)));
}

export const jobResource: ResourceDefinition<Job> = {
  group: 'batch',
  version: 'v1',
  kind: 'Job',
  plural: 'jobs',
  singular: 'job',
  namespaced: true,
  categories: ['all'],
  subresources: { status: true },
  defaults: defaultJob,
  prepareForCreate: prepareJobForCreate,
  validate: (job) => validateJob(job),
  validateUpdate: validateJobUpdate,
  validateStatusUpdate: validateJobStatusUpdate,
  selectableFields: (job) => ({ 'status.successful': String(job.status?.succeeded ?? 0) }),
  table: {
    columns: [
      NAME_COLUMN,
      { name: 'Status', type: 'string', priority: 0, description: 'Status of the job.' },
      { name: 'Completions', type: 'string', priority: 0, description: 'The number of pods which reached phase Succeeded.' },
      { name: 'Duration', type: 'string', priority: 0, description: 'Time required to complete the job.' },
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
      selectorColumn('A label query over pods that should match the pod count.'),
    ],
    cells(job, now) {
      const [names, images] = containerCells(job.spec?.template?.spec?.containers);
      return [
        job.metadata?.name ?? '',
        jobStatus(job),
        completions(job),
        duration(job, now),
        age(job.metadata?.creationTimestamp, now),
        names,
        images,
        labelSelectorString(job.spec?.selector),
      ];
    },
  },
};
