// DefaultPreemption.postFilter through the framework (upstream TestPostFilter, TestPreempt,
// TestSelectBestCandidate, TestDryRunPreemption's candidate bounds, TestPodEligibleToPreemptOthers
// and ValidateDefaultPreemptionArgs): who may preempt, which node and victims are chosen, the
// FitError-style message when preemption cannot help, and the nominations to clear.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { buildProfiles, type SchedulerConfiguration } from '../../../../src/scheduler/config.js';
import { CycleState, Framework, findNodesThatFit } from '../../../../src/scheduler/framework/framework.js';
import { newNodeInfo, snapshotOf } from '../../../../src/scheduler/framework/node-info.js';
import { SUCCESS, unresolvable, unschedulable, type NodeInfo, type PreFilterPlugin, type Status } from '../../../../src/scheduler/framework/types.js';
import { EMPTY_HANDLE } from '../../../../src/scheduler/handle.js';
import { DefaultPreemption, type DefaultPreemptionArgs } from '../../../../src/scheduler/plugins/defaultpreemption/plugin.js';
import { Nominator } from '../../../../src/scheduler/queue/nominator.js';
import { IN_TREE_PLUGINS } from '../../../../src/scheduler/registry.js';

const HOST = 'kubernetes.io/hostname';
const NEG = -100;
const LOW = 0;
const MID = 100;
const HIGH = 1000;
const VERY_HIGH = 10000;
const SMALL = { cpu: '100m', memory: '100' };
const MEDIUM = { cpu: '200m', memory: '200' };
const LARGE = { cpu: '300m', memory: '300' };
const VERY_LARGE = { cpu: '500m', memory: '500' };
const ONE_POD = { pods: '1' };
const NODE_RES = { cpu: '200m', memory: '400' };

/** A node; `name` may be `host/zone` as in upstream's fixtures (labels hostname and zone). */
function node(spec: string, allocatable: Record<string, string> = VERY_LARGE, labels: Record<string, string> = {}): Node {
  const [name, zone] = spec.split('/');
  return { metadata: { name, labels: { [HOST]: name!, ...(zone ? { zone } : {}), ...labels } }, status: { allocatable: { pods: '32', ...allocatable } } };
}

interface PodOpts {
  priority?: number;
  req?: Record<string, string>;
  labels?: Record<string, string>;
  /** Seconds after the epoch. */
  start?: number;
  nominated?: string;
  terminating?: boolean;
  condition?: PodCondition;
  preemptionPolicy?: string;
  spec?: Partial<Pod['spec']>;
}

function pod(name: string, o: PodOpts = {}): Pod {
  return {
    metadata: { name, namespace: 'default', uid: name, labels: o.labels, ...(o.terminating ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: {
      priority: o.priority ?? 0,
      containers: [{ name: 'c', image: 'x', ...(o.req ? { resources: { requests: o.req } } : {}) }],
      ...(o.preemptionPolicy ? { preemptionPolicy: o.preemptionPolicy } : {}),
      ...o.spec,
    },
    status: {
      ...(o.start === undefined ? {} : { startTime: new Date(o.start * 1000).toISOString() }),
      ...(o.nominated ? { nominatedNodeName: o.nominated } : {}),
      ...(o.condition ? { conditions: [o.condition] } : {}),
    },
  };
}

const pdb = (matchLabels: Record<string, string>, disruptionsAllowed: number): PodDisruptionBudget => ({
  metadata: { name: `pdb-${Object.values(matchLabels).join('-')}`, namespace: 'default' },
  spec: { selector: { matchLabels } },
  status: { disruptionsAllowed, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
});

/** [node, pods on it] pairs as NodeInfos. */
const cluster = (layout: [Node, ...Pod[]][]): NodeInfo[] => layout.map(([n, ...pods]) => newNodeInfo(n, pods));

interface FrameworkOpts {
  pdbs?: PodDisruptionBudget[];
  args?: DefaultPreemptionArgs;
  /** The dry run's random start (upstream getOffsetRand); 0 starts at the first node. */
  random?: () => number;
  /** Pods with status.nominatedNodeName, fed to the nominator. */
  nominated?: Pod[];
  extraPreFilter?: PreFilterPlugin;
}

/** The default profile with a DefaultPreemption built from `o`. */
function framework(o: FrameworkOpts = {}): Framework {
  const base = buildProfiles({}, IN_TREE_PLUGINS).profiles[0]!;
  const preemption = new DefaultPreemption({ ...o.args, podDisruptionBudgets: () => o.pdbs ?? [], random: o.random ?? (() => 0) });
  const preFilter = o.extraPreFilter ? [...base.plugins.preFilter, o.extraPreFilter] : base.plugins.preFilter;
  const fw = new Framework('default-scheduler', { ...base.plugins, preFilter, postFilter: [preemption] });
  const nominator = new Nominator();
  for (const p of o.nominated ?? []) nominator.observe(p);
  fw.setNominatedPods((n) => nominator.podsOn(n));
  return fw;
}

/**
 * A scheduling attempt that fails everywhere, then PostFilter. `failures` replaces the Filter
 * results (as upstream's tests give filteredNodesStatuses); otherwise they come from Filter.
 */
function attempt(fw: Framework, preemptor: Pod, infos: NodeInfo[], failures?: Record<string, Status>) {
  const snapshot = snapshotOf(infos);
  const state = new CycleState();
  let f: Map<string, Status>;
  if (failures) {
    assert.equal(fw.runPreFilter(state, preemptor, snapshot).code, 'Success');
    f = new Map(Object.entries(failures));
  } else {
    const fit = findNodesThatFit(fw, state, preemptor, snapshot, 0);
    assert.deepEqual(
      fit.feasible.map((i) => i.node.metadata!.name),
      [],
      'the preemptor must fit nowhere',
    );
    f = fit.failures;
  }
  const r = fw.runPostFilter(state, preemptor, f, snapshot)!;
  return {
    code: r.status.code,
    message: r.status.reasons.join('; '),
    plugin: r.status.plugin,
    nominated: r.nominatedNodeName,
    victims: r.victims?.map((p) => p.metadata!.name),
    clear: r.clearNomination?.map((p) => p.metadata!.name),
    state,
  };
}

const U = unschedulable();
const UU = unresolvable();

describe('DefaultPreemption.postFilter (upstream TestPostFilter)', () => {
  it('pod with higher priority can be made schedulable', () => {
    const r = attempt(framework(), pod('p', { priority: HIGH }), cluster([[node('node1', ONE_POD), pod('p1')]]));
    assert.deepEqual([r.code, r.nominated, r.victims, r.plugin], ['Success', 'node1', ['p1'], 'DefaultPreemption']);
  });

  const unhelpful: { name: string; preemptor: Pod; layout: [Node, ...Pod[]][]; failures?: Record<string, Status>; message: string }[] = [
    {
      name: 'pod with tied priority is still unschedulable',
      preemptor: pod('p'),
      layout: [[node('node1', ONE_POD), pod('p1')]],
      message: 'preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
    },
    {
      name: 'preemption respects the filter statuses (UnschedulableAndUnresolvable)',
      preemptor: pod('p', { priority: HIGH }),
      layout: [[node('node1', ONE_POD), pod('p1')]],
      failures: { node1: UU },
      message: 'preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    },
    {
      name: 'a node absent from the statuses counts as UnschedulableAndUnresolvable',
      preemptor: pod('p', { priority: HIGH }),
      layout: [[node('node1', ONE_POD), pod('p1')]],
      failures: {},
      message: 'preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    },
    {
      name: 'no candidate nodes: not enough resource after removing low priority pods',
      preemptor: pod('p', { priority: HIGH, req: LARGE }),
      layout: [
        [node('node1', NODE_RES), pod('p1')],
        [node('node2', NODE_RES), pod('p2')],
      ],
      message: 'preemption: 0/2 nodes are available: 2 Insufficient cpu.',
    },
    {
      name: 'no candidate nodes with mixed reasons: no lower priority pod, not enough cpu',
      preemptor: pod('p', { priority: HIGH, req: LARGE }),
      layout: [
        [node('node1', ONE_POD), pod('p1', { priority: HIGH })],
        [node('node2', NODE_RES), pod('p2')],
        [node('node3', ONE_POD), pod('p3', { priority: HIGH })],
      ],
      message: 'preemption: 0/3 nodes are available: 1 Insufficient cpu, 2 No preemption victims found for incoming pod.',
    },
    {
      name: 'mixed: 2 UnschedulableAndUnresolvable nodes (one absent) and 2 without enough cpu',
      preemptor: pod('p', { priority: HIGH, req: LARGE }),
      layout: [[node('node1', NODE_RES), pod('p1')], [node('node2', NODE_RES), pod('p2')], [node('node3', NODE_RES)], [node('node4', NODE_RES)]],
      failures: { node1: U, node2: U, node4: UU },
      message: 'preemption: 0/4 nodes are available: 2 Insufficient cpu, 2 Preemption is not helpful for scheduling.',
    },
    {
      name: 'every node rejected for good (node selector): preemption cannot help anywhere',
      preemptor: pod('p', { priority: HIGH, spec: { nodeSelector: { disk: 'ssd' } } }),
      layout: [[node('node1'), pod('p1')], [node('node2')], [node('node3')]],
      message: 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    },
  ];
  for (const c of unhelpful) {
    it(c.name, () => {
      const r = attempt(framework(), c.preemptor, cluster(c.layout), c.failures);
      assert.deepEqual({ code: r.code, message: r.message, nominated: r.nominated, victims: r.victims }, { code: 'Unschedulable', message: c.message, nominated: '', victims: undefined });
    });
  }

  it('pod can be made schedulable on one node (the other runs a higher-priority pod)', () => {
    const r = attempt(
      framework(),
      pod('p', { priority: MID }),
      cluster([
        [node('node1', ONE_POD), pod('p1', { priority: HIGH })],
        [node('node2', ONE_POD), pod('p2', { priority: LOW })],
      ]),
    );
    assert.deepEqual([r.code, r.nominated, r.victims], ['Success', 'node2', ['p2']]);
  });

  it('pod can be made schedulable on the minHighestPriority node (PDB violations tie)', () => {
    const violating = { 'test/pdb': 'violating' };
    const nonViolating = { 'test/pdb': 'non-violating' };
    const fw = framework({ pdbs: [pdb(violating, 0), pdb(nonViolating, 2 ** 31 - 1)] });
    const r = attempt(
      fw,
      pod('p', { priority: VERY_HIGH }),
      cluster([
        [node('node1', ONE_POD), pod('p1', { priority: HIGH, labels: nonViolating }), pod('p2', { priority: LOW, labels: violating })],
        [node('node2', ONE_POD), pod('p3', { priority: MID, labels: violating })],
      ]),
    );
    assert.deepEqual([r.code, r.nominated, r.victims], ['Success', 'node2', ['p3']]);
  });

  const testPlugin: PreFilterPlugin = {
    name: 'test-plugin',
    preFilter: () => SUCCESS,
    addPod: (_s, p, _a, n) => (n.node.metadata?.labels?.error === 'true' ? { code: 'Error', reasons: [`failed to add pod: ${p.metadata!.name}`] } : SUCCESS),
    removePod: (_s, p, _r, n) => (n.node.metadata?.labels?.error === 'true' ? { code: 'Error', reasons: [`failed to remove pod: ${p.metadata!.name}`] } : SUCCESS),
  };

  it('one node fails with a PreFilter extension error, the other is still chosen', () => {
    const r = attempt(
      framework({ extraPreFilter: testPlugin }),
      pod('p', { priority: HIGH, req: LARGE }),
      cluster([
        [node('node1', LARGE, { error: 'true' }), pod('p1')],
        [node('node2', LARGE), pod('p2', { req: MEDIUM })],
      ]),
      { node1: U, node2: U },
    );
    assert.deepEqual([r.code, r.nominated, r.victims], ['Success', 'node2', ['p2']]);
  });

  // upstream: DryRunPreemption aggregates Error statuses; with no candidate Preempt returns that
  // error ("preemption: running RemovePod on PreFilter plugin ...": code Error), so the cycle
  // fails with an error (back-off) instead of the pod being parked as unschedulable.
  it('[upstream] a PreFilter extension error on the only node is an Error status, not Unschedulable', () => {
    const r = attempt(framework({ extraPreFilter: testPlugin }), pod('p', { priority: HIGH, req: LARGE }), cluster([[node('node1', LARGE, { error: 'true' }), pod('p1')]]), {
      node1: U,
    });
    assert.equal(r.code, 'Error', r.message);
    assert.match(r.message, /^preemption: .*failed to remove pod: p/);
  });

  it('no nodes at all: an error', () => {
    const r = attempt(framework(), pod('p', { priority: HIGH }), [], {});
    assert.deepEqual([r.code, r.message], ['Error', 'preemption: no nodes available']);
  });
});

describe('DefaultPreemption.postFilter: victims and node (upstream TestPreempt, TestSelectBestCandidate)', () => {
  const cases: { name: string; preemptor: Pod; layout: [Node, ...Pod[]][]; node: string; victims: string[] }[] = [
    {
      name: 'basic preemption logic (preemptionPolicy PreemptLowerPriority)',
      preemptor: pod('p', { priority: HIGH, req: VERY_LARGE, preemptionPolicy: 'PreemptLowerPriority' }),
      layout: [
        [node('node1'), pod('p1.1', { priority: LOW, req: SMALL }), pod('p1.2', { priority: LOW, req: SMALL })],
        [node('node2'), pod('p2.1', { priority: HIGH, req: LARGE })],
        [node('node3'), pod('p3.1', { priority: MID, req: MEDIUM })],
      ],
      node: 'node1',
      victims: ['p1.1', 'p1.2'],
    },
    {
      name: 'PreemptionPolicy is nil',
      preemptor: pod('p', { priority: HIGH, req: VERY_LARGE }),
      layout: [
        [node('node1'), pod('p1.1', { priority: LOW, req: SMALL }), pod('p1.2', { priority: LOW, req: SMALL })],
        [node('node2'), pod('p2.1', { priority: HIGH, req: LARGE })],
        [node('node3'), pod('p3.1', { priority: MID, req: MEDIUM })],
      ],
      node: 'node1',
      victims: ['p1.1', 'p1.2'],
    },
    {
      name: 'preemption for topology spread constraints',
      preemptor: pod('p', {
        priority: HIGH,
        labels: { foo: '' },
        spec: {
          topologySpreadConstraints: ['zone', HOST].map((topologyKey) => ({
            maxSkew: 1,
            topologyKey,
            whenUnsatisfiable: 'DoNotSchedule',
            labelSelector: { matchExpressions: [{ key: 'foo', operator: 'Exists' }] },
          })),
        },
      }),
      layout: [
        [node('node-a/zone1'), pod('p-a1', { priority: HIGH, labels: { foo: '' } }), pod('p-a2', { priority: HIGH, labels: { foo: '' } })],
        [node('node-b/zone1'), pod('p-b1', { priority: LOW, labels: { foo: '' } })],
        [node('node-x/zone2'), pod('p-x1', { priority: HIGH, labels: { foo: '' } }), pod('p-x2', { priority: HIGH, labels: { foo: '' } })],
      ],
      node: 'node-b',
      victims: ['p-b1'],
    },
    {
      name: 'node with min highest priority pod is picked',
      preemptor: pod('p', { priority: HIGH, req: VERY_LARGE }),
      layout: [
        [node('node1'), pod('p1.1', { priority: MID, req: MEDIUM, start: 0 }), pod('p1.2', { priority: MID, req: LARGE, start: 0 })],
        [node('node2'), pod('p2.1', { priority: MID, req: MEDIUM, start: 0 }), pod('p2.2', { priority: LOW, req: MEDIUM, start: 0 })],
        [node('node3'), pod('p3.1', { priority: LOW, req: MEDIUM, start: 0 }), pod('p3.2', { priority: LOW, req: MEDIUM, start: 0 })],
      ],
      node: 'node3',
      victims: ['p3.1', 'p3.2'],
    },
    {
      name: 'when highest priorities are the same, minimum sum of priorities is picked',
      preemptor: pod('p', { priority: HIGH, req: VERY_LARGE }),
      layout: [
        [node('node1'), pod('p1.1', { priority: MID, req: MEDIUM, start: 0 }), pod('p1.2', { priority: MID, req: LARGE, start: 0 })],
        [node('node2'), pod('p2.1', { priority: MID, req: LARGE, start: 0 }), pod('p2.2', { priority: LOW, req: MEDIUM, start: 0 })],
        [node('node3'), pod('p3.1', { priority: MID, req: MEDIUM, start: 0 }), pod('p3.2', { priority: MID, req: MEDIUM, start: 0 })],
      ],
      node: 'node2',
      victims: ['p2.1', 'p2.2'],
    },
    {
      name: 'sum of adjusted priorities is considered (negative priorities)',
      preemptor: pod('p', { priority: HIGH, req: VERY_LARGE }),
      layout: [
        [node('node1'), pod('p1.1', { priority: MID, req: SMALL, start: 0 }), pod('p1.2', { priority: NEG, req: SMALL, start: 0 }), pod('p1.3', { priority: NEG, req: SMALL, start: 0 })],
        [node('node2'), pod('p2.1', { priority: MID, req: LARGE, start: 0 }), pod('p2.2', { priority: NEG, req: MEDIUM, start: 0 })],
        [node('node3'), pod('p3.1', { priority: MID, req: MEDIUM, start: 0 }), pod('p3.2', { priority: NEG, req: SMALL, start: 0 }), pod('p3.3', { priority: LOW, req: SMALL, start: 0 })],
      ],
      node: 'node2',
      victims: ['p2.1', 'p2.2'],
    },
    {
      name: 'non-overlapping lowest high priority, sum priorities, and number of pods',
      preemptor: pod('p', { priority: VERY_HIGH, req: VERY_LARGE }),
      layout: [
        [node('node1'), pod('p1.1', { priority: MID, req: SMALL, start: 0 }), pod('p1.2', { priority: LOW, req: SMALL, start: 0 }), pod('p1.3', { priority: LOW, req: SMALL, start: 0 })],
        [node('node2'), pod('p2.1', { priority: HIGH, req: LARGE, start: 0 })],
        [
          node('node3'),
          pod('p3.1', { priority: MID, req: MEDIUM, start: 0 }),
          pod('p3.2', { priority: LOW, req: SMALL, start: 0 }),
          pod('p3.3', { priority: LOW, req: SMALL, start: 0 }),
          pod('p3.4', { priority: LOW, req: MEDIUM, start: 0 }),
        ],
        [
          node('node4'),
          pod('p4.1', { priority: MID, req: MEDIUM, start: 0 }),
          pod('p4.2', { priority: MID, req: SMALL, start: 0 }),
          pod('p4.3', { priority: MID, req: SMALL, start: 0 }),
          pod('p4.4', { priority: NEG, req: SMALL, start: 0 }),
        ],
      ],
      node: 'node1',
      victims: ['p1.1', 'p1.2', 'p1.3'],
    },
    {
      name: 'same priority, same number of victims, different start time for each node',
      preemptor: pod('p', { priority: HIGH, req: VERY_LARGE }),
      layout: [
        [node('node1'), pod('p1.1', { priority: MID, req: MEDIUM, start: 2 }), pod('p1.2', { priority: MID, req: MEDIUM, start: 2 })],
        [node('node2'), pod('p2.1', { priority: MID, req: MEDIUM, start: 3 }), pod('p2.2', { priority: MID, req: MEDIUM, start: 3 })],
        [node('node3'), pod('p3.1', { priority: MID, req: MEDIUM, start: 1 }), pod('p3.2', { priority: MID, req: MEDIUM, start: 1 })],
      ],
      node: 'node2',
      victims: ['p2.1', 'p2.2'],
    },
    {
      name: 'different priority, same number of victims, different start time for all pods',
      preemptor: pod('p', { priority: HIGH, req: VERY_LARGE }),
      layout: [
        [node('node1'), pod('p1.1', { priority: LOW, req: MEDIUM, start: 4 }), pod('p1.2', { priority: MID, req: MEDIUM, start: 2 })],
        [node('node2'), pod('p2.1', { priority: MID, req: MEDIUM, start: 6 }), pod('p2.2', { priority: LOW, req: MEDIUM, start: 1 })],
        [node('node3'), pod('p3.1', { priority: LOW, req: MEDIUM, start: 3 }), pod('p3.2', { priority: MID, req: MEDIUM, start: 5 })],
      ],
      node: 'node2',
      victims: ['p2.1', 'p2.2'],
    },
    {
      name: 'minimal victims: of four 1-cpu pods (priorities 1..4) the two lowest make room for 2 cpu',
      preemptor: pod('p', { priority: 10, req: { cpu: '2' } }),
      layout: [[node('node1', { cpu: '4', memory: '8Gi' }), ...[1, 2, 3, 4].map((p) => pod(`prio-${p}`, { priority: p, req: { cpu: '1' }, start: 0 }))]],
      node: 'node1',
      victims: ['prio-2', 'prio-1'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = attempt(framework(), c.preemptor, cluster(c.layout));
      assert.deepEqual({ code: r.code, node: r.nominated, victims: r.victims }, { code: 'Success', node: c.node, victims: c.victims });
    });
  }

  it('preemptionPolicy Never: not eligible, the nomination is left as it is', () => {
    const r = attempt(framework(), pod('p', { priority: HIGH, req: VERY_LARGE, preemptionPolicy: 'Never' }), cluster([[node('node1'), pod('p1', { req: SMALL })]]));
    assert.deepEqual(
      { code: r.code, message: r.message, nominated: r.nominated, victims: r.victims },
      { code: 'Unschedulable', message: 'preemption: not eligible due to preemptionPolicy=Never.', nominated: undefined, victims: undefined },
    );
  });

  it('dry runs leave the snapshot NodeInfos and the cycle state as they were', () => {
    const guard = pod('guard', { priority: LOW, req: SMALL, labels: { foo: '' } });
    guard.spec!.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: HOST, labelSelector: { matchLabels: { foo: '' } } }] } };
    const infos = cluster([
      [node('node1'), guard, pod('p1.2', { priority: MID, req: SMALL }), pod('p1.3', { priority: HIGH, req: SMALL })],
      [node('node2'), pod('p2', { priority: HIGH, req: SMALL })],
    ]);
    const print = () => infos.map((i) => ({ pods: i.pods.map((p) => p.pod.metadata!.name), cpu: i.requested.milliCpu, generation: i.generation, anti: i.podsWithRequiredAntiAffinity.length }));
    const before = print();
    const fw = framework();
    const preemptor = pod('p', { priority: HIGH, req: SMALL, labels: { foo: '' } });
    const r = attempt(fw, preemptor, infos, { node1: U, node2: U });
    assert.deepEqual([r.code, r.nominated, r.victims], ['Success', 'node1', ['guard']]);
    assert.deepEqual(print(), before);
    // The cycle state still counts the guard's anti-affinity.
    assert.deepEqual(fw.runFilter(r.state, preemptor, infos[0]!).reasons, ["node(s) didn't satisfy existing pods anti-affinity rules"]);
  });
});

describe('DefaultPreemption.postFilter: PodDisruptionBudgets', () => {
  const config: SchedulerConfiguration = {};
  const layout = (): [Node, ...Pod[]][] => [
    [node('node1', { cpu: '1', memory: '1Gi' }), pod('db', { priority: 1, req: { cpu: '1' }, labels: { app: 'db' } })],
    [node('node2', { cpu: '1', memory: '1Gi' }), pod('web', { priority: 5, req: { cpu: '1' }, labels: { app: 'web' } })],
  ];
  const preemptor = () => pod('p', { priority: 10, req: { cpu: '1' } });
  /** The registry's DefaultPreemption, reading budgets through the plugin handle. */
  const withHandle = (pdbs: PodDisruptionBudget[]) => {
    const fw = buildProfiles(config, IN_TREE_PLUGINS, { ...EMPTY_HANDLE, podDisruptionBudgets: () => pdbs }).profiles[0]!;
    fw.setNominatedPods(() => []);
    return fw;
  };

  it('without a budget the lower-priority victim is chosen', () => {
    const r = attempt(withHandle([]), preemptor(), cluster(layout()));
    assert.deepEqual([r.nominated, r.victims], ['node1', ['db']]);
  });

  it('a PDB-protected pod is avoided when another node works', () => {
    const r = attempt(withHandle([pdb({ app: 'db' }, 0)]), preemptor(), cluster(layout()));
    assert.deepEqual([r.nominated, r.victims], ['node2', ['web']]);
  });

  it('a budget with disruptions left does not protect', () => {
    const r = attempt(withHandle([pdb({ app: 'db' }, 1)]), preemptor(), cluster(layout()));
    assert.deepEqual([r.nominated, r.victims], ['node1', ['db']]);
  });

  it('budgets are best effort: with no other way the protected pod is preempted', () => {
    const r = attempt(withHandle([pdb({ app: 'db' }, 0), pdb({ app: 'web' }, 0)]), preemptor(), cluster(layout()));
    assert.deepEqual([r.code, r.nominated, r.victims], ['Success', 'node1', ['db']]);
  });
});

describe('DefaultPreemption.postFilter: how many nodes are dry-run (upstream TestDryRunPreemption)', () => {
  // Five nodes, each full with one 300m pod; the preemptor also needs 300m. random 0.9 starts the
  // dry run at node5 (upstream's seed gives offset 4), then node1, node2 ...
  const five = (priorities: number[], labels: (Record<string, string> | undefined)[] = []) =>
    cluster(priorities.map((p, i): [Node, Pod] => [node(`node${i + 1}`), pod(`p${i + 1}`, { priority: p, req: LARGE, labels: labels[i], start: 0 })]));
  const preemptor = () => pod('p', { priority: HIGH, req: LARGE });

  it('MinCandidateNodes 40% / 1: stops after 2 candidates (node5 no, node1 yes, node2 no, node3 yes)', () => {
    const infos = five([MID, VERY_HIGH, 50, LOW, VERY_HIGH]);
    const r = attempt(framework({ args: { minCandidateNodesPercentage: 40, minCandidateNodesAbsolute: 1 }, random: () => 0.9 }), preemptor(), infos);
    assert.deepEqual([r.nominated, r.victims], ['node3', ['p3']], 'node4 (the cheapest) was never dry-run');
  });

  it('with the defaults (at least 100 nodes) every node is dry-run', () => {
    const infos = five([MID, VERY_HIGH, 50, LOW, VERY_HIGH]);
    const r = attempt(framework({ random: () => 0.9 }), preemptor(), infos);
    assert.deepEqual([r.nominated, r.victims], ['node4', ['p4']]);
  });

  it('looks past the number of candidates until a candidate without PDB violation is found', () => {
    const foo = { app: 'foo' };
    const infos = five([LOW, VERY_HIGH, MID, 50, LOW], [foo, undefined, undefined, undefined, foo]);
    const fw = framework({ args: { minCandidateNodesPercentage: 40, minCandidateNodesAbsolute: 2 }, random: () => 0.9, pdbs: [pdb(foo, 0)] });
    const r = attempt(fw, preemptor(), infos);
    assert.deepEqual([r.nominated, r.victims], ['node3', ['p3']], 'node5 and node1 violate, node3 does not; node4 not reached');
  });
});

describe('DefaultPreemption.postFilter: eligibility (upstream TestPodEligibleToPreemptOthers)', () => {
  const preemptedCondition = (status = 'True', reason = 'PreemptionByScheduler'): PodCondition => ({ type: 'DisruptionTarget', status, reason });
  const cases: { name: string; preemptor: PodOpts; onNode1: PodOpts; failures?: Record<string, Status>; eligible: boolean }[] = [
    { name: 'pod without nominated node', preemptor: {}, onNode1: { terminating: true, condition: preemptedCondition() }, eligible: true },
    { name: 'a victim terminating by preemption on the nominated node', preemptor: { nominated: 'node1' }, onNode1: { terminating: true, condition: preemptedCondition() }, eligible: false },
    { name: 'non-victim pods terminating (no DisruptionTarget)', preemptor: { nominated: 'node1' }, onNode1: { terminating: true }, eligible: true },
    { name: 'DisruptionTarget without deletionTimestamp', preemptor: { nominated: 'node1' }, onNode1: { condition: preemptedCondition() }, eligible: true },
    {
      name: 'DisruptionTarget for another reason',
      preemptor: { nominated: 'node1' },
      onNode1: { terminating: true, condition: preemptedCondition('True', 'DeletionByTaintManager') },
      eligible: true,
    },
    {
      name: 'a terminating preempted pod of equal priority is not ours',
      preemptor: { nominated: 'node1' },
      onNode1: { priority: HIGH, terminating: true, condition: preemptedCondition() },
      eligible: true,
    },
    {
      name: 'nominated node UnschedulableAndUnresolvable: try again elsewhere',
      preemptor: { nominated: 'node1' },
      onNode1: { terminating: true, condition: preemptedCondition() },
      failures: { node1: UU, node2: U },
      eligible: true,
    },
    { name: 'nominated node gone from the cluster', preemptor: { nominated: 'node9' }, onNode1: { terminating: true, condition: preemptedCondition() }, eligible: true },
    // upstream podTerminatingByPreemption requires the condition's status to be True.
    {
      name: '[upstream] a DisruptionTarget condition with status False does not block',
      preemptor: { nominated: 'node1' },
      onNode1: { terminating: true, condition: preemptedCondition('False') },
      eligible: true,
    },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.eligible ? 'eligible' : 'not eligible'}`, () => {
      const infos = cluster([
        [node('node1', { cpu: '1', memory: '1Gi' }), pod('t', { priority: LOW, req: { cpu: '1' }, ...c.onNode1 })],
        [node('node2', { cpu: '1', memory: '1Gi' }), pod('w', { priority: LOW, req: { cpu: '1' } })],
      ]);
      const r = attempt(framework(), pod('p', { priority: HIGH, req: { cpu: '1' }, ...c.preemptor }), infos, c.failures ?? { node1: U, node2: U });
      if (c.eligible) assert.equal(r.code, 'Success', r.message);
      else assert.deepEqual([r.code, r.message, r.nominated], ['Unschedulable', 'preemption: not eligible due to a terminating pod on the nominated node.', undefined]);
    });
  }
});

describe('DefaultPreemption.postFilter: nominations', () => {
  it('clears the nominations of lower-priority pods on the chosen node only', () => {
    const nominated = [
      pod('lower', { priority: 5, req: { cpu: '1' }, nominated: 'node1' }),
      pod('higher', { priority: 20, req: { cpu: '1' }, nominated: 'node1' }),
      pod('equal', { priority: 10, req: { cpu: '1' }, nominated: 'node1' }),
      pod('p', { priority: 10, req: { cpu: '2' }, nominated: 'node1' }), // the preemptor's own, from an earlier cycle
      pod('lower-elsewhere', { priority: 1, nominated: 'node2' }),
    ];
    const infos = cluster([
      [node('node1', { cpu: '4', memory: '8Gi' }), pod('victim', { priority: 1, req: { cpu: '4' } })],
      [node('node2', { cpu: '4', memory: '8Gi' }), pod('big', { priority: 100, req: { cpu: '4' } })],
    ]);
    // higher + equal hold 2 cpu once the victim is gone; the lower one's cpu is not counted.
    const r = attempt(framework({ nominated }), pod('p', { priority: 10, req: { cpu: '2' }, nominated: 'node1' }), infos);
    assert.deepEqual({ code: r.code, node: r.nominated, victims: r.victims, clear: r.clear }, { code: 'Success', node: 'node1', victims: ['victim'], clear: ['lower'] });
  });

  it('nothing to clear: an empty list', () => {
    const r = attempt(framework(), pod('p', { priority: HIGH }), cluster([[node('node1', ONE_POD), pod('p1')]]));
    assert.deepEqual(r.clear, []);
  });
});

describe('DefaultPreemption args (upstream ValidateDefaultPreemptionArgs)', () => {
  /** assert.throws matching the message itself (a RegExp alone is tested against "Error: ..."). */
  const throwsMessage = (fn: () => unknown, re: RegExp) =>
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, re);
      return true;
    });
  const invalid: [DefaultPreemptionArgs, RegExp][] = [
    [{ minCandidateNodesPercentage: -1 }, /^minCandidateNodesPercentage: Invalid value: -1: not in valid range \[0, 100\]$/],
    [{ minCandidateNodesPercentage: 101 }, /^minCandidateNodesPercentage: Invalid value: 101: not in valid range \[0, 100\]$/],
    [{ minCandidateNodesPercentage: 10.5 }, /minCandidateNodesPercentage/],
    [{ minCandidateNodesAbsolute: -1 }, /^minCandidateNodesAbsolute: Invalid value: -1: not in valid range \[0, inf\)$/],
    [{ minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 0 }, /minCandidateNodesPercentage.*minCandidateNodesAbsolute/],
  ];
  for (const [args, re] of invalid) {
    it(`rejects ${JSON.stringify(args)}`, () => throwsMessage(() => new DefaultPreemption(args), re));
  }

  const valid: DefaultPreemptionArgs[] = [{}, { minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 1 }, { minCandidateNodesPercentage: 1, minCandidateNodesAbsolute: 0 }, { minCandidateNodesPercentage: 100 }];
  for (const args of valid) {
    it(`accepts ${JSON.stringify(args)}`, () => assert.doesNotThrow(() => new DefaultPreemption(args)));
  }

  it('[upstream] both zero: the message is upstream\'s "cannot be zero at the same time as ..."', () => {
    throwsMessage(
      () => new DefaultPreemption({ minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 0 }),
      /minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the same time as minCandidateNodesAbsolute/,
    );
  });

  it('pluginConfig args reach the plugin; bad ones fail the profile', () => {
    const cfg = (args: Record<string, unknown>): SchedulerConfiguration => ({ profiles: [{ pluginConfig: [{ name: 'DefaultPreemption', args }] }] });
    assert.doesNotThrow(() => buildProfiles(cfg({ minCandidateNodesPercentage: 50, minCandidateNodesAbsolute: 5 }), IN_TREE_PLUGINS));
    throwsMessage(
      () => buildProfiles(cfg({ minCandidateNodesPercentage: 200 }), IN_TREE_PLUGINS),
      /^profiles\[0\]\.pluginConfig\[DefaultPreemption\]\.args: minCandidateNodesPercentage: Invalid value: 200/,
    );
  });
});
