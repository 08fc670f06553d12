// A simulated node (as kwok simulates them), for benchmarks and tests of the control plane: what
// a kubelet (and, with no scheduler yet, the scheduler) would do for each pod, through the API:
// bind it to this node, report it Running and Ready with an IP, and finish the deletion of pods
// being deleted. It runs no process and writes nothing else.
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { isConflict, isNotFound } from '../apimachinery/errors.js';
import { InformerFactory } from '../client/cache/informer-factory.js';
import { keyOf } from '../client/cache/indexes.js';
import { NODES, PODS } from '../client/resources.js';
import type { Client } from '../client/types.js';
import { silentLogger } from '../logging/index.js';

const CONCURRENCY = 48;

export class FakeNode {
  private readonly pending: string[] = [];
  private readonly inFlight = new Set<string>();
  private active = 0;
  private ips = 0;
  readonly informers: InformerFactory;
  started = 0;

  constructor(
    private readonly client: Client,
    readonly nodeName: string,
  ) {
    this.informers = new InformerFactory(client, silentLogger);
    const pods = this.informers.for<Pod>(PODS);
    const look = (p: Pod) => {
      if (needsWork(p)) this.enqueue(keyOf(p));
    };
    pods.addEventHandler({ onAdd: look, onUpdate: (_, p) => look(p) });
  }

  async register(): Promise<void> {
    const node: Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: this.nodeName, labels: { 'kubernetes.io/hostname': this.nodeName } },
      status: { capacity: { cpu: '1000', memory: '4000Gi', pods: '100000' }, allocatable: { cpu: '1000', memory: '4000Gi', pods: '100000' } },
    };
    await this.client.resource<Node>(NODES).create(node);
  }

  start(signal: AbortSignal): Promise<boolean> {
    this.informers.start(signal);
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
      void this.work(key).finally(() => {
        this.active--;
        this.inFlight.delete(key);
        // The cache may have moved on while we worked: look again.
        const p = this.informers.for<Pod>(PODS).store.get(key);
        if (p && needsWork(p)) this.enqueue(key);
        this.pump();
      });
    }
  }

  private async work(key: string): Promise<void> {
    const pods = this.client.resource<Pod>(PODS);
    const pod = this.informers.for<Pod>(PODS).store.get(key);
    if (!pod) return;
    const [ns, name] = [pod.metadata!.namespace!, pod.metadata!.name!];
    try {
      if (pod.metadata?.deletionTimestamp) {
        await pods.delete(ns, name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
        return;
      }
      if (!pod.spec?.nodeName) {
        await this.client.request({
          method: 'POST',
          path: `/api/v1/namespaces/${ns}/pods/${name}/binding`,
          body: { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace: ns }, target: { kind: 'Node', name: this.nodeName } },
        });
        return; // the update comes back through the informer, then the status is written
      }
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const n = this.ips++;
      const ip = `10.42.${(n >> 8) & 255}.${n & 255}`;
      this.started++;
      await pods.updateStatus({
        ...pod,
        status: {
          phase: 'Running',
          hostIP: '10.0.0.1',
          podIP: ip,
          podIPs: [{ ip }],
          startTime: now,
          conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({ type, status: 'True', lastTransitionTime: now })),
          containerStatuses: (pod.spec.containers ?? []).map((c) => ({
            name: c.name,
            image: c.image ?? '',
            imageID: '',
            ready: true,
            restartCount: 0,
            started: true,
            state: { running: { startedAt: now } },
          })),
        },
      });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }
}

function needsWork(p: Pod): boolean {
  if (p.metadata?.deletionTimestamp) return true;
  if (!p.spec?.nodeName) return true;
  return p.status?.phase !== 'Running';
}
