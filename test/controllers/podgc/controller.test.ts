// The pod garbage collector against a real API server: the terminated-pod threshold, pods of gone
// nodes (after quarantine), terminating pods never scheduled, and pods on out-of-service nodes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../../src/apimachinery/errors.js';
import { NODES, PODS } from '../../../src/client/resources.js';
import { PodGcController, type PodGcOptions } from '../../../src/controllers/podgc/controller.js';
import { type ControlPlane, startControlPlane, waitFor } from '../harness.js';

const NS = 'default';
let cp: ControlPlane;
const pods = () => cp.client.resource<Pod>(PODS);
const nodes = () => cp.client.resource<Node>(NODES);

/** Runs a pod GC with `opts` for the duration of `body`. */
async function withPodGc(opts: PodGcOptions, body: () => Promise<void>): Promise<void> {
  const ctx = cp.newContext();
  const ac = new AbortController();
  const c = new PodGcController(ctx, { periodMs: 50, ...opts });
  ctx.informers.start(ac.signal);
  const running = c.start(ac.signal);
  try {
    await body();
  } finally {
    ac.abort();
    await running;
    await ctx.informers.stopped();
  }
}

async function pod(name: string, o: { node?: string; phase?: string; finalizers?: string[] } = {}): Promise<Pod> {
  const created = await pods().create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, finalizers: o.finalizers },
    spec: { containers: [{ name: 'c', image: 'busybox' }], nodeName: o.node },
  });
  if (!o.phase) return created;
  return pods().updateStatus({ ...created, status: { ...created.status, phase: o.phase } });
}

async function node(name: string, o: { ready?: boolean; outOfService?: boolean } = {}): Promise<void> {
  const created = await nodes().create({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: { taints: o.outOfService ? [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }] : undefined },
  });
  const ready = o.ready ?? true;
  await nodes().updateStatus({ ...created, status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
}

async function current(name: string): Promise<Pod | undefined> {
  try {
    return await pods().get(NS, name);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}
const gone = (name: string) => waitFor(async () => (await current(name)) === undefined, 5000, `pod ${name} gone`);

before(async () => {
  cp = await startControlPlane();
});

after(async () => {
  await cp.stop();
});

describe('pod garbage collector', () => {
  test('terminated pods beyond the threshold go, oldest first', async () => {
    await pod('tp-z', { phase: 'Succeeded' });
    // creationTimestamp has second precision: the oldest must be a second older
    await new Promise((r) => setTimeout(r, 1100));
    await pod('tp-a', { phase: 'Failed' });
    await pod('tp-b', { phase: 'Succeeded' });
    await pod('tp-c', { phase: 'Failed' });
    await pod('tp-running', { phase: 'Running' });
    await withPodGc({ terminatedPodThreshold: 2 }, async () => {
      await gone('tp-z');
      await gone('tp-a');
      await new Promise((r) => setTimeout(r, 200));
      const left = (await pods().list(NS)).items.map((p) => p.metadata!.name).filter((n) => n!.startsWith('tp-'));
      assert.deepEqual(left.sort(), ['tp-b', 'tp-c', 'tp-running']);
    });
    for (const n of ['tp-b', 'tp-c', 'tp-running']) await pods().delete(NS, n, { gracePeriodSeconds: 0 });
  });

  test('pods of a node that no longer exists go after the quarantine, marked Failed first', async () => {
    await node('alive');
    await pod('orphan', { node: 'vanished' });
    await pod('kept', { node: 'alive' });
    const seen: Pod[] = [];
    const watching = new AbortController();
    const watch = (async () => {
      for await (const ev of pods().watch(NS, { signal: watching.signal })) if (ev.object.metadata?.name === 'orphan') seen.push(ev.object);
    })();
    await withPodGc({ terminatedPodThreshold: 0, orphanQuarantineMs: 400 }, async () => {
      const start = Date.now();
      await gone('orphan');
      assert.ok(Date.now() - start >= 350, 'not before the quarantine is over');
      assert.ok(await current('kept'), 'a pod of an existing node stays');
    });
    watching.abort();
    await watch;
    const failed = seen.find((p) => p.status?.phase === 'Failed');
    assert.ok(failed, 'marked Failed before deletion');
    const cond = failed.status?.conditions?.find((c) => c.type === 'DisruptionTarget');
    assert.deepEqual([cond?.status, cond?.reason, cond?.message], ['True', 'DeletionByPodGC', 'PodGC: node no longer exists']);
  });

  test('terminating pods never scheduled are force-deleted (marked Failed)', async () => {
    // Only a finalizer keeps an unscheduled pod terminating; force deletion cannot pass it either.
    await pod('unscheduled', { finalizers: ['example.com/hold'] });
    await pod('unscheduled-alive');
    await pods().delete(NS, 'unscheduled');
    await withPodGc({ terminatedPodThreshold: 0 }, async () => {
      const p = await waitFor(async () => {
        const p = await current('unscheduled');
        return p?.status?.phase === 'Failed' ? p : undefined;
      }, 5000, 'unscheduled pod failed');
      assert.ok(p.metadata?.deletionTimestamp);
      assert.equal((await current('unscheduled-alive'))?.status?.phase, 'Pending', 'a pod not being deleted is left alone');
    });
    await pods().patch(NS, 'unscheduled', 'merge', { metadata: { finalizers: null } });
    await gone('unscheduled');
  });

  test('terminating pods on a not-ready out-of-service node are force-deleted', async () => {
    await node('oos', { ready: false, outOfService: true });
    await node('down', { ready: false });
    await pod('on-oos', { node: 'oos', phase: 'Running' });
    await pod('on-down', { node: 'down', phase: 'Running' });
    await pods().delete(NS, 'on-oos');
    await pods().delete(NS, 'on-down');
    assert.ok((await current('on-oos'))?.metadata?.deletionTimestamp, 'a bound pod waits for its kubelet');
    await withPodGc({ terminatedPodThreshold: 0 }, async () => {
      await gone('on-oos');
      assert.ok(await current('on-down'), 'without the taint the kubelet may still come back');
    });
  });
});
