// API semantics kubectl does not show directly: watch start points and bookmarks, dry-run,
// pods/binding, pods/eviction, graceful pod deletion, status subresource rules.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type HttpReply, TestCluster } from './harness.js';

const JSON_CT = { 'Content-Type': 'application/json' };
const lines = (r: HttpReply) => r.body.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('API semantics over raw HTTPS', () => {
  let c: TestCluster;
  let http: ReturnType<TestCluster['http']>;
  before(async () => {
    // The API server alone: no controller writes to the objects these tests inspect.
    c = await TestCluster.start({ datastore: 'memory', extraArgs: ['--disable-controllers', '--disable-scheduler'] });
    http = c.http();
  });
  after(async () => {
    http.close();
    await c.stop();
  });

  const create = async (path: string, obj: unknown) => {
    const r = await http.send('POST', path, JSON.stringify(obj), JSON_CT);
    assert.equal(r.status, 201, r.body);
    return JSON.parse(r.body);
  };

  it('watches from a resourceVersion, and sends initial events then a bookmark when asked', async () => {
    const a = await create('/api/v1/namespaces/default/configmaps', { metadata: { name: 'w-a' } });
    const b = await create('/api/v1/namespaces/default/configmaps', { metadata: { name: 'w-b' } });
    const since = await http.send('GET', `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${a.metadata.resourceVersion}&timeoutSeconds=1`);
    assert.deepEqual(lines(since).map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED w-b']);
    const initial = await http.send(
      'GET',
      '/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1',
    );
    const evs = lines(initial);
    const added = evs.filter((e) => e.type === 'ADDED').map((e) => e.object.metadata.name);
    assert.ok(added.includes('w-a') && added.includes('w-b'), JSON.stringify(added));
    const bookmark = evs.find((e) => e.type === 'BOOKMARK');
    assert.equal(bookmark.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
    assert.ok(Number(bookmark.object.metadata.resourceVersion) >= Number(b.metadata.resourceVersion));
    const bad = await http.send('GET', '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=abc');
    assert.equal(bad.status, 400);
  });

  it('stores nothing on dryRun=All', async () => {
    const r = await http.send('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', JSON.stringify({ metadata: { name: 'dry' } }), JSON_CT);
    assert.equal(r.status, 201);
    assert.equal((await http.send('GET', '/api/v1/namespaces/default/configmaps/dry')).status, 404);
  });

  it('binds a pod to a node once, and deletes bound pods gracefully', async () => {
    await create('/api/v1/namespaces/default/pods', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const bind = (node: string) =>
      http.send('POST', '/api/v1/namespaces/default/pods/p/binding', JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { kind: 'Node', name: node } }), JSON_CT);
    assert.equal((await bind('node-1')).status, 201);
    const again = await bind('node-2');
    assert.equal(again.status, 409);
    const pod = JSON.parse((await http.send('GET', '/api/v1/namespaces/default/pods/p')).body);
    assert.equal(pod.spec.nodeName, 'node-1');
    assert.equal(pod.status.conditions.find((x: { type: string }) => x.type === 'PodScheduled').status, 'True');
    // Bound: deletion waits for the kubelet (grace period), then grace 0 removes it.
    const del = await http.send('DELETE', '/api/v1/namespaces/default/pods/p', JSON.stringify({ gracePeriodSeconds: 30 }), JSON_CT);
    assert.equal(del.status, 200, del.body);
    const terminating = JSON.parse((await http.send('GET', '/api/v1/namespaces/default/pods/p')).body);
    assert.equal(terminating.metadata.deletionGracePeriodSeconds, 30);
    assert.ok(terminating.metadata.deletionTimestamp);
    await http.send('DELETE', '/api/v1/namespaces/default/pods/p', JSON.stringify({ gracePeriodSeconds: 0 }), JSON_CT);
    assert.equal((await http.send('GET', '/api/v1/namespaces/default/pods/p')).status, 404);
  });

  it('evicts an unscheduled pod at once', async () => {
    await create('/api/v1/namespaces/default/pods', { metadata: { name: 'ev' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    const r = await http.send('POST', '/api/v1/namespaces/default/pods/ev/eviction', JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'ev' } }), JSON_CT);
    assert.equal(r.status, 201, r.body);
    assert.equal((await http.send('GET', '/api/v1/namespaces/default/pods/ev')).status, 404);
  });

  it('changes status only through the status subresource, and keeps a finalized object until its finalizers go', async () => {
    const d = await create('/apis/apps/v1/namespaces/default/deployments', {
      metadata: { name: 'st', finalizers: ['example.com/hold'] },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
    d.status = { replicas: 7 };
    const main = JSON.parse((await http.send('PUT', '/apis/apps/v1/namespaces/default/deployments/st', JSON.stringify(d), JSON_CT)).body);
    assert.equal(main.status?.replicas, undefined, 'the main resource ignores status');
    main.status = { replicas: 7 };
    main.spec.replicas = 9;
    const st = JSON.parse((await http.send('PUT', '/apis/apps/v1/namespaces/default/deployments/st/status', JSON.stringify(main), JSON_CT)).body);
    assert.equal(st.status.replicas, 7);
    assert.equal(st.spec.replicas, 1, 'the status subresource ignores spec');
    assert.equal((await http.send('DELETE', '/apis/apps/v1/namespaces/default/deployments/st')).status, 200);
    const held = JSON.parse((await http.send('GET', '/apis/apps/v1/namespaces/default/deployments/st')).body);
    assert.ok(held.metadata.deletionTimestamp);
    const patch = await http.send('PATCH', '/apis/apps/v1/namespaces/default/deployments/st', JSON.stringify({ metadata: { finalizers: null } }), {
      'Content-Type': 'application/merge-patch+json',
    });
    assert.equal(patch.status, 200, patch.body);
    assert.equal((await http.send('GET', '/apis/apps/v1/namespaces/default/deployments/st')).status, 404);
  });
});
