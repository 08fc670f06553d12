// The Endpoints controller against a real API server: subsets list ready and not-ready pods with
// resolved ports, follow readiness, deletion and label changes, are not rewritten when nothing
// changed, mark headless services, are repaired after edits by others, go with their service, and
// are left alone once the service loses its selector.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointAddress, Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../../src/apimachinery/errors.js';
import { ENDPOINTS, PODS, SERVICES } from '../../../src/client/resources.js';
import { EndpointsController } from '../../../src/controllers/endpoints/controller.js';
import type { InformerFactory } from '../../../src/client/cache/informer-factory.js';
import { type ControlPlane, startControlPlane, waitFor } from '../harness.js';
import { NS, createService, ipFor, runningPod, setReady } from '../endpointslice/cluster.js';

let cp: ControlPlane;
let ac: AbortController;
let running: Promise<void>;
let stopInformers: () => Promise<void>;
/** The informers the controller reads (to wait until it has seen a change). */
let informers: InformerFactory;

const endpointsClient = () => cp.client.resource<Endpoints>(ENDPOINTS);
const pods = () => cp.client.resource<Pod>(PODS);
const services = () => cp.client.resource<Service>(SERVICES);

async function getEndpoints(name: string): Promise<Endpoints | undefined> {
  try {
    return await endpointsClient().get(NS, name);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

const names = (addrs: EndpointAddress[] | undefined) => (addrs ?? []).map((a) => a.targetRef!.name!).sort();

/** Waits until the Endpoints list exactly `ready` and `notReady` (over all subsets). */
async function waitForAddresses(name: string, ready: string[], notReady: string[] = []): Promise<Endpoints> {
  return waitFor(
    async () => {
      const ep = await getEndpoints(name);
      if (!ep) return undefined;
      const r = names((ep.subsets ?? []).flatMap((s) => s.addresses ?? []));
      const n = names((ep.subsets ?? []).flatMap((s) => s.notReadyAddresses ?? []));
      return JSON.stringify(r) === JSON.stringify([...ready].sort()) && JSON.stringify(n) === JSON.stringify([...notReady].sort()) ? ep : undefined;
    },
    5000,
    `endpoints ${name}: ready ${ready.join(',')}; not ready ${notReady.join(',')}`,
  );
}

before(async () => {
  cp = await startControlPlane();
  const ctx = cp.newContext();
  informers = ctx.informers;
  ac = new AbortController();
  const c = new EndpointsController(ctx);
  ctx.informers.start(ac.signal);
  running = c.start(ac.signal);
  stopInformers = () => ctx.informers.stopped();
});

after(async () => {
  ac.abort();
  await running;
  await stopInformers();
  await cp.stop();
});

describe('Endpoints controller', () => {
  test('three pods with resolved ports; readiness, deletion and labels; no rewrite without change', async () => {
    const labels = { app: 'web' };
    await createService(cp.client, 'web', { selector: labels, labels: { team: 'blue' } });
    for (const [i, n] of ['web-0', 'web-1', 'web-2'].entries()) await runningPod(cp.client, n, { labels, ip: ipFor(1, i) });
    const ep = await waitForAddresses('web', ['web-0', 'web-1', 'web-2']);
    assert.deepEqual(ep.metadata!.labels, { team: 'blue' });
    assert.equal(ep.subsets!.length, 1);
    assert.deepEqual(ep.subsets![0]!.ports, [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'metrics', port: 9090, protocol: 'TCP' },
    ]);
    const pod0 = await pods().get(NS, 'web-0');
    assert.deepEqual(ep.subsets![0]!.addresses![0], {
      ip: ipFor(1, 0),
      nodeName: 'node-a',
      targetRef: { kind: 'Pod', namespace: NS, name: 'web-0', uid: pod0.metadata!.uid },
    });

    await setReady(cp.client, 'web-1', false);
    await waitForAddresses('web', ['web-0', 'web-2'], ['web-1']);

    // Graceful deletion already takes the pod out (no publishNotReadyAddresses).
    await pods().delete(NS, 'web-2');
    await waitForAddresses('web', ['web-0'], ['web-1']);

    const p1 = await pods().get(NS, 'web-1');
    await pods().update({ ...p1, metadata: { ...p1.metadata, labels: { app: 'other' } } });
    const settled = await waitForAddresses('web', ['web-0']);

    // A pod update that changes nothing about endpoints writes nothing.
    const p0 = await pods().get(NS, 'web-0');
    await pods().update({ ...p0, metadata: { ...p0.metadata, annotations: { touched: 'yes' } } });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await getEndpoints('web'))!.metadata!.resourceVersion, settled.metadata!.resourceVersion);
  });

  test('headless services are labelled; without ports they list bare addresses', async () => {
    const labels = { app: 'headless' };
    await createService(cp.client, 'headless', { selector: labels, headless: true, ports: [] });
    await runningPod(cp.client, 'headless-0', { labels, ip: ipFor(2, 0), hostname: 'headless-0', subdomain: 'headless' });
    const ep = await waitForAddresses('headless', ['headless-0']);
    assert.deepEqual(ep.metadata!.labels, { 'service.kubernetes.io/headless': '' });
    assert.equal(ep.subsets![0]!.ports, undefined);
    assert.equal(ep.subsets![0]!.addresses![0]!.hostname, 'headless-0');
  });

  test('publishNotReadyAddresses lists unready pods as ready', async () => {
    const labels = { app: 'pnr' };
    const svc = await createService(cp.client, 'pnr', { selector: labels });
    await services().update({ ...svc, spec: { ...svc.spec, publishNotReadyAddresses: true } });
    await runningPod(cp.client, 'pnr-0', { labels, ip: ipFor(3, 0), ready: false });
    await waitForAddresses('pnr', ['pnr-0']);
  });

  test('edits and deletions by others are repaired; the Endpoints go with the service', async () => {
    const labels = { app: 'repair' };
    await createService(cp.client, 'repair', { selector: labels });
    await runningPod(cp.client, 'repair-0', { labels, ip: ipFor(4, 0) });
    const ep = await waitForAddresses('repair', ['repair-0']);
    await endpointsClient().update({ ...ep, subsets: [] });
    await waitForAddresses('repair', ['repair-0']);
    await endpointsClient().delete(NS, 'repair');
    await waitForAddresses('repair', ['repair-0']);
    await services().delete(NS, 'repair');
    await waitFor(async () => (await getEndpoints('repair')) === undefined, 5000, 'endpoints deleted with the service');
  });

  test('a service losing its selector is no longer managed', async () => {
    const labels = { app: 'unsel' };
    await createService(cp.client, 'unsel', { selector: labels });
    await runningPod(cp.client, 'unsel-0', { labels, ip: ipFor(5, 0) });
    const ep = await waitForAddresses('unsel', ['unsel-0']);
    const svc = await services().get(NS, 'unsel');
    await services().update({ ...svc, spec: { ...svc.spec, selector: undefined } });
    // The controller's service cache must see the change before the pods move.
    await waitFor(() => informers.for<Service>(SERVICES).store.get(`${NS}/unsel`)?.spec?.selector === undefined, 5000, 'selector gone from the cache');
    await setReady(cp.client, 'unsel-0', false);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await getEndpoints('unsel'))!.metadata!.resourceVersion, ep.metadata!.resourceVersion);
  });
});
