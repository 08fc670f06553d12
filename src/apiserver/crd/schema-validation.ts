// Custom resources are checked against their CRD's structural openAPIV3Schema, as upstream's
// apiextensions-apiserver does: unknown fields are pruned (unless x-kubernetes-preserve-unknown-
// fields), `default`s are applied, and values are validated (types, required, enums, bounds,
// patterns, lengths), each failure a field error worded as upstream's.
import type { JSONSchemaProps as K8sSchema } from 'kubernetes-types/apiextensions/v1.js';
import {
  type FieldError,
  invalid,
  notSupported,
  required,
  tooLong,
  tooMany,
} from '../../apimachinery/field-errors.js';

type Json = unknown;

/** kubernetes-types leaves out the x-kubernetes-* extensions of a CRD schema. */
export type JSONSchemaProps = Omit<K8sSchema, 'properties' | 'items' | 'additionalProperties'> & {
  properties?: Record<string, JSONSchemaProps>;
  items?: JSONSchemaProps;
  additionalProperties?: JSONSchemaProps | boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
};

const isObject = (v: Json): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** Removes fields the schema does not declare; metadata, apiVersion and kind at the root stay. */
export function prune(value: Json, schema: JSONSchemaProps | undefined, root = true): Json {
  if (!schema || schema['x-kubernetes-preserve-unknown-fields']) {
    // Preserving unknown fields still prunes inside declared properties.
    if (schema && isObject(value) && schema.properties) {
      for (const [k, sub] of Object.entries(schema.properties)) if (k in value) value[k] = prune(value[k], sub, false);
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => prune(v, schema.items as JSONSchemaProps | undefined, false));
  if (!isObject(value)) return value;
  if (schema['x-kubernetes-embedded-resource']) {
    for (const k of Object.keys(value)) {
      if (k !== 'apiVersion' && k !== 'kind' && k !== 'metadata' && !schema.properties?.[k]) delete value[k];
    }
  }
  const props = schema.properties;
  const extra = schema.additionalProperties as JSONSchemaProps | boolean | undefined;
  for (const k of Object.keys(value)) {
    if (root && (k === 'apiVersion' || k === 'kind' || k === 'metadata')) continue;
    if (props && k in props) value[k] = prune(value[k], props[k], false);
    else if (extra && typeof extra === 'object') value[k] = prune(value[k], extra, false);
    else if (extra === true) continue;
    else if (!schema['x-kubernetes-embedded-resource'] || !['apiVersion', 'kind', 'metadata'].includes(k)) delete value[k];
  }
  return value;
}

/** Fills `default`s of absent properties (upstream defaults on read and write). */
export function applyDefaults(value: Json, schema: JSONSchemaProps | undefined): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    for (const v of value) applyDefaults(v, schema.items as JSONSchemaProps | undefined);
    return;
  }
  if (!isObject(value)) return;
  for (const [k, sub] of Object.entries(schema.properties ?? {})) {
    if (value[k] === undefined && sub.default !== undefined) value[k] = structuredClone(sub.default);
    applyDefaults(value[k], sub);
  }
  const extra = schema.additionalProperties;
  if (extra && typeof extra === 'object') for (const k of Object.keys(value)) applyDefaults(value[k], extra as JSONSchemaProps);
}

function typeOf(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(v: Json, type: string): boolean {
  const t = typeOf(v);
  return t === type || (type === 'number' && t === 'integer');
}

/** Validates a value against a schema; `path` names the value (`spec.replicas`). */
export function validateValue(value: Json, schema: JSONSchemaProps | undefined, path: string): FieldError[] {
  if (!schema) return [];
  const errs: FieldError[] = [];
  if (value === null) {
    if (schema.nullable || schema['x-kubernetes-preserve-unknown-fields'] || !schema.type) return [];
    return [invalid(path, 'null', `${path} in body must be of type ${schema.type}: "null"`)];
  }
  if (schema['x-kubernetes-int-or-string']) {
    if (typeof value !== 'string' && !Number.isInteger(value)) {
      errs.push(invalid(path, value, `${path} in body must be of type integer,string: "${typeOf(value)}"`));
    }
  } else if (schema.type && !typeMatches(value, schema.type)) {
    return [invalid(path, value, `${path} in body must be of type ${schema.type}: "${typeOf(value)}"`)];
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errs.push(notSupported(path, value, schema.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))));
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum)) {
      errs.push(invalid(path, value, `${path} in body should be greater than or equal to ${schema.minimum}`));
    }
    if (schema.maximum !== undefined && (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum)) {
      errs.push(invalid(path, value, `${path} in body should be less than or equal to ${schema.maximum}`));
    }
    if (schema.multipleOf !== undefined && value % schema.multipleOf !== 0) {
      errs.push(invalid(path, value, `${path} in body should be a multiple of ${schema.multipleOf}`));
    }
  }
  if (typeof value === 'string') {
    if (schema.maxLength !== undefined && value.length > schema.maxLength) errs.push(tooLong(path, value, schema.maxLength));
    if (schema.minLength !== undefined && value.length < schema.minLength) {
      errs.push(invalid(path, value, `${path} in body should be at least ${schema.minLength} chars long`));
    }
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
      errs.push(invalid(path, value, `${path} in body should match '${schema.pattern}'`));
    }
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errs.push(tooMany(path, value.length, schema.maxItems));
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      errs.push(invalid(path, value, `${path} in body should have at least ${schema.minItems} items`));
    }
    value.forEach((v, i) => errs.push(...validateValue(v, schema.items as JSONSchemaProps | undefined, `${path}[${i}]`)));
  }
  if (isObject(value)) {
    for (const r of schema.required ?? []) if (value[r] === undefined) errs.push(required(join(path, r)));
    for (const [k, sub] of Object.entries(schema.properties ?? {})) {
      if (value[k] !== undefined) errs.push(...validateValue(value[k], sub, join(path, k)));
    }
    const extra = schema.additionalProperties;
    if (extra && typeof extra === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (!schema.properties?.[k]) errs.push(...validateValue(v, extra as JSONSchemaProps, join(path, k)));
      }
    }
    if (schema.maxProperties !== undefined && Object.keys(value).length > schema.maxProperties) {
      errs.push(tooMany(path, Object.keys(value).length, schema.maxProperties));
    }
  }
  return errs;
}

/** Validates a whole custom resource: every top-level field but apiVersion, kind and metadata. */
export function validateCustomResource(obj: Record<string, Json>, schema: JSONSchemaProps | undefined): FieldError[] {
  if (!schema) return [];
  const errs: FieldError[] = [];
  for (const r of schema.required ?? []) if (obj[r] === undefined && r !== 'metadata') errs.push(required(r));
  for (const [k, sub] of Object.entries(schema.properties ?? {})) {
    if (k === 'metadata' || k === 'apiVersion' || k === 'kind') continue;
    if (obj[k] !== undefined) errs.push(...validateValue(obj[k], sub, k));
  }
  return errs;
}
