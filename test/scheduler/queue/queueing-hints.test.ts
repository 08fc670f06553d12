// Queueing hints: a parked pod moves back only on a cluster event one of the plugins that rejected
// it registered (upstream isPodWorthRequeuing with EventsToRegister), and a pod whose attempt
// overlapped such an event goes to back-off rather than being parked (no event is missed).
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { buildProfiles } from '../../../src/scheduler/config.js';
import type { ClusterEvent } from '../../../src/scheduler/framework/types.js';
import { SchedulingQueue, type QueuedPod } from '../../../src/scheduler/queue/scheduling-queue.js';
import { IN_TREE_PLUGINS } from '../../../src/scheduler/registry.js';

const pod = (name: string): Pod => ({ metadata: { name, namespace: 'ns', uid: name }, spec: { containers: [] } });

/** The default profile's registrations, as the scheduler wires them. */
function registrations(): (plugin: string) => readonly ClusterEvent[] | undefined {
  const fw = buildProfiles({}, IN_TREE_PLUGINS).profiles[0]!;
  const events = new Map(fw.allPlugins().map((p) => [p.name, p.events as readonly ClusterEvent[] | undefined]));
  return (plugin) => events.get(plugin);
}

// Closed after each test even when an assertion failed: a back-off timer on a fake clock would
// otherwise keep re-arming and the test file would never end.
const open: SchedulingQueue[] = [];
afterEach(() => {
  for (const q of open.splice(0)) q.close();
});

function newQueue() {
  const clock = { t: 1_000_000 };
  const q = new SchedulingQueue({ now: () => clock.t, initialBackoffMs: 1000 });
  q.setEventRegistrations(registrations());
  open.push(q);
  return { q, clock };
}

/** Adds, pops and parks each pod with its rejecting plugins; back-off is over when this returns. */
async function park(q: SchedulingQueue, clock: { t: number }, pods: Record<string, string[] | undefined>): Promise<void> {
  for (const [name, plugins] of Object.entries(pods)) {
    q.add(pod(name));
    const qp = (await q.pop())!;
    q.addUnschedulable({ ...qp, unschedulablePlugins: plugins ? new Set(plugins) : undefined }, q.currentSchedulingCycle);
  }
  clock.t += 60_000;
}

async function drain(q: SchedulingQueue): Promise<string[]> {
  const names: string[] = [];
  for (let n = q.counts().active; n > 0; n--) names.push((await q.pop())!.pod.metadata!.name!);
  return names.sort();
}

const queued = (plugins?: string[]): QueuedPod => ({
  pod: pod('p'),
  key: 'ns/p',
  initialAttemptAt: 0,
  queuedAt: 0,
  attempts: 1,
  backoffUntil: 0,
  unschedulablePlugins: plugins ? new Set(plugins) : undefined,
});

describe('SchedulingQueue.interestedIn', () => {
  const cases: [string[] | undefined, ClusterEvent, boolean][] = [
    [['NodeAffinity'], 'NodeLabelChange', true],
    [['NodeAffinity'], 'NodeAdd', true],
    [['NodeAffinity'], 'NodeTaintChange', false],
    [['NodeAffinity'], 'AssignedPodDelete', false],
    [['TaintToleration'], 'NodeTaintChange', true],
    [['TaintToleration'], 'NodeLabelChange', false],
    [['NodeAffinity', 'TaintToleration'], 'NodeTaintChange', true], // any rejecting plugin may be helped
    [['NodeResourcesFit'], 'AssignedPodDelete', true],
    [['NodeResourcesFit'], 'NodeAllocatableChange', true],
    [['NodeResourcesFit'], 'NodeLabelChange', false],
    [['NodeUnschedulable'], 'NodeSchedulableChange', true],
    [['NodeUnschedulable'], 'NodeAllocatableChange', false],
    [['NodePorts'], 'AssignedPodDelete', true],
    [['NodePorts'], 'AssignedPodAdd', false],
    [['InterPodAffinity'], 'AssignedPodLabelChange', true],
    [['InterPodAffinity'], 'NodeTaintChange', false],
    [['PodTopologySpread'], 'NodeTaintChange', true],
    [['DefaultPreemption'], 'PodDisruptionBudgetChange', true],
    [['NodeName'], 'NodeLabelChange', false],
    [[], 'NodeTaintChange', true], // no rejecting plugin known: any event may help
    [undefined, 'NodeImagesChange', true],
    [['NoSuchPlugin'], 'NodeImagesChange', true], // registered nothing: every event (upstream's default)
    [['NoSuchPlugin', 'NodeAffinity'], 'NodeTaintChange', true],
  ];
  for (const [plugins, event, want] of cases) {
    it(`${plugins ? `{${plugins.join(', ')}}` : 'no set'} on ${event}: ${want ? 'moves' : 'stays'}`, () => {
      const { q } = newQueue();
      assert.equal(q.interestedIn(queued(plugins), event), want);
    });
  }

  it('a plugin registering no events is helped by none', () => {
    const q = new SchedulingQueue();
    q.setEventRegistrations((p) => (p === 'Static' ? [] : undefined));
    assert.equal(q.interestedIn(queued(['Static']), 'NodeAdd'), false);
    assert.equal(q.interestedIn(queued(['Static', 'Other']), 'NodeAdd'), true);
  });

  it('without registrations every event helps every pod', () => {
    const q = new SchedulingQueue();
    assert.equal(q.interestedIn(queued(['NodeAffinity']), 'NodeTaintChange'), true);
  });
});

describe('SchedulingQueue.onClusterEvent', () => {
  it('moves only the parked pods the event may help', async () => {
    const { q, clock } = newQueue();
    await park(q, clock, { affinity: ['NodeAffinity'], taint: ['TaintToleration'], any: [], unknown: ['NoSuchPlugin'], fit: ['NodeResourcesFit'] });
    assert.deepEqual(q.counts(), { active: 0, backoff: 0, unschedulable: 5 });

    q.onClusterEvent('NodeLabelChange');
    assert.deepEqual(await drain(q), ['affinity', 'any', 'unknown']);
    assert.deepEqual(q.counts(), { active: 0, backoff: 0, unschedulable: 2 });

    q.onClusterEvent('NodeImagesChange');
    assert.equal(q.counts().unschedulable, 2, 'nobody registered NodeImagesChange');

    q.onClusterEvent('NodeTaintChange');
    assert.deepEqual(await drain(q), ['taint']);
    q.onClusterEvent('AssignedPodDelete');
    assert.deepEqual(await drain(q), ['fit']);
    assert.deepEqual(q.counts(), { active: 0, backoff: 0, unschedulable: 0 });
  });

  it('a moved pod still backing off waits in the back-off queue', async () => {
    const { q, clock } = newQueue();
    q.add(pod('a'));
    const qp = (await q.pop())!;
    q.addUnschedulable({ ...qp, unschedulablePlugins: new Set(['NodeAffinity']) }, q.currentSchedulingCycle);
    q.onClusterEvent('NodeAdd');
    assert.deepEqual(q.counts(), { active: 0, backoff: 1, unschedulable: 0 });
    clock.t += 1000;
    assert.equal((await q.pop())!.pod.metadata!.name, 'a');
  });
});

describe('SchedulingQueue.addUnschedulable: events during the attempt', () => {
  const cases: { name: string; plugins: string[]; event: ClusterEvent; when: 'during' | 'before'; want: 'backoff' | 'unschedulable' }[] = [
    { name: 'an event the pod cares about during its cycle sends it to back-off', plugins: ['NodeAffinity'], event: 'NodeLabelChange', when: 'during', want: 'backoff' },
    { name: 'an unrelated event during its cycle parks it', plugins: ['NodeAffinity'], event: 'NodeTaintChange', when: 'during', want: 'unschedulable' },
    { name: 'an event before its cycle began parks it', plugins: ['NodeAffinity'], event: 'NodeLabelChange', when: 'before', want: 'unschedulable' },
    { name: 'no rejecting plugin: any event during the cycle counts', plugins: [], event: 'NodeImagesChange', when: 'during', want: 'backoff' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { q } = newQueue();
      q.add(pod('a'));
      if (c.when === 'before') q.onClusterEvent(c.event);
      const qp = (await q.pop())!;
      const cycle = q.currentSchedulingCycle;
      if (c.when === 'during') q.onClusterEvent(c.event);
      q.addUnschedulable({ ...qp, unschedulablePlugins: new Set(c.plugins) }, cycle);
      const counts = q.counts();
      assert.equal(counts[c.want], 1, JSON.stringify(counts));
    });
  }

  it('an event in a later cycle (while another pod was tried) still counts for the earlier attempt', async () => {
    const { q } = newQueue();
    q.add(pod('a'));
    q.add(pod('b'));
    const a = (await q.pop())!;
    const aCycle = q.currentSchedulingCycle;
    await q.pop(); // b's cycle
    q.onClusterEvent('NodeLabelChange');
    q.addUnschedulable({ ...a, unschedulablePlugins: new Set(['NodeAffinity']) }, aCycle);
    assert.deepEqual(q.counts(), { active: 0, backoff: 1, unschedulable: 0 });
  });

  it('onClusterEvent is not a move-all: an unrelated pod in flight is still parked afterwards', async () => {
    const { q } = newQueue();
    q.add(pod('a'));
    const qp = (await q.pop())!;
    const cycle = q.currentSchedulingCycle;
    q.onClusterEvent('AssignedPodAdd');
    q.addUnschedulable({ ...qp, unschedulablePlugins: new Set(['TaintToleration']) }, cycle);
    assert.deepEqual(q.counts(), { active: 0, backoff: 0, unschedulable: 1 });
  });
});
