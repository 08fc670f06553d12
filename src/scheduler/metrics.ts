// The scheduler's Prometheus metrics, with kube-scheduler's names: attempts by result, attempt
// and end-to-end (first queued to bound) latency, pending pods per queue, preemption.
import { Counter, Gauge, Histogram } from 'prom-client';
import { registry } from '../metrics/registry.js';
import type { SchedulingQueue } from './queue/scheduling-queue.js';

const BUCKETS = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384, 32.768, 65.536];

export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

const attempts = new Counter({
  name: 'scheduler_schedule_attempts_total',
  help: 'Number of attempts to schedule pods, by the result.',
  labelNames: ['result', 'profile'],
  registers: [registry],
});
const attemptDuration = new Histogram({
  name: 'scheduler_scheduling_attempt_duration_seconds',
  help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding).',
  labelNames: ['result', 'profile'],
  buckets: BUCKETS,
  registers: [registry],
});
const e2eDuration = new Histogram({
  name: 'scheduler_pod_scheduling_sli_duration_seconds',
  help: 'E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue until it is bound.',
  labelNames: ['attempts'],
  buckets: BUCKETS,
  registers: [registry],
});
const preemptionAttempts = new Counter({ name: 'scheduler_preemption_attempts_total', help: 'Total preemption attempts in the cluster till now.', registers: [registry] });
const preemptionVictims = new Histogram({
  name: 'scheduler_preemption_victims',
  help: 'Number of selected preemption victims.',
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
  registers: [registry],
});
const queues = new Set<SchedulingQueue>();
new Gauge({
  name: 'scheduler_pending_pods',
  help: "Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulablePods.",
  labelNames: ['queue'],
  registers: [registry],
  collect() {
    const sum = { active: 0, backoff: 0, unschedulable: 0 };
    for (const q of queues) {
      const c = q.counts();
      sum.active += c.active;
      sum.backoff += c.backoff;
      sum.unschedulable += c.unschedulable;
    }
    for (const [queue, n] of Object.entries(sum)) this.set({ queue }, n);
  },
});

export const schedulerMetrics = {
  watchQueue(q: SchedulingQueue): () => void {
    queues.add(q);
    return () => queues.delete(q);
  },
  attempt(result: AttemptResult, profile: string, seconds: number): void {
    attempts.inc({ result, profile });
    attemptDuration.observe({ result, profile }, seconds);
  },
  scheduled(attemptCount: number, seconds: number): void {
    e2eDuration.observe({ attempts: String(Math.min(attemptCount, 15)) }, seconds);
  },
  preempted(victims: number): void {
    preemptionAttempts.inc();
    preemptionVictims.observe(victims);
  },
};
