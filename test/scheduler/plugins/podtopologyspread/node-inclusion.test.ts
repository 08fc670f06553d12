import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeSelectorTerm, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { hasUntoleratedScheduleTaint, requiredNodeAffinity } from '../../../../src/scheduler/plugins/podtopologyspread/node-inclusion.js';
import { PodTopologySpread, validatePodTopologySpreadOptions } from '../../../../src/scheduler/plugins/podtopologyspread/index.js';
import { node, pod } from './fixtures.js';

const n1 = node('n1', { zone: 'z1', gen: '5' });
const withTerms = (terms: NodeSelectorTerm[]) =>
  pod('p', { spec: { containers: [], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } } });

describe('requiredNodeAffinity', () => {
  const cases: [string, NodeSelectorTerm[], boolean][] = [
    ['In matches', [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1', 'z2'] }] }], true],
    ['NotIn excludes', [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z1'] }] }], false],
    ['Gt compares integers', [{ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] }], true],
    ['Lt with a non-integer is invalid: no match', [{ matchExpressions: [{ key: 'gen', operator: 'Lt', values: ['x'] }] }], false],
    ['DoesNotExist', [{ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }], true],
    ['matchFields metadata.name', [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }], true],
    ['matchFields on another field matches nothing', [{ matchFields: [{ key: 'metadata.uid', operator: 'In', values: ['n1'] }] }], false],
    ['an empty term matches nothing', [{}], false],
    ['terms are ORed', [{}, { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }], true],
    ['no terms at all matches nothing', [], false],
  ];
  for (const [name, terms, want] of cases) it(name, () => assert.equal(requiredNodeAffinity(withTerms(terms))(n1), want));

  it('ANDs nodeSelector with the affinity terms', () => {
    const p = withTerms([{ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }]);
    p.spec!.nodeSelector = { zone: 'z2' };
    assert.equal(requiredNodeAffinity(p)(n1), false);
    assert.equal(requiredNodeAffinity(pod('q'))(n1), true);
  });
});

describe('hasUntoleratedScheduleTaint', () => {
  const noSchedule: Taint = { key: 'k', value: 'v', effect: 'NoSchedule' };
  const cases: [string, Taint[], Toleration[], boolean][] = [
    ['no taints', [], [], false],
    ['untolerated NoSchedule', [noSchedule], [], true],
    ['PreferNoSchedule is not a scheduling taint', [{ key: 'k', effect: 'PreferNoSchedule' }], [], false],
    ['NoExecute counts', [{ key: 'k', effect: 'NoExecute' }], [], true],
    ['Equal toleration', [noSchedule], [{ key: 'k', operator: 'Equal', value: 'v' }], false],
    ['Equal with a different value', [noSchedule], [{ key: 'k', value: 'w' }], true],
    ['empty key with Exists tolerates all', [noSchedule], [{ operator: 'Exists' }], false],
    ['effect mismatch', [noSchedule], [{ key: 'k', operator: 'Exists', effect: 'NoExecute' }], true],
  ];
  for (const [name, taints, tolerations, want] of cases) {
    it(name, () => assert.equal(hasUntoleratedScheduleTaint(pod('p', { spec: { containers: [], tolerations } }), node('n', {}, taints)), want));
  }
});

describe('PodTopologySpread options', () => {
  it('rejects default constraints with System defaulting, as upstream validation', () => {
    const errs = validatePodTopologySpreadOptions({ defaultConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway' }] });
    assert.deepEqual(errs.map((e) => `${e.field}: ${e.message}`), ['defaultingType: Invalid value: "System": when .defaultConstraints are not empty']);
    assert.throws(() => new PodTopologySpread({ defaultConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway' }] }));
  });

  it('checks each List default constraint', () => {
    const errs = validatePodTopologySpreadOptions({
      defaultingType: 'List',
      defaultConstraints: [{ maxSkew: 0, topologyKey: '', whenUnsatisfiable: 'Never', labelSelector: {} }],
    });
    assert.deepEqual(errs.map((e) => e.field), [
      'defaultConstraints[0].maxSkew',
      'defaultConstraints[0].topologyKey',
      'defaultConstraints[0].whenUnsatisfiable',
      'defaultConstraints[0].labelSelector',
    ]);
  });

  it('builds from pluginConfig args and is named PodTopologySpread', () => {
    const pl = PodTopologySpread.fromArgs({ args: { defaultingType: 'List', defaultConstraints: [] } });
    assert.equal(pl.name, 'PodTopologySpread');
    assert.equal(pl.systemDefaulted, false);
    assert.equal(new PodTopologySpread().systemDefaulted, true);
  });
});
