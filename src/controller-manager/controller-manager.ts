// The controller manager: runs the enabled controllers over one shared set of informers, while
// this process holds the kube-controller-manager Lease (so two servers sharing one store never
// run the same controller at once). Losing the lease stops the controllers and drops their
// caches; winning it again starts them afresh.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { InformerFactory } from '../client/cache/informer-factory.js';
import type { ApiClient } from '../client/client.js';
import { EventBroadcaster } from '../client/events/recorder.js';
import { LeaderElector } from '../client/leader-election.js';
import type { ControllerContext, ControllerSettings } from '../controllers/context.js';
import type { Logger } from '../logging/index.js';
import type { Runnable } from '../manager/index.js';

export interface ControllerFactory {
  name: string;
  create(ctx: ControllerContext): Runnable;
}

export interface ControllerManagerOptions {
  client: ApiClient;
  logger: Logger;
  controllers: ControllerFactory[];
  settings?: ControllerSettings;
  /** The Runnable's name and its Lease (default: controller-manager on kube-system/kube-controller-manager). */
  name?: string;
  lease?: { namespace: string; name: string };
  /** Lease timings (defaults: upstream's 15 s / 10 s / 2 s); `false` runs without election. */
  leaderElection?: false | { leaseDurationMs?: number; renewDeadlineMs?: number; retryPeriodMs?: number; identity?: string };
}

export const CONTROLLER_MANAGER_LEASE = { namespace: 'kube-system', name: 'kube-controller-manager' };

export class ControllerManager implements Runnable {
  readonly name: string;
  private elector: LeaderElector | undefined;

  constructor(private readonly opts: ControllerManagerOptions) {
    this.name = opts.name ?? 'controller-manager';
  }

  isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : true;
  }

  async start(signal: AbortSignal): Promise<void> {
    const le = this.opts.leaderElection;
    if (le === false) return this.runControllers(signal);
    this.elector = new LeaderElector({
      // The options first: an `identity: undefined` in them must not override the generated one.
      ...le,
      client: this.opts.client,
      ...(this.opts.lease ?? CONTROLLER_MANAGER_LEASE),
      identity: le?.identity || `${hostname()}_${randomUUID()}`,
      logger: this.opts.logger,
    });
    await this.elector.run(signal, (term) => this.runControllers(term));
  }

  private async runControllers(signal: AbortSignal): Promise<void> {
    const { client, logger } = this.opts;
    const events = new EventBroadcaster(client, logger, hostname());
    const ctx: ControllerContext = {
      client,
      informers: new InformerFactory(client, logger),
      recorder: (component) => events.recorder(component),
      logger,
      settings: this.opts.settings,
    };
    const runnables = this.opts.controllers.map((f) => ({ name: f.name, r: f.create(ctx) }));
    ctx.informers.start(signal);
    logger.debug({ controllers: runnables.map((c) => c.name) }, 'controllers starting');
    await Promise.all(
      runnables.map(({ name, r }) =>
        r.start(signal).catch((e) => {
          // One controller failing must not take the others down; it is logged loudly.
          logger.error({ controller: name, err: e }, 'controller failed');
        }),
      ),
    );
    await ctx.informers.stopped();
    await events.flush();
  }
}
