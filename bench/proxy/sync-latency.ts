// Network programming latency: the nftables proxier programs S services x E endpoints into a
// network namespace of its own (real nft, real kernel), then applies one single-endpoint change at
// a time (an endpoint becoming not ready, removed, or added, on a random service), each timed from
// the moment the changed lists are handed to sync() until the promise resolves, which is when
// `nft -f` has exited successfully: the kernel has committed the transaction.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { CommandRunner } from '../../src/kubelet/runtime/process/command-runner.js';
import { NftablesProxier, type SyncResult } from '../../src/proxy/proxier.js';
import { addNetns } from './cleanup.js';
import { prng, Samples } from './stats.js';

export interface SyncLatencyOptions {
  services: number;
  endpoints: number;
  changes: number;
  /** Names the namespace (kbp-<tag>-sync). */
  tag: string;
  seed: number;
  progress(line: string): void;
}

export type ChangeKind = 'not ready' | 'removed' | 'added';

export interface SyncLatencyFigures {
  services: number;
  endpoints: number;
  first: SyncResult;
  /** First sync, wall time from the call to its resolution (includes building the service ports). */
  firstWallMs: number;
  /** Per change: wall time from handing the lists to sync() until nft applied them. */
  wallMs: Samples;
  /** The proxier's own figures per change: generate (ruleset + script) and apply (nft). */
  generateMs: Samples;
  applyMs: Samples;
  byKind: Record<ChangeKind, number>;
  scriptBytes: Samples;
  /** DNAT rules the kernel lists at the end, and how many the bench expects. */
  dnatListed: number;
  dnatExpected: number;
}

const SERVICE_LABEL = 'kubernetes.io/service-name';

export function benchService(name: string, namespace: string, clusterIP: string, headless = false): Service {
  return {
    metadata: { namespace, name },
    spec: {
      type: 'ClusterIP',
      clusterIP: headless ? 'None' : clusterIP,
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
    },
  };
}

export function benchSlice(service: string, namespace: string, endpoints: Endpoint[], port = 8080): EndpointSlice {
  return {
    addressType: 'IPv4',
    metadata: { namespace, name: `${service}-abcde`, labels: { [SERVICE_LABEL]: service } },
    ports: [{ name: 'http', port, protocol: 'TCP' }],
    endpoints,
  };
}

/** The i-th service's clusterIP and the address of its n-th endpoint (unique up to 65,536 x 250). */
export const clusterIPOf = (i: number): string => `10.96.${(i >> 8) & 255}.${i & 255}`;
export const endpointIPOf = (i: number, n: number): string => `10.${128 + (i >> 8)}.${i & 255}.${n + 2}`;

const endpoint = (ip: string, ready = true): Endpoint => ({ addresses: [ip], nodeName: 'node-a', conditions: { ready, serving: ready, terminating: false } });

/** S services of E ready endpoints each, named svc-<i> in namespace bench. */
export function buildCluster(count: number, perService: number): { services: Service[]; slices: EndpointSlice[] } {
  const services: Service[] = [];
  const slices: EndpointSlice[] = [];
  for (let i = 0; i < count; i++) {
    services.push(benchService(`svc-${i}`, 'bench', clusterIPOf(i)));
    slices.push(benchSlice(`svc-${i}`, 'bench', Array.from({ length: perService }, (_, n) => endpoint(endpointIPOf(i, n)))));
  }
  return { services, slices };
}

const readyCount = (s: EndpointSlice) => (s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).length;

/**
 * One change to a copy of slice `s` (informers hand out new objects; the old one is left as it
 * was). A service keeps at least two ready endpoints so that every change is one endpoint chain
 * added or deleted plus the service chain rewritten, never the service losing its endpoints.
 */
function change(s: EndpointSlice, kind: ChangeKind, added: () => string, rand: () => number): EndpointSlice {
  const eps = [...(s.endpoints ?? [])];
  const ready = eps.map((e, n) => (e.conditions?.ready !== false ? n : -1)).filter((n) => n >= 0);
  const pick = ready[Math.floor(rand() * ready.length)]!;
  if (kind === 'not ready') eps[pick] = endpoint(eps[pick]!.addresses[0]!, false);
  else if (kind === 'removed') eps.splice(pick, 1);
  else eps.push(endpoint(added()));
  return { ...s, endpoints: eps };
}

export async function measureSyncLatency(o: SyncLatencyOptions): Promise<SyncLatencyFigures> {
  const ns = `kbp-${o.tag}-sync`;
  const deleteNs = addNetns(ns);
  try {
    const proxier = new NftablesProxier({ nodeName: 'node-a', commandPrefix: ['ip', 'netns', 'exec', ns], clusterCIDR: '10.128.0.0/9' });
    const { services, slices } = buildCluster(o.services, o.endpoints);
    // The proxier runs nft through the shared command runner, a child process forked on first
    // use: fork it now so that the first sync's time is the proxier's and nft's alone.
    await CommandRunner.shared().run('true', []);
    o.progress(`first sync of ${o.services} services x ${o.endpoints} endpoints into netns ${ns}`);
    let t0 = performance.now();
    const first = await proxier.sync(services, slices);
    const firstWallMs = performance.now() - t0;
    if (!first.full) throw new Error('the first sync was not a full one');

    const rand = prng(o.seed);
    // Added endpoints come from a range of their own, so that they never collide with another.
    let host = 1;
    const added = () => `172.16.${(host >> 8) & 255}.${host++ & 255}`;
    const kinds: ChangeKind[] = ['not ready', 'removed', 'added'];
    const figures: SyncLatencyFigures = {
      services: o.services, endpoints: o.endpoints, first, firstWallMs,
      wallMs: new Samples(), generateMs: new Samples(), applyMs: new Samples(), scriptBytes: new Samples(),
      byKind: { 'not ready': 0, removed: 0, added: 0 }, dnatListed: 0, dnatExpected: 0,
    };
    for (let c = 0; c < o.changes; c++) {
      const i = Math.floor(rand() * o.services);
      const before = slices[i]!;
      // Endpoints only come back (added) once a service is down to two ready ones.
      const kind: ChangeKind = readyCount(before) <= 2 ? 'added' : kinds[Math.floor(rand() * kinds.length)]!;
      slices[i] = change(before, kind, added, rand);
      t0 = performance.now();
      const r = await proxier.sync(services, slices);
      figures.wallMs.push(performance.now() - t0);
      if (r.full || r.noop) throw new Error(`change ${c} (${kind}) was not applied incrementally: ${JSON.stringify(r.changes)}`);
      figures.generateMs.push(r.generateMs);
      figures.applyMs.push(r.applyMs);
      figures.scriptBytes.push(r.scriptBytes);
      figures.byKind[kind]++;
      if ((c + 1) % 20 === 0) o.progress(`${c + 1}/${o.changes} changes applied`);
    }
    // Proof that the kernel holds what the bench asked for: one DNAT rule per ready endpoint.
    figures.dnatExpected = slices.reduce((n, s) => n + readyCount(s), 0);
    figures.dnatListed = (await proxier.listing()).match(/ dnat to /g)?.length ?? 0;
    return figures;
  } finally {
    deleteNs();
  }
}
