// The process's Prometheus metrics (served at /metrics), with upstream's names where a metric
// has an upstream twin (workqueue_*, apiserver_*).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WorkQueue } from '../client/workqueue.js';

export const registry = new Registry();
let defaultsCollected = false;

/** Node's process metrics (CPU, memory, event loop lag), once per process. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: registry });
}

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

const queueDuration = new Histogram({
  name: 'workqueue_queue_duration_seconds',
  help: 'How long an item stays in a work queue before being requested.',
  labelNames: ['name'],
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});
const workDuration = new Histogram({
  name: 'workqueue_work_duration_seconds',
  help: 'How long processing an item from a work queue takes.',
  labelNames: ['name'],
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});
const retries = new Counter({ name: 'workqueue_retries_total', help: 'Retries handled by a work queue.', labelNames: ['name'], registers: [registry] });
const queues = new Map<string, WorkQueue>();
new Gauge({
  name: 'workqueue_depth',
  help: 'Current depth of a work queue.',
  labelNames: ['name'],
  registers: [registry],
  collect() {
    for (const [name, q] of queues) this.set({ name }, q.length);
  },
});

/** Reports a controller's queue under `name`; returns the hooks runWorkers calls. */
export function instrumentQueue(name: string, queue: WorkQueue): { workDone(ms: number): void; retried(): void } {
  queues.set(name, queue);
  const waited = queueDuration.labels(name);
  queue.onLatency = (ms) => waited.observe(ms / 1000);
  const worked = workDuration.labels(name);
  const retried = retries.labels(name);
  return { workDone: (ms) => worked.observe(ms / 1000), retried: () => retried.inc() };
}
