// downwardAPI volumes (pkg/volume/downwardapi CollectData): files holding the pod's own fields —
// metadata.name/namespace/uid, labels and annotations (all of them as sorted `key="value"` lines,
// or one by subscript) — and a container's resource limits or requests divided by a divisor and
// rounded up. A limit the container does not set is the node's allocatable, as upstream merges it.
// Every item is tried; the failures are reported together.
import type { Container, DownwardAPIVolumeFile, Pod, ResourceFieldSelector } from 'kubernetes-types/core/v1.js';
import { Quantity } from '../../apimachinery/quantity.js';
import { aggregateMessage, DEFAULT_FILE_MODE, type Payload } from './types.js';

/** The node's allocatable resources (cpu, memory, ephemeral-storage) as quantities. */
export type NodeAllocatable = Record<string, string>;

const HEX = '0123456789abcdef';

/** Go's strconv.Quote (what fmt's %q prints), which upstream's fieldpath.FormatMap uses for values. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    const simple: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };
    if (simple[ch]) out += simple[ch];
    else if (r < 0x20 || r === 0x7f) out += `\\x${HEX[r >> 4]}${HEX[r & 15]}`;
    else if (ch === ' ' || /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch)) out += ch;
    else if (r < 0x10000) out += `\\u${r.toString(16).padStart(4, '0')}`;
    else out += `\\U${r.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** upstream fieldpath.FormatMap: `key="value"` lines in key order, no trailing newline. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${goQuote(m![k]!)}`)
    .join('\n');
}

/** upstream fieldpath.ExtractFieldPathAsString for a pod. */
export function podFieldValue(pod: Pod, fieldPath: string): string {
  const sub = /^(metadata\.[a-z]+)\['(.*)'\]$/.exec(fieldPath);
  if (sub) {
    const [, path, key] = sub;
    if (path === 'metadata.annotations') return pod.metadata?.annotations?.[key!] ?? '';
    if (path === 'metadata.labels') return pod.metadata?.labels?.[key!] ?? '';
    throw new Error(`fieldPath "${fieldPath}" does not support subscript`);
  }
  switch (fieldPath) {
    case 'metadata.annotations':
      return formatMap(pod.metadata?.annotations);
    case 'metadata.labels':
      return formatMap(pod.metadata?.labels);
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
  }
  throw new Error(`unsupported fieldPath: ${fieldPath}`);
}

const ceilDiv = (n: bigint, d: bigint): bigint => (n % d === 0n ? n / d : n / d + (n > 0n === d > 0n ? 1n : 0n));

/** upstream resource.ExtractResourceValueByContainerNameAndNodeAllocatable. */
export function resourceFieldValue(pod: Pod, ref: ResourceFieldSelector, allocatable: NodeAllocatable): string {
  const name = ref.containerName ?? '';
  const container: Container | undefined = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === name);
  if (!container) throw new Error(`container ${name} not found`);
  const divisor = ref.divisor !== undefined && !Quantity.parse(ref.divisor).isZero() ? Quantity.parse(ref.divisor) : Quantity.parse('1');
  const [kind, resource] = ref.resource.split(/\.(.*)/s) as [string, string | undefined];
  if ((kind !== 'limits' && kind !== 'requests') || !resource) throw new Error(`unsupported container resource : ${ref.resource}`);
  const set = kind === 'limits' ? container.resources?.limits : container.resources?.requests;
  // Unset limits of these three are the node's allocatable (upstream MergeContainerResourceLimits).
  const merged = kind === 'limits' && ['cpu', 'memory', 'ephemeral-storage'].includes(resource) ? (set?.[resource] ?? allocatable[resource]) : set?.[resource];
  const value = Quantity.parse(merged ?? '0');
  if (resource === 'cpu') return ceilDiv(value.milliValue(), divisor.milliValue()).toString();
  if (resource === 'memory' || resource === 'ephemeral-storage' || resource.startsWith('hugepages-')) return ceilDiv(value.value(), divisor.value()).toString();
  throw new Error(`unsupported container resource : ${ref.resource}`);
}

/** upstream downwardapi.CollectData: every item's file; failures aggregated. */
export function downwardAPIPayload(items: DownwardAPIVolumeFile[] | undefined, pod: Pod, defaultMode: number | undefined, allocatable: NodeAllocatable): Payload {
  const payload: Payload = new Map();
  const errors: string[] = [];
  for (const item of items ?? []) {
    const mode = item.mode ?? defaultMode ?? DEFAULT_FILE_MODE;
    try {
      let value = '';
      if (item.fieldRef) value = podFieldValue(pod, item.fieldRef.fieldPath);
      else if (item.resourceFieldRef) value = resourceFieldValue(pod, item.resourceFieldRef, allocatable);
      payload.set(item.path, { data: Buffer.from(value, 'utf8'), mode });
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  if (errors.length > 0) throw new Error(aggregateMessage(errors));
  return payload;
}
