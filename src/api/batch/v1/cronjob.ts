// CronJobs (batch/v1): upstream's SetDefaults_CronJob, ValidateCronJobCreate/Update (schedule,
// time zone, job template), the cronjob strategy and printCronJob.
import type { CronJob, CronJobSpec, JobSpec, JobTemplateSpec } from 'kubernetes-types/batch/v1.js';
import { type FieldError, FieldPath, invalid, notSupported, required } from '../../../apimachinery/field-errors.js';
import { labelSelectorString } from '../../../apimachinery/labels.js';
import { AGE_COLUMN, age, NAME_COLUMN } from '../../printing.js';
import type { Mutable, ResourceDefinition } from '../../types.js';
import { defaultPodTemplateSpec } from '../../core/v1/pod-defaults.js';
import { CONTAINERS_COLUMN, containerCells, IMAGES_COLUMN, selectorColumn } from '../../core/v1/template-printing.js';
import { nonNegative } from '../../workload-validation.js';
import { CronParseError, parseCronSchedule } from './cron-schedule.js';
import { loadLocation } from './cron-time.js';
import { validateJobSpecCommon } from './job-validation.js';

/** Jobs are named <cronjob>-<minutes since epoch>: 11 characters of a 63-character name. */
const MAX_CRONJOB_NAME = 52;
const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];

export function defaultCronJob(cj: CronJob): void {
  const spec = (cj.spec ??= {} as CronJobSpec);
  spec.concurrencyPolicy ||= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  // The job template's pod template gets pod-spec defaults (not the Job's own defaults).
  const jobSpec = ((spec.jobTemplate ??= {}).spec ??= {} as JobSpec);
  defaultPodTemplateSpec((jobSpec.template ??= {}));
}

function validateSchedule(schedule: string, allowTZ: boolean, timeZone: string | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  try {
    // Only the syntax matters here (as upstream's cron.ParseStandard): UTC avoids zone lookups.
    parseCronSchedule(schedule, 'UTC');
  } catch (e) {
    if (!(e instanceof CronParseError)) throw e;
    errs.push(invalid(path, schedule, e.message));
  }
  if (allowTZ && schedule.includes('TZ') && timeZone !== undefined) {
    errs.push(invalid(path, schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
  } else if (!allowTZ && schedule.includes('TZ')) {
    errs.push(invalid(path, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  return errs;
}

const TIME_ZONE_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

/** upstream validateTimeZone: an IANA name, not Local. */
export function validateTimeZone(timeZone: string | undefined, path: FieldPath): FieldError[] {
  if (timeZone === undefined) return [];
  if (timeZone === '') return [invalid(path, timeZone, 'timeZone must be nil or non-empty string')];
  for (const part of timeZone.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !TIME_ZONE_PART.test(part)) {
      return [invalid(path, timeZone, `unknown time zone ${timeZone}`)];
    }
  }
  const errs: FieldError[] = [];
  if (timeZone.toLowerCase() === 'local') {
    errs.push(invalid(path, timeZone, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
  }
  try {
    loadLocation(timeZone);
  } catch (e) {
    errs.push(invalid(path, timeZone, (e as Error).message));
  }
  return errs;
}

/** upstream ValidateJobTemplateSpec: the job spec rules, with the selector left to the Job. */
function validateJobTemplate(t: JobTemplateSpec | undefined, path: FieldPath): FieldError[] {
  const sp = path.child('spec');
  const errs = validateJobSpecCommon(t?.spec, sp);
  if (t?.spec?.selector) errs.push(invalid(sp.child('selector'), t.spec.selector, '`selector` will be auto-generated'));
  if (t?.spec?.manualSelector) errs.push(notSupported(sp.child('manualSelector'), t.spec.manualSelector, ['nil', 'false']));
  return errs;
}

/** upstream validateCronJobSpec; `old` on update. */
function validateCronJobSpec(spec: CronJobSpec | undefined, old: CronJobSpec | undefined): FieldError[] {
  const path = FieldPath.root('spec');
  const s = spec ?? ({} as CronJobSpec);
  const errs: FieldError[] = [];
  if (!s.schedule) errs.push(required(path.child('schedule')));
  else errs.push(...validateSchedule(s.schedule, !!old?.schedule?.includes('TZ'), s.timeZone, path.child('schedule')));
  errs.push(...nonNegative(s.startingDeadlineSeconds, path.child('startingDeadlineSeconds')));
  // An unchanged time zone is not checked again (a zone may have left the tz database).
  if (!old || old.timeZone !== s.timeZone) errs.push(...validateTimeZone(s.timeZone, path.child('timeZone')));
  const cp = s.concurrencyPolicy ?? '';
  if (!cp) errs.push(required(path.child('concurrencyPolicy')));
  else if (!CONCURRENCY_POLICIES.includes(cp)) errs.push(notSupported(path.child('concurrencyPolicy'), cp, CONCURRENCY_POLICIES));
  errs.push(...validateJobTemplate(s.jobTemplate, path.child('jobTemplate')));
  errs.push(...nonNegative(s.successfulJobsHistoryLimit, path.child('successfulJobsHistoryLimit')));
  errs.push(...nonNegative(s.failedJobsHistoryLimit, path.child('failedJobsHistoryLimit')));
  return errs;
}

function validateCronJob(cj: CronJob): FieldError[] {
  const errs = validateCronJobSpec(cj.spec, undefined);
  const name = cj.metadata?.name ?? '';
  if (name.length > MAX_CRONJOB_NAME) {
    errs.push(invalid(FieldPath.root('metadata').child('name'), name, `must be no more than ${MAX_CRONJOB_NAME} characters`));
  }
  return errs;
}

export const cronJobResource: ResourceDefinition<CronJob> = {
  group: 'batch',
  version: 'v1',
  kind: 'CronJob',
  plural: 'cronjobs',
  singular: 'cronjob',
  namespaced: true,
  shortNames: ['cj'],
  categories: ['all'],
  subresources: { status: true },
  defaults: defaultCronJob,
  prepareForCreate(cj) {
    delete (cj as Mutable<CronJob>).status;
  },
  validate: validateCronJob,
  // Old CronJobs with longer names stay updatable (and deletable with finalizers).
  validateUpdate: (cj, old) => validateCronJobSpec(cj.spec, old.spec),
  table: {
    columns: [
      NAME_COLUMN,
      { name: 'Schedule', type: 'string', priority: 0, description: 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.' },
      { name: 'Timezone', type: 'string', priority: 0, description: 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.' },
      { name: 'Suspend', type: 'boolean', priority: 0, description: 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.' },
      { name: 'Active', type: 'integer', priority: 0, description: 'A list of pointers to currently running jobs.' },
      { name: 'Last Schedule', type: 'string', priority: 0, description: 'Information when was the last time the job was successfully scheduled.' },
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
      selectorColumn('A label query over pods that should match the pod count.'),
    ],
    cells(cj, now) {
      const jobSpec = cj.spec?.jobTemplate?.spec;
      const [names, images] = containerCells(jobSpec?.template?.spec?.containers);
      const suspend = cj.spec?.suspend;
      const last = cj.status?.lastScheduleTime;
      return [
        cj.metadata?.name ?? '',
        cj.spec?.schedule ?? '',
        cj.spec?.timeZone ?? '<none>',
        suspend === undefined ? '<unset>' : suspend ? 'True' : 'False',
        cj.status?.active?.length ?? 0,
        last ? age(last, now) : '<none>',
        age(cj.metadata?.creationTimestamp, now),
        names,
        images,
        labelSelectorString(jobSpec?.selector),
      ];
    },
  },
};
