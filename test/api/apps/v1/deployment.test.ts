import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Deployment, DeploymentSpec } from 'kubernetes-types/apps/v1.js';
import { deploymentResource as deployments } from '../../../../src/api/apps/v1/deployment.js';
import { created, createErrors, only, podTemplate, summary, updateErrors } from '../../workload-fixtures.js';

const deployment = (spec: Partial<DeploymentSpec> = {}): Deployment => ({
  metadata: { name: 'web', namespace: 'default', generation: 1 },
  spec: { selector: { matchLabels: { app: 'web' } }, template: podTemplate(), ...spec },
});

describe('deploymentResource', () => {
  it('is discovered as upstream serves it', () => {
    assert.deepEqual(
      [deployments.group, deployments.version, deployments.plural, deployments.singular, deployments.shortNames, deployments.categories],
      ['apps', 'v1', 'deployments', 'deployment', ['deploy'], ['all']],
    );
    assert.deepEqual(deployments.subresources, {
      status: true,
      scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' },
    });
  });

  it('defaults replicas, strategy, history and progress deadline, and the pod template', () => {
    const d = created(deployments, deployment());
    const { replicas, strategy, revisionHistoryLimit, progressDeadlineSeconds } = d.spec!;
    assert.deepEqual(
      { replicas, strategy, revisionHistoryLimit, progressDeadlineSeconds },
      { replicas: 1, strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } }, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 },
    );
    assert.equal(d.spec!.template.spec!.dnsPolicy, 'ClusterFirst');
    assert.equal(d.spec!.template.spec!.enableServiceLinks, undefined);
  });

  it('does not give Recreate a rolling update', () => {
    assert.deepEqual(created(deployments, deployment({ strategy: { type: 'Recreate' } })).spec!.strategy, { type: 'Recreate' });
  });

  it('clears status on create', () => {
    const d = deployment() as Deployment & { status: object };
    d.status = { replicas: 5 };
    assert.equal(created(deployments, d).status, undefined);
  });

  const cases: [string, Partial<DeploymentSpec>, string[]][] = [
    ['valid', {}, []],
    ['no selector', { selector: undefined }, ['FieldValueRequired spec.selector', 'FieldValueInvalid spec.template.metadata.labels']],
    ['empty selector', { selector: {} }, ['FieldValueInvalid spec.selector']],
    ['selector not matching', { selector: { matchLabels: { app: 'api' } } }, ['FieldValueInvalid spec.template.metadata.labels']],
    ['bad selector operator', { selector: { matchExpressions: [{ key: 'app', operator: 'Is' }] } }, ['FieldValueInvalid spec.selector.matchExpressions[0].operator', 'FieldValueInvalid spec.selector']],
    ['negative replicas', { replicas: -1 }, ['FieldValueInvalid spec.replicas']],
    ['restartPolicy OnFailure', { template: { ...podTemplate(), spec: { ...podTemplate().spec!, restartPolicy: 'OnFailure' } } }, ['FieldValueNotSupported spec.template.spec.restartPolicy']],
    ['invalid container', { template: podTemplate({ app: 'web' }, { image: '' }) }, ['FieldValueRequired spec.template.spec.containers[0].image']],
    [
      'both rolling update bounds 0',
      { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } } },
      ['FieldValueInvalid spec.strategy.rollingUpdate.maxUnavailable'],
    ],
    ['maxUnavailable over 100%', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '120%' } } }, ['FieldValueInvalid spec.strategy.rollingUpdate.maxUnavailable']],
    ['maxSurge not a percent', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '1x' } } }, ['FieldValueInvalid spec.strategy.rollingUpdate.maxSurge']],
    ['Recreate with rollingUpdate', { strategy: { type: 'Recreate', rollingUpdate: {} } }, ['FieldValueForbidden spec.strategy.rollingUpdate']],
    ['unknown strategy', { strategy: { type: 'BlueGreen' } }, ['FieldValueNotSupported spec.strategy']],
    ['progress deadline not above minReadySeconds', { minReadySeconds: 600 }, ['FieldValueInvalid spec.progressDeadlineSeconds']],
    ['negative history', { revisionHistoryLimit: -1 }, ['FieldValueInvalid spec.revisionHistoryLimit']],
  ];
  for (const [name, spec, expected] of cases) it(name, () => assert.deepEqual(summary(createErrors(deployments, deployment(spec))), expected));

  it("says that the selector must match, in upstream's words", () => {
    const e = only(createErrors(deployments, deployment({ selector: { matchLabels: { app: 'api' } } })), 'spec.template.metadata.labels');
    assert.match(e.message, /: `selector` does not match template `labels`$/);
  });

  it('forbids changing the selector on update', () => {
    const old = created(deployments, deployment());
    const next = structuredClone(old);
    next.spec!.selector = { matchLabels: { app: 'web', tier: 'a' } };
    next.spec!.template.metadata!.labels = { app: 'web', tier: 'a' };
    const e = only(updateErrors(deployments, next, old), 'spec.selector');
    assert.equal(e.type, 'FieldValueInvalid');
    assert.match(e.message, /: field is immutable$/);
  });

  it('allows scaling and template changes', () => {
    const old = created(deployments, deployment());
    const next = structuredClone(old);
    next.spec!.replicas = 5;
    next.spec!.template.spec!.containers[0]!.image = 'nginx:1.26';
    assert.deepEqual(updateErrors(deployments, next, old), []);
  });

  it('bumps generation when only annotations change (they flow to ReplicaSets)', () => {
    const old = created(deployments, deployment());
    const next = structuredClone(old);
    next.metadata!.annotations = { 'kubernetes.io/change-cause': 'x' };
    deployments.prepareForUpdate!(next, old);
    assert.equal(next.metadata!.generation, 2);
  });

  it('validates status counters on status updates', () => {
    const old = created(deployments, deployment()) as Deployment & { status: object };
    old.status = { collisionCount: 2 };
    const next = structuredClone(old);
    next.status = { replicas: 1, readyReplicas: 1, availableReplicas: 2, collisionCount: 1 };
    assert.deepEqual(summary(deployments.validateStatusUpdate!(next, old)), [
      'FieldValueInvalid status.availableReplicas',
      'FieldValueInvalid status.availableReplicas',
      'FieldValueInvalid status.collisionCount',
    ]);
  });

  it('prints READY UP-TO-DATE AVAILABLE and the wide columns', () => {
    const d = created(deployments, deployment({ replicas: 3 })) as Deployment & { status: object };
    (d.metadata as { creationTimestamp?: string }).creationTimestamp = '2024-05-01T11:58:00Z';
    d.status = { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
    assert.deepEqual(deployments.table!.columns.map((c) => `${c.name}/${c.priority}`), [
      'Name/0',
      'Ready/0',
      'Up-to-date/0',
      'Available/0',
      'Age/0',
      'Containers/1',
      'Images/1',
      'Selector/1',
    ]);
    assert.deepEqual(deployments.table!.cells(d, new Date('2024-05-01T12:00:00Z')), ['web', '2/3', 3, 2, '2m', 'app', 'nginx:1.25', 'app=web']);
  });
});
