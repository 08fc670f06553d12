// The service proxy's Prometheus metrics, with upstream kube-proxy's names (pkg/proxy/metrics)
// where one exists. Registered once per process in the shared registry (served at the API
// server's and the kubelet's /metrics).
import { Counter, Gauge, Histogram } from 'prom-client';
import { registry } from '../metrics/registry.js';

// Upstream's exponential buckets for sync durations: 1 ms doubling to ~16 s.
const SYNC_BUCKETS = Array.from({ length: 15 }, (_, i) => 0.001 * 2 ** i);
// Network programming latency spans more: 250 ms steps up to a minute, then a long tail.
const PROGRAMMING_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 10, 20, 30, 60, 120, 300];

export const proxyMetrics = {
  syncDuration: new Histogram({
    name: 'kubeproxy_sync_proxy_rules_duration_seconds',
    help: 'SyncProxyRules latency in seconds (building the dataplane and applying it).',
    labelNames: ['mode'],
    buckets: SYNC_BUCKETS,
    registers: [registry],
  }),
  fullSyncDuration: new Histogram({
    name: 'kubeproxy_sync_full_proxy_rules_duration_seconds',
    help: 'SyncProxyRules latency in seconds for syncs that rewrote the whole dataplane.',
    labelNames: ['mode'],
    buckets: SYNC_BUCKETS,
    registers: [registry],
  }),
  partialSyncDuration: new Histogram({
    name: 'kubeproxy_sync_partial_proxy_rules_duration_seconds',
    help: 'SyncProxyRules latency in seconds for syncs that applied only what changed.',
    labelNames: ['mode'],
    buckets: SYNC_BUCKETS,
    registers: [registry],
  }),
  lastSync: new Gauge({
    name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds',
    help: 'The last time the proxy rules were successfully synced.',
    labelNames: ['mode'],
    registers: [registry],
  }),
  lastQueued: new Gauge({
    name: 'kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds',
    help: 'The last time a sync of the proxy rules was queued.',
    labelNames: ['mode'],
    registers: [registry],
  }),
  programmingDuration: new Histogram({
    name: 'kubeproxy_network_programming_duration_seconds',
    help: 'In-cluster network programming latency: from a Service or EndpointSlice change reaching the proxy (or the EndpointSlice controller\'s trigger time when given) to the dataplane applying it.',
    labelNames: ['mode'],
    buckets: PROGRAMMING_BUCKETS,
    registers: [registry],
  }),
  rules: new Gauge({
    name: 'kubeproxy_sync_proxy_rules_nftables_total',
    help: 'Objects in the proxy\'s nftables table after the last sync, by kind (rules, chains, map elements).',
    labelNames: ['kind'],
    registers: [registry],
  }),
  listeners: new Gauge({
    name: 'kubeproxy_sync_proxy_rules_userspace_listeners',
    help: 'Listening sockets of the userspace proxy after the last sync.',
    registers: [registry],
  }),
  servicePorts: new Gauge({
    name: 'kubeproxy_sync_proxy_rules_service_ports',
    help: 'Service ports programmed by the last sync.',
    labelNames: ['mode'],
    registers: [registry],
  }),
  syncErrors: new Counter({
    name: 'kubeproxy_sync_proxy_rules_errors_total',
    help: 'Syncs that failed (retried).',
    labelNames: ['mode'],
    registers: [registry],
  }),
};
