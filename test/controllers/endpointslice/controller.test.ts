// The EndpointSlice controller against a real API server: slices list the selected pods with
// resolved ports and conditions, follow readiness, deletion and label changes, pack 100 endpoints
// per slice, are updated in place, repaired after edits by others, and left alone once the
// service loses its selector.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ENDPOINT_SLICES, NODES, PODS, SERVICES } from '../../../src/client/resources.js';
import { EndpointSliceController } from '../../../src/controllers/endpointslice/controller.js';
import type { InformerFactory } from '../../../src/client/cache/informer-factory.js';
import { type ControlPlane, startControlPlane, waitFor } from '../harness.js';
import { NS, createService, ipFor, runningPod, setReady } from './cluster.js';

/** Slice changes by others are batched this long (upstream's 1 s would only slow the tests). */
const SLICE_DELAY_MS = 100;
let cp: ControlPlane;
let ac: AbortController;
let running: Promise<void>;
let stopInformers: () => Promise<void>;
/** The informers the controller reads (to wait until it has seen a change). */
let informers: InformerFactory;

const slicesOf = async (svc: string): Promise<EndpointSlice[]> =>
  (await cp.client.resource<EndpointSlice>(ENDPOINT_SLICES).list(NS, { labelSelector: `kubernetes.io/service-name=${svc}` })).items;

/** Endpoint name -> endpoint, across the service's slices. */
async function endpointsOf(svc: string) {
  const slices = await slicesOf(svc);
  return new Map(slices.flatMap((s) => (s.endpoints ?? []).map((e) => [e.targetRef!.name!, e] as const)));
}

/** Waits until the service's endpoints are exactly `names` and `check` holds. */
async function waitForEndpoints(svc: string, names: string[], check: (eps: Awaited<ReturnType<typeof endpointsOf>>) => boolean = () => true) {
  return waitFor(
    async () => {
      const eps = await endpointsOf(svc);
      const got = [...eps.keys()].sort();
      return JSON.stringify(got) === JSON.stringify([...names].sort()) && check(eps) ? eps : undefined;
    },
    5000,
    `endpoints of ${svc} = ${names.join(',')}`,
  );
}

const pods = () => cp.client.resource<Pod>(PODS);

function startController(): void {
  const ctx = cp.newContext();
  informers = ctx.informers;
  ac = new AbortController();
  const c = new EndpointSliceController(ctx, { sliceChangeSyncDelayMs: SLICE_DELAY_MS });
  ctx.informers.start(ac.signal);
  running = c.start(ac.signal);
  stopInformers = () => ctx.informers.stopped();
}

async function stopController(): Promise<void> {
  ac.abort();
  await running;
  await stopInformers();
}

before(async () => {
  cp = await startControlPlane();
  startController();
});

after(async () => {
  await stopController();
  await cp.stop();
});

describe('EndpointSlice controller', () => {
  test('three pods: one slice with resolved ports, conditions, references; then readiness, deletion and labels', async () => {
    const labels = { app: 'web' };
    await cp.client.resource<Node>(NODES).create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-z', labels: { 'topology.kubernetes.io/zone': 'zone-1' } } });
    const svc = await createService(cp.client, 'web', { selector: labels, labels: { team: 'blue' } });
    for (const [i, n] of ['web-0', 'web-1', 'web-2'].entries()) {
      await runningPod(cp.client, n, { labels, ip: ipFor(1, i), node: i === 0 ? 'node-z' : 'node-a', hostname: n, subdomain: 'web' });
    }
    const eps = await waitForEndpoints('web', ['web-0', 'web-1', 'web-2']);
    const [slice, ...rest] = await slicesOf('web');
    assert.equal(rest.length, 0);
    assert.equal(slice!.addressType, 'IPv4');
    assert.match(slice!.metadata!.name!, /^web-/);
    assert.deepEqual(slice!.metadata!.labels, { team: 'blue', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    assert.deepEqual(slice!.metadata!.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata!.uid, controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(
      [...slice!.ports!].sort((a, b) => a.port! - b.port!),
      [
        { name: 'http', port: 8080, protocol: 'TCP' },
        { name: 'metrics', port: 9090, protocol: 'TCP' },
      ],
    );
    const web0 = eps.get('web-0')!;
    const pod0 = await pods().get(NS, 'web-0');
    assert.deepEqual(web0, {
      addresses: [ipFor(1, 0)],
      conditions: { ready: true, serving: true, terminating: false },
      hostname: 'web-0',
      nodeName: 'node-z',
      zone: 'zone-1',
      targetRef: { kind: 'Pod', namespace: NS, name: 'web-0', uid: pod0.metadata!.uid },
    });
    assert.equal(eps.get('web-1')!.zone, undefined);

    // Not ready: stays, ready=false, in the same slice (updated, not replaced).
    await setReady(cp.client, 'web-1', false);
    await waitForEndpoints('web', ['web-0', 'web-1', 'web-2'], (e) => e.get('web-1')!.conditions!.ready === false);
    const [after1] = await slicesOf('web');
    assert.equal(after1!.metadata!.uid, slice!.metadata!.uid);
    assert.deepEqual(after1!.endpoints!.find((e) => e.targetRef!.name === 'web-1')!.conditions, { ready: false, serving: false, terminating: false });

    // Graceful deletion: terminating; gone once the pod is.
    await pods().delete(NS, 'web-2');
    await waitForEndpoints('web', ['web-0', 'web-1', 'web-2'], (e) => e.get('web-2')!.conditions!.terminating === true);
    assert.deepEqual((await endpointsOf('web')).get('web-2')!.conditions, { ready: false, serving: true, terminating: true });
    await pods().delete(NS, 'web-2', { gracePeriodSeconds: 0 });
    await waitForEndpoints('web', ['web-0', 'web-1']);

    // A label change takes the pod out.
    const p1 = await pods().get(NS, 'web-1');
    await pods().update({ ...p1, metadata: { ...p1.metadata, labels: { app: 'other' } } });
    await waitForEndpoints('web', ['web-0']);
    assert.equal((await slicesOf('web')).length, 1);
  });

  test('a service without pods gets one empty placeholder slice', async () => {
    await createService(cp.client, 'lonely', { selector: { app: 'lonely' } });
    const slices = await waitFor(async () => {
      const s = await slicesOf('lonely');
      return s.length === 1 ? s : undefined;
    });
    assert.deepEqual(slices[0]!.endpoints ?? [], []);
    assert.deepEqual(slices[0]!.ports ?? [], []);
  });

  test('150 pods make two slices of at most 100', async () => {
    const labels = { app: 'big' };
    await createService(cp.client, 'big', { selector: labels });
    const names = Array.from({ length: 150 }, (_, i) => `big-${i}`);
    await Promise.all(names.map((n, i) => runningPod(cp.client, n, { labels, ip: ipFor(2, i) })));
    await waitForEndpoints('big', names);
    const slices = await slicesOf('big');
    assert.deepEqual(slices.map((s) => s.endpoints!.length).sort(), [100, 50]);
  });

  test('pods whose named port differs land in different slices', async () => {
    const labels = { app: 'ports' };
    await createService(cp.client, 'ports', { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });
    await runningPod(cp.client, 'ports-a', { labels, ip: ipFor(3, 0) });
    await runningPod(cp.client, 'ports-b', { labels, ip: ipFor(3, 1), ports: [{ name: 'http', containerPort: 9000, protocol: 'TCP' }] });
    await waitForEndpoints('ports', ['ports-a', 'ports-b']);
    const slices = await slicesOf('ports');
    const byPort = Object.fromEntries(slices.map((s) => [s.ports![0]!.port!, s.endpoints!.map((e) => e.targetRef!.name)]));
    assert.deepEqual(byPort, { 8080: ['ports-a'], 9000: ['ports-b'] });
  });

  test('edits and deletions by others are repaired', async () => {
    const labels = { app: 'repair' };
    await createService(cp.client, 'repair', { selector: labels });
    await runningPod(cp.client, 'repair-0', { labels, ip: ipFor(4, 0) });
    await waitForEndpoints('repair', ['repair-0']);
    const rc = cp.client.resource<EndpointSlice>(ENDPOINT_SLICES);
    const [slice] = await slicesOf('repair');
    await rc.update({ ...slice!, endpoints: [] });
    await waitForEndpoints('repair', ['repair-0']);
    await rc.delete(NS, slice!.metadata!.name!);
    const [second] = await waitFor(async () => {
      const s = await slicesOf('repair');
      return s.length === 1 && s[0]!.metadata!.uid !== slice!.metadata!.uid && s[0]!.endpoints?.length === 1 ? s : undefined;
    }, 5000, 'slice recreated');
    // Taken over by another manager: no longer ours, so the controller makes a new one.
    await rc.update({ ...second!, metadata: { ...second!.metadata, labels: { ...second!.metadata!.labels, 'endpointslice.kubernetes.io/managed-by': 'someone-else' } } });
    await waitFor(async () => (await slicesOf('repair')).length === 2, 5000, 'a slice of our own again');
    await runningPod(cp.client, 'repair-1', { labels, ip: ipFor(4, 1) });
    await waitFor(async () => {
      const ours = (await slicesOf('repair')).filter((s) => s.metadata!.labels!['endpointslice.kubernetes.io/managed-by'] === 'endpointslice-controller.k8s.io');
      return ours.length === 1 && ours[0]!.endpoints?.length === 2;
    }, 5000, 'syncs go on after the take-over');
  });

  test('after a restart, slices found (not written) are still repaired when deleted', async () => {
    const labels = { app: 'restart' };
    await createService(cp.client, 'restart', { selector: labels });
    await runningPod(cp.client, 'restart-0', { labels, ip: ipFor(6, 0) });
    await waitForEndpoints('restart', ['restart-0']);
    await stopController();
    startController();
    const [slice] = await slicesOf('restart');
    // Let the new controller list and finish its start-up syncs (slices it does not know yet are
    // synced after the batching delay): it writes nothing, the slice is current.
    await new Promise((r) => setTimeout(r, SLICE_DELAY_MS * 4));
    assert.equal((await slicesOf('restart'))[0]!.metadata!.resourceVersion, slice!.metadata!.resourceVersion);
    await cp.client.resource<EndpointSlice>(ENDPOINT_SLICES).delete(NS, slice!.metadata!.name!);
    await waitFor(async () => (await slicesOf('restart')).some((s) => s.metadata!.uid !== slice!.metadata!.uid), 5000, 'slice recreated');
  });

  test('a service losing its selector is no longer managed', async () => {
    const labels = { app: 'unsel' };
    await createService(cp.client, 'unsel', { selector: labels });
    await runningPod(cp.client, 'unsel-0', { labels, ip: ipFor(5, 0) });
    await waitForEndpoints('unsel', ['unsel-0']);
    const svcs = cp.client.resource<Service>(SERVICES);
    const svc = await svcs.get(NS, 'unsel');
    await svcs.update({ ...svc, spec: { ...svc.spec, selector: undefined } });
    // The controller's service cache must see the change before the pods move.
    await waitFor(() => informers.for<Service>(SERVICES).store.get(`${NS}/unsel`)?.spec?.selector === undefined, 5000, 'selector gone from the cache');
    const before = await slicesOf('unsel');
    await setReady(cp.client, 'unsel-0', false);
    await runningPod(cp.client, 'unsel-1', { labels, ip: ipFor(5, 1) });
    await new Promise((r) => setTimeout(r, 300));
    const afterwards = await slicesOf('unsel');
    assert.deepEqual(
      afterwards.map((s) => s.metadata!.resourceVersion),
      before.map((s) => s.metadata!.resourceVersion),
    );
  });
});
