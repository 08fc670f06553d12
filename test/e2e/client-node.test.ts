// @kubernetes/client-node (the JavaScript client) against a real kubets server: typed calls and
// an informer that lists, watches and sees every change.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { TestCluster } from './harness.js';

describe('client-node against kubets server', () => {
  let c: TestCluster;
  let kc: k8s.KubeConfig;
  before(async () => {
    c = await TestCluster.start({ datastore: 'memory' });
    kc = new k8s.KubeConfig();
    kc.loadFromFile(c.kubeconfig);
  });
  after(async () => {
    await c.stop();
  });

  it('creates and reads objects through the typed API', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'from-js' }, data: { k: 'v' } } });
    const cm = await core.readNamespacedConfigMap({ namespace: 'default', name: 'from-js' });
    assert.equal(cm.data?.k, 'v');
    const list = await core.listNamespace();
    assert.ok(list.items.some((n) => n.metadata?.name === 'kube-system'));
  });

  it('runs an informer that sees adds, updates and deletes', async () => {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () =>
      core.listNamespacedConfigMap({ namespace: 'default' }),
    );
    const seen: string[] = [];
    const waiters: (() => void)[] = [];
    const record = (kind: string) => (obj: k8s.V1ConfigMap) => {
      if (!obj.metadata?.name?.startsWith('inf-')) return;
      seen.push(`${kind} ${obj.metadata.name} ${obj.data?.v ?? ''}`);
      for (const w of waiters.splice(0)) w();
    };
    informer.on('add', record('add'));
    informer.on('update', record('update'));
    informer.on('delete', record('delete'));
    await informer.start();
    const until = async (n: number) => {
      const deadline = Date.now() + 10_000;
      while (seen.length < n && Date.now() < deadline) await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 200); });
    };
    try {
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'inf-a' }, data: { v: '1' } } });
      await core.patchNamespacedConfigMap(
        { namespace: 'default', name: 'inf-a', body: { data: { v: '2' } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'inf-a' });
      await until(3);
      assert.deepEqual(seen, ['add inf-a 1', 'update inf-a 2', 'delete inf-a 2']);
      assert.equal(informer.list('default').filter((o) => o.metadata?.name === 'inf-a').length, 0);
    } finally {
      await informer.stop();
    }
  });
});
