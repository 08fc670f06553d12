import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodSpec, ResourceRequirements } from 'kubernetes-types/core/v1.js';
import { computeQOSClass, validateResourceRequirements } from '../../../../src/api/core/v1/resource-validation.js';
import { FieldPath } from '../../../../src/apimachinery/field-errors.js';
import { container, summary } from '../../workload-fixtures.js';

const path = FieldPath.root('resources');
const check = (r: ResourceRequirements) => validateResourceRequirements(r, path);

describe('validateResourceRequirements', () => {
  const cases: [string, ResourceRequirements, string[]][] = [
    ['requests within limits', { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '512Mi' } }, []],
    ['a bare number', { limits: { cpu: 2 as unknown as string } }, []],
    ['not a quantity', { limits: { cpu: 'lots' } }, ['FieldValueInvalid resources.limits[cpu]']],
    ['negative', { requests: { memory: '-1' } }, ['FieldValueInvalid resources.requests[memory]']],
    ['request above limit (reported on requests)', { limits: { cpu: '1' }, requests: { cpu: '2' } }, ['FieldValueInvalid resources.requests']],
    ['unknown resource', { limits: { gpu: '1' } }, ['FieldValueInvalid resources.limits[gpu]', 'FieldValueInvalid resources.limits[gpu]']],
    ['not a container resource', { limits: { pods: '1' } }, ['FieldValueInvalid resources.limits[pods]']],
    ['extended resource', { limits: { 'example.com/gpu': '1' }, requests: { 'example.com/gpu': '1' } }, []],
    ['extended resource fraction', { limits: { 'example.com/gpu': '500m' } }, ['FieldValueInvalid resources.limits[example.com/gpu]']],
    [
      'extended request without limit',
      { requests: { 'example.com/gpu': '1' } },
      ['FieldValueRequired resources.limits'],
    ],
    ['extended request below limit', { limits: { 'example.com/gpu': '2' }, requests: { 'example.com/gpu': '1' } }, ['FieldValueInvalid resources.requests']],
    ['hugepages alone', { limits: { 'hugepages-2Mi': '2Mi' }, requests: { 'hugepages-2Mi': '2Mi' } }, ['FieldValueForbidden resources']],
  ];
  for (const [name, r, expected] of cases) it(name, () => assert.deepEqual(summary(check(r)), expected));

  it('says the limit, in canonical form', () => {
    const [e] = check({ limits: { cpu: '0.5' }, requests: { cpu: '1' } });
    assert.equal(e!.message, 'Invalid value: "1": must be less than or equal to cpu limit of 500m');
  });

  it('reports unparseable quantities with the parser message', () => {
    const [e] = check({ limits: { memory: '1GB' } });
    assert.match(e!.message, /^Invalid value: "1GB": /);
  });
});

describe('computeQOSClass', () => {
  const spec = (...resources: ResourceRequirements[]): PodSpec => ({ containers: resources.map((r, i) => container({ name: `c${i}`, resources: r })) });
  const cases: [string, PodSpec, string][] = [
    ['nothing set', spec({}), 'BestEffort'],
    ['zero requests', spec({ requests: { cpu: '0' } }), 'BestEffort'],
    ['requests only', spec({ requests: { cpu: '100m' } }), 'Burstable'],
    ['limits equal requests', spec({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1Gi' } }), 'Guaranteed'],
    ['memory limit missing', spec({ limits: { cpu: '1' }, requests: { cpu: '1' } }), 'Burstable'],
    ['request below limit', spec({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } }), 'Burstable'],
    [
      'one container without limits',
      spec({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } }, {}),
      'Burstable',
    ],
  ];
  for (const [name, s, qos] of cases) it(`${name}: ${qos}`, () => assert.equal(computeQOSClass(s), qos));

  it('counts init containers', () => {
    const s: PodSpec = { containers: [container()], initContainers: [container({ name: 'i', resources: { requests: { memory: '1Mi' } } })] };
    assert.equal(computeQOSClass(s), 'Burstable');
  });
});
