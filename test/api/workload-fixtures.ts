// Shared fixtures of the workload resource tests: minimal valid objects and a compact view of
// field errors ("FieldValueRequired spec.containers") to assert paths and types together.
import type { Container, Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../../src/apimachinery/field-errors.js';
import type { KubeObject, ResourceDefinition } from '../../src/api/types.js';

export const summary = (errs: FieldError[]): string[] => errs.map((e) => `${e.type} ${e.field}`);

/** The one error whose field is `field` (fails the test when there is not exactly one). */
export function only(errs: FieldError[], field: string): FieldError {
  const found = errs.filter((e) => e.field === field);
  if (found.length !== 1) throw new Error(`expected one error on ${field}, got ${JSON.stringify(errs)}`);
  return found[0]!;
}

export const container = (over: Partial<Container> = {}): Container => ({ name: 'app', image: 'nginx:1.25', ...over });

export function podTemplate(labels: Record<string, string> = { app: 'web' }, over: Partial<Container> = {}): PodTemplateSpec {
  return { metadata: { labels: { ...labels } }, spec: { containers: [container(over)] } };
}

export function pod(over: Partial<Pod['spec']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-1' },
    spec: { containers: [container()], ...over },
  };
}

/** What the store does before validating a new object: defaults, then the strategy. */
export function created<T extends KubeObject>(def: ResourceDefinition<T>, obj: T): T {
  const copy = structuredClone(obj);
  def.defaults?.(copy);
  def.prepareForCreate?.(copy);
  return copy;
}

/** Errors of creating `obj` (after defaulting and preparing it). */
export function createErrors<T extends KubeObject>(def: ResourceDefinition<T>, obj: T): FieldError[] {
  return def.validate?.(created(def, obj)) ?? [];
}

/** Errors of updating `old` (already created) to `next` (defaulted as the store does). */
export function updateErrors<T extends KubeObject>(def: ResourceDefinition<T>, next: T, old: T): FieldError[] {
  const copy = structuredClone(next);
  def.defaults?.(copy);
  def.prepareForUpdate?.(copy, old);
  return def.validateUpdate?.(copy, old) ?? [];
}
