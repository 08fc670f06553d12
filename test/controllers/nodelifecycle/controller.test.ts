// The node lifecycle controller against a real API server, with real node agents for kubelets:
// a silent node goes Unknown and gets the unreachable taints, its pods are marked not ready and
// evicted as their tolerations say, and everything is undone when the agent comes back; Ready=False
// means not-ready taints; cordon means the unschedulable taint; a cluster whose every node is down
// evicts nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { EVENTS, NODES, PODS } from '../../../src/client/resources.js';
import { NodeLifecycleController, type NodeLifecycleOptions } from '../../../src/controllers/nodelifecycle/controller.js';
import { NodeAgent } from '../../../src/kubelet/node/agent.js';
import { FakeMachine } from '../../kubelet/node/fake-machine.js';
import { type ControlPlane, startControlPlane, waitFor } from '../harness.js';

const NS = 'default';
let cp: ControlPlane;
const nodes = () => cp.client.resource<Node>(NODES);
const pods = () => cp.client.resource<Pod>(PODS);
const taintKeys = (n: Node) => (n.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`).sort();
const ready = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready');

const FAST: NodeLifecycleOptions = { nodeMonitorPeriodMs: 50, nodeMonitorGracePeriodMs: 500, nodeStartupGracePeriodMs: 700, evictionLimiterQPS: 1000 };

/** Runs a node lifecycle controller for the duration of `body`. */
async function withController(body: (c: NodeLifecycleController) => Promise<void>, opts: NodeLifecycleOptions = {}): Promise<void> {
  const ctx = cp.newContext();
  const ac = new AbortController();
  const c = new NodeLifecycleController(ctx, { ...FAST, ...opts });
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

/** A node agent (a kubelet's node half) until stop(). */
function agent(name: string, o: { zone?: string; readyErrors?: () => string[] } = {}) {
  const a = new NodeAgent({
    client: cp.client,
    nodeName: name,
    machine: new FakeMachine(),
    leaseRenewIntervalMs: 50,
    statusUpdateIntervalMs: 50,
    labels: o.zone ? { 'topology.kubernetes.io/zone': o.zone } : undefined,
    readyErrors: o.readyErrors,
  });
  const ac = new AbortController();
  const running = a.start(ac.signal);
  return {
    registered: () => a.registered(),
    async stop() {
      ac.abort();
      await running;
    },
  };
}

async function runningPod(name: string, node: string, tolerations?: Toleration[]): Promise<Pod> {
  const created = await pods().create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS }, spec: { nodeName: node, containers: [{ name: 'c', image: 'busybox' }], tolerations } });
  return pods().updateStatus({ ...created, status: { ...created.status, phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } });
}

const waitNode = (name: string, check: (n: Node) => boolean, what: string, ms = 5000) =>
  waitFor(async () => {
    const n = await nodes().get('', name);
    return check(n) ? n : undefined;
  }, ms, what);

async function cleanup(nodeNames: string[], podNames: string[] = []): Promise<void> {
  for (const p of podNames) await pods().delete(NS, p, { gracePeriodSeconds: 0 }).catch(() => undefined);
  for (const n of nodeNames) await nodes().delete('', n).catch(() => undefined);
}

before(async () => {
  cp = await startControlPlane();
});

after(async () => {
  await cp.stop();
});

describe('node lifecycle controller', () => {
  test('a silent node: Unknown, unreachable taints, pods not ready and evicted by toleration; all undone on return', async () => {
    const alive = agent('alive-1');
    let victim = agent('victim-1');
    try {
      await alive.registered();
      await victim.registered();
      await runningPod('default-tol', 'victim-1'); // gets 300 s from DefaultTolerationSeconds
      await runningPod('short-tol', 'victim-1', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }]);
      await runningPod('forever', 'victim-1', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }]);
      await runningPod('elsewhere', 'alive-1');
      await withController(async (c) => {
        await new Promise((r) => setTimeout(r, 300));
        assert.deepEqual(taintKeys(await nodes().get('', 'victim-1')), [], 'a healthy node is not tainted');

        const silencedAt = Date.now();
        await victim.stop();
        const unknown = await waitNode('victim-1', (n) => ready(n)?.status === 'Unknown', 'Ready=Unknown');
        assert.ok(Date.now() - silencedAt >= 450, 'not before the grace period');
        assert.deepEqual([ready(unknown)!.reason, ready(unknown)!.message], ['NodeStatusUnknown', 'Kubelet stopped posting node status.']);
        assert.ok(unknown.status!.conditions!.every((x) => x.status === 'Unknown'));
        const tainted = await waitNode('victim-1', (n) => taintKeys(n).length === 2, 'unreachable taints');
        assert.deepEqual(taintKeys(tainted), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
        const noExecute = tainted.spec!.taints!.find((t: Taint) => t.effect === 'NoExecute')!;
        assert.match(noExecute.timeAdded ?? '', /^\d{4}-/, 'NoExecute taints carry timeAdded');

        // Pods of the silent node are not ready any more; those elsewhere are untouched.
        const notReady = await waitFor(async () => {
          const p = await pods().get(NS, 'default-tol');
          return p.status?.conditions?.find((x) => x.type === 'Ready')?.status === 'False' ? p : undefined;
        }, 3000, 'pod marked not ready');
        assert.ok(notReady);
        assert.equal((await pods().get(NS, 'elsewhere')).status?.conditions?.find((x) => x.type === 'Ready')?.status, 'True');

        // tolerationSeconds 1: deleted about a second after the taint; 300 s and forever: not yet.
        const evicted = await waitFor(async () => {
          const p = await pods().get(NS, 'short-tol');
          return p.metadata?.deletionTimestamp ? p : undefined;
        }, 4000, 'short-tol evicted');
        const disruption = evicted.status?.conditions?.find((x) => x.type === 'DisruptionTarget');
        assert.deepEqual([disruption?.status, disruption?.reason, disruption?.message], ['True', 'DeletionByTaintManager', 'Taint manager: deleting due to NoExecute taint']);
        assert.equal((await pods().get(NS, 'default-tol')).metadata?.deletionTimestamp, undefined);
        assert.equal((await pods().get(NS, 'forever')).metadata?.deletionTimestamp, undefined);
        const scheduled = c.taintEviction!.scheduled();
        assert.ok(scheduled.has(`${NS}/default-tol`) && !scheduled.has(`${NS}/forever`));
        const due = scheduled.get(`${NS}/default-tol`)! - Date.now();
        assert.ok(due > 290_000 && due <= 300_000, `default toleration: 300 s (${due} ms left)`);

        // The kubelet comes back: Ready, taints gone, the pending eviction cancelled.
        victim = agent('victim-1');
        await waitNode('victim-1', (n) => ready(n)?.status === 'True' && taintKeys(n).length === 0, 'recovered and untainted');
        await waitFor(() => !c.taintEviction!.scheduled().has(`${NS}/default-tol`), 3000, 'eviction cancelled');
      });
      const events = (await cp.client.resource<Event>(EVENTS).list(NS)).items;
      const has = (reason: string, name: string, message?: string) => events.some((e) => e.reason === reason && e.involvedObject.name === name && (!message || e.message === message));
      assert.ok(has('RegisteredNode', 'victim-1', 'Node victim-1 event: Registered Node victim-1 in Controller'));
      assert.ok(has('NodeNotReady', 'victim-1', 'Node victim-1 status is now: NodeNotReady'));
      assert.ok(has('NodeNotReady', 'default-tol', 'Node is not ready'));
      assert.ok(has('TaintManagerEviction', 'short-tol', 'Marking for deletion Pod default/short-tol'));
      assert.ok(has('TaintManagerEviction', 'default-tol', 'Cancelling deletion of Pod default/default-tol'));
    } finally {
      await alive.stop();
      await victim.stop();
      await cleanup(['alive-1', 'victim-1'], ['default-tol', 'short-tol', 'forever', 'elsewhere']);
    }
  });

  test('Ready=False means the not-ready taints, swapped for unreachable when the node then goes silent', async () => {
    const alive = agent('alive-2');
    let errors = ['container runtime is down'];
    const sick = agent('sick-2', { readyErrors: () => errors });
    try {
      await alive.registered();
      await sick.registered();
      await withController(async () => {
        const n = await waitNode('sick-2', (x) => taintKeys(x).length === 2, 'not-ready taints');
        assert.deepEqual(taintKeys(n), ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule']);
        await sick.stop();
        await waitNode('sick-2', (x) => taintKeys(x).join() === 'node.kubernetes.io/unreachable:NoExecute,node.kubernetes.io/unreachable:NoSchedule', 'swapped to unreachable');
        errors = [];
      });
    } finally {
      await alive.stop();
      await sick.stop();
      await cleanup(['alive-2', 'sick-2']);
    }
  });

  test('cordon and uncordon move the unschedulable taint; beta os/arch labels follow the stable ones', async () => {
    const a = agent('cordon-3');
    try {
      await a.registered();
      await withController(async () => {
        await nodes().patch('', 'cordon-3', 'merge', { spec: { unschedulable: true }, metadata: { labels: { 'beta.kubernetes.io/arch': 'wrong' } } });
        await waitNode('cordon-3', (n) => taintKeys(n).join() === 'node.kubernetes.io/unschedulable:NoSchedule', 'unschedulable taint');
        await waitNode('cordon-3', (n) => n.metadata?.labels?.['beta.kubernetes.io/arch'] === 'arm64', 'beta label reconciled');
        await nodes().patch('', 'cordon-3', 'merge', { spec: { unschedulable: null } });
        await waitNode('cordon-3', (n) => taintKeys(n).length === 0, 'taint removed');
      });
    } finally {
      await a.stop();
      await cleanup(['cordon-3']);
    }
  });

  test('a node that never reports goes Unknown after the startup grace period', async () => {
    const alive = agent('alive-4');
    try {
      await alive.registered();
      await nodes().create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'mute-4' } });
      await withController(async () => {
        const n = await waitNode('mute-4', (x) => ready(x)?.status === 'Unknown', 'Unknown', 5000);
        assert.deepEqual([ready(n)!.reason, ready(n)!.message], ['NodeStatusNeverUpdated', 'Kubelet never posted node status.']);
        await waitNode('mute-4', (x) => taintKeys(x).includes('node.kubernetes.io/unreachable:NoExecute'), 'unreachable NoExecute');
      });
    } finally {
      await alive.stop();
      await cleanup(['alive-4', 'mute-4']);
    }
  });

  test('when every node is down, nothing is tainted NoExecute (full disruption)', async () => {
    const only = agent('only-5');
    try {
      await only.registered();
      await runningPod('stays-5', 'only-5', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 1 }]);
      await withController(async () => {
        await new Promise((r) => setTimeout(r, 200));
        await only.stop();
        await waitNode('only-5', (n) => ready(n)?.status === 'Unknown' && taintKeys(n).includes('node.kubernetes.io/unreachable:NoSchedule'), 'Unknown, NoSchedule');
        await new Promise((r) => setTimeout(r, 700));
        const n = await nodes().get('', 'only-5');
        assert.deepEqual(taintKeys(n), ['node.kubernetes.io/unreachable:NoSchedule']);
        assert.equal((await pods().get(NS, 'stays-5')).metadata?.deletionTimestamp, undefined, 'no eviction');
      });
    } finally {
      await only.stop();
      await cleanup(['only-5'], ['stays-5']);
    }
  });
});
