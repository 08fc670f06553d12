// The process runtime's records seen through CRI: the objects it returns, the filters it applies,
// and the names it reserves (containerd's: one sandbox per pod attempt, one container per name and
// attempt in a sandbox, so that a kubelet retrying a creation cannot end up with two).
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import type { Container, ContainerConfig, ContainerFilter, Image, PodSandbox, PodSandboxConfig, PodSandboxFilter } from '../types.js';
import type { ContainerRecord, SandboxRecord } from './store.js';

/** 64 hex digits, as containerd's ids. */
export function newId(): string {
  return randomBytes(32).toString('hex');
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function sandboxName(config: PodSandboxConfig): string {
  const m = config.metadata;
  return `${m.name}_${m.namespace}_${m.uid}_${m.attempt}`;
}

export function containerName(config: ContainerConfig, sandbox: PodSandboxConfig): string {
  const p = sandbox.metadata;
  return `${config.metadata.name}_${p.name}_${p.namespace}_${p.uid}_${config.metadata.attempt}`;
}

const labelsMatch = (labels: Record<string, string>, selector?: Record<string, string>) =>
  !selector || Object.entries(selector).every(([k, v]) => labels[k] === v);

export function sandboxMatches(s: SandboxRecord, filter: PodSandboxFilter): boolean {
  return (!filter.id || s.id === filter.id) && (!filter.state || s.state === filter.state) && labelsMatch(s.config.labels, filter.labelSelector);
}

export function containerMatches(r: ContainerRecord, filter: ContainerFilter): boolean {
  return (
    (!filter.id || r.id === filter.id) &&
    (!filter.podSandboxId || r.podSandboxId === filter.podSandboxId) &&
    (!filter.state || r.state === filter.state) &&
    labelsMatch(r.config.labels, filter.labelSelector)
  );
}

export function toPodSandbox(s: SandboxRecord): PodSandbox {
  return {
    id: s.id,
    metadata: { ...s.config.metadata },
    state: s.state,
    createdAt: BigInt(s.createdAt),
    labels: { ...s.config.labels },
    annotations: { ...s.config.annotations },
  };
}

export function toContainer(r: ContainerRecord): Container {
  return {
    id: r.id,
    podSandboxId: r.podSandboxId,
    metadata: { ...r.config.metadata },
    image: { image: r.config.image.image },
    imageRef: r.config.image.image,
    state: r.state,
    createdAt: BigInt(r.createdAt),
    labels: { ...r.config.labels },
    annotations: { ...r.config.annotations },
  };
}

export function toImage(name: string): Image {
  return { id: name, repoTags: [name], size: 0 };
}
