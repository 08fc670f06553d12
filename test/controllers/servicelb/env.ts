// One API server for the service load balancer's tests, a fresh controller per scenario with
// every write it makes logged, and helpers to shape nodes and services as a kubelet and a user
// would. Nodes are cluster-wide: each scenario removes its services (the controller still running
// to release them) and nodes before the next starts.
import type { Event, Node, Service } from 'kubernetes-types/core/v1.js';
import type { Client, KubeObject, ResourceClient, ResourceType } from '../../../src/client/types.js';
import { InformerFactory } from '../../../src/client/cache/informer-factory.js';
import { EVENTS, NODES, SERVICES } from '../../../src/client/resources.js';
import { silentLogger } from '../../../src/logging/index.js';
import { ServiceLbController } from '../../../src/controllers/servicelb/controller.js';
import { type ControlPlane, startControlPlane, waitFor } from '../harness.js';

export const NS = 'default';
const WRITE_VERBS = new Set(['create', 'update', 'updateStatus', 'patch', 'delete']);

export interface Env {
  cp: ControlPlane;
  controller: ServiceLbController;
  /** `verb resource[/subresource] name` of every write the controller made. */
  writes: string[];
  /** The controller's own caches (to wait until it has seen a change). */
  cached: { service(name: string): Service | undefined; node(name: string): Node | undefined };
  flushEvents(): Promise<void>;
}

/** Wraps a client so its writes are logged. */
function loggingClient(inner: Client, log: string[]): Client {
  const wrap = <T extends KubeObject>(rc: ResourceClient<T>, type: ResourceType): ResourceClient<T> =>
    new Proxy(rc, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver);
        if (typeof v !== 'function') return v;
        if (!WRITE_VERBS.has(String(prop))) return v.bind(target);
        return (...args: unknown[]) => {
          const opts = args[4] as { subresource?: string } | undefined;
          const name = typeof args[1] === 'string' ? args[1] : ((args[0] as KubeObject).metadata?.name ?? '');
          log.push(`${String(prop)} ${type.resource}${opts?.subresource ? `/${opts.subresource}` : ''} ${name}`);
          return v.apply(target, args);
        };
      },
    });
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'resource') return <T extends KubeObject>(type: ResourceType) => wrap(target.resource<T>(type), type);
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** Marks the services scenarios create (to remove them afterwards). */
const TEST_LABEL = 'servicelb-test';
let shared: ControlPlane | undefined;

export async function startServer(): Promise<void> {
  shared = await startControlPlane();
}

export async function stopServer(): Promise<void> {
  await shared?.stop();
}

/** Wraps a client so watch events on services reach its watchers `ms` late (a lagging cache). */
function laggingClient(inner: Client, ms: number): Client {
  async function* late<T>(events: AsyncIterable<T>): AsyncIterable<T> {
    for await (const e of events) {
      await new Promise((r) => setTimeout(r, ms));
      yield e;
    }
  }
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop !== 'resource') {
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      }
      return <T extends KubeObject>(type: ResourceType) => {
        const rc = target.resource<T>(type);
        if (type.resource !== 'services') return rc;
        return new Proxy(rc, {
          get(t, p, r) {
            const v = Reflect.get(t, p, r);
            if (p === 'watch') return (...args: Parameters<ResourceClient<T>['watch']>) => late(t.watch(...args));
            return typeof v === 'function' ? v.bind(t) : v;
          },
        });
      };
    },
  });
}

export interface EnvOptions {
  /** Delays the controller's service watch events this long (its cache lags behind its writes). */
  serviceCacheLagMs?: number;
}

export async function withEnv(body: (env: Env) => Promise<void>, opts: EnvOptions = {}): Promise<void> {
  const cp = shared!;
  const base = cp.newContext();
  const ctx = opts.serviceCacheLagMs ? { ...base, informers: new InformerFactory(laggingClient(cp.client, opts.serviceCacheLagMs), silentLogger) } : base;
  const writes: string[] = [];
  const controller = new ServiceLbController({ ...ctx, client: loggingClient(cp.client, writes) });
  const services = ctx.informers.for<Service>(SERVICES);
  const nodes = ctx.informers.for<Node>(NODES);
  const ac = new AbortController();
  ctx.informers.start(ac.signal);
  const running = controller.start(ac.signal);
  try {
    await body({
      cp,
      controller,
      writes,
      cached: { service: (name) => services.store.get(`${NS}/${name}`), node: (name) => nodes.store.get(name) },
      flushEvents: () => ctx.events.flush(),
    });
  } finally {
    try {
      await removeEverything(cp.client);
    } finally {
      ac.abort();
      await running;
      await ctx.informers.stopped();
      await ctx.events.flush();
    }
  }
}

async function removeEverything(client: Client): Promise<void> {
  const svcs = client.resource<Service>(SERVICES);
  const mine = () => svcs.list(NS, { labelSelector: TEST_LABEL }).then((l) => l.items);
  for (const s of await mine()) await svcs.delete(NS, s.metadata!.name!);
  await waitFor(async () => (await mine()).length === 0, 3000, 'services released and deleted');
  const nodes = client.resource<Node>(NODES);
  for (const n of (await nodes.list('')).items) await nodes.delete('', n.metadata!.name!);
}

export interface NodeShape {
  ready?: boolean;
  internal?: string;
  external?: string;
  labels?: Record<string, string>;
}

/** Creates or reshapes a node: its labels, and a status with the Ready condition and addresses. */
export async function setNode(client: Client, name: string, o: NodeShape): Promise<Node> {
  const nodes = client.resource<Node>(NODES);
  let node = await nodes.get('', name).catch(() => undefined);
  if (!node) node = await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: o.labels } });
  else if (o.labels) node = await nodes.update({ ...node, metadata: { ...node.metadata, labels: o.labels } });
  const addresses = [
    ...(o.internal ? [{ type: 'InternalIP', address: o.internal }] : []),
    ...(o.external ? [{ type: 'ExternalIP', address: o.external }] : []),
    { type: 'Hostname', address: name },
  ];
  return nodes.updateStatus({ ...node, status: { ...node.status, addresses, conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] } });
}

export function createService(client: Client, name: string, spec: Service['spec'] = {}, labels?: Record<string, string>): Promise<Service> {
  return client.resource<Service>(SERVICES).create({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS, labels: { ...labels, [TEST_LABEL]: 'true' } },
    spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], ...spec },
  });
}

export const ingressIps = (svc: Service | undefined): string[] => (svc?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');

/** Waits until the service publishes exactly `ips` (in order); returns the service. */
export function waitForIngress(client: Client, name: string, ips: string[], timeoutMs = 3000): Promise<Service> {
  return waitFor(
    async () => {
      const svc = await client.resource<Service>(SERVICES).get(NS, name);
      return JSON.stringify(ingressIps(svc)) === JSON.stringify(ips) ? svc : undefined;
    },
    timeoutMs,
    `ingress of ${name} = [${ips.join(', ')}]`,
  );
}

/** reason -> how many times it was recorded for the service (repeats raise an event's count). */
export async function eventCounts(client: Client, name: string): Promise<Record<string, number>> {
  const events = (await client.resource<Event>(EVENTS).list(NS)).items.filter((e) => e.involvedObject.kind === 'Service' && e.involvedObject.name === name);
  const counts: Record<string, number> = {};
  for (const e of events) counts[`${e.type}/${e.reason}`] = (counts[`${e.type}/${e.reason}`] ?? 0) + (e.count ?? 1);
  return counts;
}
