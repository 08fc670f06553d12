// The service load balancer against a real API server: LoadBalancer services publish their
// serving nodes' addresses and follow node changes, take the cleanup finalizer and give it back
// when they stop wanting a load balancer or are deleted, leave other classes and types alone,
// honour k3s's enablelb label and Local traffic, and write or record nothing when nothing changed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isNotFound } from '../../../src/apimachinery/errors.js';
import { ENDPOINT_SLICES, NODES, SERVICES } from '../../../src/client/resources.js';
import { LB_CLEANUP_FINALIZER } from '../../../src/controllers/servicelb/ingress.js';
import { waitFor } from '../harness.js';
import { type Env, NS, createService, eventCounts, ingressIps, setNode, startServer, stopServer, waitForIngress, withEnv } from './env.js';

const services = (env: Env) => env.cp.client.resource<Service>(SERVICES);
const finalizersOf = (svc: Service) => svc.metadata?.finalizers ?? [];

before(startServer);
after(stopServer);

describe('service load balancer controller', () => {
  test('publishes ready nodes’ addresses (ExternalIPs first) and follows Ready flips, address changes and deletions', async () => {
    await withEnv(async (env) => {
      const { client } = env.cp;
      await setNode(client, 'a', { internal: '10.0.0.2' });
      await setNode(client, 'b', { internal: '10.0.0.10' });
      await setNode(client, 'c', { internal: '10.0.0.3', ready: false });
      await createService(client, 'web');

      const svc = await waitForIngress(client, 'web', ['10.0.0.10', '10.0.0.2']);
      assert.deepEqual(svc.status?.loadBalancer?.ingress, [
        { ip: '10.0.0.10', ipMode: 'VIP' },
        { ip: '10.0.0.2', ipMode: 'VIP' },
      ]);
      assert.deepEqual(finalizersOf(svc), [LB_CLEANUP_FINALIZER]);
      await env.flushEvents();
      assert.deepEqual(await eventCounts(client, 'web'), { 'Normal/EnsuringLoadBalancer': 1, 'Normal/EnsuredLoadBalancer': 1 });

      await setNode(client, 'c', { internal: '10.0.0.3' });
      await waitForIngress(client, 'web', ['10.0.0.10', '10.0.0.2', '10.0.0.3']);
      await setNode(client, 'a', { internal: '10.0.0.2', ready: false });
      await waitForIngress(client, 'web', ['10.0.0.10', '10.0.0.3']);
      await setNode(client, 'b', { internal: '10.0.0.11' });
      await waitForIngress(client, 'web', ['10.0.0.11', '10.0.0.3']);
      // One serving node with an ExternalIP: the others' InternalIPs are not for outside clients.
      await setNode(client, 'a', { internal: '10.0.0.2', external: '203.0.113.5' });
      await waitForIngress(client, 'web', ['203.0.113.5']);
      await client.resource<Node>(NODES).delete('', 'a');
      await waitForIngress(client, 'web', ['10.0.0.11', '10.0.0.3']);

      await env.flushEvents();
      assert.deepEqual(await eventCounts(client, 'web'), { 'Normal/EnsuringLoadBalancer': 6, 'Normal/EnsuredLoadBalancer': 6 }, 'one pair per change');
      assert.equal(env.writes.filter((w) => w === 'patch services/status web').length, 6);
      assert.equal(env.writes.filter((w) => w === 'patch services web').length, 1, 'the finalizer, once');
    });
  });

  test('without serving nodes the service stays pending with a warning until one is ready', async () => {
    await withEnv(async (env) => {
      const { client } = env.cp;
      await createService(client, 'lonely');
      const svc = await waitFor(async () => {
        const s = await services(env).get(NS, 'lonely');
        return finalizersOf(s).includes(LB_CLEANUP_FINALIZER) ? s : undefined;
      });
      assert.deepEqual(ingressIps(svc), []);
      await env.flushEvents();
      assert.deepEqual(await eventCounts(client, 'lonely'), {
        'Normal/EnsuringLoadBalancer': 1,
        'Warning/UnAvailableLoadBalancer': 1,
        'Normal/EnsuredLoadBalancer': 1,
      });

      await setNode(client, 'n1', { internal: '192.168.5.1' });
      await waitForIngress(client, 'lonely', ['192.168.5.1']);
      await setNode(client, 'n1', { internal: '192.168.5.1', ready: false });
      const cleared = await waitForIngress(client, 'lonely', []);
      assert.deepEqual(cleared.status?.loadBalancer, {}, 'the ingress list is dropped, not left empty');
      await env.flushEvents();
      assert.equal((await eventCounts(client, 'lonely'))['Warning/UnAvailableLoadBalancer'], 2);
    });
  });

  test('a type change away releases the service with Deleting/DeletedLoadBalancer; back to LoadBalancer publishes again', async () => {
    await withEnv(async (env) => {
      const { client } = env.cp;
      await setNode(client, 'a', { internal: '10.1.0.1' });
      await createService(client, 'flip');
      await waitForIngress(client, 'flip', ['10.1.0.1']);

      await services(env).patch(NS, 'flip', 'merge', { spec: { type: 'ClusterIP' } });
      const released = await waitFor(async () => {
        const s = await services(env).get(NS, 'flip');
        return finalizersOf(s).length === 0 ? s : undefined;
      });
      assert.deepEqual(ingressIps(released), []);
      await env.flushEvents();
      const counts = await eventCounts(client, 'flip');
      assert.equal(counts['Normal/DeletingLoadBalancer'], 1);
      assert.equal(counts['Normal/DeletedLoadBalancer'], 1);

      await services(env).patch(NS, 'flip', 'merge', { spec: { type: 'LoadBalancer' } });
      const again = await waitForIngress(client, 'flip', ['10.1.0.1']);
      assert.deepEqual(finalizersOf(again), [LB_CLEANUP_FINALIZER]);
      await env.flushEvents();
      assert.equal((await eventCounts(client, 'flip'))['Normal/EnsuredLoadBalancer'], 2);
    });
  });

  test('a published service that is deleted goes once its load balancer is released', async () => {
    await withEnv(async (env) => {
      const { client } = env.cp;
      await setNode(client, 'a', { internal: '10.2.0.1' });
      await createService(client, 'doomed');
      await waitForIngress(client, 'doomed', ['10.2.0.1']);
      await services(env).delete(NS, 'doomed');
      await waitFor(() => services(env).get(NS, 'doomed').then(() => false, (e) => isNotFound(e)), 3000, 'service gone');
      await env.flushEvents();
      const counts = await eventCounts(client, 'doomed');
      assert.equal(counts['Normal/DeletingLoadBalancer'], 1);
      assert.equal(counts['Normal/DeletedLoadBalancer'], 1);
      assert.deepEqual(
        env.writes.filter((w) => w.endsWith(' doomed')),
        ['patch services doomed', 'patch services/status doomed', 'patch services doomed'],
        'finalizer, status, finalizer released (no status write for a service being deleted)',
      );
      await waitFor(() => env.controller.writes.size === 0, 3000, 'own writes forgotten');
    });
  });

  test('services with a loadBalancerClass and services of other types are left alone', async () => {
    await withEnv(async (env) => {
      const { client } = env.cp;
      await setNode(client, 'a', { internal: '10.3.0.1' });
      const other = await createService(client, 'classy', { loadBalancerClass: 'example.com/lb' });
      // Another implementation publishes for it.
      await services(env).updateStatus({ ...other, status: { loadBalancer: { ingress: [{ ip: '192.0.2.9', ipMode: 'Proxy' }] } } });
      await createService(client, 'plain', { type: 'ClusterIP' });
      await createService(client, 'np', { type: 'NodePort' });
      await createService(client, 'classless');
      await waitForIngress(client, 'classless', ['10.3.0.1']);

      await waitFor(() => ingressIps(env.cached.service('classy'))[0] === '192.0.2.9' && env.cached.service('np'));
      for (const name of ['classy', 'plain', 'np']) await env.controller.reconcile(`${NS}/${name}`);
      for (const name of ['classy', 'plain', 'np']) {
        const s = await services(env).get(NS, name);
        assert.deepEqual(finalizersOf(s), [], name);
        assert.deepEqual(await eventCounts(client, name), {}, name);
      }
      assert.deepEqual((await services(env).get(NS, 'classy')).status?.loadBalancer?.ingress, [{ ip: '192.0.2.9', ipMode: 'Proxy' }]);
      assert.deepEqual(env.writes.filter((w) => !w.endsWith(' classless')), [], 'writes only for the classless LoadBalancer');
    });
  });

  test('k3s’s enablelb label: once any node has it only "true" nodes serve; lbpool picks a pool', async () => {
    await withEnv(async (env) => {
      const { client } = env.cp;
      await setNode(client, 'a', { internal: '10.4.0.1' });
      await setNode(client, 'b', { internal: '10.4.0.2' });
      await createService(client, 'everyone');
      await createService(client, 'pooled', {}, { 'svccontroller.k3s.cattle.io/lbpool': 'blue' });
      await waitForIngress(client, 'everyone', ['10.4.0.1', '10.4.0.2']);
      await waitForIngress(client, 'pooled', ['10.4.0.1', '10.4.0.2']);

      await setNode(client, 'a', { internal: '10.4.0.1', labels: { 'svccontroller.k3s.cattle.io/enablelb': 'true' } });
      await waitForIngress(client, 'everyone', ['10.4.0.1']);
      await waitForIngress(client, 'pooled', []);

      await setNode(client, 'b', { internal: '10.4.0.2', labels: { 'svccontroller.k3s.cattle.io/enablelb': 'true', 'svccontroller.k3s.cattle.io/lbpool': 'blue' } });
      await waitForIngress(client, 'everyone', ['10.4.0.1', '10.4.0.2']);
      await waitForIngress(client, 'pooled', ['10.4.0.2']);

      await setNode(client, 'a', { internal: '10.4.0.1', labels: { 'svccontroller.k3s.cattle.io/enablelb': 'false' } });
      await waitForIngress(client, 'everyone', ['10.4.0.2']);
      await setNode(client, 'a', { internal: '10.4.0.1', labels: {} });
      await setNode(client, 'b', { internal: '10.4.0.2', labels: {} });
      await waitForIngress(client, 'everyone', ['10.4.0.1', '10.4.0.2']);
      await waitForIngress(client, 'pooled', ['10.4.0.1', '10.4.0.2']);
    });
  });

  test('externalTrafficPolicy Local: only nodes with ready endpoints serve', async () => {
    await withEnv(async (env) => {
      const { client } = env.cp;
      await setNode(client, 'a', { internal: '10.5.0.1' });
      await setNode(client, 'b', { internal: '10.5.0.2' });
      // Given explicitly: this server does not allocate health-check node ports yet.
      await createService(client, 'local', { externalTrafficPolicy: 'Local', healthCheckNodePort: 32123 });
      await waitFor(async () => finalizersOf(await services(env).get(NS, 'local')).length === 1);
      assert.deepEqual(ingressIps(await services(env).get(NS, 'local')), []);

      const endpoint = (node: string, ready: boolean, i: number) => ({
        addresses: [`10.42.0.${i}`],
        conditions: { ready },
        nodeName: node,
        targetRef: { kind: 'Pod', namespace: NS, name: `local-${i}` },
      });
      const slices = client.resource<EndpointSlice>(ENDPOINT_SLICES);
      const slice = await slices.create({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'local-x', namespace: NS, labels: { 'kubernetes.io/service-name': 'local' } },
        addressType: 'IPv4',
        endpoints: [endpoint('b', true, 1), endpoint('a', false, 2)],
      });
      await waitForIngress(client, 'local', ['10.5.0.2']);
      await slices.update({ ...slice, endpoints: [endpoint('b', true, 1), endpoint('a', true, 2)] });
      await waitForIngress(client, 'local', ['10.5.0.1', '10.5.0.2']);
      await slices.delete(NS, 'local-x');
      await waitForIngress(client, 'local', []);
    });
  });

  test('nothing is written or recorded when nothing changed', async () => {
    await withEnv(async (env) => {
      const { client } = env.cp;
      await setNode(client, 'a', { internal: '10.6.0.1' });
      await createService(client, 'steady');
      await waitForIngress(client, 'steady', ['10.6.0.1']);
      await waitFor(() => ingressIps(env.cached.service('steady'))[0] === '10.6.0.1');
      await env.flushEvents();
      const writes = env.writes.length;
      const events = await eventCounts(client, 'steady');

      // A node change that moves nothing, a cordon, and a service change outside what is published.
      await setNode(client, 'a', { internal: '10.6.0.1', labels: { team: 'blue' } });
      const nodes = client.resource<Node>(NODES);
      await nodes.patch('', 'a', 'merge', { spec: { unschedulable: true } });
      await services(env).patch(NS, 'steady', 'merge', { metadata: { labels: { tier: 'web' } } });
      await waitFor(() => env.cached.node('a')?.spec?.unschedulable && env.cached.service('steady')?.metadata?.labels?.tier === 'web');
      await env.controller.reconcile(`${NS}/steady`);
      await env.controller.reconcile(`${NS}/steady`);
      await new Promise((r) => setTimeout(r, 100));
      await env.flushEvents();
      assert.equal(env.writes.length, writes, `no writes: ${env.writes.slice(writes).join('; ')}`);
      assert.deepEqual(await eventCounts(client, 'steady'), events);
    });
  });

  test('a cache lagging behind the controller’s own writes causes no second write or event', async () => {
    await withEnv(
      async (env) => {
        const { client } = env.cp;
        await setNode(client, 'a', { internal: '10.7.0.1' });
        await createService(client, 'laggy');
        await waitForIngress(client, 'laggy', ['10.7.0.1']);
        // The node change arrives while the cache still shows the service before either write.
        await setNode(client, 'b', { internal: '10.7.0.2' });
        await waitForIngress(client, 'laggy', ['10.7.0.1', '10.7.0.2']);
        await waitFor(() => ingressIps(env.cached.service('laggy')).length === 2, 3000, 'cache caught up');
        await new Promise((r) => setTimeout(r, 200));
        await env.flushEvents();
        assert.deepEqual(env.writes, ['patch services laggy', 'patch services/status laggy', 'patch services/status laggy']);
        assert.deepEqual(await eventCounts(client, 'laggy'), { 'Normal/EnsuringLoadBalancer': 2, 'Normal/EnsuredLoadBalancer': 2 });
      },
      { serviceCacheLagMs: 150 },
    );
  });
});
