// Shared pieces of the replica controller integration tests: objects to create, a kubelet's
// status writes, and reads of what the controller did (through the API, not a cache).
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Event as CoreEvent, Pod, ReplicationController } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../src/api/types.js';
import { InformerFactory } from '../../../src/client/cache/informer-factory.js';
import type { Client, ResourceClient, ResourceType, WatchEvent } from '../../../src/client/types.js';
import { silentLogger } from '../../../src/logging/index.js';
import { EVENTS, PODS, REPLICA_SETS } from '../../../src/client/resources.js';
import type { Runnable } from '../../../src/manager/index.js';
import type { ControllerContext } from '../../../src/controllers/context.js';
import { startControlPlane, waitFor, type ControlPlane } from '../harness.js';

export const NS = 'default';
export const CONTAINERS = [{ name: 'app', image: 'nginx:1.25' }];

export function replicaSet(name: string, replicas: number, extra: { minReadySeconds?: number; templateLabels?: Record<string, string> } = {}): ReplicaSet {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      minReadySeconds: extra.minReadySeconds,
      selector: { matchLabels: labels },
      template: { metadata: { labels: { ...labels, ...extra.templateLabels } }, spec: { containers: CONTAINERS } },
    },
  };
}

export function replicationController(name: string, replicas: number): ReplicationController {
  return {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name, namespace: NS },
    spec: { replicas, selector: { rc: name }, template: { metadata: { labels: { rc: name } }, spec: { containers: CONTAINERS } } },
  };
}

/** An orphan pod, as a user would create it. */
export function barePod(name: string, labels: Record<string, string>): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS, labels }, spec: { containers: CONTAINERS } };
}

/** Pods (not being deleted) whose labels include `labels`, by name. */
export async function activePods(client: Client, labels: Record<string, string>): Promise<Pod[]> {
  const selector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
  const list = await client.resource<Pod>(PODS).list(NS, { labelSelector: selector });
  return list.items.filter((p) => !p.metadata?.deletionTimestamp).sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
}

/** What a scheduler and kubelet would do: bind the pod to `node` and mark it Running, Ready since `readySince`. */
export async function runPod(client: Client, pod: Pod, opts: { node?: string; ready: boolean; readySince?: Date }): Promise<void> {
  const name = pod.metadata!.name!;
  if (opts.node) {
    await client.request({
      method: 'POST',
      path: `/api/v1/namespaces/${NS}/pods/${name}/binding`,
      body: { apiVersion: 'v1', kind: 'Binding', metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: opts.node } },
    });
  }
  const pods = client.resource<Pod>(PODS);
  const fresh = await pods.get(NS, name);
  const since = (opts.readySince ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z');
  await pods.updateStatus({
    ...fresh,
    status: { ...fresh.status, phase: 'Running', conditions: [{ type: 'Ready', status: opts.ready ? 'True' : 'False', lastTransitionTime: since }] },
  });
}

export async function getReplicaSet(client: Client, name: string): Promise<ReplicaSet> {
  return client.resource<ReplicaSet>(REPLICA_SETS).get(NS, name);
}

/** Messages of the events about `name` with `reason`. */
export async function eventMessages(client: Client, name: string, reason: string): Promise<string[]> {
  const list = await client.resource<CoreEvent>(EVENTS).list(NS);
  return list.items.filter((e) => e.involvedObject?.name === name && e.reason === reason).map((e) => e.message ?? '');
}

/**
 * The sorted messages of events about `name` with `reason` once there are `count` distinct ones
 * (a controller records its event after the API answered, so a pod can be seen before its event).
 */
export async function eventsUntil(env: Running, name: string, reason: string, count: number): Promise<string[]> {
  return until(async () => {
    await env.ctx.events.flush();
    const messages = [...new Set(await eventMessages(env.cp.client, name, reason))].sort();
    return messages.length >= count ? messages : undefined;
  }, `${count} ${reason} events`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** waitFor with room for a loaded machine: a passing run takes a fraction of it. */
export const until = <T>(check: () => T | Promise<T>, what?: string) => waitFor(check, 10_000, what);

export interface Running {
  cp: ControlPlane;
  ctx: ControllerContext & { events: { flush(): Promise<void> } };
  stop(): Promise<void>;
}

/**
 * A client whose pod verbs are replaced by `override` (given the real pod client), for failures
 * and delays the in-process server never produces by itself.
 */
export function withPodVerbs(client: Client, override: (pods: ResourceClient<Pod>) => Partial<ResourceClient<Pod>>): Client {
  return {
    resource<T extends KubeObject>(type: ResourceType): ResourceClient<T> {
      const inner = client.resource<T>(type);
      if (type.resource !== 'pods') return inner;
      const replaced = override(inner as unknown as ResourceClient<Pod>) as Record<string | symbol, unknown>;
      return new Proxy(inner, {
        get(target, prop) {
          if (prop in replaced) return replaced[prop];
          const v = Reflect.get(target, prop) as unknown;
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
    },
    metadata: (type) => client.metadata(type),
    request: (req) => client.request(req),
    close: () => client.close(),
  };
}

/** Pod watch events reach informers `ms` late each, as over a slow connection. */
export function slowPodWatch(client: Client, ms: number): Client {
  return withPodVerbs(client, (pods) => ({
    async *watch(namespace, opts): AsyncIterable<WatchEvent<Pod>> {
      for await (const ev of pods.watch(namespace, opts)) {
        await sleep(ms);
        yield ev;
      }
    },
  }));
}

export interface RunOptions {
  /** The client the controller writes with. */
  writeClient?: (c: Client) => Client;
  /** The client its informers read with. */
  readClient?: (c: Client) => Client;
}

/** A control plane with one controller (made by `make`) running against it. */
export async function runWith(make: (ctx: ControllerContext) => Runnable, opts: RunOptions = {}): Promise<Running> {
  const cp = await startControlPlane();
  const base = cp.newContext();
  const ctx = {
    ...base,
    client: opts.writeClient ? opts.writeClient(base.client) : base.client,
    informers: opts.readClient ? new InformerFactory(opts.readClient(base.client), silentLogger) : base.informers,
  };
  const ac = new AbortController();
  const controller = make(ctx);
  ctx.informers.start(ac.signal);
  const running = controller.start(ac.signal);
  return {
    cp,
    ctx,
    async stop() {
      ac.abort();
      await running;
      await ctx.informers.stopped();
      await cp.stop();
    },
  };
}
