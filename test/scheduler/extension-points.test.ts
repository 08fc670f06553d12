// Reserve and Bind extension points, with plugins of the test's own registered beside the in-tree
// ones (as an out-of-tree scheduler plugin would be): reserve sees every placement and unreserve
// every one that did not happen; bind plugins run in order until one does not Skip, and
// DefaultBinder binds the rest through pods/binding.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Event, Node, Pod } from 'kubernetes-types/core/v1.js';
import { EVENTS, NODES, PODS } from '../../src/client/resources.js';
import type { Client } from '../../src/client/types.js';
import { Framework } from '../../src/scheduler/framework/framework.js';
import { CycleState, SUCCESS, unschedulable, type BindPlugin, type ReservePlugin, type Status } from '../../src/scheduler/framework/types.js';
import { IN_TREE_PLUGINS } from '../../src/scheduler/registry.js';
import { DefaultBinder } from '../../src/scheduler/plugins/defaultbinder/default-binder.js';
import { waitFor } from '../controllers/harness.js';
import { startScheduledCluster, type ScheduledCluster } from './harness.js';

const log: string[] = [];

class Books implements ReservePlugin {
  readonly name = 'Books';
  reserve(_s: CycleState, pod: Pod, node: string): Status {
    log.push(`reserve ${pod.metadata!.name} ${node}`);
    return pod.metadata!.name!.startsWith('refused') ? unschedulable('no budget left') : SUCCESS;
  }
  unreserve(_s: CycleState, pod: Pod, node: string): void {
    log.push(`unreserve ${pod.metadata!.name} ${node}`);
  }
}

class Custom implements BindPlugin {
  readonly name = 'Custom';
  failures = 1;
  constructor(private readonly client: Client | undefined) {}
  async bind(state: CycleState, pod: Pod, node: string): Promise<Status> {
    if (pod.metadata?.labels?.binder !== 'custom') return { code: 'Skip', reasons: [] };
    if (pod.metadata.name === 'flaky' && this.failures-- > 0) throw new Error('custom binder down');
    log.push(`custom-bind ${pod.metadata.name} ${node}`);
    return new DefaultBinder(this.client).bind(state, pod, node);
  }
}

const node = (name: string): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  status: { allocatable: { cpu: '4', memory: '4Gi', pods: '110' } },
});
const pod = (name: string, labels: Record<string, string> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels },
  spec: { containers: [{ name: 'c', image: 'x' }] },
});

describe('Reserve and Bind extension points', () => {
  let cluster: ScheduledCluster;

  before(async () => {
    cluster = await startScheduledCluster(async (cp) => void (await cp.client.resource<Node>(NODES).create(node('n1'))), {
      registry: { ...IN_TREE_PLUGINS, Books: () => new Books(), Custom: (a) => new Custom(a.handle?.client) },
      config: {
        profiles: [
          {
            plugins: {
              reserve: { enabled: [{ name: 'Books' }] },
              // Custom first, then DefaultBinder for what Custom skips.
              bind: { disabled: [{ name: 'DefaultBinder' }], enabled: [{ name: 'Custom' }, { name: 'DefaultBinder' }] },
            },
          },
        ],
      },
    });
  });

  after(() => cluster.stop());

  const pods = () => cluster.cp.client.resource<Pod>(PODS);

  it('reserves each placement; custom pods are bound by the custom binder, others by DefaultBinder', async () => {
    await pods().create(pod('plain'));
    await pods().create(pod('special', { binder: 'custom' }));
    assert.equal(await cluster.boundTo('default', 'plain'), 'n1');
    assert.equal(await cluster.boundTo('default', 'special'), 'n1');
    assert.ok(log.includes('reserve plain n1') && log.includes('reserve special n1'));
    assert.ok(log.includes('custom-bind special n1'));
    assert.ok(!log.some((l) => l.startsWith('custom-bind plain')));
    assert.ok(!log.some((l) => l.startsWith('unreserve')));
  });

  it('a failing bind is unreserved and retried; a failing reserve is unreserved and reported', async () => {
    await pods().create(pod('flaky', { binder: 'custom' }));
    assert.equal(await cluster.boundTo('default', 'flaky', 10_000), 'n1');
    assert.deepEqual(
      log.filter((l) => l.includes('flaky')),
      ['reserve flaky n1', 'unreserve flaky n1', 'reserve flaky n1', 'custom-bind flaky n1'],
    );
    await pods().create(pod('refused-1'));
    const event = await waitFor(async () => {
      const list = await cluster.cp.client.resource<Event>(EVENTS).list('default', { fieldSelector: 'involvedObject.name=refused-1' });
      return list.items.find((e) => e.reason === 'FailedScheduling');
    }, 5000, 'FailedScheduling for refused-1');
    assert.equal(event.message, 'running Reserve plugin "Books": no budget left');
    assert.ok(log.includes('unreserve refused-1 n1'));
    assert.equal((await pods().get('default', 'refused-1')).spec?.nodeName, undefined);
  });
});

describe('Framework.runReserve / runBind', () => {
  const calls: string[] = [];
  const reserve = (name: string, ok: boolean): ReservePlugin => ({
    name,
    reserve: () => (calls.push(`r-${name}`), ok ? SUCCESS : unschedulable(`${name} says no`)),
    unreserve: () => void calls.push(`u-${name}`),
  });
  const bind = (name: string, answer: Status['code']): BindPlugin => ({ name, bind: async () => (calls.push(`b-${name}`), { code: answer, reasons: answer === 'Error' ? ['broken'] : [] }) });
  const fw = (reservePlugins: ReservePlugin[], bindPlugins: BindPlugin[]) =>
    new Framework('p', { preFilter: [], filter: [], preScore: [], score: [], reserve: reservePlugins, bind: bindPlugins });
  const p = pod('x');

  it('stops at the first failing reserve and unreserves all, last first', () => {
    calls.length = 0;
    const s = fw([reserve('a', true), reserve('b', false), reserve('c', true)], []).runReserve(new CycleState(), p, 'n');
    assert.deepEqual([s.code, s.plugin, s.reasons], ['Unschedulable', 'b', ['b says no']]);
    assert.deepEqual(calls, ['r-a', 'r-b', 'u-c', 'u-b', 'u-a']);
  });

  it('binds with the first plugin that does not skip; none is an error', async () => {
    calls.length = 0;
    assert.equal((await fw([], [bind('a', 'Skip'), bind('b', 'Success'), bind('c', 'Success')]).runBind(new CycleState(), p, 'n')).code, 'Success');
    assert.deepEqual(calls, ['b-a', 'b-b']);
    const failed = await fw([], [bind('a', 'Error')]).runBind(new CycleState(), p, 'n');
    assert.deepEqual([failed.code, failed.plugin], ['Error', 'a']);
    assert.deepEqual(await fw([], [bind('a', 'Skip')]).runBind(new CycleState(), p, 'n'), { code: 'Error', reasons: ['no Bind plugin bound the pod'] });
  });
});
