import type { Logger } from '../logging/index.js';
import type { Runnable } from './runnable.js';

/**
 * Starts runnables in groups, in order: a group starts once the previous group is ready (its
 * `ready` promise, when given, resolved). Stops them all in reverse order when the signal aborts
 * or one fails; run() resolves when all have stopped, rejecting with the first failure.
 */
export interface RunnableGroup {
  name: string;
  runnables: Runnable[];
  /** Resolves when the group serves (e.g. the API server listens). */
  ready?: () => Promise<unknown>;
}

export class Manager {
  constructor(
    private readonly groups: RunnableGroup[],
    private readonly logger: Logger,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    const controllers: AbortController[] = [];
    const running: Promise<void>[] = [];
    let failure: unknown;
    const stopAll = new AbortController();
    const onAbort = () => stopAll.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (const group of this.groups) {
        if (stopAll.signal.aborted) break;
        const c = new AbortController();
        controllers.push(c);
        for (const r of group.runnables) {
          this.logger.debug({ runnable: r.name, group: group.name }, 'starting');
          running.push(
            r.start(c.signal).catch((e) => {
              failure ??= e;
              this.logger.error({ runnable: r.name, err: e }, 'runnable failed');
              stopAll.abort();
            }),
          );
        }
        if (group.ready) await Promise.race([group.ready(), abortPromise(stopAll.signal)]);
      }
      await abortPromise(stopAll.signal);
    } finally {
      signal.removeEventListener('abort', onAbort);
      for (const c of controllers.reverse()) {
        c.abort();
      }
      await Promise.all(running);
    }
    if (failure) throw failure;
  }
}

function abortPromise(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
