// The service proxy's sync loop against a real API server: the caches' contents reach the
// dataplane, bursts are coalesced, failures retried, figures exported; and the choice of
// dataplane with its logged reason. The dataplane here is a recording fake (the real ones have
// their own kernel and socket suites, and the e2e suite drives the whole path).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ENDPOINT_SLICES, SERVICES } from '../../src/client/resources.js';
import { createLogger, silentLogger } from '../../src/logging/index.js';
import { registry } from '../../src/metrics/registry.js';
import { chooseDataplane, type Dataplane, type DataplaneSync } from '../../src/proxy/dataplane.js';
import { ServiceProxy } from '../../src/proxy/service-proxy.js';
import { startControlPlane, waitFor, type ControlPlane } from '../controllers/harness.js';
import { service, slice } from './fixtures.js';

class RecordingDataplane implements Dataplane {
  readonly mode = 'userspace' as const;
  readonly syncs: { services: string[]; endpoints: string[] }[] = [];
  failNext = 0;
  closed = false;
  warnings: string[] = [];

  async sync(services: Service[], slices: EndpointSlice[]): Promise<DataplaneSync> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('injected failure');
    }
    const endpoints = slices.flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses)).sort();
    this.syncs.push({ services: services.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`).sort(), endpoints });
    return { durationMs: 1, full: false, noop: false, servicePorts: services.length, objects: { listeners: services.length, endpoints: endpoints.length }, warnings: [...this.warnings] };
  }

  async listing(): Promise<string> {
    return `recorded ${this.syncs.length} syncs\n`;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

describe('ServiceProxy', () => {
  let cp: ControlPlane;
  before(async () => {
    cp = await startControlPlane();
  });
  after(async () => cp.stop());

  it('programs the caches\' contents, coalesces a burst, retries a failure, and closes the dataplane on stop', async (t) => {
    const dataplane = new RecordingDataplane();
    const proxy = new ServiceProxy({ client: cp.client, logger: silentLogger, nodeName: 'node-a', nodeAddresses: [], table: 't', dataplane, minSyncIntervalMs: 200, retryMs: 50 });
    const ac = new AbortController();
    const running = proxy.start(ac.signal);
    t.after(() => ac.abort());
    await proxy.ready();
    // The bootstrap's services are there from the first sync.
    assert.ok(dataplane.syncs[0]!.services.includes('default/kubernetes'), JSON.stringify(dataplane.syncs[0]));
    const before = dataplane.syncs.length;

    const services = cp.client.resource<Service>(SERVICES);
    const slices = cp.client.resource<EndpointSlice>(ENDPOINT_SLICES);
    await services.create(service('burst', { clusterIP: undefined }));
    await slices.create(slice('burst', ['10.42.0.5', '10.42.0.6']));
    await waitFor(() => dataplane.syncs.at(-1)?.endpoints.includes('10.42.0.6'), 5000, 'the burst programmed');
    // Two changes inside the minimum interval: at most two syncs, and the last one has both.
    assert.ok(dataplane.syncs.length - before <= 2, `${dataplane.syncs.length - before} syncs`);
    assert.ok(dataplane.syncs.at(-1)!.services.includes('default/burst'));

    dataplane.failNext = 2;
    await slices.delete('default', 'burst-abc');
    await waitFor(() => dataplane.syncs.length > 0 && !dataplane.syncs.at(-1)!.endpoints.includes('10.42.0.5'), 5000, 'the deletion programmed after two failures');
    assert.equal(dataplane.failNext, 0);
    assert.equal(proxy.snapshot().lastError, undefined);

    const metrics = await registry.metrics();
    assert.match(metrics, /^kubeproxy_sync_proxy_rules_errors_total\{mode="userspace"\} [2-9]/m);
    assert.match(metrics, /^kubeproxy_network_programming_duration_seconds_count\{mode="userspace"\} [1-9]/m);
    assert.match(await proxy.listing(), /^# mode: userspace\n# syncs: \d+, last at .*\nrecorded \d+ syncs\n$/);

    ac.abort();
    await running;
    assert.equal(dataplane.closed, true);
  });
});

const capture = () => {
  const lines: string[] = [];
  const logger = createLogger(1, new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) }));
  return { logger, lines };
};

describe('ServiceProxy warnings', () => {
  let cp: ControlPlane;
  before(async () => {
    cp = await startControlPlane();
  });
  after(async () => cp.stop());

  it('says each dataplane warning once while it lasts, and again only after it went away', async (t) => {
    const { logger, lines } = capture();
    const dataplane = new RecordingDataplane();
    dataplane.warnings = ['port a cannot be opened'];
    const proxy = new ServiceProxy({ client: cp.client, logger, nodeName: 'node-a', nodeAddresses: [], table: 't', dataplane, minSyncIntervalMs: 10 });
    const ac = new AbortController();
    const running = proxy.start(ac.signal);
    t.after(async () => {
      ac.abort();
      await running;
    });
    await proxy.ready();
    const services = cp.client.resource<Service>(SERVICES);
    const said = (w: string) => lines.filter((l) => l.includes(w)).length;
    let made = 0;
    // n more syncs, one service each (waiting for each, so none coalesce).
    const syncs = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const name = `w${++made}`;
        await services.create(service(name, { clusterIP: undefined }));
        await waitFor(() => dataplane.syncs.at(-1)?.services.includes(`default/${name}`), 5000, `a sync with ${name}`);
      }
    };
    await syncs(2);
    assert.equal(said('port a'), 1);
    dataplane.warnings = ['port a cannot be opened', 'port b cannot be opened'];
    await syncs(1);
    assert.equal(said('port a'), 1);
    assert.equal(said('port b'), 1);
    dataplane.warnings = [];
    await syncs(1);
    dataplane.warnings = ['port a cannot be opened'];
    await syncs(1);
    assert.equal(said('port a'), 2);
  });
});

describe('chooseDataplane', () => {
  it('falls back to the userspace mode with the reason logged when the kernel path is unavailable', async () => {
    const { logger, lines } = capture();
    const dataplane = await chooseDataplane('auto', { nodeName: 'n', nodeAddresses: [], table: 't', logger, uid: 1000 });
    try {
      assert.equal(dataplane.mode, 'userspace');
      const warning = lines.map((l) => JSON.parse(l) as { level: number; msg: string; reason?: string }).find((l) => l.level === 40);
      assert.equal(warning?.reason, 'not root');
      assert.match(warning!.msg, /userspace mode \(not root\)/);
    } finally {
      await dataplane.close();
    }
  });

  it('refuses --proxy-mode nftables where the kernel path is unavailable, saying why', async () => {
    await assert.rejects(chooseDataplane('nftables', { nodeName: 'n', nodeAddresses: [], table: 't', logger: silentLogger, uid: 1000 }), /--proxy-mode nftables: the kernel path is unavailable \(not root\)/);
  });
});
