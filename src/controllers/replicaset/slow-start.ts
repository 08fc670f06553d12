// Slow-start batching of creates (upstream's slowStartBatch): calls go out in batches of 1, 2,
// 4, ... running concurrently within a batch; the first batch with a failure ends the run after
// it completes. A namespace over its quota thus costs one rejected request, not hundreds (and
// one FailedCreate event, not hundreds).

/** upstream controller.SlowStartInitialBatchSize. */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

export interface BatchResult {
  /** Calls that succeeded; the other count - successes either failed or were never made. */
  successes: number;
  /** The first failure of the failing batch, if any. */
  error?: unknown;
}

export async function slowStartBatch(
  count: number,
  initialBatchSize: number,
  fn: () => Promise<void>,
): Promise<BatchResult> {
  let remaining = count;
  let successes = 0;
  for (let size = Math.min(remaining, initialBatchSize); size > 0; size = Math.min(2 * size, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: size }, () => fn()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += size - failed.length;
    if (failed.length > 0) return { successes, error: failed[0]!.reason };
    remaining -= size;
  }
  return { successes };
}
