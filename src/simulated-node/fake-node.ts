// A simulated node (as kwok simulates them), for benchmarks and tests of the control plane: what
// a kubelet (and, with no scheduler yet, the scheduler) would do for each pod, through the API:
// bind it to this node, report it Running and Ready with an IP, and finish the deletion of pods
// being deleted. It runs no process and writes nothing else.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isConflict, isNotFound } from '../apimachinery/errors.js';
import { InformerFactory } from '../client/cache/informer-factory.js';
import { keyOf } from '../client/cache/indexes.js';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import { LEASES, NODES, PODS } from '../client/resources.js';
import { sleep } from '../manager/index.js';
import type { Client } from '../client/types.js';
import { silentLogger } from '../logging/index.js';
import { microTime, rfc3339 } from '../apimachinery/time.js';

const NODE_LEASE_NAMESPACE = 'kube-node-lease';

const CONCURRENCY = 48;

export class FakeNode {
  private readonly pending: string[] = [];
  private readonly inFlight = new Set<string>();
  private active = 0;
  private ips = 0;
  readonly informers: InformerFactory;
  started = 0;
  /** Pods (by uid) this node already started or finished deleting. */
  private readonly handled = new Map<string, 'running' | 'deleted'>();
  /** Writes that failed (retried after 200 ms), and the last failure. */
  errors = 0;
  lastError: unknown;

  constructor(
    private readonly client: Client,
    readonly nodeName: string,
    /** Also bind pending pods to this node (when no scheduler runs); otherwise only pods bound here. */
    private readonly bind = true,
  ) {
    this.informers = new InformerFactory(client, silentLogger);
    const pods = this.informers.for<Pod>(PODS);
    const look = (p: Pod) => {
      if (this.needsWork(p)) this.enqueue(keyOf(p));
    };
    pods.addEventHandler({ onAdd: look, onUpdate: (_, p) => look(p), onDelete: (p) => this.handled.delete(p.metadata?.uid ?? '') });
  }

  async register(): Promise<void> {
    const node: Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: this.nodeName, labels: { 'kubernetes.io/hostname': this.nodeName } },
      status: {
        capacity: { cpu: '1000', memory: '4000Gi', pods: '100000' },
        allocatable: { cpu: '1000', memory: '4000Gi', pods: '100000' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'simulated node', lastHeartbeatTime: rfc3339(), lastTransitionTime: rfc3339() }],
      },
    };
    await this.client.resource<Node>(NODES).create(node);
  }

  /** Renews the node's Lease every 10 s, as a kubelet does, so the node lifecycle controller sees it alive. */
  private async heartbeat(signal: AbortSignal): Promise<void> {
    const leases = this.client.resource<Lease>(LEASES);
    while (!signal.aborted) {
      const spec = { holderIdentity: this.nodeName, leaseDurationSeconds: 40, renewTime: microTime() };
      try {
        try {
          const current = await leases.get(NODE_LEASE_NAMESPACE, this.nodeName);
          await leases.update({ ...current, spec: { ...current.spec, ...spec } });
        } catch (e) {
          if (!isNotFound(e)) throw e;
          await leases.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: this.nodeName, namespace: NODE_LEASE_NAMESPACE }, spec });
        }
      } catch (e) {
        this.errors++;
        this.lastError = e;
      }
      await sleep(10_000, signal);
    }
  }

  start(signal: AbortSignal): Promise<boolean> {
    this.informers.start(signal);
    void this.heartbeat(signal);
    return this.informers.waitForCacheSync(signal);
  }

  private enqueue(key: string): void {
    if (this.inFlight.has(key)) return;
    this.inFlight.add(key);
    this.pending.push(key);
    this.pump();
  }

  private pump(): void {
    while (this.active < CONCURRENCY && this.pending.length) {
      const key = this.pending.shift()!;
      this.active++;
      void this.work(key).then(
        () => this.finished(key, 0),
        (e: unknown) => {
          this.errors++;
          this.lastError = e;
          this.finished(key, 200);
        },
      );
    }
  }

  /** Looks at the pod again (the cache may have moved on while we worked; or after a failure). */
  private finished(key: string, retryMs: number): void {
    this.active--;
    const again = () => {
      this.inFlight.delete(key);
      const p = this.informers.for<Pod>(PODS).store.get(key);
      if (p && this.needsWork(p)) this.enqueue(key);
    };
    if (retryMs) setTimeout(again, retryMs).unref();
    else again();
    this.pump();
  }

  private async work(key: string): Promise<void> {
    const pods = this.client.resource<Pod>(PODS);
    const pod = this.informers.for<Pod>(PODS).store.get(key);
    if (!pod || !this.needsWork(pod)) return;
    const [ns, name, uid] = [pod.metadata!.namespace!, pod.metadata!.name!, pod.metadata!.uid!];
    try {
      if (pod.metadata?.deletionTimestamp) {
        await pods.delete(ns, name, { gracePeriodSeconds: 0, preconditions: { uid } });
        this.handled.set(uid, 'deleted');
        return;
      }
      if (!pod.spec?.nodeName) {
        try {
          await this.client.request({
            method: 'POST',
            path: `/api/v1/namespaces/${ns}/pods/${name}/binding`,
            body: { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace: ns }, target: { kind: 'Node', name: this.nodeName } },
          });
        } catch (e) {
          if (!isConflict(e)) throw e; // already bound (by us, before a retry)
        }
      }
      const now = rfc3339();
      const n = this.ips++;
      const ip = `10.42.${(n >> 8) & 255}.${n & 255}`;
      // As a kubelet does: a patch of the status, so no resourceVersion race with other writers.
      await pods.patch(
        ns,
        name,
        'strategic',
        {
          metadata: { uid },
          status: {
            phase: 'Running',
            hostIP: '10.0.0.1',
            podIP: ip,
            podIPs: [{ ip }],
            startTime: now,
            conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({ type, status: 'True', lastTransitionTime: now })),
            containerStatuses: (pod.spec?.containers ?? []).map((c) => ({
              name: c.name,
              image: c.image ?? '',
              imageID: '',
              ready: true,
              restartCount: 0,
              started: true,
              state: { running: { startedAt: now } },
            })),
          },
        },
        { subresource: 'status' },
      );
      this.handled.set(uid, 'running');
      this.started++;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** What is left to do for a pod, given the cache and what this node already did (the cache lags). */
  private needsWork(p: Pod): boolean {
    if (!this.bind && p.spec?.nodeName !== this.nodeName) return false;
    const done = this.handled.get(p.metadata?.uid ?? '');
    if (p.metadata?.deletionTimestamp) return done !== 'deleted';
    if (done) return false;
    return !p.spec?.nodeName || p.status?.phase !== 'Running';
  }
}
