// Shapes shared by the OpenAPI generator (build time) and the server (run time).

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/**
 * The subset of an OpenAPI 3.0 schema object kubets emits and reads, plus the Kubernetes vendor
 * extensions kubectl looks at (explain, strategic merge patch, field validation).
 */
export interface OpenApiSchema {
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  /** A map (Go map[string]T); `true` for any value. */
  additionalProperties?: OpenApiSchema | boolean;
  $ref?: string;
  allOf?: OpenApiSchema[];
  anyOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  enum?: unknown[];
  default?: unknown;
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
}

/** Every known schema by its upstream name (`io.k8s.api.apps.v1.Deployment`). */
export type OpenApiSchemas = Readonly<Record<string, OpenApiSchema>>;

/** One generated file: the schemas of one Go package (one group-version of the API). */
export interface GeneratedSchemaFile {
  /** Upstream package prefix, e.g. `io.k8s.api.apps.v1`. */
  package: string;
  /** Where the types came from, e.g. `kubernetes-types/apps/v1.d.ts`. */
  source: string;
  schemas: Record<string, OpenApiSchema>;
}

export const SCHEMA_REF_PREFIX = '#/components/schemas/';

export const refTo = (name: string): string => SCHEMA_REF_PREFIX + name;

/** Well-known schema names (upstream spelling). */
export const META_V1 = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
