// pods/eviction against a real API server: pods no budget protects go at once; a budget not yet
// processed, or allowing no disruption, refuses with 429 and upstream's causes; a granted
// eviction takes one disruption and records the pod; two budgets are a 500; unhealthy pods under
// each unhealthyPodEvictionPolicy; dry runs change nothing. Then with the disruption controller
// keeping the budget, and through the real kubectl (drain).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { Status } from 'kubernetes-types/meta/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetSpec, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import { isNotFound, type StatusError } from '../../src/apimachinery/errors.js';
import { InformerFactory } from '../../src/client/cache/informer-factory.js';
import type { ApiClient } from '../../src/client/client.js';
import { EventBroadcaster } from '../../src/client/events/recorder.js';
import { NODES, PODS, POD_DISRUPTION_BUDGETS } from '../../src/client/resources.js';
import { DisruptionController } from '../../src/controllers/disruption/controller.js';
import { silentLogger } from '../../src/logging/index.js';
import { defaultServerConfig } from '../../src/server/config.js';
import { KubetsServer } from '../../src/server/kubets-server.js';

const KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';
const NS = 'default';
const REFUSED = "Cannot evict pod as it would violate the pod's disruption budget.";

let dataDir: string;
let server: KubetsServer;
let kubeconfig: string;
let client: ApiClient;
const pods = () => client.resource<Pod>(PODS);
const budgets = () => client.resource<PodDisruptionBudget>(POD_DISRUPTION_BUDGETS);

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'kubets-evict-'));
  server = new KubetsServer(
    { ...defaultServerConfig(), dataDir, port: 0, bindAddress: '127.0.0.1', datastore: 'memory', mergeKubeconfig: false, disableControllers: true, disableScheduler: true, disableAgent: true, leaderElection: false },
    silentLogger,
  );
  kubeconfig = (await server.start()).kubeconfigPath;
  client = server.inProcessClient();
});

after(async () => {
  client.close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface PodOpts {
  labels?: Record<string, string>;
  phase?: string;
  ready?: boolean;
  node?: string;
}

/** A pod in `phase` (Running by default), Ready unless told, as a kubelet would report it. */
async function pod(name: string, o: PodOpts = {}): Promise<Pod> {
  const created = await pods().create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: o.labels ?? { app: name } },
    spec: { containers: [{ name: 'c', image: 'busybox' }], nodeName: o.node },
  });
  return pods().updateStatus({
    ...created,
    status: { ...created.status, phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  });
}

/** A budget over `app` whose status says what the disruption controller would have written. */
async function budget(name: string, app: string, status: Partial<PodDisruptionBudgetStatus>, spec: PodDisruptionBudgetSpec = { minAvailable: 1 }): Promise<PodDisruptionBudget> {
  const b = await budgets().create({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: NS }, spec: { ...spec, selector: { matchLabels: { app } } } });
  return budgets().updateStatus({
    ...b,
    status: { currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptionsAllowed: 0, observedGeneration: b.metadata?.generation, ...status },
  });
}

const evict = (name: string, o: { query?: Record<string, string>; deleteOptions?: Record<string, unknown>; bodyName?: string } = {}) =>
  client.request<Status>({
    method: 'POST',
    path: `/api/v1/namespaces/${NS}/pods/${name}/eviction`,
    query: o.query,
    body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: o.bodyName ?? name, namespace: NS }, deleteOptions: o.deleteOptions },
  });

async function current(name: string): Promise<Pod | undefined> {
  try {
    return await pods().get(NS, name);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

/** The eviction is refused with 429 and this cause message. */
async function refused(name: string, cause: string | RegExp, retryAfterSeconds?: number): Promise<void> {
  await assert.rejects(evict(name), (e: StatusError) => {
    assert.equal(e.code, 429);
    assert.equal(e.reason, 'TooManyRequests');
    assert.equal(e.message, REFUSED);
    assert.equal(e.details?.retryAfterSeconds, retryAfterSeconds);
    assert.equal(e.details?.causes?.length, 1);
    assert.equal(e.details?.causes?.[0]?.reason, 'DisruptionBudget');
    if (typeof cause === 'string') assert.equal(e.details?.causes?.[0]?.message, cause);
    else assert.match(e.details?.causes?.[0]?.message ?? '', cause);
    return true;
  });
}

describe('pods/eviction', () => {
  test('without a budget the pod goes, marked as a disruption target first', async () => {
    await pod('free', { node: 'n1' });
    const s = await evict('free');
    assert.deepEqual({ status: s.status, code: s.code }, { status: 'Success', code: 201 });
    // Bound to a node: graceful deletion, so the pod is still there to look at.
    const p = (await current('free'))!;
    assert.ok(p.metadata?.deletionTimestamp);
    const c = p.status?.conditions?.find((x) => x.type === 'DisruptionTarget');
    assert.deepEqual({ status: c?.status, reason: c?.reason, message: c?.message }, { status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' });
  });

  test('pods finished, pending or already going are deleted whatever the budget says', async () => {
    await budget('closed', 'closed', { disruptionsAllowed: 0, desiredHealthy: 3, currentHealthy: 0 });
    await pod('done', { labels: { app: 'closed' }, phase: 'Succeeded' });
    await pod('failed', { labels: { app: 'closed' }, phase: 'Failed' });
    await pod('pending', { labels: { app: 'closed' }, phase: 'Pending', ready: false });
    await pod('going', { labels: { app: 'closed' }, node: 'n1' });
    await pods().delete(NS, 'going');
    for (const name of ['done', 'failed', 'pending', 'going']) assert.equal((await evict(name)).status, 'Success', name);
    for (const name of ['done', 'failed', 'pending']) assert.equal(await current(name), undefined, name);
    const b = await budgets().get(NS, 'closed');
    assert.equal(b.status?.disruptedPods, undefined, 'no disruption was taken');
  });

  test('a budget allowing no disruption refuses (429), and the pod stays', async () => {
    await budget('none', 'none', { disruptionsAllowed: 0, desiredHealthy: 2, currentHealthy: 2, expectedPods: 2 });
    await pod('none-a', { labels: { app: 'none' } });
    await refused('none-a', 'The disruption budget none needs 2 healthy pods and has 2 currently');
    assert.ok(await current('none-a'));
  });

  test('a budget whose spec change is not yet observed refuses (429, retry after 10 s)', async () => {
    const b = await budget('unseen', 'unseen', { disruptionsAllowed: 5, desiredHealthy: 1, currentHealthy: 6 });
    await budgets().update({ ...b, spec: { ...b.spec, minAvailable: 2 } });
    await pod('unseen-a', { labels: { app: 'unseen' } });
    await refused('unseen-a', 'The disruption budget unseen is still being processed by the server.', 10);
  });

  test('a granted eviction takes one disruption and records the pod; the next is refused', async () => {
    await budget('one', 'one', { disruptionsAllowed: 1, desiredHealthy: 2, currentHealthy: 3, expectedPods: 3 });
    await pod('one-a', { labels: { app: 'one' } });
    await pod('one-b', { labels: { app: 'one' } });
    assert.equal((await evict('one-a')).status, 'Success');
    assert.equal(await current('one-a'), undefined);
    const b = await budgets().get(NS, 'one');
    assert.equal(b.status?.disruptionsAllowed, 0);
    assert.deepEqual(Object.keys(b.status?.disruptedPods ?? {}), ['one-a']);
    assert.ok(Math.abs(Date.parse(b.status!.disruptedPods!['one-a']!) - Date.now()) < 5000);
    const cond = b.status?.conditions?.find((c) => c.type === 'DisruptionAllowed');
    assert.deepEqual({ status: cond?.status, reason: cond?.reason }, { status: 'False', reason: 'InsufficientPods' });
    await refused('one-b', 'The disruption budget one needs 2 healthy pods and has 3 currently');
  });

  test('a dry run checks the budget but changes nothing', async () => {
    await budget('dry', 'dry', { disruptionsAllowed: 1, desiredHealthy: 1, currentHealthy: 2, expectedPods: 2 });
    await pod('dry-a', { labels: { app: 'dry' } });
    const before = await budgets().get(NS, 'dry');
    assert.equal((await evict('dry-a', { query: { dryRun: 'All' } })).status, 'Success');
    assert.equal((await evict('dry-a', { deleteOptions: { dryRun: ['All'] } })).status, 'Success');
    const p = (await current('dry-a'))!;
    assert.equal(p.metadata?.deletionTimestamp, undefined);
    assert.equal(p.status?.conditions?.find((c) => c.type === 'DisruptionTarget'), undefined);
    assert.equal((await budgets().get(NS, 'dry')).metadata?.resourceVersion, before.metadata?.resourceVersion);
    await assert.rejects(evict('dry-a', { query: { dryRun: 'Some' } }), { code: 400, message: 'dryRun: Unsupported value: "Some": supported values: "All"' });
  });

  test('two budgets over one pod: 500', async () => {
    await budget('twin-1', 'twin', { disruptionsAllowed: 5 });
    await budget('twin-2', 'twin', { disruptionsAllowed: 5 });
    await pod('twin-a', { labels: { app: 'twin' } });
    await assert.rejects(evict('twin-a'), (e: StatusError) => {
      assert.equal(e.code, 500);
      assert.equal(e.message, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
      return true;
    });
    assert.ok(await current('twin-a'));
  });

  test('unhealthy pods: IfHealthyBudget evicts them only while the budget is met; AlwaysAllow always', async () => {
    const cases: { name: string; policy?: string; status: Partial<PodDisruptionBudgetStatus>; evicted: boolean }[] = [
      { name: 'met', status: { desiredHealthy: 2, currentHealthy: 2 }, evicted: true },
      { name: 'short', policy: 'IfHealthyBudget', status: { desiredHealthy: 2, currentHealthy: 1 }, evicted: false },
      { name: 'nodesired', status: { desiredHealthy: 0, currentHealthy: 0 }, evicted: false },
      { name: 'always', policy: 'AlwaysAllow', status: { desiredHealthy: 2, currentHealthy: 1 }, evicted: true },
    ];
    for (const c of cases) {
      const app = `sick-${c.name}`;
      await budget(app, app, { ...c.status, disruptionsAllowed: 0 }, { minAvailable: 2, unhealthyPodEvictionPolicy: c.policy });
      await pod(app, { labels: { app }, ready: false });
      if (c.evicted) {
        assert.equal((await evict(app)).status, 'Success', c.name);
        assert.equal(await current(app), undefined, c.name);
        assert.equal((await budgets().get(NS, app)).status?.disruptedPods, undefined, `${c.name}: no disruption taken`);
      } else {
        await refused(app, `The disruption budget ${app} needs ${c.status.desiredHealthy} healthy pods and has ${c.status.currentHealthy} currently`);
      }
    }
  });

  test('the name in the body must be the pod\u2019s', async () => {
    await pod('named');
    await assert.rejects(evict('named', { bodyName: 'other' }), { code: 400, message: 'name in URL does not match name in Eviction object' });
  });

  test('with the disruption controller keeping the budget', async () => {
    const events = new EventBroadcaster(client, silentLogger, 'test-host');
    const ctx = { client, informers: new InformerFactory(client, silentLogger), recorder: (c: string) => events.recorder(c), logger: silentLogger };
    const ac = new AbortController();
    const running = new DisruptionController(ctx).start(ac.signal);
    ctx.informers.start(ac.signal);
    try {
      await budgets().create({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'live', namespace: NS }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'live' } } } });
      for (const n of ['a', 'b']) await pod(`live-${n}`, { labels: { app: 'live' }, node: 'n1' });
      await waitUntil(async () => (await budgets().get(NS, 'live')).status?.disruptionsAllowed === 1, 'one disruption allowed');
      assert.equal((await evict('live-a')).status, 'Success');
      // live-a terminates gracefully (no kubelet here): it no longer counts, and nothing more may go.
      await refused('live-b', /^The disruption budget live needs 1 healthy pods and has [12] currently$/);
      await waitUntil(async () => (await budgets().get(NS, 'live')).status?.currentHealthy === 1, 'live-a not healthy');
      await refused('live-b', 'The disruption budget live needs 1 healthy pods and has 1 currently');
    } finally {
      ac.abort();
      await running;
      await ctx.informers.stopped();
    }
  });

  test('kubectl drain evicts what the budgets allow', async () => {
    const node = await client.resource<Node>(NODES).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'drained' } });
    assert.ok(node.metadata?.uid);
    await budget('drain', 'drain', { disruptionsAllowed: 1, desiredHealthy: 1, currentHealthy: 2, expectedPods: 2 });
    await pod('drain-a', { labels: { app: 'drain' }, node: 'drained' });
    const out = await promisify(execFile)(
      KUBECTL,
      ['--kubeconfig', kubeconfig, 'drain', 'drained', '--force', '--grace-period=0', '--timeout=5s', '--pod-selector=app=drain'],
      { env: { ...process.env, HOME: dataDir } },
    );
    assert.match(out.stdout, /pod\/drain-a evicted/);
    assert.equal(await current('drain-a'), undefined);
    assert.equal((await budgets().get(NS, 'drain')).status?.disruptionsAllowed, 0);
  });
});

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
