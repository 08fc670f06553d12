import type { InformerFactory } from '../client/cache/informer-factory.js';
import type { WorkQueue } from '../client/workqueue.js';
import type { Logger } from '../logging/index.js';
import { instrumentQueue } from '../metrics/registry.js';

/** What reconcile may ask for: nothing (done) or a later look. Throwing retries with backoff. */
export type ReconcileResult = void | { requeueAfterMs: number };

/** Runs `workers` loops taking keys from the queue into reconcile until the queue shuts down. */
export async function runWorkers(
  queue: WorkQueue,
  reconcile: (key: string) => Promise<ReconcileResult>,
  logger: Logger,
  workers = 1,
  name?: string,
): Promise<void> {
  const metrics = name ? instrumentQueue(name, queue) : undefined;
  const loop = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      const started = performance.now();
      try {
        const result = await reconcile(key);
        queue.forget(key);
        if (result && result.requeueAfterMs >= 0) queue.addAfter(key, result.requeueAfterMs);
      } catch (e) {
        logger.debug({ key, err: e, controller: name }, 'reconcile failed; retrying');
        metrics?.retried();
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
        metrics?.workDone(performance.now() - started);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
}

/**
 * A controller's start(): waits until the informers it reads have synced (so reconcile never acts
 * on a half-filled cache), then runs its workers until the signal aborts.
 */
export async function runController(opts: {
  signal: AbortSignal;
  informers: InformerFactory;
  queue: WorkQueue;
  reconcile: (key: string) => Promise<ReconcileResult>;
  logger: Logger;
  workers?: number;
  /** The queue's name in metrics (workqueue_* with name=...). */
  name?: string;
}): Promise<void> {
  const { signal, queue } = opts;
  if (signal.aborted) return;
  signal.addEventListener('abort', () => queue.shutDown(), { once: true });
  if (!(await opts.informers.waitForCacheSync(signal))) return;
  await runWorkers(queue, opts.reconcile, opts.logger, opts.workers ?? 2, opts.name);
}
