// The scheduler as a Runnable for `kubets server` and `kubets scheduler`: it schedules only while
// this process holds the kube-system/kube-scheduler Lease (as kube-scheduler's leader election),
// over its own informers; a KubeSchedulerConfiguration file chooses profiles and plugins.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { ApiClient } from '../client/client.js';
import { ControllerManager, type ControllerManagerOptions } from '../controller-manager/controller-manager.js';
import type { Logger } from '../logging/index.js';
import { buildProfiles, SchedulerConfigError, type SchedulerConfiguration } from './config.js';
import { EMPTY_HANDLE } from './handle.js';
import { IN_TREE_PLUGINS } from './registry.js';
import { Scheduler } from './scheduler.js';

export const SCHEDULER_LEASE = { namespace: 'kube-system', name: 'kube-scheduler' };

export interface SchedulerManagerOptions {
  client: ApiClient;
  logger: Logger;
  config?: SchedulerConfiguration;
  leaderElection?: ControllerManagerOptions['leaderElection'];
}

export function newSchedulerManager(opts: SchedulerManagerOptions): ControllerManager {
  return new ControllerManager({
    name: 'scheduler',
    lease: SCHEDULER_LEASE,
    client: opts.client,
    logger: opts.logger,
    controllers: [{ name: 'scheduler', create: (ctx) => new Scheduler(ctx, { config: opts.config }) }],
    leaderElection: opts.leaderElection,
  });
}

/**
 * Reads and checks a KubeSchedulerConfiguration file (YAML or JSON), so a bad one fails at start
 * with a clear message rather than when the lease is won.
 */
export async function loadSchedulerConfig(path: string): Promise<SchedulerConfiguration> {
  let doc: unknown;
  try {
    doc = parseYaml(await readFile(path, 'utf8'));
  } catch (e) {
    throw new SchedulerConfigError(`scheduler config ${path}: ${(e as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new SchedulerConfigError(`scheduler config ${path}: not a KubeSchedulerConfiguration object`);
  const cfg = doc as SchedulerConfiguration;
  if (cfg.apiVersion && !/^kubescheduler\.config\.k8s\.io\/v1(beta\d)?$/.test(cfg.apiVersion)) {
    throw new SchedulerConfigError(`scheduler config ${path}: apiVersion must be kubescheduler.config.k8s.io/v1, not ${cfg.apiVersion}`);
  }
  try {
    buildProfiles(cfg, IN_TREE_PLUGINS, EMPTY_HANDLE);
  } catch (e) {
    throw new SchedulerConfigError(`scheduler config ${path}: ${(e as Error).message}`);
  }
  return cfg;
}
