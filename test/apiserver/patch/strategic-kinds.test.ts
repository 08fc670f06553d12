// Strategic merge patches as kubectl sends them (kubectl patch, set image, label, annotate,
// rollout restart, cordon, apply/edit with $setElementOrder and $retainKeys), per built-in kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import { applyStrategicMergePatch } from '../../../src/apiserver/patch/index.js';
import { DEPLOYMENT, NODE, POD, deployment, node, pod, podSpec } from './fixtures.js';

const patchDeployment = (patch: unknown, live: Deployment = deployment()) =>
  applyStrategicMergePatch(live, patch, DEPLOYMENT) as Deployment;
const patchPod = (patch: unknown, live: Pod = pod()) => applyStrategicMergePatch(live, patch, POD) as Pod;
const patchNode = (patch: unknown, live: Node = node()) => applyStrategicMergePatch(live, patch, NODE) as Node;
const templateSpec = (d: Deployment): PodSpec => d.spec!.template.spec!;
const names = (list: ReadonlyArray<{ name: string }> | undefined) => list?.map((c) => c.name);

test('kubectl set image: a container is patched by name, the others untouched', () => {
  const out = patchDeployment({ spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox:1.37' }] } } } });
  const [web, sidecar] = templateSpec(out).containers;
  assert.deepEqual(web, podSpec().containers[0]);
  assert.deepEqual(sidecar, { name: 'sidecar', image: 'busybox:1.37', args: ['sleep', 'infinity'] });
});

test('adding an env var merges by name; upstream places a new item ahead of the live ones', () => {
  const out = patchDeployment({
    spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'FEATURE_X', value: 'on' }, { name: 'MODE', value: 'debug' }] }] } } },
  });
  assert.deepEqual(templateSpec(out).containers[0]!.env, [
    { name: 'FEATURE_X', value: 'on' },
    { name: 'MODE', value: 'debug' },
    { name: 'LOG_LEVEL', value: 'info' },
  ]);
});

test('$patch: delete removes a container; $setElementOrder keeps the rest in order', () => {
  const out = patchDeployment({
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'web' }],
          containers: [{ name: 'sidecar', $patch: 'delete' }],
        },
      },
    },
  });
  assert.deepEqual(names(templateSpec(out).containers), ['web']);
});

test('kubectl apply reordering containers and adding one follows $setElementOrder', () => {
  const out = patchDeployment({
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'metrics' }, { name: 'web' }],
          containers: [
            { name: 'metrics', image: 'prom/exporter:1' },
            { name: 'web', '$setElementOrder/ports': [{ containerPort: 8080 }], ports: [{ containerPort: 8080 }] },
          ],
        },
      },
    },
  });
  const containers = templateSpec(out).containers;
  assert.deepEqual(names(containers), ['sidecar', 'metrics', 'web']);
  // Ports merge by containerPort; the server-only port 80 is kept, after the new one (upstream
  // emits an item the server does not know before the server-only items it is compared with).
  assert.deepEqual(containers[2]!.ports, [{ containerPort: 8080 }, { containerPort: 80, protocol: 'TCP' }]);
  assert.equal(containers[0]!.image, 'busybox:1.36');
});

test('kubectl label: a label set to null is removed, others kept or added', () => {
  const out = patchDeployment({ metadata: { labels: { tier: null, team: 'blue' } } });
  assert.deepEqual(out.metadata?.labels, { app: 'web', team: 'blue' });
});

test('kubectl rollout restart: the template annotation is added without touching the spec', () => {
  const at = '2024-05-01T10:00:00Z';
  const out = patchDeployment({ spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': at } } } } });
  assert.deepEqual(out.spec?.template.metadata, { labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/restartedAt': at } });
  assert.deepEqual(templateSpec(out), podSpec());
});

test('Deployment strategy retainKeys: switching to Recreate clears rollingUpdate', () => {
  const out = patchDeployment({ spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } });
  assert.deepEqual(out.spec?.strategy, { type: 'Recreate' });
  // Without the directive the map merges, as upstream (validation then rejects the leftover).
  const merged = patchDeployment({ spec: { strategy: { type: 'Recreate' } } });
  assert.deepEqual(merged.spec?.strategy, { type: 'Recreate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
});

test('volumes merge by name and honour $retainKeys when a volume changes source', () => {
  const out = patchDeployment({
    spec: {
      template: {
        spec: {
          '$setElementOrder/volumes': [{ name: 'config' }, { name: 'cache' }],
          volumes: [
            { name: 'config', $retainKeys: ['name', 'secret'], secret: { secretName: 'web-secret' } },
            { name: 'cache', emptyDir: {} },
          ],
        },
      },
    },
  });
  assert.deepEqual(templateSpec(out).volumes, [
    { name: 'config', secret: { secretName: 'web-secret' } },
    { name: 'cache', emptyDir: {} },
  ]);
});

test('tolerations carry no strategy: a patch replaces the whole list', () => {
  const out = patchDeployment({ spec: { template: { spec: { tolerations: [{ key: 'spot', operator: 'Exists' }] } } } });
  assert.deepEqual(templateSpec(out).tolerations, [{ key: 'spot', operator: 'Exists' }]);
});

test('finalizers merge as a set; $deleteFromPrimitiveList removes one', () => {
  const added = patchDeployment({ metadata: { finalizers: ['example.com/cleanup', 'example.com/audit'] } });
  assert.deepEqual(added.metadata?.finalizers, ['example.com/cleanup', 'example.com/audit']);
  const removed = patchDeployment({ metadata: { '$deleteFromPrimitiveList/finalizers': ['example.com/audit'] } }, added);
  assert.deepEqual(removed.metadata?.finalizers, ['example.com/cleanup']);
});

test('ownerReferences merge by uid (garbage collector patches)', () => {
  const live = pod();
  live.metadata!.ownerReferences = [
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-1', controller: true },
    { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: 'cm-1' },
  ];
  const out = patchPod({ metadata: { ownerReferences: [{ uid: 'cm-1', $patch: 'delete' }], uid: 'p-1' } }, live);
  assert.deepEqual(out.metadata?.ownerReferences?.map((r) => r.uid), ['rs-1']);
});

test('kubelet status patch: pod conditions merge by type in $setElementOrder order', () => {
  const out = patchPod({
    status: {
      '$setElementOrder/conditions': [{ type: 'Initialized' }, { type: 'Ready' }, { type: 'ContainersReady' }, { type: 'PodScheduled' }],
      conditions: [
        { type: 'Ready', status: 'True' },
        { type: 'ContainersReady', status: 'True' },
      ],
      podIPs: [{ ip: '10.244.1.7' }],
    },
  });
  assert.deepEqual(out.status?.conditions, [
    { type: 'Initialized', status: 'True' },
    { type: 'Ready', status: 'True' },
    { type: 'ContainersReady', status: 'True' },
    { type: 'PodScheduled', status: 'True' },
  ]);
  assert.deepEqual(out.status?.podIPs, [{ ip: '10.244.1.7' }]);
});

test('kubectl cordon/uncordon patch spec.unschedulable on a Node', () => {
  const cordoned = patchNode({ spec: { unschedulable: true } });
  assert.equal(cordoned.spec?.unschedulable, true);
  assert.deepEqual(cordoned.spec?.taints, node().spec?.taints);
  const uncordoned = patchNode({ spec: { unschedulable: null } }, cordoned);
  assert.equal(Object.hasOwn(uncordoned.spec!, 'unschedulable'), false);
});

test('Node taints are replaced; status conditions and addresses merge by type', () => {
  const out = patchNode({
    spec: { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] },
    status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady' }], addresses: [{ type: 'Hostname', address: 'n1' }] },
  });
  assert.deepEqual(out.spec?.taints, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]);
  assert.deepEqual(out.status?.conditions, [
    { type: 'MemoryPressure', status: 'False' },
    { type: 'Ready', status: 'False', reason: 'KubeletNotReady' },
  ]);
  assert.deepEqual(out.status?.addresses, [
    { type: 'InternalIP', address: '10.0.0.1' },
    { type: 'Hostname', address: 'n1' },
  ]);
});

test('Service ports merge by port', () => {
  const live = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web' },
    spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'https', port: 443 }] },
  };
  const out = applyStrategicMergePatch(live, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, { group: '', version: 'v1', kind: 'Service' });
  assert.deepEqual(out, { ...live, spec: { ports: [{ name: 'http', port: 80, targetPort: 9090 }, { name: 'https', port: 443 }] } });
});

test('the pod template is found at each workload kind\'s path', () => {
  const containerPatch = { containers: [{ name: 'sidecar', image: 'busybox:1.37' }] };
  const template = () => ({ metadata: { labels: { app: 'web' } }, spec: podSpec() });
  const cases: Array<{ kind: string; group: string; live: object; patch: object; path: string[] }> = [
    { kind: 'Pod', group: '', live: { spec: podSpec() }, patch: { spec: containerPatch }, path: ['spec'] },
    { kind: 'PodTemplate', group: '', live: { template: template() }, patch: { template: { spec: containerPatch } }, path: ['template', 'spec'] },
    ...['ReplicationController'].map((kind) => ({ kind, group: '', live: { spec: { template: template() } }, patch: { spec: { template: { spec: containerPatch } } }, path: ['spec', 'template', 'spec'] })),
    ...['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'].map((kind) => ({ kind, group: 'apps', live: { spec: { template: template() } }, patch: { spec: { template: { spec: containerPatch } } }, path: ['spec', 'template', 'spec'] })),
    { kind: 'Job', group: 'batch', live: { spec: { template: template() } }, patch: { spec: { template: { spec: containerPatch } } }, path: ['spec', 'template', 'spec'] },
    {
      kind: 'CronJob',
      group: 'batch',
      live: { spec: { schedule: '* * * * *', jobTemplate: { spec: { template: template() } } } },
      patch: { spec: { jobTemplate: { spec: { template: { spec: containerPatch } } } } },
      path: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
    },
  ];
  for (const c of cases) {
    const out = applyStrategicMergePatch(c.live, c.patch, { group: c.group, version: 'v1', kind: c.kind });
    const spec = c.path.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], out) as PodSpec;
    assert.deepEqual(names(spec.containers), ['web', 'sidecar'], c.kind);
    assert.equal(spec.containers[1]!.image, 'busybox:1.37', c.kind);
    assert.deepEqual(spec.containers[0], podSpec().containers[0], c.kind);
  }
});

test('kinds without a table of their own get the metadata rules only', () => {
  const live = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'reader', finalizers: ['a'] },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }, { apiGroups: [''], resources: ['secrets'], verbs: ['get'] }],
  };
  const out = applyStrategicMergePatch(
    live,
    { metadata: { finalizers: ['b'] }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }] },
    { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role' },
  ) as typeof live;
  assert.deepEqual(out.metadata.finalizers, ['b', 'a']);
  assert.deepEqual(out.rules, [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]);
  const cm = applyStrategicMergePatch({ metadata: { name: 'c' }, data: { a: '1', b: '2' } }, { data: { a: null, c: '3' } }, { group: '', version: 'v1', kind: 'ConfigMap' });
  assert.deepEqual(cm, { metadata: { name: 'c' }, data: { b: '2', c: '3' } });
});

test('status conditions merge by type on every kind that tags them (kubectl patch --subresource=status)', () => {
  const kinds: Array<[string, string]> = [
    ['', 'ReplicationController'],
    ['', 'Service'],
    ['', 'Namespace'],
    ['', 'PersistentVolumeClaim'],
    ['apps', 'Deployment'],
    ['apps', 'ReplicaSet'],
    ['apps', 'StatefulSet'],
    ['apps', 'DaemonSet'],
    ['batch', 'Job'],
    ['policy', 'PodDisruptionBudget'],
  ];
  const live = { status: { conditions: [{ type: 'A', status: 'True' }, { type: 'B', status: 'True' }] } };
  for (const [group, kind] of kinds) {
    const out = applyStrategicMergePatch(live, { status: { conditions: [{ type: 'B', status: 'False' }] } }, { group, version: 'v1', kind });
    assert.deepEqual(out, { status: { conditions: [{ type: 'A', status: 'True' }, { type: 'B', status: 'False' }] } }, kind);
  }
  // A kind with no table replaces the list.
  const generic = applyStrategicMergePatch(live, { status: { conditions: [{ type: 'B', status: 'False' }] } }, { group: 'example.com', version: 'v1', kind: 'Widget' });
  assert.deepEqual(generic, { status: { conditions: [{ type: 'B', status: 'False' }] } });
});
