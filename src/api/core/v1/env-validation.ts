// Container environment (env and envFrom) validation, with upstream's messages
// (pkg/apis/core/validation ValidateEnv, ValidateEnvFrom and the downward API selectors).
import type { EnvFromSource, EnvVar, EnvVarSource, ObjectFieldSelector } from 'kubernetes-types/core/v1.js';
import {
  type FieldError,
  type FieldPath,
  invalid,
  notSupported,
  required,
} from '../../../apimachinery/field-errors.js';
import { isDNS1123Subdomain, isQualifiedName } from '../../../apimachinery/validation.js';

/**
 * Environment variable names: any printable ASCII but '=' (upstream's relaxed rule, on by
 * default since RelaxedEnvironmentVariableValidation went beta).
 */
export function isEnvVarName(value: string): string[] {
  if (value.length === 0) return ['environment variable name must be non-empty'];
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (c < 32 || c > 126 || ch === '=') {
      return ["a valid environment variable name must consist only of printable ASCII characters other than '='"];
    }
  }
  return [];
}

const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

/** upstream IsConfigMapKey (keys of ConfigMaps and Secrets). */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push('must be no more than 253 characters');
  if (!CONFIG_MAP_KEY.test(value)) {
    errs.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
  }
  if (value === '.') errs.push("must not be '.'");
  else if (value === '..') errs.push("must not be '..'");
  else if (value.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** Field paths the v1 downward API converts (upstream ConvertDownwardAPIFieldLabel). */
const CONVERTIBLE_FIELD_PATHS = new Set([
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.serviceAccountName',
  'spec.schedulerName',
  'status.phase',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
]);

export const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];

export const VOLUME_FIELD_PATHS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];

const RESOURCE_FIELD_PATHS = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
];

const SUBSCRIPTED = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/;

/** upstream validateObjectFieldSelector: a fieldRef of env (or of downward API volume files). */
export function validateObjectFieldSelector(fs: ObjectFieldSelector, expressions: readonly string[], path: FieldPath): FieldError[] {
  if (!fs.apiVersion) return [required(path.child('apiVersion'))];
  if (!fs.fieldPath) return [required(path.child('fieldPath'))];
  const sub = SUBSCRIPTED.exec(fs.fieldPath);
  if (sub) {
    const key = sub[1] === 'metadata.annotations' ? sub[2]!.toLowerCase() : sub[2]!;
    return isQualifiedName(key).map((m) => invalid(path, key, m));
  }
  if (!CONVERTIBLE_FIELD_PATHS.has(fs.fieldPath)) {
    return [invalid(path.child('fieldPath'), fs.fieldPath, `error converting fieldPath: field label not supported: ${fs.fieldPath}`)];
  }
  if (!expressions.includes(fs.fieldPath)) return [notSupported(path.child('fieldPath'), fs.fieldPath, [...expressions].sort())];
  return [];
}

function validateResourceFieldRef(resource: string | undefined, path: FieldPath, containerName?: string | false): FieldError[] {
  if (containerName === '') return [required(path.child('containerName'))];
  if (!resource) return [required(path.child('resource'))];
  if (RESOURCE_FIELD_PATHS.includes(resource) || /^(requests|limits)\.hugepages-/.test(resource)) return [];
  return [notSupported(path.child('resource'), resource, RESOURCE_FIELD_PATHS)];
}

const validateObjectName = (name: string | undefined, path: FieldPath) =>
  isDNS1123Subdomain(name ?? '').map((m) => invalid(path, name ?? '', m));

function validateKeySelector(sel: { name?: string; key: string }, path: FieldPath): FieldError[] {
  const errs = validateObjectName(sel.name, path.child('name'));
  if (!sel.key) errs.push(required(path.child('key')));
  else for (const m of isConfigMapKey(sel.key)) errs.push(invalid(path.child('key'), sel.key, m));
  return errs;
}

function validateValueFrom(ev: EnvVar, source: EnvVarSource, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let sources = 0;
  if (source.fieldRef) {
    sources++;
    errs.push(...validateObjectFieldSelector(source.fieldRef, ENV_FIELD_PATHS, path.child('fieldRef')));
  }
  if (source.resourceFieldRef) {
    sources++;
    errs.push(...validateResourceFieldRef(source.resourceFieldRef.resource, path.child('resourceFieldRef')));
  }
  if (source.configMapKeyRef) {
    sources++;
    errs.push(...validateKeySelector(source.configMapKeyRef, path.child('configMapKeyRef')));
  }
  if (source.secretKeyRef) {
    sources++;
    errs.push(...validateKeySelector(source.secretKeyRef, path.child('secretKeyRef')));
  }
  if (sources === 0) {
    errs.push(invalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  } else if (ev.value) {
    errs.push(invalid(path, '', 'may not be specified when `value` is not empty'));
  } else if (sources > 1) {
    errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  }
  return errs;
}

export function validateEnv(env: EnvVar[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [i, ev] of (env ?? []).entries()) {
    const p = path.index(i);
    if (!ev.name) errs.push(required(p.child('name')));
    else for (const m of isEnvVarName(ev.name)) errs.push(invalid(p.child('name'), ev.name, m));
    if (ev.valueFrom) errs.push(...validateValueFrom(ev, ev.valueFrom, p.child('valueFrom')));
  }
  return errs;
}

export function validateEnvFrom(envFrom: EnvFromSource[] | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [i, ev] of (envFrom ?? []).entries()) {
    const p = path.index(i);
    if (ev.prefix) for (const m of isEnvVarName(ev.prefix)) errs.push(invalid(p.child('prefix'), ev.prefix, m));
    let sources = 0;
    for (const ref of ['configMapRef', 'secretRef'] as const) {
      const src = ev[ref];
      if (!src) continue;
      sources++;
      if (!src.name) errs.push(required(p.child(ref, 'name')));
      else errs.push(...validateObjectName(src.name, p.child(ref, 'name')));
    }
    // Upstream reports these two on the list, not on the entry.
    if (sources === 0) errs.push(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  }
  return errs;
}

/** A downward API volume file's resourceFieldRef, which names its container. */
export function validateVolumeResourceFieldRef(
  ref: { containerName?: string; resource: string },
  path: FieldPath,
): FieldError[] {
  return validateResourceFieldRef(ref.resource, path, ref.containerName ?? '');
}
