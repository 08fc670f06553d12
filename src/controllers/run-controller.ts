import type { WorkQueue } from '../client/workqueue.js';
import type { Logger } from '../logging/index.js';

/** What reconcile may ask for: nothing (done) or a later look. Throwing retries with backoff. */
export type ReconcileResult = void | { requeueAfterMs: number };

/** Runs `workers` loops taking keys from the queue into reconcile until the queue shuts down. */
export async function runWorkers(
  queue: WorkQueue,
  reconcile: (key: string) => Promise<ReconcileResult>,
  logger: Logger,
  workers = 1,
): Promise<void> {
  const loop = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        const result = await reconcile(key);
        queue.forget(key);
        if (result && result.requeueAfterMs >= 0) queue.addAfter(key, result.requeueAfterMs);
      } catch (e) {
        logger.debug({ key, err: e }, 'reconcile failed; retrying');
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
}
