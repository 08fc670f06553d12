import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, NodeSelectorRequirement, Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import {
  NodeSelectorMatcher,
  PreferredSchedulingTerms,
  RequiredNodeAffinity,
  newNodeSelector,
} from '../../../../src/scheduler/plugins/helper/node-affinity.js';

const node = (name: string, labels: Record<string, string> = {}): Node => ({ metadata: { name, labels } });
const terms = (...t: { e?: NodeSelectorRequirement[]; f?: NodeSelectorRequirement[] }[]) => ({
  nodeSelectorTerms: t.map((x) => ({ matchExpressions: x.e, matchFields: x.f })),
});

test('NodeSelectorMatcher: terms ORed, expressions ANDed, empty terms select nothing', () => {
  const m = new NodeSelectorMatcher(
    terms(
      { e: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'disk', operator: 'Exists' }] },
      { e: [{ key: 'gpu', operator: 'Exists' }] },
      {},
    ),
  );
  assert.equal(m.matches(node('n', { zone: 'a', disk: 'ssd' })), true);
  assert.equal(m.matches(node('n', { zone: 'a' })), false);
  assert.equal(m.matches(node('n', { gpu: '1' })), true);
  assert.equal(m.matches(node('n', {})), false);
  assert.equal(new NodeSelectorMatcher(terms({})).matches(node('n')), false);
  assert.equal(new NodeSelectorMatcher({ nodeSelectorTerms: [] }).matches(node('n')), false);
});

test('NodeSelectorMatcher: matchFields on metadata.name, In and NotIn', () => {
  const inName = new NodeSelectorMatcher(terms({ f: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }));
  assert.equal(inName.matches(node('n1')), true);
  assert.equal(inName.matches(node('n2')), false);
  const notIn = new NodeSelectorMatcher(terms({ f: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }] }));
  assert.equal(notIn.matches(node('n1')), false);
  assert.equal(notIn.matches(node('n2')), true);
  // Another field is empty on every node.
  const other = new NodeSelectorMatcher(terms({ f: [{ key: 'spec.podCIDR', operator: 'In', values: ['x'] }] }));
  assert.equal(other.matches(node('n1')), false);
  // Fields AND labels within a term.
  const both = new NodeSelectorMatcher(
    terms({ e: [{ key: 'zone', operator: 'In', values: ['a'] }], f: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }),
  );
  assert.equal(both.matches(node('n1', { zone: 'a' })), true);
  assert.equal(both.matches(node('n1', { zone: 'b' })), false);
  assert.equal(both.matches(node('n2', { zone: 'a' })), false);
});

test('NodeSelectorMatcher: a broken term never matches but others still can', () => {
  const m = new NodeSelectorMatcher(
    terms({ e: [{ key: 'zone', operator: 'Like', values: ['a'] }] }, { e: [{ key: 'gpu', operator: 'Exists' }] }),
  );
  assert.equal(m.matches(node('n', { zone: 'a' })), false);
  assert.equal(m.matches(node('n', { gpu: 'yes' })), true);
  assert.deepEqual(m.errors(), [
    'nodeSelectorTerms[0].matchExpressions[0].operator: Unsupported value: "Like": supported values: "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"',
  ]);
});

test('newNodeSelector throws the parse errors', () => {
  assert.throws(
    () => newNodeSelector(terms({ f: [{ key: 'metadata.name', operator: 'In', values: ['a', 'b'] }] })),
    { message: 'nodeSelectorTerms[0].matchFields[0].values: Invalid value: ["a","b"]: must have one element' },
  );
  assert.throws(() => newNodeSelector(terms({ f: [{ key: 'metadata.name', operator: 'Exists' }] })), /Unsupported value: "Exists": supported values: "In", "NotIn"/);
  assert.throws(() => newNodeSelector(terms({ e: [{ key: 'k', operator: 'Gt', values: ['x'] }] })), /must be an integer/);
  assert.doesNotThrow(() => newNodeSelector(terms({ e: [{ key: 'k', operator: 'Gt', values: ['1'] }] })));
});

test('PreferredSchedulingTerms: sum of matching weights, weight 0 and empty terms ignored', () => {
  const p = PreferredSchedulingTerms.parse([
    { weight: 2, preference: { matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar'] }] } },
    { weight: 4, preference: { matchExpressions: [{ key: 'key', operator: 'In', values: ['value'] }] } },
    { weight: 5, preference: { matchExpressions: [{ key: 'foo', operator: 'In', values: ['bar'] }, { key: 'key', operator: 'In', values: ['value'] }] } },
    { weight: 0, preference: { matchExpressions: [{ key: 'foo', operator: 'Exists' }] } },
    { weight: 7, preference: {} },
  ]);
  assert.equal(p.score(node('n', { foo: 'bar' })), 2);
  assert.equal(p.score(node('n', { key: 'value' })), 4);
  assert.equal(p.score(node('n', { foo: 'bar', key: 'value' })), 11);
  assert.equal(p.score(node('n', {})), 0);
});

test('PreferredSchedulingTerms.parse throws on bad terms, skipping weight-0 ones', () => {
  assert.throws(
    () => PreferredSchedulingTerms.parse([{ weight: 1, preference: { matchExpressions: [{ key: 'foo', operator: 'In', values: [] }] } }]),
    { message: "[0].matchExpressions[0].values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty" },
  );
  assert.doesNotThrow(() => PreferredSchedulingTerms.parse([{ weight: 0, preference: { matchExpressions: [{ key: 'foo', operator: 'Bad' }] } }]));
});

test('RequiredNodeAffinity: nodeSelector AND required affinity', () => {
  const pod = (spec: Partial<PodSpec>): Pod => ({ spec: { containers: [], ...spec } });
  const both = new RequiredNodeAffinity(
    pod({
      nodeSelector: { foo: 'bar' },
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms({ e: [{ key: 'zone', operator: 'Exists' }] }) } },
    }),
  );
  assert.equal(both.matches(node('n', { foo: 'bar', zone: 'a' })), true);
  assert.equal(both.matches(node('n', { foo: 'bar' })), false);
  assert.equal(both.matches(node('n', { zone: 'a' })), false);
  assert.equal(new RequiredNodeAffinity(pod({})).matches(node('n')), true);
  assert.equal(new RequiredNodeAffinity(pod({ nodeSelector: {} })).matches(node('n')), true);
});
