import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { compareForDeletion, deletionCost, podsToDelete } from '../../../src/controllers/replicaset/pod-ranking.js';

interface PodOpts {
  node?: string;
  phase?: string;
  readySince?: string;
  restarts?: number;
  created?: string;
  cost?: string;
  deleting?: boolean;
}

function pod(name: string, o: PodOpts = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      creationTimestamp: o.created ?? '2024-01-01T00:00:00Z',
      ...(o.cost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': o.cost } } : {}),
      ...(o.deleting ? { deletionTimestamp: '2024-01-02T00:00:00Z' } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'i' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.readySince ? [{ type: 'Ready', status: 'True', lastTransitionTime: o.readySince }] : [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: !!o.readySince, restartCount: o.restarts ?? 0 }],
    },
  };
}

const READY = '2024-01-01T00:01:00Z';

// Each case: `first` must be deleted before `second` (and not the other way round).
const cases: { rule: string; first: Pod; second: Pod; firstRank?: number; secondRank?: number }[] = [
  { rule: 'unassigned before assigned', first: pod('a', { readySince: READY }), second: pod('b', { node: 'n1', phase: 'Pending' }) },
  { rule: 'Pending before Unknown', first: pod('a', { node: 'n1', phase: 'Pending', readySince: READY }), second: pod('b', { node: 'n1', phase: 'Unknown' }) },
  { rule: 'Unknown before Running', first: pod('a', { node: 'n1', phase: 'Unknown', readySince: READY }), second: pod('b', { node: 'n1' }) },
  { rule: 'not Ready before Ready', first: pod('a', { node: 'n1', created: '2020-01-01T00:00:00Z' }), second: pod('b', { node: 'n1', readySince: READY }) },
  {
    rule: 'lower deletion cost first',
    first: pod('a', { node: 'n1', readySince: '2020-01-01T00:00:00Z', cost: '-5' }),
    second: pod('b', { node: 'n1', readySince: READY, cost: '10' }),
  },
  { rule: 'more pods on its node first', first: pod('a', { node: 'n1', readySince: '2020-01-01T00:00:00Z' }), second: pod('b', { node: 'n2', readySince: READY }), firstRank: 3, secondRank: 1 },
  { rule: 'Ready for less time first', first: pod('a', { node: 'n1', readySince: '2024-01-01T00:05:00Z' }), second: pod('b', { node: 'n1', readySince: READY, restarts: 9 }) },
  { rule: 'more restarts first', first: pod('a', { node: 'n1', restarts: 3, created: '2020-01-01T00:00:00Z' }), second: pod('b', { node: 'n1', restarts: 1 }) },
  { rule: 'newer first', first: pod('a', { node: 'n1', created: '2024-06-01T00:00:00Z' }), second: pod('b', { node: 'n1', created: '2024-01-01T00:00:00Z' }) },
];

for (const c of cases) {
  test(`deletion order: ${c.rule}`, () => {
    const a = { pod: c.first, rank: c.firstRank ?? 0 };
    const b = { pod: c.second, rank: c.secondRank ?? 0 };
    assert.ok(compareForDeletion(a, b) < 0, 'first sorts before second');
    assert.ok(compareForDeletion(b, a) > 0, 'and not the other way round');
  });
}

test('deletion order: identical pods compare equal', () => {
  assert.equal(compareForDeletion({ pod: pod('a', { node: 'n' }), rank: 0 }, { pod: pod('b', { node: 'n' }), rank: 0 }), 0);
});

test('deletionCost: int32 values; malformed ones count as 0', () => {
  const cost = (v?: string) => deletionCost(pod('p', { cost: v }));
  assert.deepEqual(
    [cost(undefined), cost('7'), cost('-3'), cost('0'), cost('+4'), cost('007'), cost('x'), cost('2147483648'), cost('-2147483648')],
    [0, 7, -3, 0, 0, 0, 0, 0, -2147483648],
  );
});

test('podsToDelete: picks the diff most deletable pods', () => {
  const pods = [
    pod('ready-old', { node: 'n1', readySince: '2024-01-01T00:00:00Z' }),
    pod('unassigned'),
    pod('ready-new', { node: 'n1', readySince: '2024-01-01T09:00:00Z' }),
    pod('pending', { node: 'n2', phase: 'Pending' }),
    pod('not-ready', { node: 'n2' }),
  ];
  const names = (n: number) => podsToDelete(pods, [], n).map((p) => p.metadata?.name);
  assert.deepEqual(names(1), ['unassigned']);
  assert.deepEqual(names(3), ['unassigned', 'pending', 'not-ready']);
  assert.deepEqual(names(4), ['unassigned', 'pending', 'not-ready', 'ready-new']);
  assert.equal(names(5).length, 5);
  assert.equal(pods[0]!.metadata?.name, 'ready-old', 'the input is not reordered');
});

test('podsToDelete: related active pods crowd a node; inactive ones do not', () => {
  const a = pod('a', { node: 'crowded', readySince: READY });
  const b = pod('b', { node: 'quiet', readySince: READY });
  const related = [a, b, pod('x', { node: 'crowded' }), pod('y', { node: 'quiet', deleting: true }), pod('z', { node: 'quiet', phase: 'Failed' })];
  assert.deepEqual(podsToDelete([b, a], related, 1).map((p) => p.metadata?.name), ['a']);
  // Without related pods every rank is 0 and the order falls through to later rules (stable here).
  assert.deepEqual(podsToDelete([b, a], [], 1).map((p) => p.metadata?.name), ['b']);
});
