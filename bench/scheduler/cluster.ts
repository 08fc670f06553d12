// The scheduler benchmark's cluster, shaped as upstream scheduler_perf's: an API server with
// in-memory storage and a scheduler in this one process, Node objects only (no kubelet). The
// scheduler is kubets' own, with the default profile as `kubets server` runs it, and talks
// to the API through the server's full request path (authentication, admission, validation,
// storage, watch); pods are created through the API and bound through pods/binding. The benchmark
// reads the scheduler's own pod informer, as upstream's collector shares the scheduler's.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isNotFound } from '../../src/apimachinery/errors.js';
import { InformerFactory } from '../../src/client/cache/informer-factory.js';
import type { SharedInformer } from '../../src/client/cache/types.js';
import type { ApiClient } from '../../src/client/client.js';
import { EventBroadcaster } from '../../src/client/events/recorder.js';
import { NODES, PODS } from '../../src/client/resources.js';
import { silentLogger } from '../../src/logging/index.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { defaultServerConfig } from '../../src/server/config.js';
import { KubetsServer } from '../../src/server/kubets-server.js';

/** The identity `kubets server` gives its scheduler. */
const SCHEDULER_USER = { name: 'system:kube-scheduler', groups: ['system:authenticated'] };

export interface BenchCluster {
  /** An admin client (the benchmark's creates). */
  client: ApiClient;
  scheduler: Scheduler;
  /** The scheduler's informers. */
  pods: SharedInformer<Pod>;
  nodes: SharedInformer<Node>;
  stop(): Promise<void>;
}

export async function startCluster(tmpRoot: string): Promise<BenchCluster> {
  const dataDir = mkdtempSync(join(tmpRoot, 'cluster-'));
  const server = new KubetsServer(
    {
      ...defaultServerConfig(),
      dataDir,
      port: 0,
      bindAddress: '127.0.0.1',
      datastore: 'memory',
      mergeKubeconfig: false,
      disableControllers: true,
      // The benchmark starts the scheduler itself, to share its informers.
      disableScheduler: true,
      disableAgent: true,
      leaderElection: false,
    },
    silentLogger,
  );
  await server.start();
  const client = server.inProcessClient();
  const schedulerClient = server.inProcessClient(SCHEDULER_USER);
  const informers = new InformerFactory(schedulerClient, silentLogger);
  const events = new EventBroadcaster(schedulerClient, silentLogger, 'scheduler-perf');
  // The default configuration and in-tree plugins, as `kubets server` without --scheduler-config.
  const scheduler = new Scheduler({ client: schedulerClient, informers, recorder: (c) => events.recorder(c), logger: silentLogger });
  const pods = informers.for<Pod>(PODS);
  const nodes = informers.for<Node>(NODES);
  finishDeletions(client, pods);

  const abort = new AbortController();
  informers.start(abort.signal);
  const running = scheduler.start(abort.signal);
  if (!(await informers.waitForCacheSync(abort.signal))) throw new Error('scheduler informers did not sync');
  return {
    client,
    scheduler,
    pods,
    nodes,
    async stop() {
      abort.abort();
      await running.catch(() => undefined);
      await informers.stopped();
      await events.flush();
      schedulerClient.close();
      client.close();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Completes the graceful deletion of bound pods, as a kubelet would (and our simulated node does):
 * a preempted victim with a grace period would otherwise stay, holding its node's resources.
 */
function finishDeletions(client: ApiClient, pods: SharedInformer<Pod>): void {
  const finishing = new Set<string>();
  const finish = (p: Pod) => {
    const uid = p.metadata?.uid ?? '';
    if (!p.metadata?.deletionTimestamp || !p.spec?.nodeName || finishing.has(uid)) return;
    finishing.add(uid);
    client
      .resource<Pod>(PODS)
      .delete(p.metadata.namespace!, p.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid } })
      .catch((e) => {
        if (!isNotFound(e)) process.stderr.write(`    could not finish deleting ${p.metadata?.name}: ${(e as Error).message}\n`);
      })
      .finally(() => finishing.delete(uid));
  };
  pods.addEventHandler({ onAdd: finish, onUpdate: (_old, p) => finish(p) });
}

/** Runs `fn` over `count` indexes with `concurrency` requests in flight. */
export async function inParallel(count: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await fn(next++);
    }),
  );
}
