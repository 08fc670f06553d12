// A real API server (in-memory storage) with kubets' scheduler running against it, for the
// scheduler's integration tests: objects the test needs before the scheduler starts are created
// by `setup`; `boundTo` waits for a pod's binding.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { PODS } from '../../src/client/resources.js';
import { Scheduler, type SchedulerOptions } from '../../src/scheduler/scheduler.js';
import { startControlPlane, waitFor, type ControlPlane } from '../controllers/harness.js';

export interface ScheduledCluster {
  cp: ControlPlane;
  scheduler: Scheduler;
  /** The node the pod was bound to, once it is. */
  boundTo(namespace: string, name: string, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

export async function startScheduledCluster(setup: (cp: ControlPlane) => Promise<void> = async () => {}, opts: SchedulerOptions = {}): Promise<ScheduledCluster> {
  const cp = await startControlPlane();
  await setup(cp);
  const ac = new AbortController();
  const ctx = cp.newContext();
  const scheduler = new Scheduler(ctx, opts);
  ctx.informers.start(ac.signal);
  const running = scheduler.start(ac.signal);
  return {
    cp,
    scheduler,
    boundTo: (namespace, name, timeoutMs = 10_000) =>
      waitFor(async () => (await cp.client.resource<Pod>(PODS).get(namespace, name)).spec?.nodeName, timeoutMs, `${namespace}/${name} bound`),
    async stop() {
      ac.abort();
      await running;
      await cp.stop();
    },
  };
}
