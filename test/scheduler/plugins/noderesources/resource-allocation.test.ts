import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  balancedResourceScorer,
  brokenLinearFunction,
  isExtendedResourceName,
  isScalarResourceName,
  leastAllocatedScorer,
  mostAllocatedScorer,
  requestedToCapacityRatioScorer,
  DEFAULT_RESOURCES,
} from '../../../../src/scheduler/plugins/noderesources/resource-allocation.js';

describe('resource names', () => {
  const cases: [string, boolean, boolean][] = [
    // name, extended, scalar
    ['cpu', false, false],
    ['memory', false, false],
    ['ephemeral-storage', false, false],
    ['nvidia.com/gpu', true, true],
    ['example.com/foo', true, true],
    ['kubernetes.io/something', false, true],
    ['hugepages-2Mi', false, true],
    ['attachable-volumes-aws-ebs', false, true],
    ['requests.example.com/foo', false, false],
  ];
  for (const [name, ext, scalar] of cases) {
    it(`${name}: extended=${ext} scalar=${scalar}`, () => {
      assert.equal(isExtendedResourceName(name), ext);
      assert.equal(isScalarResourceName(name), scalar);
    });
  }
});

describe('brokenLinearFunction', () => {
  const f = brokenLinearFunction([
    { utilization: 10, score: 1 },
    { utilization: 30, score: 5 },
    { utilization: 70, score: 2 },
  ]);
  const cases: [number, number][] = [
    [0, 1], // flat before the first point
    [10, 1],
    [15, 2], // 1 + 4*5/20
    [30, 5],
    [50, 4], // 5 + trunc(-3*20/40 = -1.5): Go truncates toward zero, not down
    [70, 2],
    [100, 2], // flat after the last point
  ];
  for (const [p, want] of cases) it(`f(${p}) = ${want}`, () => assert.equal(f(p), want));
});

describe('scorers', () => {
  it('leastAllocated truncates the weighted mean and skips unallocatable resources', () => {
    const s = leastAllocatedScorer(DEFAULT_RESOURCES);
    assert.equal(s([3000, 5000], [4000, 10000]), 37);
    assert.equal(s([3000, 5000], [4000, 0]), 25);
    assert.equal(s([0, 0], [0, 0]), 0);
  });
  it('mostAllocated caps at capacity', () => {
    assert.equal(mostAllocatedScorer(DEFAULT_RESOURCES)([5000, 5000], [4000, 10000]), 75);
  });
  it('requestedToCapacityRatio rounds halves up like Go math.Round', () => {
    const s = requestedToCapacityRatioScorer(DEFAULT_RESOURCES, [
      { utilization: 0, score: 0 },
      { utilization: 100, score: 10 },
    ]);
    assert.equal(s([75, 50], [100, 100]), 63); // 62.5
    assert.equal(s([0, 0], [100, 100]), 0); // every resource scored 0: no weight, score 0
  });
  const balanced: [number[], number[], number][] = [
    [[3, 5], [4, 10], 87],
    [[1, 1], [2, 2], 100],
    [[4, 0], [4, 10], 50],
    [[8, 0], [4, 10], 50], // fraction capped at 1
    [[1], [4], 100], // one resource: no deviation
    [[1, 2], [0, 4], 100], // the unallocatable resource is left out
    [[3, 5, 2], [4, 10, 4], 88],
  ];
  for (const [req, alloc, want] of balanced) {
    it(`balanced ${JSON.stringify(req)} / ${JSON.stringify(alloc)} = ${want}`, () => assert.equal(balancedResourceScorer(req, alloc), want));
  }
});
