// Filtering with nominated pods (upstream RunFilterPluginsWithNominatedPods): a pod must not take
// the room a preemptor of equal or higher priority waits for, and must fit both with those pods
// counted and without them. The dry runs work on copies: the cycle state and the NodeInfo they
// start from stay as they were (CycleState.clone plus each plugin's cloneState, cloneNodeInfo).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Affinity, Node, Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import { buildProfiles } from '../../../src/scheduler/config.js';
import { CycleState, type Framework } from '../../../src/scheduler/framework/framework.js';
import { addPod, cloneNodeInfo, newNodeInfo, newPodInfo, removePod, snapshotOf } from '../../../src/scheduler/framework/node-info.js';
import type { NodeInfo, Status } from '../../../src/scheduler/framework/types.js';
import { IN_TREE_PLUGINS } from '../../../src/scheduler/registry.js';

const HOST = 'kubernetes.io/hostname';

const node = (name: string, cpu = '2'): Node => ({
  metadata: { name, labels: { [HOST]: name } },
  status: { allocatable: { cpu, memory: '8Gi', pods: '110' } },
});

interface PodOpts {
  priority?: number;
  cpu?: string;
  labels?: Record<string, string>;
  uid?: string;
  affinity?: Affinity;
  constraints?: TopologySpreadConstraint[];
  hostPort?: number;
}

function pod(name: string, o: PodOpts = {}): Pod {
  return {
    metadata: { name, namespace: 'default', uid: o.uid ?? `uid-${name}`, labels: o.labels },
    spec: {
      priority: o.priority ?? 0,
      containers: [
        {
          name: 'c',
          image: 'x',
          ...(o.cpu ? { resources: { requests: { cpu: o.cpu } } } : {}),
          ...(o.hostPort ? { ports: [{ containerPort: 80, hostPort: o.hostPort }] } : {}),
        },
      ],
      ...(o.affinity ? { affinity: o.affinity } : {}),
      ...(o.constraints ? { topologySpreadConstraints: o.constraints } : {}),
    },
  };
}

const onHost = (labels: Record<string, string>) => ({ topologyKey: HOST, labelSelector: { matchLabels: labels } });
const affinityTo = (labels: Record<string, string>): Affinity => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [onHost(labels)] } });
const antiAffinityTo = (labels: Record<string, string>): Affinity => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [onHost(labels)] } });

function framework(nominated: Record<string, Pod[]> = {}): Framework {
  const fw = buildProfiles({}, IN_TREE_PLUGINS).profiles[0]!;
  fw.setNominatedPods((n) => (nominated[n] ?? []).map(newPodInfo));
  return fw;
}

/** PreFilter over the snapshot, then the state to filter with. */
function preFiltered(fw: Framework, p: Pod, infos: NodeInfo[]): CycleState {
  const state = new CycleState();
  const s = fw.runPreFilter(state, p, snapshotOf(infos));
  assert.equal(s.code, 'Success', s.reasons.join(', '));
  return state;
}

const brief = (s: Status) => ({ code: s.code, reasons: s.reasons });
const OK = { code: 'Success', reasons: [] };

/** What NodeInfo fields a dry run could disturb, as plain data. */
const fingerprint = (i: NodeInfo) => ({
  pods: i.pods.map((p) => p.pod.metadata!.name),
  requested: structuredClone(i.requested),
  nonZeroRequested: structuredClone(i.nonZeroRequested),
  usedPorts: structuredClone(i.usedPorts),
  podsWithAffinity: i.podsWithAffinity.length,
  podsWithRequiredAntiAffinity: i.podsWithRequiredAntiAffinity.length,
  generation: i.generation,
});

describe('runFilterWithNominatedPods: room held for nominated pods', () => {
  // n1 has 2 cpu, 1 of them used; the incoming pod asks for 1.
  const cases: { name: string; incoming: PodOpts; nominated: Record<string, Pod[]>; want: { code: string; reasons: string[] } }[] = [
    { name: 'no nominated pods: plain filtering', incoming: { priority: 5 }, nominated: {}, want: OK },
    {
      name: 'a higher-priority nominated pod holds the free cpu',
      incoming: { priority: 5 },
      nominated: { n1: [pod('nom', { priority: 10, cpu: '1' })] },
      want: { code: 'Unschedulable', reasons: ['Insufficient cpu'] },
    },
    {
      name: 'an equal-priority nominated pod holds it too',
      incoming: { priority: 5 },
      nominated: { n1: [pod('nom', { priority: 5, cpu: '1' })] },
      want: { code: 'Unschedulable', reasons: ['Insufficient cpu'] },
    },
    {
      name: 'a lower-priority nominated pod does not',
      incoming: { priority: 5 },
      nominated: { n1: [pod('nom', { priority: 4, cpu: '1' })] },
      want: OK,
    },
    {
      name: "the pod's own nomination is ignored",
      incoming: { priority: 5 },
      nominated: { n1: [pod('incoming', { priority: 5, cpu: '1' })] },
      want: OK,
    },
    {
      name: 'a pod nominated to another node does not count here',
      incoming: { priority: 5 },
      nominated: { n2: [pod('nom', { priority: 10, cpu: '1' })] },
      want: OK,
    },
    {
      name: 'only the higher ones of several count (the lower one asks for the cpu)',
      incoming: { priority: 5 },
      nominated: { n1: [pod('low', { priority: 1, cpu: '1' }), pod('high', { priority: 9 })] },
      want: OK,
    },
    {
      name: 'a nominated pod holds its host port',
      incoming: { priority: 5, hostPort: 8080 },
      nominated: { n1: [pod('nom', { priority: 10, hostPort: 8080 })] },
      want: { code: 'Unschedulable', reasons: ["node(s) didn't have free ports for the requested pod ports"] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const fw = framework(c.nominated);
      const incoming = pod('incoming', { cpu: '1', ...c.incoming });
      const infos = [newNodeInfo(node('n1'), [pod('running', { cpu: '1' })]), newNodeInfo(node('n2'))];
      const state = preFiltered(fw, incoming, infos);
      assert.deepEqual(brief(fw.runFilterWithNominatedPods(state, incoming, infos[0]!)), c.want);
    });
  }

  it('the failing plugin is named', () => {
    const fw = framework({ n1: [pod('nom', { priority: 10, cpu: '1' })] });
    const incoming = pod('incoming', { cpu: '1500m' });
    const infos = [newNodeInfo(node('n1'))];
    assert.equal(fw.runFilterWithNominatedPods(preFiltered(fw, incoming, infos), incoming, infos[0]!).plugin, 'NodeResourcesFit');
  });
});

describe('runFilterWithNominatedPods: two passes (with and without the nominated pods)', () => {
  const cases: { name: string; incoming: Pod; running: Pod[]; nominated: Pod[]; want: { code: string; reasons: string[] } }[] = [
    {
      name: 'affinity satisfied only by a nominated pod fails: it may land elsewhere',
      incoming: pod('incoming', { priority: 5, affinity: affinityTo({ app: 'web' }) }),
      running: [],
      nominated: [pod('web', { priority: 5, labels: { app: 'web' } })],
      want: { code: 'UnschedulableAndUnresolvable', reasons: ["node(s) didn't match pod affinity rules"] },
    },
    {
      name: 'affinity satisfied by a running pod passes with a matching nominated pod too',
      incoming: pod('incoming', { priority: 5, affinity: affinityTo({ app: 'web' }) }),
      running: [pod('web-running', { labels: { app: 'web' } })],
      nominated: [pod('web', { priority: 5, labels: { app: 'web' } })],
      want: OK,
    },
    {
      name: 'anti-affinity to a higher-priority nominated pod fails',
      incoming: pod('incoming', { priority: 5, affinity: antiAffinityTo({ app: 'db' }) }),
      running: [],
      nominated: [pod('db', { priority: 10, labels: { app: 'db' } })],
      want: { code: 'Unschedulable', reasons: ["node(s) didn't match pod anti-affinity rules"] },
    },
    {
      name: 'anti-affinity to a lower-priority nominated pod is no obstacle',
      incoming: pod('incoming', { priority: 5, affinity: antiAffinityTo({ app: 'db' }) }),
      running: [],
      nominated: [pod('db', { priority: 1, labels: { app: 'db' } })],
      want: OK,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const fw = framework({ n1: c.nominated });
      const infos = [newNodeInfo(node('n1'), c.running)];
      const state = preFiltered(fw, c.incoming, infos);
      assert.deepEqual(brief(fw.runFilterWithNominatedPods(state, c.incoming, infos[0]!)), c.want);
    });
  }

  it('leaves the NodeInfo and the cycle state it was given unchanged', () => {
    const incoming = pod('incoming', { priority: 5, cpu: '500m', affinity: antiAffinityTo({ app: 'db' }) });
    const fw = framework({ n1: [pod('db', { priority: 10, cpu: '1', labels: { app: 'db' }, affinity: antiAffinityTo({ app: 'x' }) })] });
    const infos = [newNodeInfo(node('n1'), [pod('running', { cpu: '500m' })])];
    const state = preFiltered(fw, incoming, infos);
    const before = fingerprint(infos[0]!);
    assert.equal(fw.runFilterWithNominatedPods(state, incoming, infos[0]!).code, 'Unschedulable');
    assert.deepEqual(fingerprint(infos[0]!), before);
    // The state still describes the cluster without the nominated pod: plain Filter passes.
    assert.deepEqual(brief(fw.runFilter(state, incoming, infos[0]!)), OK);
  });
});

describe('cloneState: dry runs change copies only', () => {
  it('InterPodAffinity: AddPod on a copy leaves the original state alone', () => {
    const fw = framework();
    const incoming = pod('incoming', { affinity: antiAffinityTo({ app: 'db' }) });
    const infos = [newNodeInfo(node('n1'))];
    const state = preFiltered(fw, incoming, infos);
    const copy = fw.cloneState(state);
    assert.equal(fw.runAddPod(copy, incoming, newPodInfo(pod('db', { labels: { app: 'db' } })), infos[0]!).code, 'Success');
    assert.deepEqual(brief(fw.runFilter(copy, incoming, infos[0]!)), { code: 'Unschedulable', reasons: ["node(s) didn't match pod anti-affinity rules"] });
    assert.deepEqual(brief(fw.runFilter(state, incoming, infos[0]!)), OK);
    // A second copy of the original does not see the first copy's change either.
    assert.deepEqual(brief(fw.runFilter(fw.cloneState(state), incoming, infos[0]!)), OK);
  });

  it('InterPodAffinity: RemovePod on a copy leaves the original state alone', () => {
    const fw = framework();
    const incoming = pod('incoming', { affinity: antiAffinityTo({ app: 'db' }) });
    const db = pod('db', { labels: { app: 'db' } });
    const infos = [newNodeInfo(node('n1'), [db])];
    const state = preFiltered(fw, incoming, infos);
    assert.equal(fw.runFilter(state, incoming, infos[0]!).code, 'Unschedulable');
    const copy = fw.cloneState(state);
    const info = cloneNodeInfo(infos[0]!);
    removePod(info, 'uid-db');
    assert.equal(fw.runRemovePod(copy, incoming, newPodInfo(db), info).code, 'Success');
    assert.deepEqual(brief(fw.runFilter(copy, incoming, info)), OK);
    assert.equal(fw.runFilter(state, incoming, infos[0]!).code, 'Unschedulable');
  });

  it('InterPodAffinity: existing pods anti-affinity counts are copied too', () => {
    const fw = framework();
    const incoming = pod('incoming', { labels: { app: 'web' } });
    const guard = pod('guard', { affinity: antiAffinityTo({ app: 'web' }) });
    const infos = [newNodeInfo(node('n1'), [guard])];
    const state = preFiltered(fw, incoming, infos);
    assert.deepEqual(brief(fw.runFilter(state, incoming, infos[0]!)), { code: 'Unschedulable', reasons: ["node(s) didn't satisfy existing pods anti-affinity rules"] });
    const copy = fw.cloneState(state);
    const info = cloneNodeInfo(infos[0]!);
    removePod(info, 'uid-guard');
    fw.runRemovePod(copy, incoming, newPodInfo(guard), info);
    assert.deepEqual(brief(fw.runFilter(copy, incoming, info)), OK);
    assert.equal(fw.runFilter(state, incoming, infos[0]!).code, 'Unschedulable');
  });

  it('PodTopologySpread: AddPod on a copy leaves the original counts alone', () => {
    const fw = framework();
    const spread: TopologySpreadConstraint = { maxSkew: 1, topologyKey: HOST, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 's' } } };
    const incoming = pod('incoming', { labels: { app: 's' }, constraints: [spread] });
    const infos = [newNodeInfo(node('a'), [pod('s1', { labels: { app: 's' } })]), newNodeInfo(node('b'))];
    const state = preFiltered(fw, incoming, infos);
    const skew = { code: 'Unschedulable', reasons: ["node(s) didn't match pod topology spread constraints"] };
    assert.deepEqual(brief(fw.runFilter(state, incoming, infos[0]!)), skew, 'a: 1 + 1 - 0 > 1');
    const copy = fw.cloneState(state);
    fw.runAddPod(copy, incoming, newPodInfo(pod('s2', { labels: { app: 's' } })), infos[1]!);
    assert.deepEqual(brief(fw.runFilter(copy, incoming, infos[0]!)), OK, 'with one on b: 1 + 1 - 1');
    assert.deepEqual(brief(fw.runFilter(state, incoming, infos[0]!)), skew);
  });

  it('CycleState.clone copies Sets and shares everything else', () => {
    const state = new CycleState();
    const set = new Set(['A']);
    const obj = { n: 1 };
    state.write('set', set);
    state.write('obj', obj);
    const c = state.clone();
    c.read<Set<string>>('set')!.add('B');
    c.write('new', 1);
    assert.deepEqual([...set], ['A']);
    assert.equal(state.read('new'), undefined);
    assert.equal(c.read('obj'), obj, 'plugins replace their own entries (cloneState)');
  });

  it('Framework.cloneState keeps the PreFilter skips: a skipped plugin stays skipped in the copy', () => {
    const fw = framework();
    const incoming = pod('incoming', { labels: { app: 'web' } }); // InterPodAffinity skips: no terms anywhere
    const infos = [newNodeInfo(node('n1'))];
    const state = preFiltered(fw, incoming, infos);
    const copy = fw.cloneState(state);
    // Without the skip InterPodAffinity would fail for want of its state.
    assert.deepEqual(brief(fw.runFilter(copy, incoming, infos[0]!)), OK);
    assert.equal(fw.runAddPod(copy, incoming, newPodInfo(pod('guard', { affinity: antiAffinityTo({ app: 'web' }) })), infos[0]!).code, 'Success');
  });
});

describe('cloneNodeInfo', () => {
  it('adding and removing pods on the copy leaves the original as it was', () => {
    const withAffinity = pod('aff', { cpu: '100m', affinity: antiAffinityTo({ app: 'x' }), hostPort: 9000 });
    const original = newNodeInfo(node('n1', '4'), [withAffinity, pod('plain', { cpu: '1' })]);
    const before = fingerprint(original);
    const copy = cloneNodeInfo(original);
    assert.equal(removePod(copy, 'uid-aff'), true);
    addPod(copy, newPodInfo(pod('new', { cpu: '2', hostPort: 9001, affinity: affinityTo({ app: 'y' }) })));
    assert.deepEqual(fingerprint(original), before);
    assert.deepEqual(
      copy.pods.map((p) => p.pod.metadata!.name),
      ['plain', 'new'],
    );
    assert.equal(copy.requested.milliCpu, 3000);
    assert.deepEqual(
      copy.usedPorts.map((p) => p.port),
      [9001],
    );
  });

  it('scalar resources are copied, not shared', () => {
    const gpuPod: Pod = { metadata: { name: 'g', uid: 'g' }, spec: { containers: [{ name: 'c', resources: { requests: { 'nvidia.com/gpu': '1' } } }] } };
    const original = newNodeInfo({ metadata: { name: 'n' }, status: { allocatable: { 'nvidia.com/gpu': '4', pods: '10' } } }, [gpuPod]);
    const copy = cloneNodeInfo(original);
    addPod(copy, newPodInfo({ ...gpuPod, metadata: { name: 'g2', uid: 'g2' } }));
    assert.equal(copy.requested.scalar['nvidia.com/gpu'], 2);
    assert.equal(original.requested.scalar['nvidia.com/gpu'], 1);
  });
});
