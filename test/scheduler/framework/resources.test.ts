import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Node, Pod } from 'kubernetes-types/core/v1.js';
import {
  DEFAULT_MEMORY_REQUEST,
  DEFAULT_MILLI_CPU_REQUEST,
  addResourceList,
  emptyResources,
  nodeAllocatable,
  podRequests,
  quantityValue,
} from '../../../src/scheduler/framework/resources.js';
import type { Resources } from '../../../src/scheduler/framework/types.js';

const Mi = 1024 * 1024;
const Gi = 1024 * Mi;

const c = (requests?: Record<string, string>, restartPolicy?: string): Container => ({
  name: 'c',
  ...(requests ? { resources: { requests } } : {}),
  ...(restartPolicy ? { restartPolicy } : {}),
});

const pod = (containers: Container[], initContainers: Container[] = [], overhead?: Record<string, string>): Pod => ({
  metadata: { name: 'p' },
  spec: { containers, initContainers, ...(overhead ? { overhead } : {}) },
});

const res = (milliCpu: number, memory = 0, ephemeralStorage = 0, scalar: Record<string, number> = {}): Resources => ({
  milliCpu,
  memory,
  ephemeralStorage,
  scalar,
});

describe('quantityValue', () => {
  const cases: [string | number | undefined, boolean, number][] = [
    [undefined, false, 0],
    ['1', true, 1000],
    ['100m', true, 100],
    ['0.5', true, 500],
    ['2', false, 2],
    ['1Gi', false, Gi],
    ['128Mi', false, 128 * Mi],
    ['1k', false, 1000],
    [3, true, 3000],
    [3, false, 3],
  ];
  for (const [q, milli, want] of cases) {
    it(`${String(q)} (milli=${milli}) -> ${want}`, () => assert.equal(quantityValue(q, milli), want));
  }
  it('returns the same value from its cache on a second call', () => {
    assert.equal(quantityValue('250m', true), 250);
    assert.equal(quantityValue('250m', true), 250);
    assert.equal(quantityValue('250m', false), 1); // value() rounds up, as upstream's Quantity.Value()
  });
});

describe('addResourceList', () => {
  it('sorts names into cpu, memory, storage and scalars, and never counts pods', () => {
    const r = emptyResources();
    addResourceList(r, { cpu: '2', memory: '1Gi', 'ephemeral-storage': '10Gi', 'nvidia.com/gpu': '2', pods: '110', 'hugepages-2Mi': '4Mi' });
    assert.deepEqual(r, res(2000, Gi, 10 * Gi, { 'nvidia.com/gpu': 2, 'hugepages-2Mi': 4 * Mi }));
  });
  it('subtracts with sign -1', () => {
    const r = res(500, Gi, 0, { 'example.com/foo': 3 });
    addResourceList(r, { cpu: '200m', 'example.com/foo': '1' }, -1);
    assert.deepEqual(r, res(300, Gi, 0, { 'example.com/foo': 2 }));
  });
});

describe('podRequests', () => {
  const cases: { name: string; pod: Pod; want: Resources; nonZero?: Resources }[] = [
    { name: 'no containers', pod: pod([]), want: res(0), nonZero: res(0) },
    {
      name: 'containers are summed',
      pod: pod([c({ cpu: '100m', memory: '1Gi' }), c({ cpu: '200m', memory: '1Gi' })]),
      want: res(300, 2 * Gi),
    },
    {
      name: 'an init container larger than the containers sets the request',
      pod: pod([c({ cpu: '300m', memory: '1Gi' })], [c({ cpu: '1', memory: '512Mi' })]),
      want: res(1000, Gi),
    },
    {
      name: 'init containers are a maximum, not a sum',
      pod: pod([c({ cpu: '100m' })], [c({ cpu: '400m' }), c({ cpu: '300m' })]),
      want: res(400),
    },
    {
      name: 'a sidecar adds to the containers and to each later init container',
      pod: pod([c({ cpu: '100m' })], [c({ cpu: '200m' }, 'Always'), c({ cpu: '500m' })]),
      // containers + sidecar = 300m; the init container runs beside the sidecar: 700m
      want: res(700),
    },
    {
      name: 'a sidecar started after an init container does not add to it',
      pod: pod([c({ cpu: '100m' })], [c({ cpu: '500m' }), c({ cpu: '200m' }, 'Always')]),
      want: res(500),
    },
    {
      name: 'sidecars accumulate',
      pod: pod([c({ cpu: '100m' })], [c({ cpu: '200m' }, 'Always'), c({ cpu: '300m' }, 'Always'), c({ cpu: '400m' })]),
      // containers 100 + sidecars 500 = 600; last init 400 + 500 = 900
      want: res(900),
    },
    {
      name: 'overhead is added after the init maximum',
      pod: pod([c({ cpu: '100m', memory: '1Gi' })], [c({ cpu: '1' })], { cpu: '250m', memory: '100Mi' }),
      want: res(1250, Gi + 100 * Mi),
      nonZero: res(1250, Gi + 100 * Mi),
    },
    {
      name: 'extended resources and ephemeral storage',
      pod: pod([c({ 'nvidia.com/gpu': '1', 'ephemeral-storage': '1Gi' }), c({ 'nvidia.com/gpu': '1' })], [c({ 'nvidia.com/gpu': '3' })]),
      want: res(0, 0, Gi, { 'nvidia.com/gpu': 3 }),
    },
    {
      name: 'containers without requests get non-zero defaults only for scoring',
      pod: pod([c(), c({ cpu: '50m' }), c({ memory: '1Gi' })]),
      want: res(50, Gi),
      nonZero: res(DEFAULT_MILLI_CPU_REQUEST + 50 + DEFAULT_MILLI_CPU_REQUEST, DEFAULT_MEMORY_REQUEST + DEFAULT_MEMORY_REQUEST + Gi),
    },
    {
      name: 'an explicit zero request is not replaced by the default',
      pod: pod([c({ cpu: '0', memory: '0' })]),
      want: res(0),
      nonZero: res(0),
    },
    {
      name: 'init containers get non-zero defaults too',
      pod: pod([c({ cpu: '50m', memory: '1Gi' })], [c()]),
      want: res(50, Gi),
      nonZero: res(DEFAULT_MILLI_CPU_REQUEST, Gi),
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      assert.deepEqual(podRequests(tc.pod), tc.want);
      if (tc.nonZero) assert.deepEqual(podRequests(tc.pod, true), tc.nonZero);
    });
  }
  it('defaults are 100m cpu and 200Mi memory', () => {
    assert.equal(DEFAULT_MILLI_CPU_REQUEST, 100);
    assert.equal(DEFAULT_MEMORY_REQUEST, 200 * Mi);
  });
});

describe('nodeAllocatable', () => {
  const node = (status: Node['status']): Node => ({ metadata: { name: 'n' }, status });
  it('reads allocatable, with the pod count apart', () => {
    const got = nodeAllocatable(node({ allocatable: { cpu: '4', memory: '8Gi', pods: '110', 'nvidia.com/gpu': '2' }, capacity: { cpu: '8' } }));
    assert.deepEqual(got, { resources: res(4000, 8 * Gi, 0, { 'nvidia.com/gpu': 2 }), pods: 110 });
  });
  it('falls back to capacity when allocatable is absent', () => {
    assert.deepEqual(nodeAllocatable(node({ capacity: { cpu: '2', pods: '10' } })), { resources: res(2000), pods: 10 });
  });
  it('a node without status allocates nothing and no pods', () => {
    assert.deepEqual(nodeAllocatable(node(undefined)), { resources: res(0), pods: 0 });
  });
});
