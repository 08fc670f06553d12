// A container's environment and command line as upstream's kubelet makes them
// (kubecontainer.MakeEnvironmentVariables, expansion.Expand): envFrom first, then env in order,
// each value able to use earlier ones as $(VAR); values from the pod's own fields (fieldRef), from
// ConfigMaps and Secrets (optional ones may be missing); then $(VAR) in command and args.
import type { ConfigMap, Container, EnvVar, Pod, ResourceFieldSelector, Secret } from 'kubernetes-types/core/v1.js';
import { resourceFieldValue as containerResourceValue, podFieldValue } from '../volumes/downwardapi.js';

export interface EnvSources {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
}

/** Thrown when a required ConfigMap/Secret or key is missing: the container waits (CreateContainerConfigError). */
export class EnvError extends Error {}

/** What the pod's own fields do not say: its addresses and the node's allocatable resources. */
export interface EnvContext {
  podIP?: string;
  hostIP?: string;
  /** Node allocatable (cpu, memory, ephemeral-storage): a resourceFieldRef to an unset limit reads it. */
  allocatable?: Record<string, string>;
}

/**
 * A resourceFieldRef's value (the downward API volume's rule: an unset limit is the node's
 * allocatable, divided by the divisor and rounded up); `containerName` defaults to this container.
 */
export function resourceFieldValue(pod: Pod, self: Container, ref: ResourceFieldSelector, allocatable: Record<string, string> = {}): string {
  try {
    return containerResourceValue(pod, { ...ref, containerName: ref.containerName || self.name }, allocatable);
  } catch (e) {
    throw new EnvError((e as Error).message);
  }
}

/**
 * upstream expansion.Expand: `$(NAME)` becomes the value when NAME is defined, stays as written
 * otherwise; `$$` is a literal `$`.
 */
export function expand(input: string, vars: ReadonlyMap<string, string>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      continue;
    }
    const next = input[i + 1]!;
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, close);
      out += vars.has(name) ? vars.get(name)! : `$(${name})`;
      i = close;
    } else out += c;
  }
  return out;
}

/**
 * The value a fieldRef names (upstream podFieldSelectorRuntimeValue): spec.* and status.* here,
 * metadata.* as the downward API volume reads it (one implementation of the metadata paths).
 */
export function fieldValue(pod: Pod, path: string, ips: { podIP?: string; hostIP?: string }): string {
  switch (path) {
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.podIP':
    case 'status.podIPs':
      return ips.podIP ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return ips.hostIP ?? '';
  }
  try {
    return podFieldValue(pod, path);
  } catch (e) {
    throw new EnvError((e as Error).message);
  }
}

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

async function envVarValue(pod: Pod, c: Container, v: EnvVar, vars: Map<string, string>, src: EnvSources, ips: EnvContext): Promise<string | undefined> {
  const ns = pod.metadata?.namespace ?? 'default';
  if (v.valueFrom?.fieldRef) return fieldValue(pod, v.valueFrom.fieldRef.fieldPath, ips);
  const cmRef = v.valueFrom?.configMapKeyRef;
  if (cmRef) {
    const cm = await src.configMap(ns, cmRef.name ?? '');
    const value = cm?.data?.[cmRef.key] ?? (cm?.binaryData?.[cmRef.key] !== undefined ? decode(cm.binaryData[cmRef.key]!) : undefined);
    if (value !== undefined) return value;
    if (cmRef.optional) return undefined;
    throw new EnvError(cm ? `couldn't find key ${cmRef.key} in ConfigMap ${ns}/${cmRef.name}` : `configmap "${cmRef.name}" not found`);
  }
  const secretRef = v.valueFrom?.secretKeyRef;
  if (secretRef) {
    const secret = await src.secret(ns, secretRef.name ?? '');
    const data = secret?.data?.[secretRef.key];
    if (data !== undefined) return decode(data);
    if (secret?.stringData?.[secretRef.key] !== undefined) return secret.stringData[secretRef.key];
    if (secretRef.optional) return undefined;
    throw new EnvError(secret ? `couldn't find key ${secretRef.key} in Secret ${ns}/${secretRef.name}` : `secret "${secretRef.name}" not found`);
  }
  if (v.valueFrom?.resourceFieldRef) return resourceFieldValue(pod, c, v.valueFrom.resourceFieldRef, ips.allocatable);
  return expand(v.value ?? '', vars);
}

/** The container's environment, in upstream's order and precedence (later names win). */
export async function containerEnv(pod: Pod, c: Container, src: EnvSources, ips: EnvContext, serviceEnv: Record<string, string> = {}): Promise<Map<string, string>> {
  const ns = pod.metadata?.namespace ?? 'default';
  const vars = new Map<string, string>(Object.entries(serviceEnv));
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = await src.configMap(ns, from.configMapRef.name ?? '');
      if (!cm && !from.configMapRef.optional) throw new EnvError(`configmap "${from.configMapRef.name}" not found`);
      for (const [k, v] of Object.entries(cm?.data ?? {})) vars.set(prefix + k, v);
    }
    if (from.secretRef) {
      const s = await src.secret(ns, from.secretRef.name ?? '');
      if (!s && !from.secretRef.optional) throw new EnvError(`secret "${from.secretRef.name}" not found`);
      for (const [k, v] of Object.entries(s?.data ?? {})) vars.set(prefix + k, decode(v));
    }
  }
  for (const v of c.env ?? []) {
    const value = await envVarValue(pod, c, v, vars, src, ips);
    if (value !== undefined) vars.set(v.name, value);
  }
  return vars;
}

/** command ++ args with $(VAR) expanded; empty when the container names no command (the process runtime then refuses it). */
export function commandLine(c: Container, vars: ReadonlyMap<string, string>): { command: string[]; args: string[] } {
  return { command: (c.command ?? []).map((s) => expand(s, vars)), args: (c.args ?? []).map((s) => expand(s, vars)) };
}
