import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Job, JobSpec, JobStatus } from 'kubernetes-types/batch/v1.js';
import { jobResource as jobs, jobStatus } from '../../../../src/api/batch/v1/job.js';
import { created, podTemplate } from '../../workload-fixtures.js';

const job = (spec: Partial<JobSpec> = {}, labels?: Record<string, string>): Job => {
  const template = podTemplate(labels ?? {});
  if (!labels) delete template.metadata!.labels;
  template.spec!.restartPolicy = 'Never';
  return { metadata: { name: 'pi', namespace: 'default', uid: '3f0c-uid' }, spec: { template, ...spec } };
};

describe('jobResource', () => {
  it('is discovered as upstream serves it (no short name)', () => {
    assert.deepEqual([jobs.plural, jobs.singular, jobs.shortNames, jobs.categories, jobs.subresources], ['jobs', 'job', undefined, ['all'], { status: true }]);
  });

  it('defaults a single-completion job', () => {
    const s = created(jobs, job()).spec!;
    const { parallelism, completions, backoffLimit, completionMode, suspend, manualSelector, podReplacementPolicy } = s;
    assert.deepEqual(
      { parallelism, completions, backoffLimit, completionMode, suspend, manualSelector, podReplacementPolicy },
      { parallelism: 1, completions: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, manualSelector: false, podReplacementPolicy: 'TerminatingOrFailed' },
    );
  });

  const parallel: [string, Partial<JobSpec>, [number | undefined, number | undefined]][] = [
    ['parallelism only: completions stay unset (a work queue)', { parallelism: 3 }, [3, undefined]],
    ['completions only: parallelism 1', { completions: 5 }, [1, 5]],
  ];
  for (const [name, spec, [p, c]] of parallel) {
    it(name, () => {
      const s = created(jobs, job(spec)).spec!;
      assert.deepEqual([s.parallelism, s.completions], [p, c]);
    });
  }

  it('gives a per-index backoff job an unlimited backoffLimit and failure policies Failed replacement', () => {
    const s = created(jobs, job({ completionMode: 'Indexed', completions: 3, backoffLimitPerIndex: 1, podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' } as { type: string; status: string }] }] } })).spec!;
    assert.equal(s.backoffLimit, 2147483647);
    assert.equal(s.podReplacementPolicy, 'Failed');
    assert.equal(s.podFailurePolicy!.rules[0]!.onPodConditions![0]!.status, 'True');
  });

  it('generates the selector and pod labels from the uid and name', () => {
    const j = created(jobs, job());
    assert.deepEqual(j.spec!.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': '3f0c-uid' } });
    const labels = {
      'job-name': 'pi',
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': '3f0c-uid',
      'batch.kubernetes.io/controller-uid': '3f0c-uid',
    };
    assert.deepEqual(j.spec!.template.metadata!.labels, labels);
    // The job shows its template's labels too, as upstream's reads do.
    assert.deepEqual(j.metadata!.labels, labels);
  });

  it('keeps the user template labels and the job labels they defaulted', () => {
    const j = created(jobs, job({}, { app: 'pi' }));
    assert.equal(j.spec!.template.metadata!.labels!.app, 'pi');
    assert.equal(j.metadata!.labels!.app, 'pi');
    assert.equal(j.metadata!.labels!['job-name'], 'pi');
  });

  it('leaves a manual selector alone', () => {
    const j = created(jobs, job({ manualSelector: true, selector: { matchLabels: { app: 'pi' } } }, { app: 'pi' }));
    assert.deepEqual(j.spec!.selector, { matchLabels: { app: 'pi' } });
    assert.deepEqual(j.spec!.template.metadata!.labels, { app: 'pi' });
  });

  it('clears status on create', () => {
    const j = job() as Job & { status: object };
    j.status = { succeeded: 3 };
    assert.equal(created(jobs, j).status, undefined);
  });

  it('selects on status.successful', () => {
    const j = created(jobs, job()) as Job & { status: JobStatus };
    j.status = { succeeded: 2 };
    assert.deepEqual(jobs.selectableFields!(j), { 'status.successful': '2' });
  });
});

describe('jobs table', () => {
  const now = new Date('2024-05-01T12:00:00Z');
  const withStatus = (status: JobStatus, spec: Partial<JobSpec> = {}) => {
    const j = created(jobs, job(spec)) as Job & { status: JobStatus };
    (j.metadata as { creationTimestamp?: string }).creationTimestamp = '2024-05-01T11:00:00Z';
    j.status = status;
    return j;
  };

  it('has upstream columns', () => {
    assert.deepEqual(jobs.table!.columns.map((c) => `${c.name}/${c.priority}`), [
      'Name/0',
      'Status/0',
      'Completions/0',
      'Duration/0',
      'Age/0',
      'Containers/1',
      'Images/1',
      'Selector/1',
    ]);
  });

  it('a running job', () => {
    assert.deepEqual(jobs.table!.cells(withStatus({ active: 1, startTime: '2024-05-01T11:59:00Z' }), now), [
      'pi',
      'Running',
      '0/1',
      '60s',
      '60m',
      'app',
      'nginx:1.25',
      'batch.kubernetes.io/controller-uid=3f0c-uid',
    ]);
  });

  it('a completed job measures start to completion', () => {
    const j = withStatus({
      succeeded: 1,
      startTime: '2024-05-01T11:00:00Z',
      completionTime: '2024-05-01T11:00:42Z',
      conditions: [{ type: 'Complete', status: 'True' }],
    });
    assert.deepEqual(jobs.table!.cells(j, now).slice(1, 4), ['Complete', '1/1', '42s']);
  });

  it('a work queue job shows its parallelism', () => {
    assert.equal(jobs.table!.cells(withStatus({}, { parallelism: 3 }), now)[2], '0/1 of 3');
  });

  const statuses: [string, JobStatus, string][] = [
    ['failed', { conditions: [{ type: 'Failed', status: 'True' }] }, 'Failed'],
    ['suspended', { conditions: [{ type: 'Suspended', status: 'True' }] }, 'Suspended'],
    ['failing', { conditions: [{ type: 'FailureTarget', status: 'True' }] }, 'FailureTarget'],
    ['condition not true', { conditions: [{ type: 'Complete', status: 'False' }] }, 'Running'],
  ];
  for (const [name, status, expected] of statuses) it(name, () => assert.equal(jobStatus(withStatus(status)), expected));

  it('a job being deleted is Terminating unless finished', () => {
    const j = withStatus({});
    (j.metadata as { deletionTimestamp?: string }).deletionTimestamp = '2024-05-01T11:59:00Z';
    assert.equal(jobStatus(j), 'Terminating');
  });
});
