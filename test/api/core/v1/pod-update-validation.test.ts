import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podResource } from '../../../../src/api/core/v1/pod.js';
import { POD_UPDATE_FORBIDDEN_MESSAGE } from '../../../../src/api/core/v1/pod-update-validation.js';
import type { Mutable } from '../../../../src/api/types.js';
import { container, created, only, pod, summary, updateErrors } from '../../workload-fixtures.js';

const existing = (over: Partial<Pod['spec']> = {}) => created(podResource, pod(over));

function changed(old: Pod, edit: (p: Pod) => void): Pod {
  const next = structuredClone(old);
  edit(next);
  return next;
}

describe('pod updates', () => {
  const cases: [string, Partial<Pod['spec']>, (p: Pod) => void, string[]][] = [
    ['image', {}, (p) => (p.spec!.containers[0]!.image = 'nginx:1.26'), []],
    ['labels', {}, (p) => (p.metadata!.labels = { a: 'b' }), []],
    ['activeDeadlineSeconds set', {}, (p) => (p.spec!.activeDeadlineSeconds = 30), []],
    ['activeDeadlineSeconds lowered', { activeDeadlineSeconds: 60 }, (p) => (p.spec!.activeDeadlineSeconds = 30), []],
    ['activeDeadlineSeconds raised', { activeDeadlineSeconds: 60 }, (p) => (p.spec!.activeDeadlineSeconds = 90), ['FieldValueInvalid spec.activeDeadlineSeconds']],
    ['activeDeadlineSeconds removed', { activeDeadlineSeconds: 60 }, (p) => delete p.spec!.activeDeadlineSeconds, ['FieldValueInvalid spec.activeDeadlineSeconds']],
    ['toleration added', {}, (p) => (p.spec!.tolerations = [{ key: 'k', operator: 'Exists' }]), []],
    [
      'toleration changed',
      { tolerations: [{ key: 'k', operator: 'Exists' }] },
      (p) => (p.spec!.tolerations = [{ key: 'other', operator: 'Exists' }]),
      ['FieldValueForbidden spec.tolerations'],
    ],
    [
      'tolerationSeconds changed',
      { tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }] },
      (p) => (p.spec!.tolerations![0]!.tolerationSeconds = 20),
      [],
    ],
    ['container added', {}, (p) => p.spec!.containers.push(container({ name: 'b' })), ['FieldValueForbidden spec.containers']],
    ['node name set', {}, (p) => (p.spec!.nodeName = 'node-1'), ['FieldValueForbidden spec']],
    ['restart policy', {}, (p) => (p.spec!.restartPolicy = 'Never'), ['FieldValueForbidden spec']],
    ['env', {}, (p) => (p.spec!.containers[0]!.env = [{ name: 'A', value: '1' }]), ['FieldValueForbidden spec']],
    ['scheduling gate removed', { schedulingGates: [{ name: 'g' }] }, (p) => (p.spec!.schedulingGates = []), []],
    ['scheduling gate added', {}, (p) => (p.spec!.schedulingGates = [{ name: 'g' }]), ['FieldValueForbidden spec.schedulingGates[0].name']],
    ['gated pod gains a node selector', { schedulingGates: [{ name: 'g' }] }, (p) => (p.spec!.nodeSelector = { disk: 'ssd' }), []],
    [
      'gated pod changes a node selector',
      { schedulingGates: [{ name: 'g' }], nodeSelector: { disk: 'ssd' } },
      (p) => (p.spec!.nodeSelector = { disk: 'hdd' }),
      ['FieldValueInvalid spec.nodeSelector'],
    ],
  ];
  for (const [name, spec, edit, expected] of cases) {
    it(name, () => {
      const old = existing(spec);
      assert.deepEqual(summary(updateErrors(podResource, changed(old, edit), old)), expected);
    });
  }

  it('explains which fields may change', () => {
    const old = existing();
    const errs = updateErrors(podResource, changed(old, (p) => (p.spec!.hostname = 'x')), old);
    assert.equal(only(errs, 'spec').message, `Forbidden: ${POD_UPDATE_FORBIDDEN_MESSAGE}`);
  });

  it('compares quantities by value', () => {
    const old = existing({ containers: [container({ resources: { limits: { cpu: '1' } } })] });
    const next = changed(old, (p) => (p.spec!.containers[0]!.resources = { limits: { cpu: '1000m' }, requests: { cpu: '1000m' } }));
    assert.deepEqual(updateErrors(podResource, next, old), []);
  });
});

describe('pod status updates', () => {
  const status = (old: Pod, edit: (p: Mutable<Pod>) => void) => {
    const next = changed(old, edit);
    return summary(podResource.validateStatusUpdate!(next, old));
  };

  it('accepts what a kubelet reports', () => {
    const old = existing();
    assert.deepEqual(
      status(old, (p) => {
        p.status = { ...p.status, phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }], conditions: [{ type: 'Ready', status: 'True' }] };
      }),
      [],
    );
  });

  const cases: [string, (p: Mutable<Pod>) => void, string[]][] = [
    ['node name', (p) => (p.spec!.nodeName = 'n1'), ['FieldValueForbidden status.nodeName']],
    ['QoS class', (p) => (p.status = { ...p.status, qosClass: 'Guaranteed' }), ['FieldValueInvalid status.qosClass']],
    ['bad pod IP', (p) => (p.status = { ...p.status, podIPs: [{ ip: '10.0.0.300' }] }), ['FieldValueInvalid status.podIPs[0]']],
    ['custom condition name', (p) => (p.status = { ...p.status, conditions: [{ type: 'bad type!', status: 'True' }] }), ['FieldValueInvalid metadata.conditions[0].Type']],
  ];
  for (const [name, edit, expected] of cases) it(name, () => assert.deepEqual(status(existing(), edit), expected));

  it('keeps terminated containers of a Never pod terminated', () => {
    const old = existing({ restartPolicy: 'Never' }) as Mutable<Pod>;
    old.status = { ...old.status, containerStatuses: [{ name: 'app', image: 'nginx', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 1 } } }] };
    const errs = status(old, (p) => (p.status!.containerStatuses![0]!.state = { running: {} }));
    assert.deepEqual(errs, ['FieldValueForbidden status.containerStatuses[0].state']);
  });
});
