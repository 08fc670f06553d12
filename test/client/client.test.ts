// ApiClient against a real kubets server, in process and over HTTPS with the kubeconfig the
// server writes: CRUD, the server's errors as StatusErrors, patch types, subresources, delete
// options, metadata-only reads, watch, and who the requests are made as.
import { setMaxListeners } from 'node:events';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Pod } from 'kubernetes-types/core/v1.js';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Status } from 'kubernetes-types/meta/v1.js';
import { isStatusError, StatusError, type StatusReason } from '../../src/apimachinery/errors.js';
import { ANONYMOUS } from '../../src/apiserver/authn.js';
import { ApiClient } from '../../src/client/client.js';
import { discoverResources, isDeletable } from '../../src/client/discovery.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { CONFIG_MAPS, DEPLOYMENTS, NAMESPACES, PODS } from '../../src/client/resources.js';
import { httpsTransport } from '../../src/client/transport.js';
import type { Client, WatchEvent } from '../../src/client/types.js';
import { startTestServer, type TestServer } from './fixtures.js';

let ts: TestServer;
before(async () => {
  ts = await startTestServer();
});
after(async () => {
  await ts.stop();
});

const cm = (name: string, data: Record<string, string> = { a: '1' }, labels?: Record<string, string>): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', ...(labels ? { labels } : {}) },
  data,
});

const deployment = (name: string): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [
          { name: 'web', image: 'nginx:1' },
          { name: 'sidecar', image: 'busybox:1' },
        ],
      },
    },
  },
});

const pod = (name: string): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
});

/** Runs `fn`, expecting it to throw a StatusError with `reason` and `code`; returns the error. */
async function rejects(fn: () => Promise<unknown>, reason: StatusReason, code: number): Promise<StatusError> {
  try {
    await fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, `expected a StatusError, got ${String(e)}`);
    assert.equal(e.reason, reason, e.message);
    assert.equal(e.code, code);
    return e;
  }
  assert.fail(`expected ${reason}`);
}

/** True if `p` settles within `ms`, false if not. */
const within = (p: Promise<unknown>, ms: number): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)))]).finally(() => clearTimeout(timer));
};

const TRANSPORTS: { name: string; client: () => Client }[] = [
  { name: 'in-process', client: () => ts.inProcess },
  { name: 'https', client: () => ts.https },
];

for (const { name: transport, client } of TRANSPORTS) {
  describe(`CRUD and errors (${transport})`, () => {
    const p = transport; // object names differ per transport: both share one server

    test('create, get, list, update, delete a ConfigMap', async () => {
      const cms = client().resource<ConfigMap>(CONFIG_MAPS);
      const created = await cms.create(cm(`${p}-crud`));
      assert.ok(created.metadata?.uid);
      assert.ok(created.metadata?.resourceVersion);
      const got = await cms.get('default', `${p}-crud`);
      assert.deepEqual(got.data, { a: '1' });
      const list = await cms.list('default');
      assert.equal(list.kind, 'ConfigMapList');
      assert.ok(list.items.some((i) => i.metadata?.name === `${p}-crud`));
      const updated = await cms.update({ ...got, data: { a: '2' } });
      assert.deepEqual(updated.data, { a: '2' });
      assert.notEqual(updated.metadata?.resourceVersion, got.metadata?.resourceVersion);
      const status = (await cms.delete('default', `${p}-crud`)) as Status;
      assert.equal(status.kind, 'Status');
      assert.equal(status.status, 'Success');
      await rejects(() => cms.get('default', `${p}-crud`), 'NotFound', 404);
    });

    test('cluster-scoped resources have no namespace in their path', async () => {
      const ns = client().resource(NAMESPACES);
      const created = await ns.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `${p}-ns` } });
      assert.equal(created.metadata?.namespace, undefined);
      assert.equal((await ns.get('', `${p}-ns`)).metadata?.name, `${p}-ns`);
    });

    test('watch yields ADDED, MODIFIED, DELETED and ends on abort', async () => {
      const cms = client().resource<ConfigMap>(CONFIG_MAPS);
      const start = await cms.list('default');
      const ac = new AbortController();
      const seen: WatchEvent<ConfigMap>[] = [];
      const done = (async () => {
        for await (const ev of cms.watch('default', { resourceVersion: start.metadata.resourceVersion, signal: ac.signal })) {
          if (ev.object.metadata?.name === `${p}-watched`) seen.push(ev);
          if (seen.length === 3) ac.abort();
        }
      })();
      const obj = await cms.create(cm(`${p}-watched`));
      await cms.update({ ...obj, data: { a: '2' } });
      await cms.delete('default', `${p}-watched`);
      await done; // resolves only because abort ends the iteration
      assert.deepEqual(seen.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
      assert.deepEqual(seen[1]!.object.data, { a: '2' });
    });

    test('watch events carry multi-byte text intact, however the stream is split', async () => {
      const cms = client().resource<ConfigMap>(CONFIG_MAPS);
      const start = await cms.list('default');
      const value = '日本語テキスト✓'.repeat(15000); // ~360 KB of 3-byte characters: many TLS records
      const ac = new AbortController();
      const first = (async () => {
        for await (const ev of cms.watch('default', { resourceVersion: start.metadata.resourceVersion, signal: ac.signal })) {
          ac.abort();
          return ev;
        }
        return undefined;
      })();
      await cms.create(cm(`${p}-utf8`, { v: value }));
      const ev = await first;
      assert.equal(ev?.object.metadata?.name, `${p}-utf8`);
      assert.equal(ev?.object.data?.v?.length, value.length);
      assert.ok(ev?.object.data?.v === value, 'the text arrived unchanged');
      await cms.delete('default', `${p}-utf8`);
    });

    test('many open watches do not starve other requests', async () => {
      // Each watch holds an HTTP/1.1 connection for its whole life: more watches than any per-server
      // connection cap would leave no connection for anything else (informers of every resource).
      const namespaces = client().resource(NAMESPACES);
      const ac = new AbortController();
      setMaxListeners(0, ac.signal);
      const watches = Array.from({ length: 70 }, () => namespaces.watch('', { signal: ac.signal })[Symbol.asyncIterator]());
      try {
        // Each is open once it delivered its first initial ADDED event.
        assert.equal(await within(Promise.all(watches.map((w) => w.next())), 5000), true, 'all 70 watches opened');
        assert.equal(await within(client().resource(CONFIG_MAPS).list('default'), 5000), true, 'a list answered while 70 watches are open');
      } finally {
        ac.abort();
        await Promise.all(watches.map((w) => w.return?.()));
      }
    });

    test('errors carry reason, code and details', async () => {
      const cms = client().resource<ConfigMap>(CONFIG_MAPS);
      const nf = await rejects(() => cms.get('default', `${p}-missing`), 'NotFound', 404);
      assert.equal(nf.message, `configmaps "${p}-missing" not found`);
      assert.deepEqual({ name: nf.details?.name, kind: nf.details?.kind }, { name: `${p}-missing`, kind: 'configmaps' });

      const first = await cms.create(cm(`${p}-err`));
      const ae = await rejects(() => cms.create(cm(`${p}-err`)), 'AlreadyExists', 409);
      assert.equal(ae.details?.name, `${p}-err`);

      await cms.update({ ...first, data: { a: 'newer' } });
      const stale = await rejects(() => cms.update({ ...first, data: { a: 'stale' } }), 'Conflict', 409);
      assert.match(stale.message, /the object has been modified/);

      const inv = await rejects(() => cms.create(cm('Not_A_Name')), 'Invalid', 422);
      assert.equal(inv.details?.kind, 'ConfigMap');
      const causes = inv.details?.causes ?? [];
      assert.ok(causes.some((c) => c.field === 'metadata.name' && c.reason === 'FieldValueInvalid'), JSON.stringify(causes));
    });
  });
}

describe('patch, subresources, delete options (in-process)', () => {
  const c = () => ts.inProcess;

  test('json, merge and strategic patches', async () => {
    const cms = c().resource<ConfigMap>(CONFIG_MAPS);
    await cms.create(cm('patched', { a: '1', b: '2' }));
    const j = await cms.patch('default', 'patched', 'json', [
      { op: 'replace', path: '/data/a', value: 'json' },
      { op: 'remove', path: '/data/b' },
    ]);
    assert.deepEqual(j.data, { a: 'json' });
    const m = await cms.patch('default', 'patched', 'merge', { data: { c: '3' }, metadata: { labels: { x: 'y' } } });
    assert.deepEqual(m.data, { a: 'json', c: '3' });
    assert.deepEqual(m.metadata?.labels, { x: 'y' });

    // Lists are where the two differ: strategic merges containers by name, merge replaces the list.
    const deploys = c().resource<Deployment>(DEPLOYMENTS);
    await deploys.create(deployment('smp'));
    const s = await deploys.patch('default', 'smp', 'strategic', { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } } });
    assert.deepEqual(
      s.spec?.template.spec?.containers.map((x) => `${x.name}=${x.image}`),
      ['web=nginx:2', 'sidecar=busybox:1'],
    );
    const mp = await deploys.patch('default', 'smp', 'merge', { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:3' }] } } } });
    assert.deepEqual(mp.spec?.template.spec?.containers.map((x) => x.name), ['web']);

    await rejects(() => cms.patch('default', 'nope', 'merge', { data: {} }), 'NotFound', 404);
  });

  test('status subresource: updateStatus writes status only, update ignores status', async () => {
    const pods = c().resource<Pod>(PODS);
    const created = await pods.create(pod('status-pod'));
    const withStatus = await pods.updateStatus({ ...created, metadata: { ...created.metadata, labels: { ignored: 'yes' } }, status: { ...created.status, phase: 'Running', podIP: '10.0.0.9' } });
    assert.equal(withStatus.status?.phase, 'Running');
    assert.equal(withStatus.metadata?.labels?.ignored, undefined, 'status updates must not change metadata labels');
    const viaMain = await pods.update({ ...withStatus, metadata: { ...withStatus.metadata, labels: { kept: 'yes' } }, status: { ...withStatus.status, phase: 'Failed' } });
    assert.equal(viaMain.status?.phase, 'Running', 'main-resource updates must not change status');
    assert.equal(viaMain.metadata?.labels?.kept, 'yes');
    const patched = await pods.patch('default', 'status-pod', 'merge', { status: { podIP: '10.0.0.10' } }, { subresource: 'status' });
    assert.equal(patched.status?.podIP, '10.0.0.10');
  });

  test('scale subresource of a Deployment', async () => {
    const deploys = c().resource<Deployment>(DEPLOYMENTS);
    await deploys.create(deployment('scaled'));
    const scale = await deploys.getScale('default', 'scaled');
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.apiVersion, 'autoscaling/v1');
    assert.equal(scale.spec?.replicas, 2);
    const updated = await deploys.updateScale('default', 'scaled', { ...scale, spec: { replicas: 5 } });
    assert.equal(updated.spec?.replicas, 5);
    assert.equal((await deploys.get('default', 'scaled')).spec?.replicas, 5);
    // The scale's resourceVersion is the Deployment's: a stale one conflicts.
    await rejects(() => deploys.updateScale('default', 'scaled', { ...scale, spec: { replicas: 1 } }), 'Conflict', 409);
    await rejects(() => deploys.getScale('default', 'no-such'), 'NotFound', 404);
  });

  test('delete with preconditions', async () => {
    const cms = c().resource<ConfigMap>(CONFIG_MAPS);
    const obj = await cms.create(cm('pre'));
    const wrongUid = await rejects(() => cms.delete('default', 'pre', { preconditions: { uid: 'not-the-uid' } }), 'Conflict', 409);
    assert.match(wrongUid.message, /Precondition failed: UID in precondition: not-the-uid/);
    await cms.update({ ...obj, data: { a: 'changed' } });
    await rejects(() => cms.delete('default', 'pre', { preconditions: { resourceVersion: obj.metadata!.resourceVersion! } }), 'Conflict', 409);
    const current = await cms.get('default', 'pre');
    await cms.delete('default', 'pre', { preconditions: { uid: obj.metadata!.uid!, resourceVersion: current.metadata!.resourceVersion! } });
    await rejects(() => cms.get('default', 'pre'), 'NotFound', 404);
  });

  test('dry-run create stores nothing', async () => {
    const cms = c().resource<ConfigMap>(CONFIG_MAPS);
    const out = await cms.create(cm('dry'), { dryRun: true });
    assert.equal(out.metadata?.name, 'dry');
    await rejects(() => cms.get('default', 'dry'), 'NotFound', 404);
  });

  test('deleteCollection with a label selector deletes only what matches', async () => {
    const ns = c().resource(NAMESPACES);
    await ns.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dc' } });
    const cms = c().resource<ConfigMap>(CONFIG_MAPS);
    for (const [name, tier] of [['a', 'x'], ['b', 'x'], ['c', 'y']] as const) {
      await cms.create({ ...cm(name, {}, { tier }), metadata: { name, namespace: 'dc', labels: { tier } } });
    }
    await cms.deleteCollection('dc', { labelSelector: 'tier=x' });
    const left = await cms.list('dc');
    assert.deepEqual(left.items.map((i) => i.metadata?.name), ['c']);
  });

  test('metadata() answers PartialObjectMetadata', async () => {
    const meta = c().metadata(CONFIG_MAPS);
    await c().resource<ConfigMap>(CONFIG_MAPS).create(cm('meta-only', { secret: 'value' }, { l: 'v' }));
    const one = await meta.get('default', 'meta-only');
    assert.equal(one.kind, 'PartialObjectMetadata');
    assert.equal(one.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(one.metadata?.labels, { l: 'v' });
    assert.equal((one as ConfigMap).data, undefined);
    const list = await meta.list('default', { labelSelector: 'l=v' });
    assert.equal(list.kind, 'PartialObjectMetadataList');
    assert.deepEqual(list.items.map((i) => [i.kind, i.metadata?.name, (i as ConfigMap).data]), [['PartialObjectMetadata', 'meta-only', undefined]]);
    const patched = await meta.patch('default', 'meta-only', 'merge', { metadata: { annotations: { n: 'o' } } });
    assert.equal(patched.kind, 'PartialObjectMetadata');
    assert.deepEqual(patched.metadata?.annotations, { n: 'o' });
  });

  test('a watch on an aborted signal ends at once; a bad request fails with the server error', async () => {
    const cms = c().resource<ConfigMap>(CONFIG_MAPS);
    const ac = new AbortController();
    ac.abort();
    const events = [];
    for await (const ev of cms.watch('default', { signal: ac.signal })) events.push(ev);
    assert.deepEqual(events, []);
    await rejects(async () => {
      for await (const _ of cms.watch('default', { resourceVersion: 'abc' })) break;
    }, 'BadRequest', 400);
  });
});

describe('who requests are made as', () => {
  test('in-process requests are made as the user bound to the connection', async () => {
    const admin = ts.server.inProcessClient();
    const anonymous = ts.server.inProcessClient(ANONYMOUS);
    try {
      assert.ok((await admin.resource(CONFIG_MAPS).list('default')).items);
      const e = await rejects(() => anonymous.resource(CONFIG_MAPS).list('default'), 'Forbidden', 403);
      assert.match(e.message, /User "system:anonymous" cannot list resource "configmaps"/);
    } finally {
      admin.close();
      anonymous.close();
    }
  });

  test('HTTPS without a client certificate is anonymous and refused; with the kubeconfig it works', async () => {
    const cfg = loadKubeconfig(ts.kubeconfigPath);
    const anonymous = new ApiClient(httpsTransport({ server: cfg.server, caPem: cfg.caPem }));
    try {
      await rejects(() => anonymous.resource(PODS).list('default'), 'Forbidden', 403);
      // Public discovery stays readable, as upstream's system:public-info-viewer allows.
      const version = await anonymous.request<{ gitVersion: string }>({ method: 'GET', path: '/version' });
      assert.match(version.gitVersion, /^v1\./);
    } finally {
      anonymous.close();
    }
    assert.ok((await ts.https.resource(PODS).list('default')).items);
  });

  test('HTTPS refuses a server whose certificate the CA did not sign', async () => {
    const cfg = loadKubeconfig(ts.kubeconfigPath);
    const untrusting = new ApiClient(httpsTransport({ ...cfg, caPem: undefined }));
    try {
      await assert.rejects(() => untrusting.resource(PODS).list('default'), (e: Error) => !isStatusError(e) && /certificate/i.test(e.message));
    } finally {
      untrusting.close();
    }
  });
});

describe('discovery', () => {
  test('discoverResources lists served top-level resources at each group\'s preferred version', async () => {
    const found = await discoverResources(ts.inProcess);
    const by = (group: string, resource: string) => found.filter((r) => r.group === group && r.resource === resource);
    const [pods] = by('', 'pods');
    assert.deepEqual({ ...pods, verbs: undefined }, { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true, verbs: undefined });
    assert.ok(isDeletable(pods!));
    assert.deepEqual(by('apps', 'deployments').map((r) => r.version), ['v1']);
    assert.equal(by('', 'namespaces')[0]?.namespaced, false);
    assert.equal(by('coordination.k8s.io', 'leases').length, 1);
    assert.ok(!found.some((r) => r.resource.includes('/')), 'no subresources');
    const keys = found.map((r) => `${r.group}/${r.resource}`);
    assert.equal(new Set(keys).size, keys.length, 'each resource once');
  });
});

describe('httpsTransport', () => {
  test('an IPv6 literal server URL is dialled as an address, not looked up as a name', async () => {
    const c = new ApiClient(httpsTransport({ server: 'https://[::1]:1' }));
    try {
      await assert.rejects(() => c.request({ method: 'GET', path: '/version' }), (e: NodeJS.ErrnoException) => {
        assert.notEqual(e.code, 'ENOTFOUND', e.message);
        assert.ok(['ECONNREFUSED', 'EADDRNOTAVAIL', 'ENETUNREACH', 'EAFNOSUPPORT'].includes(e.code ?? ''), e.message);
        return true;
      });
    } finally {
      c.close();
    }
  });
});
