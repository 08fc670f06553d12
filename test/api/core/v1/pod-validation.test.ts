import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { podResource } from '../../../../src/api/core/v1/pod.js';
import { validatePodTemplateSpec } from '../../../../src/api/core/v1/pod-validation.js';
import { FieldPath } from '../../../../src/apimachinery/field-errors.js';
import { container, createErrors, only, pod, summary } from '../../workload-fixtures.js';

const errorsFor = (spec: Partial<Pod['spec']>) => createErrors(podResource, pod(spec));

describe('pod spec validation', () => {
  const cases: [string, Partial<Pod['spec']>, string[]][] = [
    ['a minimal pod', {}, []],
    ['restartPolicy', { restartPolicy: 'Sometimes' }, ['FieldValueNotSupported spec.restartPolicy']],
    ['dnsPolicy', { dnsPolicy: 'Cluster' }, ['FieldValueNotSupported spec.dnsPolicy']],
    ['dnsPolicy None without config', { dnsPolicy: 'None' }, ['FieldValueRequired spec.dnsConfig']],
    ['node selector label', { nodeSelector: { 'bad key!': 'x' } }, ['FieldValueInvalid spec.nodeSelector']],
    ['node selector value', { nodeSelector: { disk: 'has space' } }, ['FieldValueInvalid spec.nodeSelector']],
    ['service account name', { serviceAccountName: 'Default' }, ['FieldValueInvalid spec.serviceAccountName']],
    ['node name', { nodeName: 'node_1' }, ['FieldValueInvalid spec.nodeName']],
    ['activeDeadlineSeconds 0', { activeDeadlineSeconds: 0 }, ['FieldValueInvalid spec.activeDeadlineSeconds']],
    ['hostname', { hostname: 'web.1' }, ['FieldValueInvalid spec.hostname']],
    ['toleration without key must be Exists', { tolerations: [{ operator: 'Equal', value: 'x' }] }, ['FieldValueInvalid spec.tolerations[0].operator']],
    ['toleration seconds need NoExecute', { tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 5 }] }, ['FieldValueInvalid spec.tolerations[0].effect']],
    ['toleration effect', { tolerations: [{ key: 'k', operator: 'Exists', effect: 'Never' }] }, ['FieldValueNotSupported spec.tolerations[0].effect']],
    ['host network with another host port', { hostNetwork: true, containers: [container({ ports: [{ containerPort: 80, hostPort: 81 }] })] }, ['FieldValueInvalid spec.containers[0].ports[0].hostPort']],
    ['duplicate scheduling gates', { schedulingGates: [{ name: 'a' }, { name: 'a' }] }, ['FieldValueDuplicate spec.schedulingGates[1]']],
    ['image pull secret with extra fields', { imagePullSecrets: [{ name: 'r', key: 'x' } as { name: string }] }, ['FieldValueInvalid spec.imagePullSecrets[0]']],
    [
      'projected token without service account',
      { volumes: [{ name: 't', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } }] },
      ['FieldValueForbidden spec.volumes[0].projected.sources[0].serviceAccountToken'],
    ],
    [
      'ephemeral containers on create',
      { ephemeralContainers: [{ name: 'app', image: 'busybox' }] },
      ['FieldValueDuplicate spec.ephemeralContainers[0].name', 'FieldValueForbidden spec.ephemeralContainers'],
    ],
    ['node name of a gated pod', { nodeName: 'n1', schedulingGates: [{ name: 'g' }] }, ['FieldValueForbidden spec.nodeName']],
  ];
  for (const [name, spec, expected] of cases) it(name, () => assert.deepEqual(summary(errorsFor(spec)), expected));

  it('lists the supported restart policies in upstream order', () => {
    assert.equal(
      only(errorsFor({ restartPolicy: 'Sometimes' }), 'spec.restartPolicy').message,
      'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    );
  });

  it('requires terminationGracePeriodSeconds when defaulting did not run', () => {
    const p = pod();
    p.spec!.containers[0] = { ...p.spec!.containers[0]!, imagePullPolicy: 'Always', terminationMessagePolicy: 'File' };
    const errs = podResource.validate!({ ...p, spec: { ...p.spec!, restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' } });
    assert.deepEqual(summary(errs), ['FieldValueRequired spec.terminationGracePeriodSeconds']);
  });

  it('requires spec.nodeName for mirror pods', () => {
    const p = pod();
    p.metadata!.annotations = { 'kubernetes.io/config.mirror': 'x' };
    assert.deepEqual(summary(createErrors(podResource, p)), ['FieldValueInvalid metadata.annotations[kubernetes.io/config.mirror]']);
  });
});

describe('validatePodTemplateSpec', () => {
  it('checks template labels under <path>.labels, as upstream does', () => {
    const t: PodTemplateSpec = { metadata: { labels: { 'a b': 'x' } }, spec: { containers: [] } };
    const errs = validatePodTemplateSpec(t, FieldPath.root('template'));
    assert.ok(summary(errs).includes('FieldValueInvalid template.labels'));
    assert.ok(summary(errs).includes('FieldValueRequired template.spec.containers'));
  });

  it('forbids ephemeral containers', () => {
    const t: PodTemplateSpec = {
      spec: {
        containers: [container({ imagePullPolicy: 'Always', terminationMessagePolicy: 'File' })],
        ephemeralContainers: [{ name: 'dbg', image: 'busybox', imagePullPolicy: 'Always', terminationMessagePolicy: 'File' }],
        restartPolicy: 'Always',
        dnsPolicy: 'ClusterFirst',
        terminationGracePeriodSeconds: 30,
      },
    };
    assert.deepEqual(summary(validatePodTemplateSpec(t, FieldPath.root('template'))), ['FieldValueForbidden template.spec.ephemeralContainers']);
  });
});
