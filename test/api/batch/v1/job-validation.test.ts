import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Job, JobSpec } from 'kubernetes-types/batch/v1.js';
import { jobResource as jobs } from '../../../../src/api/batch/v1/job.js';
import { created, createErrors, only, podTemplate, summary, updateErrors } from '../../workload-fixtures.js';

/** `restartPolicy` '' leaves it to defaulting. */
const job = (spec: Partial<JobSpec> = {}, restartPolicy = 'Never', name = 'pi'): Job => {
  const template = podTemplate({});
  if (restartPolicy) template.spec!.restartPolicy = restartPolicy;
  return { metadata: { name, namespace: 'default', uid: '3f0c-uid' }, spec: { template, ...spec } };
};

describe('job validation', () => {
  const cases: [string, Job, string[]][] = [
    ['valid', job(), []],
    ['restartPolicy left to default (Always)', job({}, ''), ['FieldValueRequired spec.template.spec.restartPolicy']],
    ['restartPolicy Sometimes', job({}, 'Sometimes'), ['FieldValueNotSupported spec.template.spec.restartPolicy', 'FieldValueNotSupported spec.template.spec.restartPolicy']],
    ['negative parallelism', job({ parallelism: -1 }), ['FieldValueInvalid spec.parallelism']],
    ['negative backoffLimit', job({ backoffLimit: -1 }), ['FieldValueInvalid spec.backoffLimit']],
    ['unknown completion mode', job({ completionMode: 'Ordered' }), ['FieldValueNotSupported spec.completionMode']],
    ['indexed without completions', job({ completionMode: 'Indexed', parallelism: 2 }), ['FieldValueRequired spec.completions']],
    ['per-index backoff needs indexed', job({ backoffLimitPerIndex: 1 }), ['FieldValueInvalid spec.backoffLimitPerIndex']],
    ['bad replacement policy', job({ podReplacementPolicy: 'Sometimes' }), ['FieldValueNotSupported spec.podReplacementPolicy']],
    [
      'manual selector not matching the template',
      job({ manualSelector: true, selector: { matchLabels: { app: 'x' } } }),
      ['FieldValueInvalid spec.template.metadata.labels'],
    ],
    ['manual selector missing', job({ manualSelector: true }), ['FieldValueRequired spec.selector', 'FieldValueInvalid spec.template.metadata.labels']],
    [
      'generated selector tampered with',
      job({ selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'other' } } }),
      ['FieldValueInvalid spec.selector', 'FieldValueInvalid spec.template.metadata.labels'],
    ],
    [
      'indexed pod hostnames too long',
      job({ completionMode: 'Indexed', completions: 100 }, 'Never', 'a'.repeat(62)),
      ['FieldValueInvalid metadata.name'],
    ],
  ];
  for (const [name, obj, expected] of cases) it(name, () => assert.deepEqual(summary(createErrors(jobs, obj)), expected));

  it('explains the restart policy a Job needs', () => {
    assert.equal(only(createErrors(jobs, job({}, '')), 'spec.template.spec.restartPolicy').message, 'Required value: valid values: "OnFailure", "Never"');
  });

  it('requires the generated labels to carry the uid', () => {
    const j = created(jobs, job());
    j.spec!.template.metadata!.labels!['controller-uid'] = 'forged';
    const errs = jobs.validate!(j);
    assert.equal(only(errs, 'spec.template.metadata.labels[controller-uid]').message.endsWith(": must be '3f0c-uid'"), true);
  });
});

describe('job updates', () => {
  const updates: [string, Partial<JobSpec>, (j: Job) => void, string[]][] = [
    ['parallelism', {}, (j) => (j.spec!.parallelism = 4), []],
    ['suspend', {}, (j) => (j.spec!.suspend = true), []],
    ['completions', {}, (j) => (j.spec!.completions = 3), ['FieldValueInvalid spec.completions']],
    ['template image', {}, (j) => (j.spec!.template.spec!.containers[0]!.image = 'perl'), ['FieldValueInvalid spec.template']],
    [
      'selector (no longer generated, no longer matching, and immutable)',
      {},
      (j) => (j.spec!.selector!.matchLabels!.extra = 'x'),
      ['FieldValueInvalid spec.selector', 'FieldValueInvalid spec.template.metadata.labels', 'FieldValueInvalid spec.selector'],
    ],
    ['completion mode', {}, (j) => (j.spec!.completionMode = 'Indexed'), ['FieldValueInvalid spec.completionMode']],
    ['node selector of a suspended, unstarted job', { suspend: true }, (j) => (j.spec!.template.spec!.nodeSelector = { zone: 'a' }), []],
    ['node selector of a running job', {}, (j) => (j.spec!.template.spec!.nodeSelector = { zone: 'a' }), ['FieldValueInvalid spec.template']],
    [
      'elastic indexed job scaled in tandem',
      { completionMode: 'Indexed', completions: 3, parallelism: 3 },
      (j) => {
        j.spec!.completions = 5;
        j.spec!.parallelism = 5;
      },
      [],
    ],
    ['elastic indexed job scaled alone', { completionMode: 'Indexed', completions: 3, parallelism: 3 }, (j) => (j.spec!.completions = 5), ['FieldValueInvalid spec.completions']],
  ];
  for (const [name, spec, edit, expected] of updates) {
    it(name, () => {
      const old = created(jobs, job(spec));
      const next = structuredClone(old);
      edit(next);
      assert.deepEqual(summary(updateErrors(jobs, next, old)), expected);
    });
  }

  it('checks status counters', () => {
    const j = created(jobs, job()) as Job & { status: object };
    j.status = { active: -1 };
    assert.deepEqual(summary(jobs.validateStatusUpdate!(j, j)), ['FieldValueInvalid status.active']);
  });
});
