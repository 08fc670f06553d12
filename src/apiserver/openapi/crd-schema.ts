// Custom resources: their OpenAPI schema comes from the CRD (spec.versions[].schema.openAPIV3Schema)
// instead of kubernetes-types. Converted here into the shape the rest of this module reads, so
// that field validation and the /openapi/v3 documents treat custom and built-in kinds alike.
import type { JSONSchemaProps } from 'kubernetes-types/apiextensions/v1.js';
import { type GroupVersionKind, META_V1, type OpenApiSchema, refTo } from './types.js';

/** The name upstream gives a custom resource's schema: the group reversed (`com.example.stable.v1.CronTab`). */
export function customResourceSchemaName(gvk: GroupVersionKind): string {
  return [...gvk.group.split('.').reverse(), gvk.version, gvk.kind].join('.');
}

const TYPE_FIELDS: Record<string, OpenApiSchema> = {
  apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
  kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
};

const objectMeta = (): OpenApiSchema => ({
  description: "Standard object's metadata.",
  allOf: [{ $ref: refTo(`${META_V1}.ObjectMeta`) }],
});

const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);

function convert(p: JSONSchemaProps): OpenApiSchema {
  const out: OpenApiSchema = {};
  if (p.description) out.description = p.description;
  if (p.type && TYPES.has(p.type)) out.type = p.type as OpenApiSchema['type'];
  if (p.format) out.format = p.format;
  if (p.enum) out.enum = p.enum as unknown[];
  if (p.required) out.required = [...p.required];
  if (p.properties) out.properties = Object.fromEntries(Object.entries(p.properties).map(([k, v]) => [k, convert(v)]));
  // A list of schemas under items is a tuple, which structural schemas forbid: left untyped.
  if (p.items && !Array.isArray(p.items)) out.items = convert(p.items as JSONSchemaProps);
  if (typeof p.additionalProperties === 'boolean') out.additionalProperties = p.additionalProperties;
  else if (p.additionalProperties) out.additionalProperties = convert(p.additionalProperties as JSONSchemaProps);
  const ext = p as JSONSchemaProps & Record<string, unknown>;
  for (const key of ['x-kubernetes-preserve-unknown-fields', 'x-kubernetes-int-or-string', 'x-kubernetes-embedded-resource'] as const) {
    if (ext[key] === true) out[key] = true;
  }
  if (typeof ext['x-kubernetes-list-type'] === 'string') out['x-kubernetes-list-type'] = ext['x-kubernetes-list-type'];
  if (Array.isArray(ext['x-kubernetes-list-map-keys'])) out['x-kubernetes-list-map-keys'] = [...(ext['x-kubernetes-list-map-keys'] as string[])];
  if (out['x-kubernetes-embedded-resource']) {
    // An embedded object is a Kubernetes object: its type fields and metadata are always known.
    out.properties = { ...TYPE_FIELDS, ...out.properties, metadata: objectMeta() };
  }
  if (out.type === 'object' && !out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) {
    // A structural schema prunes every field of an object that declares none.
    out.additionalProperties = false;
  }
  return out;
}

/**
 * The schema of a custom resource version for field validation and /openapi/v3: the CRD's
 * openAPIV3Schema plus what every object has (apiVersion, kind and metadata as ObjectMeta, whose
 * unknown fields are reported as for built-ins), tagged with its group-version-kind.
 * Without a schema the object accepts any field except in metadata.
 */
export function customResourceValidationSchema(openAPIV3Schema: JSONSchemaProps | undefined, gvk: GroupVersionKind): OpenApiSchema {
  const root = openAPIV3Schema ? convert(openAPIV3Schema) : { type: 'object' as const, 'x-kubernetes-preserve-unknown-fields': true };
  return {
    ...root,
    type: 'object',
    properties: { ...TYPE_FIELDS, ...root.properties, metadata: objectMeta() },
    'x-kubernetes-group-version-kind': [gvk],
  };
}
