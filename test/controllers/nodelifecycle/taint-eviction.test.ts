// The taint eviction controller on its own, against a real API server: NoExecute taints evict
// pods that do not tolerate them at once, those tolerating them for a while after that while, and
// never those tolerating them forever; removing the taint cancels pending evictions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { NODES, PODS } from '../../../src/client/resources.js';
import { TaintEvictionController } from '../../../src/controllers/nodelifecycle/taint-eviction.js';
import { type ControlPlane, startControlPlane, waitFor } from '../harness.js';

const NS = 'default';
const EVICT: Taint = { key: 'example.com/evict', effect: 'NoExecute' };
let cp: ControlPlane;
const pods = () => cp.client.resource<Pod>(PODS);
const nodes = () => cp.client.resource<Node>(NODES);

async function withController(body: (c: TaintEvictionController) => Promise<void>): Promise<void> {
  const ctx = cp.newContext();
  const ac = new AbortController();
  const c = new TaintEvictionController(ctx);
  ctx.informers.start(ac.signal);
  const running = c.start(ac.signal);
  try {
    await ctx.informers.waitForCacheSync(ac.signal);
    await body(c);
  } finally {
    ac.abort();
    await running;
    await ctx.informers.stopped();
  }
}

const pod = (name: string, node: string, tolerations?: Toleration[]) =>
  pods().create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS }, spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }], tolerations } });
const deleting = (name: string) => pods().get(NS, name).then((p) => !!p.metadata?.deletionTimestamp);
const setTaints = async (name: string, taints: Taint[]) => {
  await nodes().patch('', name, 'merge', { spec: { taints: taints.length ? taints : null } });
};

before(async () => {
  cp = await startControlPlane();
  await nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } });
});

after(async () => {
  await cp.stop();
});

describe('taint eviction controller', () => {
  test('evicts by toleration: at once, after tolerationSeconds, never', async () => {
    await pod('intolerant', 'n1');
    await pod('one-second', 'n1', [{ key: EVICT.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }]);
    await pod('forever', 'n1', [{ key: EVICT.key, operator: 'Exists', effect: 'NoExecute' }]);
    await pod('wildcard', 'n1', [{ operator: 'Exists' }]);
    await withController(async (c) => {
      // A NoSchedule taint evicts nobody.
      await setTaints('n1', [{ key: 'example.com/quiet', effect: 'NoSchedule' }]);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(await deleting('intolerant'), false);

      const taintedAt = Date.now();
      await setTaints('n1', [EVICT]);
      await waitFor(() => deleting('intolerant'), 2000, 'intolerant evicted');
      assert.ok(Date.now() - taintedAt < 900, 'at once');
      assert.equal(await deleting('one-second'), false);
      await waitFor(() => deleting('one-second'), 3000, 'one-second evicted');
      assert.ok(Date.now() - taintedAt >= 950, 'after its toleration');
      const p = await pods().get(NS, 'one-second');
      assert.equal(p.status?.conditions?.find((x) => x.type === 'DisruptionTarget')?.reason, 'DeletionByTaintManager');
      assert.equal(await deleting('forever'), false);
      assert.equal(await deleting('wildcard'), false);
      assert.equal(c.scheduled().size, 0, 'nothing pending for pods tolerating forever');

      // A pod bound to the tainted node later is evicted too.
      await pod('latecomer', 'n1');
      await waitFor(() => deleting('latecomer'), 2000, 'latecomer evicted');
    });
    await setTaints('n1', []);
    for (const n of ['intolerant', 'one-second', 'forever', 'wildcard', 'latecomer']) await pods().delete(NS, n, { gracePeriodSeconds: 0 });
  });

  test('removing the taint cancels a pending eviction; a new taint starts a new one', async () => {
    await pod('waits', 'n1', [{ key: EVICT.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }]);
    await withController(async (c) => {
      await setTaints('n1', [EVICT]);
      await waitFor(() => c.scheduled().has(`${NS}/waits`), 2000, 'eviction scheduled');
      const due = c.scheduled().get(`${NS}/waits`)! - Date.now();
      assert.ok(due > 58_000 && due <= 60_000, `${due}`);
      await setTaints('n1', []);
      await waitFor(() => c.scheduled().size === 0, 2000, 'cancelled by untainting');
      // Another NoExecute taint the pod does not tolerate: evicted at once after all.
      await setTaints('n1', [EVICT, { key: 'example.com/other', effect: 'NoExecute' }]);
      await waitFor(() => deleting('waits'), 2000, 'evicted for the untolerated taint');
    });
    await setTaints('n1', []);
    await pods().delete(NS, 'waits', { gracePeriodSeconds: 0 });
  });
});
