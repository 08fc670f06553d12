// Resource amounts of pods and nodes as numbers (upstream's framework.Resource): what a pod
// requests (containers summed, init containers as a maximum, sidecars added, plus overhead) and
// what a node can allocate.
import type { Container, Node, Pod } from 'kubernetes-types/core/v1.js';
import { Quantity } from '../../apimachinery/quantity.js';
import type { Resources } from './types.js';

/** Requests assumed for scoring when a container states none (upstream's non-zero defaults). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export const emptyResources = (): Resources => ({ milliCpu: 0, memory: 0, ephemeralStorage: 0, scalar: {} });

const cache = new Map<string, number>();
/** A quantity as a number of units (milli: thousandths), parsed once per distinct string. */
export function quantityValue(q: string | number | undefined, milli = false): number {
  if (q === undefined) return 0;
  if (typeof q === 'number') return milli ? q * 1000 : q;
  const key = milli ? `m${q}` : q;
  let v = cache.get(key);
  if (v === undefined) {
    const parsed = Quantity.parse(q);
    v = Number(milli ? parsed.milliValue() : parsed.value());
    if (cache.size > 10_000) cache.clear();
    cache.set(key, v);
  }
  return v;
}

/** Adds a resource list (requests, allocatable) into `into`. */
export function addResourceList(into: Resources, list: Record<string, string | number> | undefined, sign = 1): void {
  if (!list) return;
  for (const [name, q] of Object.entries(list)) {
    if (name === 'cpu') into.milliCpu += sign * quantityValue(q, true);
    else if (name === 'memory') into.memory += sign * quantityValue(q);
    else if (name === 'ephemeral-storage') into.ephemeralStorage += sign * quantityValue(q);
    else if (name !== 'pods') into.scalar[name] = (into.scalar[name] ?? 0) + sign * quantityValue(q);
  }
}

function maxInto(into: Resources, r: Resources): void {
  into.milliCpu = Math.max(into.milliCpu, r.milliCpu);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  for (const [k, v] of Object.entries(r.scalar)) into.scalar[k] = Math.max(into.scalar[k] ?? 0, v);
}

function addInto(into: Resources, r: Resources, sign = 1): void {
  into.milliCpu += sign * r.milliCpu;
  into.memory += sign * r.memory;
  into.ephemeralStorage += sign * r.ephemeralStorage;
  for (const [k, v] of Object.entries(r.scalar)) into.scalar[k] = (into.scalar[k] ?? 0) + sign * v;
}

function containerRequests(c: Container, nonZero: boolean): Resources {
  const r = emptyResources();
  addResourceList(r, c.resources?.requests as Record<string, string> | undefined);
  if (nonZero) {
    const req = c.resources?.requests as Record<string, string> | undefined;
    // Only a missing request gets the default; an explicit 0 stays 0 (upstream applyNonMissing).
    if (req?.cpu === undefined) r.milliCpu = DEFAULT_MILLI_CPU_REQUEST;
    if (req?.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * A pod's effective request (upstream resourcehelper.PodRequests): regular containers and
 * restartable (sidecar) init containers summed; each plain init container needs its own request
 * plus the sidecars started before it; the pod needs the larger; plus pod overhead.
 */
export function podRequests(pod: Pod, nonZero = false): Resources {
  const total = emptyResources();
  for (const c of pod.spec?.containers ?? []) addInto(total, containerRequests(c, nonZero));
  const sidecars = emptyResources();
  const initMax = emptyResources();
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      addInto(sidecars, r);
      addInto(total, r);
    } else {
      addInto(r, sidecars);
      maxInto(initMax, r);
    }
  }
  maxInto(total, initMax);
  addResourceList(total, pod.spec?.overhead as Record<string, string> | undefined);
  return total;
}

export function nodeAllocatable(node: Node): { resources: Resources; pods: number } {
  const alloc = (node.status?.allocatable ?? node.status?.capacity ?? {}) as Record<string, string>;
  const resources = emptyResources();
  addResourceList(resources, alloc);
  return { resources, pods: quantityValue(alloc.pods ?? '0') };
}

export { addInto as addResources };
