import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CronJob, CronJobSpec, CronJobStatus } from 'kubernetes-types/batch/v1.js';
import { cronJobResource as cronJobs, validateTimeZone } from '../../../../src/api/batch/v1/cronjob.js';
import { FieldPath } from '../../../../src/apimachinery/field-errors.js';
import { created, createErrors, only, podTemplate, summary, updateErrors } from '../../workload-fixtures.js';

const cronJob = (spec: Partial<CronJobSpec> = {}, name = 'backup'): CronJob => {
  const template = podTemplate({});
  template.spec!.restartPolicy = 'OnFailure';
  return { metadata: { name, namespace: 'default' }, spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template } }, ...spec } };
};

describe('cronJobResource', () => {
  it('is discovered as upstream serves it', () => {
    assert.deepEqual([cronJobs.plural, cronJobs.shortNames, cronJobs.categories, cronJobs.subresources], ['cronjobs', ['cj'], ['all'], { status: true }]);
  });

  it('defaults policy, suspend and history limits, and the pod template (not the job spec)', () => {
    const s = created(cronJobs, cronJob()).spec!;
    assert.deepEqual(
      [s.concurrencyPolicy, s.suspend, s.successfulJobsHistoryLimit, s.failedJobsHistoryLimit],
      ['Allow', false, 3, 1],
    );
    assert.equal(s.jobTemplate.spec!.template.spec!.dnsPolicy, 'ClusterFirst');
    assert.equal(s.jobTemplate.spec!.backoffLimit, undefined);
  });

  const cases: [string, CronJob, string[]][] = [
    ['valid', cronJob(), []],
    ['descriptor schedule', cronJob({ schedule: '@hourly' }), []],
    ['no schedule', cronJob({ schedule: '' }), ['FieldValueRequired spec.schedule']],
    ['bad schedule', cronJob({ schedule: '61 * * * *' }), ['FieldValueInvalid spec.schedule']],
    ['TZ in schedule', cronJob({ schedule: 'TZ=UTC 0 * * * *' }), ['FieldValueInvalid spec.schedule']],
    ['time zone', cronJob({ timeZone: 'Europe/Paris' }), []],
    ['unknown time zone', cronJob({ timeZone: 'Europe/Atlantis' }), ['FieldValueInvalid spec.timeZone']],
    ['bad concurrency policy', cronJob({ concurrencyPolicy: 'Queue' }), ['FieldValueNotSupported spec.concurrencyPolicy']],
    ['negative deadline', cronJob({ startingDeadlineSeconds: -1 }), ['FieldValueInvalid spec.startingDeadlineSeconds']],
    ['negative history', cronJob({ failedJobsHistoryLimit: -1 }), ['FieldValueInvalid spec.failedJobsHistoryLimit']],
    ['a long name', cronJob({}, 'b'.repeat(53)), ['FieldValueInvalid metadata.name']],
    [
      'a job template selector',
      cronJob({ jobTemplate: { spec: { ...cronJob().spec!.jobTemplate.spec!, selector: { matchLabels: { a: 'b' } } } } }),
      ['FieldValueInvalid spec.jobTemplate.spec.selector'],
    ],
    [
      'a job template restartPolicy Always',
      cronJob({ jobTemplate: { spec: { template: podTemplate({}) } } }),
      ['FieldValueRequired spec.jobTemplate.spec.template.spec.restartPolicy'],
    ],
  ];
  for (const [name, obj, expected] of cases) it(name, () => assert.deepEqual(summary(createErrors(cronJobs, obj)), expected));

  it("passes the cron parser's message through", () => {
    assert.equal(only(createErrors(cronJobs, cronJob({ schedule: '61 * * * *' })), 'spec.schedule').message, 'Invalid value: "61 * * * *": end of range (61) above maximum (59): 61');
  });

  it('tells TZ= users to use timeZone', () => {
    assert.match(only(createErrors(cronJobs, cronJob({ schedule: 'TZ=UTC 0 * * * *' })), 'spec.schedule').message, /use timeZone field instead$/);
  });

  it('lets old objects keep a TZ= schedule, but not with a timeZone too', () => {
    const old = created(cronJobs, cronJob({ schedule: 'TZ=UTC 0 * * * *' }));
    const next = structuredClone(old);
    next.spec!.suspend = true;
    assert.deepEqual(updateErrors(cronJobs, next, old), []);
    next.spec!.timeZone = 'UTC';
    assert.deepEqual(summary(updateErrors(cronJobs, next, old)), ['FieldValueInvalid spec.schedule']);
  });

  it('does not check the name length on update', () => {
    const old = created(cronJobs, cronJob({}, 'c'.repeat(60)));
    assert.deepEqual(updateErrors(cronJobs, structuredClone(old), old), []);
  });
});

describe('validateTimeZone', () => {
  const cases: [string, string, string][] = [
    ['empty', '', 'timeZone must be nil or non-empty string'],
    ['Local', 'Local', 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'],
    ['a path trick', '../etc', 'unknown time zone ../etc'],
    ['a long part', 'America/Abcdefghijklmnop', 'unknown time zone America/Abcdefghijklmnop'],
    ['unknown', 'Mars/Base', 'unknown time zone Mars/Base'],
  ];
  for (const [name, tz, message] of cases) {
    it(name, () => assert.equal(validateTimeZone(tz, FieldPath.root('tz'))[0]!.message, `Invalid value: ${JSON.stringify(tz)}: ${message}`));
  }
});

describe('cronjobs table', () => {
  it('prints schedule, zone, suspend, active and last schedule', () => {
    const cj = created(cronJobs, cronJob({ timeZone: 'Etc/UTC' })) as CronJob & { status: CronJobStatus };
    (cj.metadata as { creationTimestamp?: string }).creationTimestamp = '2024-05-01T10:00:00Z';
    cj.status = { active: [{ name: 'backup-28577' }], lastScheduleTime: '2024-05-01T11:55:00Z' };
    assert.deepEqual(cronJobs.table!.columns.map((c) => `${c.name}/${c.type}/${c.priority}`), [
      'Name/string/0',
      'Schedule/string/0',
      'Timezone/string/0',
      'Suspend/boolean/0',
      'Active/integer/0',
      'Last Schedule/string/0',
      'Age/string/0',
      'Containers/string/1',
      'Images/string/1',
      'Selector/string/1',
    ]);
    assert.deepEqual(cronJobs.table!.cells(cj, new Date('2024-05-01T12:00:00Z')), [
      'backup',
      '*/5 * * * *',
      'Etc/UTC',
      'False',
      1,
      '5m',
      '120m',
      'app',
      'nginx:1.25',
      '<none>',
    ]);
  });

  it('prints <none> for no zone and no schedule yet', () => {
    const cells = cronJobs.table!.cells(created(cronJobs, cronJob()), new Date());
    assert.deepEqual([cells[2], cells[5]], ['<none>', '<none>']);
  });
});
