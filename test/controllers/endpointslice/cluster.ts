// Writes for the Endpoints and EndpointSlice controllers' tests against the harness' API server:
// services, and pods whose status a test sets as a kubelet would (Running, IP, Ready).
import type { ContainerPort, Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { PODS, SERVICES } from '../../../src/client/resources.js';
import type { Client } from '../../../src/client/types.js';

export const NS = 'default';

export interface RunningPodOptions {
  labels: Record<string, string>;
  ip: string;
  ready?: boolean;
  ports?: ContainerPort[];
  node?: string;
  hostname?: string;
  subdomain?: string;
}

/** Creates a pod and reports it Running with `ip`, Ready unless told otherwise. */
export async function runningPod(client: Client, name: string, o: RunningPodOptions): Promise<Pod> {
  const pods = client.resource<Pod>(PODS);
  const created = await pods.create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: o.labels },
    spec: {
      nodeName: o.node ?? 'node-a',
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.subdomain ? { subdomain: o.subdomain } : {}),
      containers: [{ name: 'c', image: 'nginx', ports: o.ports ?? [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }],
    },
  });
  return setPodStatus(client, created, { ip: o.ip, ready: o.ready ?? true });
}

/** Writes a Running status with `ip` and the Ready condition. */
export async function setPodStatus(client: Client, pod: Pod, o: { ip: string; ready: boolean }): Promise<Pod> {
  return client.resource<Pod>(PODS).updateStatus({
    ...pod,
    status: {
      ...pod.status,
      phase: 'Running',
      podIP: o.ip,
      podIPs: [{ ip: o.ip }],
      conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }],
    },
  });
}

/** Flips a pod's Ready condition, keeping its IP. */
export async function setReady(client: Client, name: string, ready: boolean): Promise<Pod> {
  const pod = await client.resource<Pod>(PODS).get(NS, name);
  return setPodStatus(client, pod, { ip: pod.status!.podIP!, ready });
}

export async function createService(
  client: Client,
  name: string,
  o: { selector?: Record<string, string>; ports?: ServicePort[]; headless?: boolean; labels?: Record<string, string> },
): Promise<Service> {
  return client.resource<Service>(SERVICES).create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS, ...(o.labels ? { labels: o.labels } : {}) },
    spec: {
      ...(o.selector ? { selector: o.selector } : {}),
      ...(o.headless ? { clusterIP: 'None' } : {}),
      ports: o.ports ?? [
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
        { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' },
      ],
    },
  });
}

/** `10.<a>.<b>.<c>` for the i-th pod of a test numbered `n`. */
export const ipFor = (n: number, i: number): string => `10.${n}.${Math.floor(i / 250)}.${(i % 250) + 1}`;
