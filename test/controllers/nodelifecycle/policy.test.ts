// The node lifecycle controller's pure parts: condition taints, taint swaps, zone states, the
// rate-limited taint queue, toleration arithmetic, and node health judgement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition, Taint } from 'kubernetes-types/core/v1.js';
import { NodeHealthTracker } from '../../../src/controllers/nodelifecycle/health.js';
import { matchingTolerations, minTolerationMs } from '../../../src/controllers/nodelifecycle/taint-eviction.js';
import { managedNoScheduleTaints, swapTaints, taintDiff, wantedNoScheduleTaints } from '../../../src/controllers/nodelifecycle/taints.js';
import { RateLimitedTaintQueue, computeZoneState, zoneKey } from '../../../src/controllers/nodelifecycle/zones.js';

const cond = (type: string, status: string, hb = '2024-01-01T00:00:00Z', tr = '2024-01-01T00:00:00Z'): NodeCondition => ({ type, status, lastHeartbeatTime: hb, lastTransitionTime: tr });
const node = (o: { conditions?: NodeCondition[]; taints?: Taint[]; unschedulable?: boolean; labels?: Record<string, string>; created?: string } = {}): Node => ({
  metadata: { name: 'n', labels: o.labels, creationTimestamp: o.created ?? '2024-01-01T00:00:00Z' },
  spec: { taints: o.taints, unschedulable: o.unschedulable },
  status: { conditions: o.conditions },
});
const keys = (ts: Taint[]) => ts.map((t) => `${t.key}:${t.effect}`);

test('NoSchedule taints follow conditions and cordon', () => {
  const cases: [string, Node, string[]][] = [
    ['healthy', node({ conditions: [cond('Ready', 'True'), cond('MemoryPressure', 'False')] }), []],
    ['not ready', node({ conditions: [cond('Ready', 'False')] }), ['node.kubernetes.io/not-ready:NoSchedule']],
    ['unknown', node({ conditions: [cond('Ready', 'Unknown')] }), ['node.kubernetes.io/unreachable:NoSchedule']],
    [
      'pressures',
      node({ conditions: [cond('MemoryPressure', 'True'), cond('DiskPressure', 'True'), cond('PIDPressure', 'True'), cond('NetworkUnavailable', 'True')] }),
      ['node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/disk-pressure:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/network-unavailable:NoSchedule'],
    ],
    ['cordoned', node({ unschedulable: true, conditions: [cond('Ready', 'True')] }), ['node.kubernetes.io/unschedulable:NoSchedule']],
  ];
  for (const [name, n, want] of cases) assert.deepEqual(keys(wantedNoScheduleTaints(n)), want, name);
});

test('only the taints the controller owns are compared', () => {
  const n = node({
    taints: [
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
      { key: 'dedicated', value: 'db', effect: 'NoSchedule' },
      { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
    ],
    conditions: [cond('Ready', 'True')],
  });
  const managed = managedNoScheduleTaints(n);
  assert.deepEqual(keys(managed), ['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule']);
  const { add, remove } = taintDiff(wantedNoScheduleTaints(n), managed);
  assert.deepEqual([keys(add), keys(remove)], [[], ['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule']]);
});

test('swapTaints adds, replaces by key and effect, removes; NoExecute taints get timeAdded', () => {
  const now = '2024-05-05T05:05:05Z';
  const base: Taint[] = [
    { key: 'dedicated', value: 'db', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: '2024-01-01T00:00:00Z' },
  ];
  assert.deepEqual(swapTaints(base, [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }], [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }], now), [
    { key: 'dedicated', value: 'db', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: now },
  ]);
  assert.deepEqual(swapTaints(base, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }], [], now)!.at(-1), { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' });
  assert.equal(swapTaints(base, [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }], [{ key: 'absent', effect: 'NoSchedule' }], now), undefined, 'nothing to change');
  assert.deepEqual(swapTaints(base, [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }], [], now)![0], { key: 'dedicated', value: 'web', effect: 'NoSchedule' });
});

test('zone keys and states', () => {
  assert.equal(zoneKey(node()), '');
  assert.equal(zoneKey(node({ labels: { 'topology.kubernetes.io/region': 'r', 'topology.kubernetes.io/zone': 'z' } })), 'r:\x00:z');
  assert.equal(zoneKey(node({ labels: { 'failure-domain.beta.kubernetes.io/zone': 'old' } })), ':\x00:old');
  const r = (s: string) => (s === '-' ? undefined : cond('Ready', s));
  const cases: [string[], string, number][] = [
    [['True', 'True'], 'Normal', 0],
    [['True', 'Unknown'], 'Normal', 1],
    [['Unknown', 'False', '-'], 'FullDisruption', 3],
    [['True', 'Unknown', 'Unknown', 'Unknown'], 'PartialDisruption', 3],
    [['True', 'True', 'Unknown', 'Unknown', 'Unknown'], 'PartialDisruption', 3],
    [['True', 'True', 'True', 'Unknown', 'Unknown', 'Unknown'], 'Normal', 3],
  ];
  for (const [statuses, state, notReady] of cases) assert.deepEqual(computeZoneState(statuses.map(r), 0.55), { state, notReady }, statuses.join(','));
});

test('the taint queue: once per episode, at its rate, retries, stops at rate 0', async () => {
  const q = new RateLimitedTaintQueue(1, 0); // one per second
  const seen: string[] = [];
  const take = (name: string) => {
    seen.push(name);
    return Promise.resolve({ done: true });
  };
  assert.equal(q.add('a', 0), true);
  assert.equal(q.add('a', 0), false, 'queued once');
  q.add('b', 0);
  await q.try(0, take);
  assert.deepEqual(seen, ['a'], 'one token');
  await q.try(500, take);
  assert.deepEqual(seen, ['a']);
  await q.try(1000, take);
  assert.deepEqual(seen, ['a', 'b']);
  assert.equal(q.add('a', 1000), false, 'processed: not again until removed');
  assert.equal(q.remove('a'), true);
  assert.equal(q.add('a', 1000), true);
  let attempts = 0;
  await q.try(5000, async () => ({ done: ++attempts > 1, retryMs: 100 }));
  assert.equal(attempts, 1);
  await q.try(5050, async () => ({ done: ++attempts > 1 }));
  assert.equal(attempts, 1, 'not before its retry time');
  await q.try(6200, async () => ({ done: ++attempts > 1 }));
  assert.equal(attempts, 2);
  q.remove('a');
  q.add('c', 7000);
  q.swapLimiter(0, 7000);
  await q.try(100_000, take);
  assert.ok(!seen.includes('c'), 'rate 0 hands nothing out');
});

test('matching tolerations and toleration time', () => {
  const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
  const notReady: Taint = { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' };
  const cases: [string, Taint[], Parameters<typeof matchingTolerations>[1], boolean, number][] = [
    ['no tolerations', [unreachable], undefined, false, 0],
    ['forever', [unreachable], [{ key: unreachable.key, operator: 'Exists', effect: 'NoExecute' }], true, -1],
    ['300 s', [unreachable], [{ key: unreachable.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }], true, 300_000],
    [
      'the shortest of the used ones',
      [unreachable, notReady],
      [
        { key: notReady.key, operator: 'Exists', tolerationSeconds: 20 },
        { key: unreachable.key, operator: 'Exists', tolerationSeconds: 60 },
      ],
      true,
      20_000,
    ],
    ['one taint untolerated', [unreachable, notReady], [{ key: unreachable.key, operator: 'Exists' }], false, 0],
    ['zero seconds: now', [unreachable], [{ operator: 'Exists', tolerationSeconds: 0 }], true, 0],
    ['wildcard toleration', [unreachable, notReady], [{ operator: 'Exists' }], true, -1],
  ];
  for (const [name, taints, tolerations, all, ms] of cases) {
    const m = matchingTolerations(taints, tolerations);
    assert.equal(m.allTolerated, all, name);
    if (all) assert.equal(minTolerationMs(m.used), ms, name);
  }
});

test('node health: silence past the grace period turns kubelet conditions Unknown', () => {
  const t = new NodeHealthTracker(40_000, 60_000);
  const t0 = Date.parse('2024-01-01T00:00:00Z');
  const text = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const ready = node({ conditions: [cond('MemoryPressure', 'False'), cond('Ready', 'True'), cond('NetworkUnavailable', 'False')] });
  const lease = (renew: number): Lease => ({ spec: { renewTime: new Date(renew).toISOString() } });

  assert.equal(t.check(ready, lease(t0), t0, text(t0)).newStatus, undefined);
  // Lease renewals keep it alive although the status never moves.
  assert.equal(t.check(ready, lease(t0 + 30_000), t0 + 30_000, text(t0 + 30_000)).newStatus, undefined);
  assert.equal(t.check(ready, lease(t0 + 30_000), t0 + 70_000, text(t0 + 70_000)).newStatus, undefined, 'exactly at the grace period: still fine');
  const stale = t.check(ready, lease(t0 + 30_000), t0 + 70_001, text(t0 + 70_001));
  assert.equal(stale.observedReady.status, 'True');
  assert.equal(stale.currentReady?.status, 'Unknown');
  const byType = Object.fromEntries(stale.newStatus!.conditions!.map((c) => [c.type, c]));
  assert.deepEqual([byType.Ready!.reason, byType.Ready!.message], ['NodeStatusUnknown', 'Kubelet stopped posting node status.']);
  assert.equal(byType.MemoryPressure!.status, 'Unknown');
  assert.equal(byType.NetworkUnavailable!.status, 'False', 'not the kubelet’s condition');
  assert.equal(byType.DiskPressure!.reason, 'NodeStatusNeverUpdated', 'missing ones are added');
  assert.equal(byType.DiskPressure!.message, 'Kubelet never posted node status.');
  t.wrote('n', stale.newStatus!, t0 + 70_001);
  const written = { ...ready, status: stale.newStatus };
  assert.equal(t.check(written, lease(t0 + 30_000), t0 + 75_000, text(t0 + 75_000)).newStatus, undefined, 'written once');
  // The lease moves again: alive.
  const back = t.check(written, lease(t0 + 76_000), t0 + 76_000, text(t0 + 76_000));
  assert.equal(back.newStatus, undefined);
  assert.equal(back.observedReady.status, 'Unknown');
});

test('node health: a node that never reported gets the startup grace period from its creation', () => {
  const t = new NodeHealthTracker(40_000, 60_000);
  const created = Date.parse('2024-01-01T00:00:00Z');
  const fresh = node({ created: '2024-01-01T00:00:00Z' });
  assert.equal(t.check(fresh, undefined, created + 59_000, 'x').newStatus, undefined);
  const stale = t.check(fresh, undefined, created + 61_000, '2024-01-01T00:01:01Z');
  assert.deepEqual(
    stale.newStatus!.conditions!.map((c) => [c.type, c.status, c.reason, c.lastHeartbeatTime]),
    ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].map((type) => [type, 'Unknown', 'NodeStatusNeverUpdated', '2024-01-01T00:00:00Z']),
  );
});
