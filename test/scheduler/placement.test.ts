// Placement rules against a real API server with Node objects (no kubelet): node affinity,
// inter-pod anti-affinity and affinity, topology spread over zones, and a second profile from a
// KubeSchedulerConfiguration; each pod is created through the API and bound through pods/binding.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import { NAMESPACES, NODES, PODS } from '../../src/client/resources.js';
import { waitFor, type ControlPlane } from '../controllers/harness.js';
import { startScheduledCluster, type ScheduledCluster } from './harness.js';

const ZONE = 'topology.kubernetes.io/zone';

const node = (name: string, zone: string, labels: Record<string, string> = {}): Node => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name, [ZONE]: zone, ...labels } },
  status: { allocatable: { cpu: '8', memory: '16Gi', pods: '110' }, capacity: { cpu: '8', memory: '16Gi', pods: '110' } },
});

const pod = (ns: string, name: string, labels: Record<string, string>, spec: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels },
  spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '100m' } } }], ...spec },
});

describe('placement', () => {
  let cluster: ScheduledCluster;
  let cp: ControlPlane;
  const zoneOf = new Map<string, string>();

  before(async () => {
    const setup = async (c: ControlPlane) => {
      const nodes = c.client.resource<Node>(NODES);
      for (const [name, zone, labels] of [
        ['a1', 'za', { disk: 'ssd' }],
        ['a2', 'za', {}],
        ['b1', 'zb', {}],
        ['b2', 'zb', {}],
        ['c1', 'zc', {}],
        ['c2', 'zc', {}],
      ] as const) {
        await nodes.create(node(name, zone, labels));
        zoneOf.set(name, zone);
      }
      for (const ns of ['affinity', 'anti', 'spread', 'profiles']) {
        await c.client.resource<Namespace>(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      }
    };
    const ssdOnly = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] }] } };
    cluster = await startScheduledCluster(setup, {
      config: {
        profiles: [
          {},
          { schedulerName: 'ssd-only', plugins: { filter: { disabled: [{ name: 'TaintToleration' }] } }, pluginConfig: [{ name: 'NodeAffinity', args: { addedAffinity: ssdOnly } }] },
        ],
      },
    });
    cp = cluster.cp;
  });

  after(() => cluster.stop());

  const pods = () => cp.client.resource<Pod>(PODS);
  const boundTo = (ns: string, name: string) => cluster.boundTo(ns, name, 5000);

  it('nodeSelector and required node affinity choose the node', async () => {
    await pods().create(pod('affinity', 'selector', {}, { nodeSelector: { disk: 'ssd' } }));
    assert.equal(await boundTo('affinity', 'selector'), 'a1');
    await pods().create(
      pod('affinity', 'required', {}, {
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE, operator: 'In', values: ['zb'] }] }] } } },
      }),
    );
    assert.equal(zoneOf.get(await boundTo('affinity', 'required')), 'zb');
  });

  it('required anti-affinity by hostname puts replicas on distinct nodes; affinity by zone joins them', async () => {
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'db' } } }] } };
    for (let i = 0; i < 6; i++) await pods().create(pod('anti', `db-${i}`, { app: 'db' }, { affinity: anti }));
    const placed = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => boundTo('anti', `db-${i}`)));
    assert.equal(new Set(placed).size, 6, `one per node: ${placed.join(' ')}`);
    // A seventh has nowhere to go.
    await pods().create(pod('anti', 'db-6', { app: 'db' }, { affinity: anti }));
    const condition = await waitFor(async () => (await pods().get('anti', 'db-6')).status?.conditions?.find((c) => c.reason === 'Unschedulable'), 5000, 'unschedulable');
    assert.match(condition.message!, /^0\/6 nodes are available: 6 node\(s\) didn't match pod anti-affinity rules\./);
    // Affinity to the pod on a1's zone.
    await pods().create(
      pod('anti', 'near-ssd', {}, {
        affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: ZONE, labelSelector: { matchLabels: { app: 'db' } }, namespaces: ['anti'] }] } },
        nodeSelector: { [ZONE]: 'zc' },
      }),
    );
    assert.equal(zoneOf.get(await boundTo('anti', 'near-ssd')), 'zc');
  });

  it('topology spread keeps the zones within maxSkew 1', async () => {
    const spread = { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: ZONE, whenUnsatisfiable: 'DoNotSchedule' as const, labelSelector: { matchLabels: { app: 'web' } } }] };
    for (let i = 0; i < 9; i++) {
      await pods().create(pod('spread', `web-${i}`, { app: 'web' }, spread));
      await boundTo('spread', `web-${i}`);
    }
    const perZone = new Map<string, number>();
    for (const p of (await pods().list('spread')).items) perZone.set(zoneOf.get(p.spec!.nodeName!)!, (perZone.get(zoneOf.get(p.spec!.nodeName!)!) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries([...perZone].sort()), { za: 3, zb: 3, zc: 3 });
  });

  it('a second profile (schedulerName) applies its own plugin configuration', async () => {
    for (let i = 0; i < 3; i++) await pods().create(pod('profiles', `fast-${i}`, {}, { schedulerName: 'ssd-only' }));
    for (let i = 0; i < 3; i++) assert.equal(await boundTo('profiles', `fast-${i}`), 'a1', 'addedAffinity keeps ssd-only pods on the ssd node');
    await pods().create(pod('profiles', 'other', {}, { schedulerName: 'someone-else' }));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await pods().get('profiles', 'other')).spec?.nodeName, undefined, 'pods of unknown schedulers are left alone');
  });
});
