// The deployment controller's integration tests run it with the ReplicaSet controller against a
// real API server, plus a stand-in kubelet that reports pods Running and Ready as they appear
// (unless told otherwise), and helpers that read what the controllers did through the API.
import type { Deployment, DeploymentStrategy, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Event as CoreEvent, Pod } from 'kubernetes-types/core/v1.js';
import { DEPLOYMENTS, EVENTS, PODS, REPLICA_SETS } from '../../../src/client/resources.js';
import type { Client } from '../../../src/client/types.js';
import { DeploymentController } from '../../../src/controllers/deployment/controller.js';
import { ReplicaSetController } from '../../../src/controllers/replicaset/controller.js';
import { startControlPlane, waitFor, type ControlPlane } from '../harness.js';

export { waitFor };
export const NS = 'default';

export function deployment(
  name: string,
  replicas: number,
  extra: {
    image?: string;
    strategy?: DeploymentStrategy;
    revisionHistoryLimit?: number;
    progressDeadlineSeconds?: number;
    paused?: boolean;
    annotations?: Record<string, string>;
  } = {},
): Deployment {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS, annotations: extra.annotations },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      strategy: extra.strategy,
      revisionHistoryLimit: extra.revisionHistoryLimit,
      progressDeadlineSeconds: extra.progressDeadlineSeconds,
      paused: extra.paused,
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: extra.image ?? 'nginx:1' }] } },
    },
  };
}

/** A kubelet stand-in: marks every new pod Running and Ready unless `ready` says otherwise. */
class Kubelet {
  ready: (pod: Pod) => boolean = () => true;
  private ip = 0;
  private readonly done: Promise<void>;

  constructor(
    private readonly client: Client,
    signal: AbortSignal,
  ) {
    this.done = this.run(signal);
  }

  private async run(signal: AbortSignal): Promise<void> {
    const pods = this.client.resource<Pod>(PODS);
    try {
      for await (const ev of pods.watch(NS, { signal })) {
        const pod = ev.object;
        if ((ev.type !== 'ADDED' && ev.type !== 'MODIFIED') || pod.metadata?.deletionTimestamp || pod.status?.phase === 'Running') continue;
        if (!this.ready(pod)) continue;
        await this.markReady(pod).catch(() => undefined);
      }
    } catch {
      // The watch ends when the test stops.
    }
  }

  async markReady(pod: Pod): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const n = ++this.ip;
    await this.client.resource<Pod>(PODS).updateStatus({
      ...pod,
      status: {
        ...pod.status,
        phase: 'Running',
        podIP: `10.1.${n >> 8}.${n & 255}`,
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
      },
    });
  }

  /** Marks the app's pods that are not Ready yet Ready (after `ready` changed its mind). */
  async readyAll(app: string): Promise<void> {
    const pods = this.client.resource<Pod>(PODS);
    for (const listed of await podsOf(this.client, app)) {
      for (let attempt = 0; ; attempt++) {
        const pod = await pods.get(NS, listed.metadata!.name!).catch(() => undefined);
        if (!pod || pod.status?.phase === 'Running') break;
        try {
          await this.markReady(pod);
          break;
        } catch (e) {
          // Written meanwhile (the ReplicaSet controller, or this kubelet's watch): read it again.
          if (attempt > 5) throw e;
        }
      }
    }
  }

  stopped(): Promise<void> {
    return this.done;
  }
}

export interface Env {
  cp: ControlPlane;
  client: Client;
  kubelet: Kubelet;
  controller: DeploymentController;
  flushEvents(): Promise<void>;
  stop(): Promise<void>;
}

/** A control plane running the Deployment and ReplicaSet controllers and the stand-in kubelet. */
export async function startEnv(): Promise<Env> {
  const cp = await startControlPlane();
  const ctx = cp.newContext();
  const ac = new AbortController();
  const controller = new DeploymentController(ctx);
  const replicaSets = new ReplicaSetController(ctx);
  ctx.informers.start(ac.signal);
  const running = [controller.start(ac.signal), replicaSets.start(ac.signal)];
  const kubelet = new Kubelet(cp.client, ac.signal);
  return {
    cp,
    client: cp.client,
    kubelet,
    controller,
    flushEvents: () => ctx.events.flush(),
    async stop() {
      ac.abort();
      await Promise.all(running);
      await kubelet.stopped();
      await ctx.informers.stopped();
      await cp.stop();
    },
  };
}

export const getDeployment = (client: Client, name: string): Promise<Deployment> => client.resource<Deployment>(DEPLOYMENTS).get(NS, name);

const revision = (rs: ReplicaSet): number => Number(rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0);

/** The Deployment's ReplicaSets (by controller reference), lowest revision first. */
export async function replicaSetsOf(client: Client, d: Deployment): Promise<ReplicaSet[]> {
  const list = await client.resource<ReplicaSet>(REPLICA_SETS).list(NS);
  return list.items
    .filter((rs) => rs.metadata?.ownerReferences?.some((r) => r.controller && r.uid === d.metadata?.uid))
    .sort((a, b) => revision(a) - revision(b) || (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
}

/** Pods with the app label, not being deleted. */
export async function podsOf(client: Client, app: string): Promise<Pod[]> {
  const list = await client.resource<Pod>(PODS).list(NS, { labelSelector: `app=${app}` });
  return list.items.filter((p) => !p.metadata?.deletionTimestamp);
}

/** What `kubectl rollout status` waits for: the rollout observed, updated, old pods gone and available. */
export function rolledOut(d: Deployment): boolean {
  const s = d.status ?? {};
  const replicas = d.spec?.replicas ?? 1;
  return (
    (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
    (s.updatedReplicas ?? 0) === replicas &&
    (s.replicas ?? 0) === replicas &&
    (s.availableReplicas ?? 0) === replicas
  );
}

/** Waits until the Deployment is rolled out; returns it. */
export function waitRolledOut(client: Client, name: string, timeoutMs = 5000): Promise<Deployment> {
  return waitFor(async () => {
    const d = await getDeployment(client, name);
    return rolledOut(d) ? d : undefined;
  }, timeoutMs, `${name} rolled out`);
}

export async function eventMessages(client: Client, name: string, reason: string): Promise<string[]> {
  const list = await client.resource<CoreEvent>(EVENTS).list(NS);
  return list.items.filter((e) => e.involvedObject?.name === name && e.reason === reason).map((e) => e.message ?? '');
}

/** Applies `change` to the Deployment as a client would (get, modify, update; retried on conflicts). */
export async function updateDeployment(client: Client, name: string, change: (d: Deployment) => void): Promise<Deployment> {
  for (let i = 0; ; i++) {
    const d = await getDeployment(client, name);
    change(d);
    try {
      return await client.resource<Deployment>(DEPLOYMENTS).update(d);
    } catch (e) {
      if (i > 10) throw e;
    }
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
