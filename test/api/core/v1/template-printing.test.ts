import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerCells, deploymentSelectorCell } from '../../../../src/api/core/v1/template-printing.js';
import { container } from '../../workload-fixtures.js';

describe('template printing', () => {
  it('lays containers out on one line', () => {
    assert.deepEqual(containerCells([container(), container({ name: 'b', image: 'busybox' })]), ['app,b', 'nginx:1.25,busybox']);
    assert.deepEqual(containerCells(undefined), ['', '']);
  });

  const selectors: [string, Parameters<typeof deploymentSelectorCell>[0], string][] = [
    ['match labels sorted', { matchLabels: { b: '2', a: '1' } }, 'a=1,b=2'],
    ['expressions', { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }, { key: 'canary', operator: 'DoesNotExist' }] }, '!canary,env in (dev,prod)'],
    ['empty selector', {}, ''],
    ['bad operator', { matchExpressions: [{ key: 'a', operator: 'Near' }] }, '<invalid>'],
  ];
  for (const [name, sel, expected] of selectors) it(name, () => assert.equal(deploymentSelectorCell(sel), expected));
});
