// Which pods a budget guards, the DisruptionAllowed condition helpers, the fail-safe status, and
// the DisruptionTarget pod condition.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import {
  budgetGuards,
  budgetsGuarding,
  conditionsAreUpToDate,
  failSafeStatus,
  setStatusCondition,
  unhealthyPodEvictionPolicy,
  withDisruptionAllowedCondition,
} from '../../../src/controllers/disruption/budget.js';
import {
  clearedDisruptionTarget,
  evictionDisruptionTarget,
  staleDisruptionWait,
  updatePodCondition,
} from '../../../src/controllers/disruption/pod-conditions.js';

const NOW = Date.parse('2024-01-01T00:10:00Z');
const T0 = '2024-01-01T00:00:00Z';
const pod = (labels: Record<string, string>, namespace = 'default'): Pod => ({ metadata: { name: 'p', namespace, labels } });
const budget = (selector: LabelSelector | undefined, namespace = 'default'): PodDisruptionBudget => ({ metadata: { name: 'b', namespace }, spec: { selector } });

describe('budgetGuards', () => {
  const cases: { name: string; selector: LabelSelector | undefined; labels: Record<string, string>; namespace?: string; want: boolean }[] = [
    { name: 'a missing selector guards nothing', selector: undefined, labels: { app: 'a' }, want: false },
    { name: 'an empty selector guards every pod of the namespace', selector: {}, labels: {}, want: true },
    { name: 'matching labels', selector: { matchLabels: { app: 'a' } }, labels: { app: 'a', x: 'y' }, want: true },
    { name: 'other labels', selector: { matchLabels: { app: 'a' } }, labels: { app: 'b' }, want: false },
    { name: 'expressions', selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['a', 'b'] }] }, labels: { app: 'b' }, want: true },
    { name: 'another namespace', selector: {}, labels: {}, namespace: 'other', want: false },
    { name: 'an unparsable selector guards nothing', selector: { matchExpressions: [{ key: 'app', operator: 'Bogus' }] }, labels: { app: 'a' }, want: false },
  ];
  for (const c of cases) test(c.name, () => assert.equal(budgetGuards(budget(c.selector), pod(c.labels, c.namespace)), c.want));

  test('budgetsGuarding keeps the order given', () => {
    const a = { ...budget({}), metadata: { name: 'a', namespace: 'default' } };
    const b = { ...budget({ matchLabels: { x: 'y' } }), metadata: { name: 'b', namespace: 'default' } };
    const c = { ...budget({}), metadata: { name: 'c', namespace: 'default' } };
    assert.deepEqual(budgetsGuarding([c, b, a], pod({})).map((x) => x.metadata?.name), ['c', 'a']);
  });

  test('unhealthyPodEvictionPolicy defaults to IfHealthyBudget', () => {
    assert.equal(unhealthyPodEvictionPolicy(budget({})), 'IfHealthyBudget');
    assert.equal(unhealthyPodEvictionPolicy({ spec: { unhealthyPodEvictionPolicy: 'AlwaysAllow' } }), 'AlwaysAllow');
  });
});

describe('DisruptionAllowed condition', () => {
  const at = new Date(NOW);
  test('setStatusCondition keeps the transition time while the status stays', () => {
    const first = setStatusCondition(undefined, { type: 'X', status: 'True', reason: 'A', message: '' }, new Date(T0));
    assert.deepEqual(first, [{ type: 'X', status: 'True', reason: 'A', message: '', lastTransitionTime: T0 }]);
    const same = setStatusCondition(first, { type: 'X', status: 'True', reason: 'B', message: 'm', observedGeneration: 2 }, at);
    assert.deepEqual(same, [{ type: 'X', status: 'True', reason: 'B', message: 'm', observedGeneration: 2, lastTransitionTime: T0 }]);
    const flipped = setStatusCondition(same, { type: 'X', status: 'False', reason: 'B', message: 'm' }, at);
    assert.equal(flipped[0]!.lastTransitionTime, '2024-01-01T00:10:00Z');
    assert.equal(flipped[0]!.observedGeneration, undefined);
    assert.equal(first[0]!.reason, 'A', 'the input list is not changed');
  });

  test('conditionsAreUpToDate follows disruptionsAllowed and the generation', () => {
    const status = withDisruptionAllowedCondition({ currentHealthy: 2, desiredHealthy: 1, expectedPods: 2, disruptionsAllowed: 1, observedGeneration: 3 }, at);
    const pdb = (generation: number, disruptionsAllowed = 1): PodDisruptionBudget => ({ metadata: { generation }, status: { ...status, disruptionsAllowed } });
    assert.equal(conditionsAreUpToDate(pdb(3)), true);
    assert.equal(conditionsAreUpToDate(pdb(4)), false);
    assert.equal(conditionsAreUpToDate(pdb(3, 0)), false);
    assert.equal(conditionsAreUpToDate({ metadata: { generation: 3 }, status: { ...status, conditions: [] } }), false);
  });

  test('failSafeStatus allows nothing and says why', () => {
    const s = failSafeStatus(
      { metadata: { generation: 2 }, status: { currentHealthy: 3, desiredHealthy: 1, expectedPods: 3, disruptionsAllowed: 2, observedGeneration: 1 } },
      'found no controllers for pod "a"',
      at,
    );
    assert.deepEqual(s, {
      currentHealthy: 3,
      desiredHealthy: 1,
      expectedPods: 3,
      disruptionsAllowed: 0,
      observedGeneration: 1,
      conditions: [
        { type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: 'found no controllers for pod "a"', observedGeneration: 1, lastTransitionTime: '2024-01-01T00:10:00Z' },
      ],
    });
  });
});

describe('DisruptionTarget condition', () => {
  const target = (o: Partial<PodCondition> = {}): PodCondition => ({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', lastTransitionTime: T0, ...o });
  const withCond = (c: PodCondition, extra: Partial<Pod> = {}): Pod => ({ metadata: { name: 'p', ...extra.metadata }, status: { phase: 'Running', conditions: [c], ...extra.status } });
  const TIMEOUT = 120_000;

  test('staleDisruptionWait', () => {
    const cases: { name: string; pod: Pod; now: number; want: number | undefined }[] = [
      { name: 'stale after the timeout', pod: withCond(target()), now: Date.parse(T0) + TIMEOUT + 1, want: 0 },
      { name: 'waits the rest of the timeout', pod: withCond(target()), now: Date.parse(T0) + 20_000, want: TIMEOUT - 20_000 },
      { name: 'a pod being deleted is not stale', pod: withCond(target(), { metadata: { deletionTimestamp: T0 } }), now: NOW, want: undefined },
      { name: 'a finished pod is not stale', pod: withCond(target(), { status: { phase: 'Failed' } }), now: NOW, want: undefined },
      { name: "the kubelet's condition is never stale", pod: withCond(target({ reason: 'TerminationByKubelet' })), now: NOW, want: undefined },
      { name: 'a False condition is not stale', pod: withCond(target({ status: 'False' })), now: NOW, want: undefined },
    ];
    for (const c of cases) assert.equal(staleDisruptionWait(c.pod, TIMEOUT, c.now), c.want, c.name);
  });

  test('clearedDisruptionTarget turns it False with a new transition time, once', () => {
    const cleared = clearedDisruptionTarget(withCond(target()), new Date(NOW))!;
    assert.deepEqual(cleared.status?.conditions, [{ type: 'DisruptionTarget', status: 'False', lastTransitionTime: '2024-01-01T00:10:00Z' }]);
    assert.equal(clearedDisruptionTarget(cleared, new Date(NOW + 1000)), undefined);
  });

  test('evictionDisruptionTarget adds the eviction condition and leaves others', () => {
    const ready: PodCondition = { type: 'Ready', status: 'True' };
    const got = evictionDisruptionTarget({ status: { conditions: [ready] } }, new Date(NOW));
    assert.deepEqual(got, [ready, { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: '2024-01-01T00:10:00Z' }]);
    assert.equal(evictionDisruptionTarget({ status: { conditions: got } }, new Date(NOW + 5000)), undefined, 'already set: no change');
  });

  test('updatePodCondition replaces a condition whose reason changed, keeping its transition time', () => {
    const got = updatePodCondition([target()], { type: 'DisruptionTarget', status: 'True', reason: 'Other' }, new Date(NOW));
    assert.deepEqual(got, [{ type: 'DisruptionTarget', status: 'True', reason: 'Other', lastTransitionTime: T0 }]);
  });
});
