// The objects the benchmark creates: a pod shaped like what a Deployment stamps out (labels,
// annotations, one container with image, ports, resources, env and probes; ~1.5 KB of JSON) and a
// small ConfigMap for the watch measurement.

import type { ConfigMap, Pod } from 'kubernetes-types/core/v1.js';
import type { BodyTemplate } from './protocol.js';

const NAME_MARK = '@@NAME@@';

function template(object: object): BodyTemplate {
  const text = JSON.stringify(object);
  const at = text.indexOf(`"${NAME_MARK}"`);
  if (at < 0) throw new Error('the object has no name placeholder');
  // Keep the quotes in prefix and suffix: the name is pasted between them.
  return { prefix: text.slice(0, at + 1), suffix: text.slice(at + 1 + NAME_MARK.length) };
}

export function fill(t: BodyTemplate, name: string): string {
  return t.prefix + name + t.suffix;
}

export function podTemplate(): BodyTemplate {
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: NAME_MARK,
      labels: {
        app: 'checkout',
        'app.kubernetes.io/name': 'checkout',
        'app.kubernetes.io/component': 'backend',
        'app.kubernetes.io/part-of': 'shop',
        'pod-template-hash': '7d9f8c6b5d',
        tier: 'backend',
      },
      annotations: {
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '9090',
      },
    },
    spec: {
      containers: [
        {
          name: 'checkout',
          image: 'registry.example.com/shop/checkout:v2.14.3',
          args: ['--listen=:8080', '--metrics=:9090', '--log-level=info'],
          ports: [
            { name: 'http', containerPort: 8080, protocol: 'TCP' },
            { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
          ],
          resources: {
            requests: { cpu: '250m', memory: '256Mi' },
            limits: { cpu: '1', memory: '512Mi' },
          },
          env: [
            { name: 'LOG_FORMAT', value: 'json' },
            { name: 'DATABASE_URL', value: 'postgres://checkout@db.shop.svc.cluster.local:5432/checkout' },
            { name: 'CACHE_ADDR', value: 'redis.shop.svc.cluster.local:6379' },
            { name: 'PAYMENTS_ENDPOINT', value: 'http://payments.shop.svc.cluster.local:8080' },
            { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.observability.svc.cluster.local:4317' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          ],
          readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
          livenessProbe: { httpGet: { path: '/livez', port: 'http' }, initialDelaySeconds: 10 },
        },
      ],
      terminationGracePeriodSeconds: 30,
      nodeSelector: { 'kubernetes.io/os': 'linux' },
    },
  };
  return template(pod);
}

export function configMapTemplate(): BodyTemplate {
  const cm: ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: NAME_MARK, labels: { app: 'watch-bench' } },
    data: { 'settings.yaml': 'replicas: 3\nlogLevel: info\nfeatures:\n  - a\n  - b\n', mode: 'bench' },
  };
  return template(cm);
}
