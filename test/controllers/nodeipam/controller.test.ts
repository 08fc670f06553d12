// The node IPAM controller against a real API server: every node gets its own /24 of
// 10.42.0.0/16 as spec.podCIDR and spec.podCIDRs, subnets nodes already carry are never handed
// out again (also across a restart), and a deleted node's subnet becomes free.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Node } from 'kubernetes-types/core/v1.js';
import { EVENTS, NODES } from '../../../src/client/resources.js';
import { NodeIpamController, type NodeIpamOptions } from '../../../src/controllers/nodeipam/controller.js';
import { type ControlPlane, startControlPlane, waitFor } from '../harness.js';

let cp: ControlPlane;
const nodes = () => cp.client.resource<Node>(NODES);

async function withController(body: (c: NodeIpamController) => Promise<void>, opts: NodeIpamOptions = {}): Promise<void> {
  const ctx = cp.newContext();
  const ac = new AbortController();
  const c = new NodeIpamController(ctx, opts);
  ctx.informers.start(ac.signal);
  const running = c.start(ac.signal);
  try {
    await body(c);
  } finally {
    ac.abort();
    await running;
    await ctx.informers.stopped();
    await ctx.events.flush();
  }
}

const node = (name: string, podCIDR?: string) =>
  nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} });
const cidrOf = (name: string) =>
  waitFor(async () => {
    const n = await nodes().get('', name);
    return n.spec?.podCIDR;
  }, 3000, `pod CIDR of ${name}`);

before(async () => {
  cp = await startControlPlane();
});

after(async () => {
  await cp.stop();
});

describe('node IPAM controller', () => {
  test('assigns distinct subnets, skipping those in use, and frees those of deleted nodes', async () => {
    await node('pre-1', '10.42.0.0/24');
    await node('pre-2', '10.42.2.0/24');
    await node('outside', '192.168.0.0/24');
    await node('a');
    await withController(async () => {
      assert.equal(await cidrOf('a'), '10.42.1.0/24', 'the subnets of existing nodes are skipped');
      const a = await nodes().get('', 'a');
      assert.deepEqual(a.spec?.podCIDRs, ['10.42.1.0/24']);
      await node('b');
      await node('c');
      const [b, c] = [await cidrOf('b'), await cidrOf('c')];
      assert.deepEqual([b, c].sort(), ['10.42.3.0/24', '10.42.4.0/24']);
      assert.equal((await nodes().get('', 'outside')).spec?.podCIDR, '192.168.0.0/24', 'a node with its own CIDR keeps it');
    });
    // A restart rebuilds the used set from the nodes: the next node gets a fresh subnet.
    await nodes().delete('', 'a');
    await node('d');
    await withController(async () => {
      assert.equal(await cidrOf('d'), '10.42.1.0/24', 'the deleted node’s subnet is free again');
      await node('e');
      assert.equal(await cidrOf('e'), '10.42.5.0/24');
    });
    for (const n of ['pre-1', 'pre-2', 'outside', 'b', 'c', 'd', 'e']) await nodes().delete('', n);
  });

  test('a deletion while running frees the subnet; a full range says CIDRNotAvailable', async () => {
    await withController(
      async (c) => {
        await node('x1');
        await node('x2');
        const got = [await cidrOf('x1'), await cidrOf('x2')].sort();
        assert.deepEqual(got, ['10.44.0.0/25', '10.44.0.128/25']);
        await node('x3');
        const ev = await waitFor(async () => (await cp.client.resource<Event>(EVENTS).list('default')).items.find((e) => e.involvedObject.name === 'x3' && e.reason === 'CIDRNotAvailable'), 3000, 'CIDRNotAvailable');
        assert.equal(ev.message, 'Node x3 status is now: CIDRNotAvailable');
        const freed = (await nodes().get('', 'x1')).spec!.podCIDR!;
        await nodes().delete('', 'x1');
        assert.equal(await cidrOf('x3'), freed, 'x3 gets the freed subnet on a retry');
        assert.equal(c.cidrs.allocated, 2);
      },
      { clusterCIDR: '10.44.0.0/24', nodeCIDRMaskSize: 25 },
    );
    for (const n of ['x2', 'x3']) await nodes().delete('', n);
  });
});
