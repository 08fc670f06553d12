import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DaemonSet, DaemonSetSpec } from 'kubernetes-types/apps/v1.js';
import { daemonSetResource as daemonSets, TEMPLATE_GENERATION_ANNOTATION } from '../../../../src/api/apps/v1/daemonset.js';
import { created, createErrors, podTemplate, summary, updateErrors } from '../../workload-fixtures.js';

const ds = (spec: Partial<DaemonSetSpec> = {}): DaemonSet => ({
  metadata: { name: 'agent', namespace: 'kube-system' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: podTemplate(), ...spec },
});

describe('daemonSetResource', () => {
  it('is discovered as upstream serves it (no scale)', () => {
    assert.deepEqual([daemonSets.plural, daemonSets.shortNames, daemonSets.categories, daemonSets.subresources], ['daemonsets', ['ds'], ['all'], { status: true }]);
  });

  it('defaults a rolling update of one at a time and history', () => {
    const d = created(daemonSets, ds());
    assert.deepEqual(d.spec!.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    assert.equal(d.spec!.revisionHistoryLimit, 10);
  });

  it('starts the template generation annotation at 1 and counts template changes', () => {
    const d = created(daemonSets, ds());
    assert.equal(d.metadata!.annotations![TEMPLATE_GENERATION_ANNOTATION], '1');
    const scaled = structuredClone(d);
    scaled.metadata!.annotations = {};
    scaled.spec!.minReadySeconds = 5;
    daemonSets.prepareForUpdate!(scaled, d);
    assert.equal(scaled.metadata!.annotations![TEMPLATE_GENERATION_ANNOTATION], '1');
    const changed = structuredClone(d);
    changed.spec!.template.spec!.containers[0]!.image = 'nginx:2';
    daemonSets.prepareForUpdate!(changed, d);
    assert.equal(changed.metadata!.annotations![TEMPLATE_GENERATION_ANNOTATION], '2');
  });

  const cases: [string, Partial<DaemonSetSpec>, string[]][] = [
    ['valid', {}, []],
    ['no selector (matches nothing)', { selector: undefined }, ['FieldValueInvalid spec.template.metadata.labels']],
    ['empty selector', { selector: {} }, ['FieldValueInvalid spec.selector']],
    ['both surge and unavailable', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } }, ['FieldValueInvalid spec.updateStrategy.rollingUpdate.maxSurge']],
    ['neither surge nor unavailable', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } }, ['FieldValueRequired spec.updateStrategy.rollingUpdate.maxUnavailable']],
    ['unknown strategy', { updateStrategy: { type: 'Canary' } }, ['FieldValueNotSupported spec.updateStrategy']],
    ['invalid container name', { template: podTemplate({ app: 'web' }, { name: 'Agent' }) }, ['FieldValueInvalid spec.template.spec.containers[0].name']],
  ];
  for (const [name, spec, expected] of cases) it(name, () => assert.deepEqual(summary(createErrors(daemonSets, ds(spec))), expected));

  it('forbids changing the selector', () => {
    const old = created(daemonSets, ds());
    const next = structuredClone(old);
    next.spec!.selector = { matchLabels: { app: 'web', v: '2' } };
    next.spec!.template.metadata!.labels = { app: 'web', v: '2' };
    assert.deepEqual(summary(updateErrors(daemonSets, next, old)), ['FieldValueInvalid spec.selector']);
  });

  it('prints scheduling counts and the node selector', () => {
    const d = created(daemonSets, ds({ template: { ...podTemplate(), spec: { ...podTemplate().spec!, nodeSelector: { 'kubernetes.io/os': 'linux' } } } })) as DaemonSet & {
      status: object;
    };
    d.status = { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2, numberMisscheduled: 0 };
    assert.deepEqual(daemonSets.table!.columns.map((c) => c.name), [
      'Name',
      'Desired',
      'Current',
      'Ready',
      'Up-to-date',
      'Available',
      'Node Selector',
      'Age',
      'Containers',
      'Images',
      'Selector',
    ]);
    assert.deepEqual(daemonSets.table!.cells(d, new Date()), ['agent', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '<unknown>', 'app', 'nginx:1.25', 'app=web']);
  });
});
