// The nominator: which pods wait for room on which node (status.nominatedNodeName), as upstream's
// nominator in the scheduling queue keeps them, including the scheduler's own nomination while
// the informer has not caught up with the status patch yet.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { Nominator } from '../../../src/scheduler/queue/nominator.js';

interface PodOpts {
  nominated?: string;
  nodeName?: string;
  deleting?: boolean;
  cpu?: string;
  uid?: string | null;
}

const pod = (name: string, o: PodOpts = {}): Pod => ({
  metadata: {
    name,
    namespace: 'default',
    ...(o.uid === null ? {} : { uid: o.uid ?? `uid-${name}` }),
    ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
  },
  spec: {
    containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: o.cpu ?? '100m' } } }],
    ...(o.nodeName ? { nodeName: o.nodeName } : {}),
  },
  status: o.nominated ? { nominatedNodeName: o.nominated } : {},
});

/** Names of the pods nominated to each node, for compact assertions. */
const layout = (n: Nominator, nodes: string[]) => Object.fromEntries(nodes.map((node) => [node, n.podsOn(node).map((p) => p.pod.metadata!.name)]));

describe('Nominator', () => {
  it('nominate, podsOn, nodeNameOf and size', () => {
    const n = new Nominator();
    n.nominate(pod('a'), 'n1');
    n.nominate(pod('b'), 'n1');
    n.nominate(pod('c'), 'n2');
    assert.deepEqual(layout(n, ['n1', 'n2', 'n3']), { n1: ['a', 'b'], n2: ['c'], n3: [] });
    assert.equal(n.nodeNameOf(pod('b')), 'n1');
    assert.equal(n.nodeNameOf(pod('zzz')), undefined);
    assert.equal(n.size, 3);
  });

  it('podsOn carries the pod requests (the framework adds them to the node)', () => {
    const n = new Nominator();
    n.nominate(pod('a', { cpu: '1500m' }), 'n1');
    assert.equal(n.podsOn('n1')[0]!.requests.milliCpu, 1500);
  });

  it('nominating again moves the pod: never counted twice', () => {
    const n = new Nominator();
    n.nominate(pod('a'), 'n1');
    n.nominate(pod('a'), 'n1');
    assert.deepEqual(layout(n, ['n1']), { n1: ['a'] });
    n.nominate(pod('a'), 'n2');
    assert.deepEqual(layout(n, ['n1', 'n2']), { n1: [], n2: ['a'] });
    assert.equal(n.size, 1);
  });

  it("nominating to '' clears the nomination", () => {
    const n = new Nominator();
    n.nominate(pod('a'), 'n1');
    n.nominate(pod('a'), '');
    assert.equal(n.nodeNameOf(pod('a')), undefined);
    assert.deepEqual(n.podsOn('n1'), []);
    assert.equal(n.size, 0);
  });

  it('remove drops one pod, keeps the others; unknown pods are a no-op', () => {
    const n = new Nominator();
    n.nominate(pod('a'), 'n1');
    n.nominate(pod('b'), 'n1');
    n.remove(pod('a'));
    n.remove(pod('never-nominated'));
    assert.deepEqual(layout(n, ['n1']), { n1: ['b'] });
    n.remove(pod('b'));
    assert.deepEqual(n.podsOn('n1'), []);
    assert.equal(n.size, 0);
  });

  it('pods are told apart by uid, or by namespace/name without one', () => {
    const n = new Nominator();
    n.nominate(pod('a', { uid: 'u1' }), 'n1');
    n.nominate(pod('a', { uid: 'u2' }), 'n2'); // same name, another pod (recreated)
    assert.deepEqual(layout(n, ['n1', 'n2']), { n1: ['a'], n2: ['a'] });
    n.nominate(pod('x', { uid: null }), 'n1');
    n.nominate(pod('x', { uid: null }), 'n3');
    assert.deepEqual(layout(n, ['n1', 'n3']), { n1: ['a'], n3: ['x'] });
  });

  it('a list returned by podsOn is not changed by a later removal', () => {
    const n = new Nominator();
    n.nominate(pod('a'), 'n1');
    n.nominate(pod('b'), 'n1');
    const before = n.podsOn('n1');
    n.remove(pod('a'));
    assert.deepEqual(
      before.map((p) => p.pod.metadata!.name),
      ['a', 'b'],
    );
  });
});

describe('Nominator.observe (informer updates)', () => {
  const cases: { name: string; start?: [Pod, string]; observed: Pod; want: Record<string, string[]> }[] = [
    { name: 'an unbound pod with status.nominatedNodeName is nominated there', observed: pod('a', { nominated: 'n1' }), want: { n1: ['a'], n2: [] } },
    { name: 'a pod without nomination is not added', observed: pod('a'), want: { n1: [], n2: [] } },
    {
      name: "the scheduler's own nomination stays while the informer's pod has none yet",
      start: [pod('a'), 'n1'],
      observed: pod('a'),
      want: { n1: ['a'], n2: [] },
    },
    {
      name: 'a different nominatedNodeName moves the pod',
      start: [pod('a'), 'n1'],
      observed: pod('a', { nominated: 'n2' }),
      want: { n1: [], n2: ['a'] },
    },
    { name: 'a bound pod drops out', start: [pod('a'), 'n1'], observed: pod('a', { nominated: 'n1', nodeName: 'n1' }), want: { n1: [], n2: [] } },
    { name: 'a pod bound elsewhere drops out', start: [pod('a'), 'n1'], observed: pod('a', { nodeName: 'n2' }), want: { n1: [], n2: [] } },
    {
      name: 'a deleting pod drops out',
      start: [pod('a'), 'n1'],
      observed: pod('a', { nominated: 'n1', deleting: true }),
      want: { n1: [], n2: [] },
    },
    { name: 'a bound pod never nominated is not added', observed: pod('a', { nominated: 'n1', nodeName: 'n1' }), want: { n1: [], n2: [] } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const n = new Nominator();
      if (c.start) n.nominate(...c.start);
      n.observe(c.observed);
      assert.deepEqual(layout(n, ['n1', 'n2']), c.want);
    });
  }

  it('the same nomination in a newer object replaces the pod in place, once', () => {
    const n = new Nominator();
    n.nominate(pod('a', { cpu: '100m' }), 'n1');
    const newer = pod('a', { nominated: 'n1', cpu: '2' });
    n.observe(newer);
    const on = n.podsOn('n1');
    assert.equal(on.length, 1);
    assert.equal(on[0]!.pod, newer);
    assert.equal(on[0]!.requests.milliCpu, 2000, 'requests recomputed from the newer object');
  });

  it('observing the very same object again keeps its PodInfo (no churn)', () => {
    const n = new Nominator();
    const p = pod('a', { nominated: 'n1' });
    n.observe(p);
    const first = n.podsOn('n1')[0];
    n.observe(p);
    assert.equal(n.podsOn('n1')[0], first);
  });

  it('a nomination cleared in the API (the previous version had one) is dropped; one never written is kept', () => {
    const n = new Nominator();
    n.nominate(pod('a'), 'n1');
    n.observe(pod('a'), pod('a'));
    assert.deepEqual(layout(n, ['n1']), { n1: ['a'] }, 'neither version names a node: the status patch is still on its way');
    n.observe(pod('a'), pod('a', { nominated: 'n1' }));
    assert.deepEqual(layout(n, ['n1']), { n1: [] });
  });
});
