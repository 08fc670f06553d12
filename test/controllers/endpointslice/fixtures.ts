// Pods and services for the Endpoints and EndpointSlice controllers' unit tests.
import type { ContainerPort, Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';

export interface PodOptions {
  ns?: string;
  labels?: Record<string, string>;
  ip?: string;
  ips?: string[];
  ready?: boolean;
  phase?: string;
  deleting?: boolean;
  node?: string;
  hostname?: string;
  subdomain?: string;
  ports?: ContainerPort[];
  resourceVersion?: string;
}

/** A running pod (Ready unless told otherwise) named `name` with uid `uid-<name>`. */
export function pod(name: string, o: PodOptions = {}): Pod {
  const ips = o.ips ?? (o.ip === undefined ? ['10.0.0.1'] : o.ip ? [o.ip] : []);
  return {
    metadata: {
      name,
      namespace: o.ns ?? 'default',
      uid: `uid-${name}`,
      labels: o.labels ?? { app: 'web' },
      resourceVersion: o.resourceVersion ?? '1',
      ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
    },
    spec: {
      containers: [{ name: 'c', image: 'img', ports: o.ports ?? [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }],
      ...(o.node === undefined ? { nodeName: 'node-a' } : o.node ? { nodeName: o.node } : {}),
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.subdomain ? { subdomain: o.subdomain } : {}),
    },
    status: {
      phase: o.phase ?? 'Running',
      ...(ips.length ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

export interface ServiceOptions {
  ns?: string;
  selector?: Record<string, string> | null;
  ports?: ServicePort[];
  clusterIP?: string;
  ipFamilies?: string[];
  publishNotReady?: boolean;
  labels?: Record<string, string>;
  type?: string;
  uid?: string;
}

/** A ClusterIP service selecting app=web with port 80 -> 8080 unless told otherwise. */
export function service(name: string, o: ServiceOptions = {}): Service {
  return {
    metadata: { name, namespace: o.ns ?? 'default', uid: o.uid ?? `svc-uid-${name}`, ...(o.labels ? { labels: o.labels } : {}) },
    spec: {
      type: o.type ?? 'ClusterIP',
      ...(o.selector === null ? {} : { selector: o.selector ?? { app: 'web' } }),
      ports: o.ports ?? [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
      clusterIP: o.clusterIP ?? '10.96.0.10',
      ipFamilies: o.ipFamilies ?? ['IPv4'],
      ...(o.publishNotReady ? { publishNotReadyAddresses: true } : {}),
    },
  };
}
