// Choosing victims on one node (upstream SelectVictimsOnNode, filterPodsWithPDBViolation,
// MoreImportantPod, and the per-node outcomes of upstream's TestDryRunPreemption): every pod of
// lower priority is taken away, then given back most important first, PDB-protected ones before
// the others, as long as the preemptor still fits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { buildProfiles } from '../../../../src/scheduler/config.js';
import { CycleState, Framework } from '../../../../src/scheduler/framework/framework.js';
import { cloneNodeInfo, newNodeInfo, newPodInfo, snapshotOf } from '../../../../src/scheduler/framework/node-info.js';
import { unschedulable, type NodeInfo, type PostFilterContext } from '../../../../src/scheduler/framework/types.js';
import {
  ERR_NO_VICTIMS,
  moreImportant,
  priorityOf,
  selectVictimsOnNode,
  splitByPDBViolation,
  startTimeOf,
} from '../../../../src/scheduler/plugins/defaultpreemption/victims.js';
import { IN_TREE_PLUGINS } from '../../../../src/scheduler/registry.js';

const HOST = 'kubernetes.io/hostname';
const LOW = 0;
const MID = 100;
const HIGH = 1000;

// upstream's fixtures: small/medium/large/veryLarge requests, nodes of veryLargeRes.
const SMALL = { cpu: '100m', memory: '100' };
const MEDIUM = { cpu: '200m', memory: '200' };
const LARGE = { cpu: '300m', memory: '300' };
const VERY_LARGE = { cpu: '500m', memory: '500' };

const node = (name: string, allocatable: Record<string, string> = VERY_LARGE): Node => ({
  metadata: { name, labels: { [HOST]: name } },
  status: { allocatable: { pods: '32', ...allocatable } },
});

interface PodOpts {
  priority?: number;
  req?: Record<string, string>;
  labels?: Record<string, string>;
  /** Seconds after the epoch. */
  start?: number;
  ns?: string;
  antiAffinityTo?: Record<string, string>;
}

function pod(name: string, o: PodOpts = {}): Pod {
  return {
    metadata: { name, namespace: o.ns ?? 'default', uid: name, labels: o.labels },
    spec: {
      priority: o.priority ?? 0,
      containers: [{ name: 'c', image: 'x', ...(o.req ? { resources: { requests: o.req } } : {}) }],
      ...(o.antiAffinityTo
        ? { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: HOST, labelSelector: { matchLabels: o.antiAffinityTo } }] } } }
        : {}),
    },
    status: o.start === undefined ? {} : { startTime: new Date(o.start * 1000).toISOString() },
  };
}

const pdb = (matchLabels: Record<string, string> | undefined, disruptionsAllowed: number, extra: Partial<PodDisruptionBudget> = {}): PodDisruptionBudget => ({
  metadata: { name: 'pdb', namespace: 'default' },
  spec: matchLabels ? { selector: { matchLabels } } : {},
  status: { disruptionsAllowed, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
  ...extra,
});

/** The PostFilterContext the default profile's framework gives its PostFilter plugins. */
function contextOf(infos: NodeInfo[], nominated: Record<string, Pod[]> = {}): { fw: Framework; ctx: PostFilterContext } {
  const base = buildProfiles({}, IN_TREE_PLUGINS).profiles[0]!;
  let ctx: PostFilterContext | undefined;
  const fw = new Framework('test', {
    ...base.plugins,
    postFilter: [
      {
        name: 'Capture',
        postFilter: (_s, _p, _f, c) => {
          ctx = c;
          return { status: unschedulable() };
        },
      },
    ],
  });
  fw.setNominatedPods((n) => (nominated[n] ?? []).map(newPodInfo));
  const snapshot = snapshotOf(infos);
  fw.runPostFilter(new CycleState(), pod('x'), new Map(), snapshot);
  return { fw, ctx: ctx! };
}

/** PreFilter the preemptor, then select victims on (a copy of) the named node. */
function victimsOn(infos: NodeInfo[], nodeName: string, preemptor: Pod, pdbs: PodDisruptionBudget[] = [], nominated: Record<string, Pod[]> = {}) {
  const { fw, ctx } = contextOf(infos, nominated);
  const state = new CycleState();
  const pre = fw.runPreFilter(state, preemptor, snapshotOf(infos));
  assert.equal(pre.code, 'Success', pre.reasons.join(', '));
  const info = infos.find((i) => i.node.metadata!.name === nodeName)!;
  const r = selectVictimsOnNode(ctx, fw.cloneState(state), preemptor, cloneNodeInfo(info), pdbs);
  return {
    names: r.victims?.pods.map((p) => p.metadata!.name),
    numPDBViolations: r.victims?.numPDBViolations,
    status: r.status && { code: r.status.code, reasons: r.status.reasons },
  };
}

describe('priorityOf, startTimeOf, moreImportant', () => {
  it('priorityOf: spec.priority, 0 when unset', () => {
    assert.equal(priorityOf(pod('a', { priority: -5 })), -5);
    assert.equal(priorityOf({ spec: { containers: [] } }), 0);
    assert.equal(priorityOf({}), 0);
  });

  it('startTimeOf: status.startTime; not started (or unparseable) counts as now', () => {
    assert.equal(startTimeOf(pod('a', { start: 5 })), 5000);
    assert.equal(startTimeOf(pod('a'), 42), 42);
    assert.equal(startTimeOf({ status: { startTime: 'not a time' } }, 42), 42);
  });

  const cases: { name: string; a: Pod; b: Pod; want: 'a' | 'b' | 'tie' }[] = [
    { name: 'higher priority is more important', a: pod('a', { priority: 10, start: 9 }), b: pod('b', { priority: 5, start: 1 }), want: 'a' },
    { name: 'lower priority is less important', a: pod('a', { priority: -1 }), b: pod('b', { priority: 0 }), want: 'b' },
    { name: 'same priority: the one started earlier', a: pod('a', { priority: 5, start: 3 }), b: pod('b', { priority: 5, start: 2 }), want: 'b' },
    { name: 'same priority and start: a tie', a: pod('a', { priority: 5, start: 3 }), b: pod('b', { priority: 5, start: 3 }), want: 'tie' },
    { name: 'a started pod is more important than one not started', a: pod('a', { start: 1 }), b: pod('b'), want: 'a' },
  ];
  for (const c of cases) {
    it(`moreImportant: ${c.name}`, () => {
      const d = moreImportant(c.a, c.b);
      assert.equal(d < 0 ? 'a' : d > 0 ? 'b' : 'tie', c.want);
    });
  }

  it('moreImportant sorts most important first', () => {
    const pods = [pod('low-late', { priority: 1, start: 9 }), pod('high', { priority: 9, start: 5 }), pod('low-early', { priority: 1, start: 1 })];
    assert.deepEqual(
      pods.sort(moreImportant).map((p) => p.metadata!.name),
      ['high', 'low-early', 'low-late'],
    );
  });
});

describe('splitByPDBViolation', () => {
  const app = (name: string, extra: PodOpts = {}) => newPodInfo(pod(name, { labels: { app: 'foo' }, ...extra }));
  const cases: { name: string; pods: ReturnType<typeof app>[]; pdbs: PodDisruptionBudget[]; violating: string[] }[] = [
    { name: 'no budgets: nobody violates', pods: [app('a'), app('b')], pdbs: [], violating: [] },
    { name: 'budget of 1: the first goes, the second violates (order kept)', pods: [app('a'), app('b'), app('c')], pdbs: [pdb({ app: 'foo' }, 1)], violating: ['b', 'c'] },
    { name: 'budget of 0: the first already violates', pods: [app('a')], pdbs: [pdb({ app: 'foo' }, 0)], violating: ['a'] },
    { name: 'budget without status: 0 allowed', pods: [app('a')], pdbs: [{ metadata: { namespace: 'default' }, spec: { selector: { matchLabels: { app: 'foo' } } } }], violating: ['a'] },
    { name: 'a budget in another namespace does not cover the pod', pods: [app('a')], pdbs: [pdb({ app: 'foo' }, 0, { metadata: { name: 'x', namespace: 'other' } })], violating: [] },
    { name: 'a non-matching selector', pods: [app('a')], pdbs: [pdb({ app: 'bar' }, 0)], violating: [] },
    { name: 'an empty selector protects nothing (upstream)', pods: [app('a')], pdbs: [pdb({}, 0)], violating: [] },
    { name: 'no selector at all protects nothing', pods: [app('a')], pdbs: [pdb(undefined, 0)], violating: [] },
    {
      name: 'an invalid selector is skipped',
      pods: [app('a')],
      pdbs: [{ ...pdb({}, 0), spec: { selector: { matchExpressions: [{ key: 'app', operator: 'Bogus' }] } } }],
      violating: [],
    },
    {
      name: 'a pod without labels matches no budget, even one that selects label absence',
      pods: [newPodInfo(pod('bare'))],
      pdbs: [{ ...pdb({}, 0), spec: { selector: { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] } } }],
      violating: [],
    },
    {
      name: 'a pod already in disruptedPods is not counted and spends nothing',
      pods: [app('a'), app('b')],
      pdbs: [pdb({ app: 'foo' }, 1, { status: { disruptionsAllowed: 1, disruptedPods: { a: '2024-01-01T00:00:00Z' }, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 } })],
      violating: [],
    },
    {
      name: 'disruptedPods naming another pod changes nothing',
      pods: [app('a'), app('b')],
      pdbs: [pdb({ app: 'foo' }, 1, { status: { disruptionsAllowed: 1, disruptedPods: { zzz: '2024-01-01T00:00:00Z' }, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 } })],
      violating: ['b'],
    },
    {
      name: 'two budgets on the same pod: one exhausted is enough to violate',
      pods: [newPodInfo(pod('a', { labels: { app: 'foo', tier: 'db' } }))],
      pdbs: [pdb({ app: 'foo' }, 5), pdb({ tier: 'db' }, 0)],
      violating: ['a'],
    },
    {
      name: 'budgets are spent per matching budget only',
      pods: [newPodInfo(pod('a', { labels: { app: 'foo' } })), newPodInfo(pod('b', { labels: { app: 'bar' } })), newPodInfo(pod('c', { labels: { app: 'foo' } }))],
      pdbs: [pdb({ app: 'foo' }, 1), pdb({ app: 'bar' }, 1)],
      violating: ['c'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { violating, nonViolating } = splitByPDBViolation(c.pods, c.pdbs);
      assert.deepEqual(
        violating.map((p) => p.pod.metadata!.name),
        c.violating,
      );
      assert.deepEqual(
        nonViolating.map((p) => p.pod.metadata!.name),
        c.pods.map((p) => p.pod.metadata!.name!).filter((n) => !c.violating.includes(n)),
      );
    });
  }

  it('does not change the budgets it reads', () => {
    const budgets = [pdb({ app: 'foo' }, 1)];
    splitByPDBViolation([app('a'), app('b')], budgets);
    assert.equal(budgets[0]!.status!.disruptionsAllowed, 1);
  });
});

describe('selectVictimsOnNode', () => {
  const preemptor = (req: Record<string, string>, priority = HIGH, extra: PodOpts = {}) => pod('preemptor', { priority, req, ...extra });

  const cases: {
    name: string;
    pods: Pod[];
    preemptor: Pod;
    pdbs?: PodDisruptionBudget[];
    node?: Node;
    want: { names?: string[]; numPDBViolations?: number; status?: { code: string; reasons: string[] } };
  }[] = [
    {
      name: 'upstream: medium priority pod is preempted, but lower priority one stays as it is small',
      pods: [pod('p1.1', { priority: LOW, req: SMALL }), pod('p1.2', { priority: MID, req: LARGE })],
      preemptor: preemptor(LARGE),
      want: { names: ['p1.2'], numPDBViolations: 0 },
    },
    {
      name: 'upstream: mixed priority pods are preempted (the equal-priority one is never a victim)',
      pods: [
        pod('p1.1', { priority: MID, req: SMALL, start: 1 }),
        pod('p1.2', { priority: LOW, req: SMALL, start: 1 }),
        pod('p1.3', { priority: MID, req: MEDIUM, start: 1 }),
        pod('p1.4', { priority: HIGH, req: SMALL, start: 1 }),
      ],
      preemptor: preemptor(LARGE),
      want: { names: ['p1.3', 'p1.2'], numPDBViolations: 0 },
    },
    {
      name: 'upstream: equal priorities, the later-started pod is the victim',
      pods: [
        pod('p1.1', { priority: LOW, req: SMALL, start: 5 }),
        pod('p1.2', { priority: LOW, req: SMALL, start: 4 }),
        pod('p1.3', { priority: MID, req: MEDIUM, start: 3 }),
        pod('p1.4', { priority: HIGH, req: SMALL, start: 2 }),
      ],
      preemptor: preemptor(LARGE),
      want: { names: ['p1.3', 'p1.1'], numPDBViolations: 0 },
    },
    {
      name: 'the two lowest of four 1-cpu pods make room for 2 cpu, most important first',
      node: node('node1', { cpu: '4', memory: '8Gi' }),
      pods: [1, 2, 3, 4].map((p) => pod(`prio-${p}`, { priority: p, req: { cpu: '1' }, start: 1 })),
      preemptor: pod('preemptor', { priority: 10, req: { cpu: '2' } }),
      want: { names: ['prio-2', 'prio-1'], numPDBViolations: 0 },
    },
    {
      name: 'upstream: pod with anti-affinity is preempted (InterPodAffinity RemovePod/AddPod)',
      pods: [
        pod('p1.1', { priority: LOW, req: SMALL, labels: { foo: '' }, antiAffinityTo: { foo: '' } }),
        pod('p1.2', { priority: MID, req: SMALL }),
        pod('p1.3', { priority: HIGH, req: SMALL }),
      ],
      preemptor: preemptor(SMALL, HIGH, { labels: { foo: '' } }),
      want: { names: ['p1.1'], numPDBViolations: 0 },
    },
    {
      name: 'upstream: preemption with violation of same pdb',
      pods: [pod('p1.1', { priority: MID, req: MEDIUM, labels: { app: 'foo' }, start: 1 }), pod('p1.2', { priority: MID, req: MEDIUM, labels: { app: 'foo' }, start: 2 })],
      preemptor: preemptor(VERY_LARGE),
      pdbs: [pdb({ app: 'foo' }, 1)],
      want: { names: ['p1.1', 'p1.2'], numPDBViolations: 1 },
    },
    {
      name: 'upstream: the pdb counts a processed eviction of another pod: still one violation',
      pods: [pod('p1.1', { priority: MID, req: MEDIUM, labels: { app: 'foo' }, start: 1 }), pod('p1.2', { priority: MID, req: MEDIUM, labels: { app: 'foo' }, start: 2 })],
      preemptor: preemptor(VERY_LARGE),
      pdbs: [pdb({ app: 'foo' }, 1, { status: { disruptionsAllowed: 1, disruptedPods: { p2: '2024-01-01T00:00:00Z' }, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 } })],
      want: { names: ['p1.1', 'p1.2'], numPDBViolations: 1 },
    },
    {
      name: 'upstream: a victim already in disruptedPods is no violation',
      pods: [pod('p1.1', { priority: MID, req: MEDIUM, labels: { app: 'foo' }, start: 1 }), pod('p1.2', { priority: MID, req: MEDIUM, labels: { app: 'foo' }, start: 2 })],
      preemptor: preemptor(VERY_LARGE),
      pdbs: [pdb({ app: 'foo' }, 1, { status: { disruptionsAllowed: 1, disruptedPods: { 'p1.2': '2024-01-01T00:00:00Z' }, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 } })],
      want: { names: ['p1.1', 'p1.2'], numPDBViolations: 0 },
    },
    {
      name: 'upstream: the victim in disruptedPods is non-violating, the others still spend the budget',
      pods: [
        pod('p1.1', { priority: MID, req: MEDIUM, labels: { app: 'foo' }, start: 1 }),
        pod('p1.2', { priority: MID, req: MEDIUM, labels: { app: 'foo' }, start: 2 }),
        pod('p1.3', { priority: MID, req: MEDIUM, labels: { app: 'foo' }, start: 3 }),
      ],
      node: node('node1', { cpu: '600m', memory: '600' }),
      preemptor: pod('preemptor', { priority: HIGH, req: { cpu: '600m', memory: '600' } }),
      pdbs: [pdb({ app: 'foo' }, 1, { status: { disruptionsAllowed: 1, disruptedPods: { 'p1.3': '2024-01-01T00:00:00Z' }, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 } })],
      want: { names: ['p1.1', 'p1.2', 'p1.3'], numPDBViolations: 1 },
    },
    {
      // Without the budget the more important p-mid would be given back and p-low evicted.
      name: 'PDB-protected pods are given back first',
      node: node('node1', { cpu: '2', memory: '8Gi' }),
      pods: [pod('p-low', { priority: 1, req: { cpu: '1' }, labels: { app: 'db' } }), pod('p-mid', { priority: 2, req: { cpu: '1' } })],
      preemptor: pod('preemptor', { priority: 10, req: { cpu: '1' } }),
      pdbs: [pdb({ app: 'db' }, 0)],
      want: { names: ['p-mid'], numPDBViolations: 0 },
    },
    {
      name: 'without the budget the least important goes',
      node: node('node1', { cpu: '2', memory: '8Gi' }),
      pods: [pod('p-low', { priority: 1, req: { cpu: '1' }, labels: { app: 'db' } }), pod('p-mid', { priority: 2, req: { cpu: '1' } })],
      preemptor: pod('preemptor', { priority: 10, req: { cpu: '1' } }),
      want: { names: ['p-low'], numPDBViolations: 0 },
    },
    {
      name: 'upstream: pods of equal or higher priority are never victims',
      pods: [pod('p1', { priority: HIGH, req: LARGE }), pod('p2', { priority: HIGH + 1, req: SMALL })],
      preemptor: preemptor(LARGE),
      want: { status: { code: 'UnschedulableAndUnresolvable', reasons: [ERR_NO_VICTIMS] } },
    },
    {
      name: 'upstream: not enough room even without every lower-priority pod',
      pods: [pod('p1', { priority: LOW, req: SMALL })],
      node: node('node1', { cpu: '200m', memory: '400' }),
      preemptor: preemptor(LARGE),
      want: { status: { code: 'Unschedulable', reasons: ['Insufficient cpu'] } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const infos = [newNodeInfo(c.node ?? node('node1'), c.pods)];
      const got = victimsOn(infos, 'node1', c.preemptor, c.pdbs);
      const want = { names: c.want.names, numPDBViolations: c.want.numPDBViolations, status: c.want.status };
      assert.deepEqual(got, want);
    });
  }

  it('upstream: preemption to resolve a pod topology spread filter failure, per node', () => {
    const zoned = (name: string, zone: string): Node => ({ metadata: { name, labels: { [HOST]: name, zone } }, status: { allocatable: { pods: '32', ...VERY_LARGE } } });
    const foo = (name: string, priority: number) => pod(name, { priority, labels: { foo: '' } });
    const infos = [
      newNodeInfo(zoned('node-a', 'zone1'), [foo('pod-a1', MID), foo('pod-a2', LOW)]),
      newNodeInfo(zoned('node-b', 'zone1'), [foo('pod-b1', LOW)]),
      newNodeInfo(zoned('node-x', 'zone2'), [foo('pod-x1', HIGH), foo('pod-x2', HIGH)]),
    ];
    const spread = (topologyKey: string) => ({ maxSkew: 1, topologyKey, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchExpressions: [{ key: 'foo', operator: 'Exists' }] } });
    const p: Pod = { ...foo('p', HIGH), spec: { ...foo('p', HIGH).spec!, topologySpreadConstraints: [spread('zone'), spread(HOST)] } };
    assert.deepEqual(victimsOn(infos, 'node-a', p).names, ['pod-a2']);
    assert.deepEqual(victimsOn(infos, 'node-b', p).names, ['pod-b1']);
    assert.deepEqual(victimsOn(infos, 'node-x', p).status, { code: 'UnschedulableAndUnresolvable', reasons: [ERR_NO_VICTIMS] });
  });

  it('a nominated pod of higher priority keeps its room: evicting cannot make enough', () => {
    const infos = [newNodeInfo(node('node1', { cpu: '2', memory: '8Gi' }), [pod('victim', { priority: 1, req: { cpu: '1' } })])];
    const preemptor = pod('preemptor', { priority: 10, req: { cpu: '2' } });
    const holder = (priority: number) => ({ node1: [pod('nominated', { priority, req: { cpu: '1' } })] });
    assert.deepEqual(victimsOn(infos, 'node1', preemptor, [], holder(20)).status, { code: 'Unschedulable', reasons: ['Insufficient cpu'] });
    assert.deepEqual(victimsOn(infos, 'node1', preemptor, [], holder(5)).names, ['victim'], 'a lower-priority nomination does not count');
  });

  it('changes the copies it is given: the victims end up removed from the NodeInfo', () => {
    const infos = [newNodeInfo(node('node1', { cpu: '4', memory: '8Gi' }), [1, 2, 3, 4].map((p) => pod(`prio-${p}`, { priority: p, req: { cpu: '1' } })))];
    const { fw, ctx } = contextOf(infos);
    const preemptor = pod('preemptor', { priority: 10, req: { cpu: '2' } });
    const state = new CycleState();
    fw.runPreFilter(state, preemptor, snapshotOf(infos));
    const copy = cloneNodeInfo(infos[0]!);
    selectVictimsOnNode(ctx, fw.cloneState(state), preemptor, copy, []);
    assert.deepEqual(copy.pods.map((p) => p.pod.metadata!.name).sort(), ['prio-3', 'prio-4']);
    assert.equal(copy.requested.milliCpu, 2000);
    assert.equal(infos[0]!.pods.length, 4, 'the original is untouched');
    assert.equal(infos[0]!.requested.milliCpu, 4000);
  });
});
