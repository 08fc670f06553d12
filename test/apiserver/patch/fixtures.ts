// Live objects the patch tests start from, shaped as the API server stores them.
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, PodSpec } from 'kubernetes-types/core/v1.js';

export const DEPLOYMENT = { group: 'apps', version: 'v1', kind: 'Deployment' };
export const POD = { group: '', version: 'v1', kind: 'Pod' };
export const NODE = { group: '', version: 'v1', kind: 'Node' };

export function podSpec(): PodSpec {
  return {
    containers: [
      {
        name: 'web',
        image: 'nginx:1.25',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        env: [
          { name: 'MODE', value: 'prod' },
          { name: 'LOG_LEVEL', value: 'info' },
        ],
        volumeMounts: [{ name: 'config', mountPath: '/etc/web' }],
      },
      { name: 'sidecar', image: 'busybox:1.36', args: ['sleep', 'infinity'] },
    ],
    volumes: [{ name: 'config', configMap: { name: 'web-config' } }],
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }],
    nodeSelector: { disk: 'ssd', zone: 'a' },
  };
}

export function deployment(): Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'default',
      uid: 'd-1',
      labels: { app: 'web', tier: 'frontend' },
      finalizers: ['example.com/cleanup'],
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'web' } }, spec: podSpec() },
    },
    status: {
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
        { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable' },
      ],
    },
  };
}

export function pod(): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'default', uid: 'p-1', labels: { app: 'web' } },
    spec: podSpec(),
    status: {
      phase: 'Running',
      conditions: [
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', status: 'False' },
        { type: 'PodScheduled', status: 'True' },
      ],
    },
  };
}

export function node(): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1', uid: 'n-1', labels: { 'kubernetes.io/hostname': 'node-1' } },
    spec: { podCIDR: '10.244.1.0/24', taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }] },
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'False' },
        { type: 'Ready', status: 'True', reason: 'KubeletReady' },
      ],
      addresses: [
        { type: 'InternalIP', address: '10.0.0.1' },
        { type: 'Hostname', address: 'node-1' },
      ],
    },
  };
}
