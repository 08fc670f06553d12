import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { isValidPortName } from '../../../../src/api/core/v1/container-validation.js';
import { podResource } from '../../../../src/api/core/v1/pod.js';
import { container, createErrors, only, pod, summary } from '../../workload-fixtures.js';

const errorsFor = (containers: Container[], over: Partial<Pod['spec']> = {}) =>
  createErrors(podResource, pod({ containers, ...over }));

describe('container validation', () => {
  const cases: [string, Container[], string[]][] = [
    ['a valid container', [container()], []],
    ['missing name', [container({ name: '' })], ['FieldValueRequired spec.containers[0].name']],
    ['name not a DNS label', [container({ name: 'My_App' })], ['FieldValueInvalid spec.containers[0].name']],
    ['duplicate names', [container(), container()], ['FieldValueDuplicate spec.containers[1].name']],
    ['missing image', [container({ image: '' })], ['FieldValueRequired spec.containers[0].image']],
    ['image with whitespace', [container({ image: ' nginx' })], ['FieldValueInvalid spec.containers[0].image']],
    ['bad pull policy', [container({ imagePullPolicy: 'Sometimes' })], ['FieldValueNotSupported spec.containers[0].imagePullPolicy']],
    [
      'bad termination message policy',
      [container({ terminationMessagePolicy: 'Log' })],
      ['FieldValueNotSupported spec.containers[0].terminationMessagePolicy'],
    ],
    ['port 0', [container({ ports: [{ containerPort: 0 }] })], ['FieldValueRequired spec.containers[0].ports[0].containerPort']],
    ['port 70000', [container({ ports: [{ containerPort: 70000 }] })], ['FieldValueInvalid spec.containers[0].ports[0].containerPort']],
    ['host port 70000', [container({ ports: [{ containerPort: 80, hostPort: 70000 }] })], ['FieldValueInvalid spec.containers[0].ports[0].hostPort']],
    ['bad protocol', [container({ ports: [{ containerPort: 80, protocol: 'HTTP' }] })], ['FieldValueNotSupported spec.containers[0].ports[0].protocol']],
    [
      'duplicate port names',
      [container({ ports: [{ name: 'http', containerPort: 80 }, { name: 'http', containerPort: 81 }] })],
      ['FieldValueDuplicate spec.containers[0].ports[1].name'],
    ],
    [
      'host port used twice',
      [container({ ports: [{ containerPort: 80, hostPort: 8080 }] }), container({ name: 'b', ports: [{ containerPort: 81, hostPort: 8080 }] })],
      ['FieldValueDuplicate spec.containers[1].ports[0].hostPort'],
    ],
    ['restartPolicy on a regular container', [container({ restartPolicy: 'Always' })], ['FieldValueForbidden spec.containers[0].restartPolicy']],
    ['probe without handler', [container({ livenessProbe: {} })], ['FieldValueRequired spec.containers[0].livenessProbe']],
    [
      'probe with two handlers',
      [container({ readinessProbe: { exec: { command: ['true'] }, tcpSocket: { port: 80 } } })],
      ['FieldValueForbidden spec.containers[0].readinessProbe.tcpSocket'],
    ],
    ['exec probe without command', [container({ livenessProbe: { exec: {} } })], ['FieldValueRequired spec.containers[0].livenessProbe.exec.command']],
    [
      'httpGet port name invalid (two reasons)',
      [container({ livenessProbe: { httpGet: { port: 'HTTP' } } })],
      ['FieldValueInvalid spec.containers[0].livenessProbe.httpGet.port', 'FieldValueInvalid spec.containers[0].livenessProbe.httpGet.port'],
    ],
    [
      'liveness successThreshold must be 1',
      [container({ livenessProbe: { tcpSocket: { port: 80 }, successThreshold: 2 } })],
      ['FieldValueInvalid spec.containers[0].livenessProbe.successThreshold'],
    ],
    ['negative probe period', [container({ readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: -1 } })], ['FieldValueInvalid spec.containers[0].readinessProbe.periodSeconds']],
    ['volume mount of no volume', [container({ volumeMounts: [{ name: 'data', mountPath: '/data' }] })], ['FieldValueNotFound spec.containers[0].volumeMounts[0].name']],
    ['negative runAsUser', [container({ securityContext: { runAsUser: -1 } })], ['FieldValueInvalid spec.containers[0].securityContext.runAsUser']],
  ];
  for (const [name, containers, expected] of cases) {
    it(name, () => assert.deepEqual(summary(errorsFor(containers)), expected));
  }

  it('no containers at all', () => {
    assert.deepEqual(summary(errorsFor([])), ['FieldValueRequired spec.containers']);
  });

  it('names the supported values', () => {
    const e = only(errorsFor([container({ ports: [{ containerPort: 80, protocol: 'HTTP' }] })]), 'spec.containers[0].ports[0].protocol');
    assert.equal(e.message, 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"');
  });

  it('volume mounts must name existing volumes and unique paths', () => {
    const errs = errorsFor([container({ volumeMounts: [{ name: 'data', mountPath: '/d' }, { name: 'data', mountPath: '/d' }] })], {
      volumes: [{ name: 'data', emptyDir: {} }],
    });
    assert.deepEqual(summary(errs), ['FieldValueInvalid spec.containers[0].volumeMounts[1].mountPath']);
    assert.match(errs[0]!.message, /must be unique/);
  });

  it('subPath may not climb out of the volume', () => {
    const errs = errorsFor([container({ volumeMounts: [{ name: 'data', mountPath: '/d', subPath: '../etc' }] })], {
      volumes: [{ name: 'data', emptyDir: {} }],
    });
    // Upstream reports it on the list path.
    assert.deepEqual(summary(errs), ['FieldValueInvalid spec.containers[0].volumeMounts.subPath']);
  });

  it('sleep hooks must fit in the grace period', () => {
    const errs = errorsFor([container({ lifecycle: { preStop: { sleep: { seconds: 60 } } } })]);
    assert.equal(only(errs, 'spec.containers[0].lifecycle.preStop.sleep').message, 'Invalid value: 60: must be non-negative and less than terminationGracePeriodSeconds (30)');
  });
});

describe('init containers', () => {
  const cases: [string, Container[], string[]][] = [
    ['plain init container', [container({ name: 'init' })], []],
    ['name shared with a regular container', [container()], ['FieldValueDuplicate spec.initContainers[0].name']],
    ['probe without restartPolicy Always', [container({ name: 'init', readinessProbe: { tcpSocket: { port: 80 } } })], ['FieldValueForbidden spec.initContainers[0].readinessProbe']],
    ['sidecar with probe', [container({ name: 'side', restartPolicy: 'Always', readinessProbe: { tcpSocket: { port: 80 } } })], []],
    ['bad restartPolicy', [container({ name: 'init', restartPolicy: 'Never' })], ['FieldValueNotSupported spec.initContainers[0].restartPolicy']],
  ];
  for (const [name, inits, expected] of cases) {
    it(name, () => assert.deepEqual(summary(errorsFor([container()], { initContainers: inits })), expected));
  }
});

describe('isValidPortName', () => {
  const cases: [string, number][] = [
    ['http', 0],
    ['http-alt', 0],
    ['a-very-long-port-name', 1],
    ['HTTP', 2],
    ['8080', 1],
    ['a--b', 1],
    ['-http', 1],
  ];
  for (const [name, count] of cases) it(`${name}: ${count} problem(s)`, () => assert.equal(isValidPortName(name).length, count));
});
