// Server-side field validation (the `fieldValidation` query parameter: Ignore, Warn, Strict).
// Unknown fields are found by walking the body against the generated schemas; the wording and
// the order of the reported problems follow kube-apiserver (k8s.io/apimachinery's strict decoding
// error and the apiserver's handlers), as its field validation integration tests show:
// - JSON create/update bodies: problems in document order; a field both unknown and repeated is
//   reported once, as unknown.
// - Merge and strategic merge patches: the patch's duplicates first, then the unknown fields of
//   the patched object in sorted key order.
// - YAML bodies: go-yaml's `line N: key "k" already set in map` lines first (one error in Strict
//   mode, one warning each in Warn mode), then the unknown fields in sorted key order.
import { parse as parseYaml } from 'yaml';
import {
  fieldPath,
  findDuplicateFields,
  findYamlDuplicates,
  indexPath,
  type JsonNode,
  parseJsonTree,
  yamlDuplicateText,
} from './duplicates.js';
import { resolveSchema } from './schemas.js';
import { type OpenApiSchema, type OpenApiSchemas, refTo } from './types.js';

export const unknownFieldText = (path: string): string => `unknown field ${JSON.stringify(path)}`;
export const duplicateFieldText = (path: string): string => `duplicate field ${JSON.stringify(path)}`;

/** How a schema treats the members of an object value. */
interface Members {
  properties: Record<string, OpenApiSchema>;
  /** The schema of every other key, for maps. */
  values?: OpenApiSchema;
  /** Whether keys that are neither declared nor map keys are accepted. */
  allowUnknown: boolean;
}

function membersOf(schema: OpenApiSchema | undefined, schemas: OpenApiSchemas): Members {
  const s = resolveSchema(schema, schemas);
  if (!s) return { properties: {}, allowUnknown: true };
  const properties = s.properties ?? {};
  const values = s.additionalProperties && typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  // Declared fields are still checked below x-kubernetes-preserve-unknown-fields (as in CRDs);
  // a schema without declared fields (RawExtension, FieldsV1, untyped JSON) accepts any key, as
  // the Go types do, unless it says `additionalProperties: false` (a CRD's empty object).
  const allowUnknown =
    Boolean(s['x-kubernetes-preserve-unknown-fields']) ||
    s.additionalProperties === true ||
    (Object.keys(properties).length === 0 && s.additionalProperties === undefined);
  return { properties, values, allowUnknown };
}

const asRef = (schema: string | OpenApiSchema): OpenApiSchema => (typeof schema === 'string' ? { $ref: refTo(schema) } : schema);

const itemsOf = (schema: OpenApiSchema | undefined, schemas: OpenApiSchemas) => resolveSchema(schema, schemas)?.items;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export interface FindUnknownFieldsOptions {
  /** Visit members in sorted key order (upstream's order for patches and YAML bodies). Default: as given. */
  sortKeys?: boolean;
}

/**
 * Dotted paths of the fields of `obj` that the schema (by name, or itself, e.g. a custom
 * resource's from customResourceValidationSchema) does not declare
 * (`spec.template.spec.containers[0].imagee`). Maps (labels, annotations, ConfigMap data),
 * `x-kubernetes-preserve-unknown-fields` and schemas without declared fields accept any key.
 */
export function findUnknownFields(
  obj: unknown,
  schemaName: string | OpenApiSchema,
  schemas: OpenApiSchemas,
  options: FindUnknownFieldsOptions = {},
): string[] {
  const out: string[] = [];
  const walk = (value: unknown, schema: OpenApiSchema | undefined, path: string) => {
    if (Array.isArray(value)) {
      const items = itemsOf(schema, schemas);
      if (items) value.forEach((v, i) => walk(v, items, indexPath(path, i)));
      return;
    }
    if (!isPlainObject(value)) return;
    const members = membersOf(schema, schemas);
    const keys = options.sortKeys ? Object.keys(value).sort() : Object.keys(value);
    for (const key of keys) {
      const p = fieldPath(path, key);
      const sub = Object.hasOwn(members.properties, key) ? members.properties[key] : members.values;
      if (sub) walk(value[key], sub, p);
      else if (!members.allowUnknown) out.push(p);
    }
  };
  walk(obj, asRef(schemaName), '');
  return out;
}

/**
 * The strict decoding problems of a JSON create/update body, as upstream reports them:
 * `duplicate field "metadata.name"`, `unknown field "spec.foo"`, in document order.
 * Throws SyntaxError on invalid JSON.
 */
export function jsonBodyFieldProblems(jsonText: string, schemaName: string | OpenApiSchema, schemas: OpenApiSchemas): string[] {
  const out: string[] = [];
  const walk = (node: JsonNode, schema: OpenApiSchema | undefined, path: string) => {
    if (node.kind === 'array') {
      const items = itemsOf(schema, schemas);
      node.items.forEach((item, i) => walk(item, items, indexPath(path, i)));
      return;
    }
    if (node.kind !== 'object') return;
    // Repeated keys are reported even where any key is allowed (maps, untyped JSON), like upstream.
    const members = membersOf(schema, schemas);
    const seen = new Set<string>();
    for (const { key, value } of node.entries) {
      const p = fieldPath(path, key);
      const sub = Object.hasOwn(members.properties, key) ? members.properties[key] : members.values;
      const unknown = !sub && !members.allowUnknown;
      if (!seen.has(key)) {
        seen.add(key);
        if (unknown) out.push(unknownFieldText(p));
      } else if (!unknown) {
        out.push(duplicateFieldText(p));
      }
      if (!unknown) walk(value, sub, p);
    }
  };
  walk(parseJsonTree(jsonText), asRef(schemaName), '');
  return out;
}

/**
 * The strict decoding problems of a JSON merge patch or strategic merge patch: the patch's
 * repeated keys, then the unknown fields of the patched object.
 */
export function patchFieldProblems(
  patchText: string,
  patched: unknown,
  schemaName: string | OpenApiSchema,
  schemas: OpenApiSchemas,
): string[] {
  const duplicates = findDuplicateFields(patchText).map(duplicateFieldText);
  const unknown = findUnknownFields(patched, schemaName, schemas, { sortKeys: true }).map(unknownFieldText);
  return [...duplicates, ...unknown];
}

export interface YamlFieldProblems {
  /** `line 12: key "paused" already set in map`, one per repeated key. */
  duplicateLines: string[];
  /** `unknown field "spec.foo"`, in sorted key order. */
  unknown: string[];
}

/** The strict decoding problems of a YAML create/update body (a single document). */
export function yamlBodyFieldProblems(yamlText: string, schemaName: string | OpenApiSchema, schemas: OpenApiSchemas): YamlFieldProblems {
  const duplicateLines = findYamlDuplicates(yamlText).map(yamlDuplicateText);
  const obj: unknown = parseYaml(yamlText, { uniqueKeys: false });
  return { duplicateLines, unknown: findUnknownFields(obj, schemaName, schemas, { sortKeys: true }).map(unknownFieldText) };
}

/** Warn mode: one warning text per problem, in order. */
export const yamlProblemWarnings = (p: YamlFieldProblems): string[] => [...p.duplicateLines, ...p.unknown];

/** go-yaml's aggregate error for repeated keys: `yaml: unmarshal errors:\n  line 5: key ...`. */
export const yamlUnmarshalErrors = (duplicateLines: string[]): string =>
  `yaml: unmarshal errors:\n  ${duplicateLines.join('\n  ')}`;

/** `strict decoding error: <problem>, <problem>, ...` from already worded problems. */
export const strictDecodingError = (problems: string[]): string => `strict decoding error: ${problems.join(', ')}`;

/** Strict mode's error for a YAML body: the repeated keys as one go-yaml error, then the unknown fields. */
export function yamlStrictDecodingError(p: YamlFieldProblems): string {
  return strictDecodingError([...(p.duplicateLines.length > 0 ? [yamlUnmarshalErrors(p.duplicateLines)] : []), ...p.unknown]);
}

/**
 * `strict decoding error: duplicate field "x", unknown field "spec.foo"` from paths: the
 * duplicates first, then the unknown fields (upstream's order for patches). For create/update
 * bodies use jsonBodyFieldProblems + strictDecodingError, which keep document order.
 */
export function strictDecodingMessage(unknown: string[], duplicates: string[]): string {
  return strictDecodingError([...duplicates.map(duplicateFieldText), ...unknown.map(unknownFieldText)]);
}

/**
 * The BadRequest message of a create/update whose body failed strict decoding, as the apiserver
 * words decode errors: `Deployment in version "v1" cannot be handled as a Deployment: <error>`.
 */
export const cannotBeHandledMessage = (bodyKind: string, bodyVersion: string, intoKind: string, error: string): string =>
  `${bodyKind} in version ${JSON.stringify(bodyVersion)} cannot be handled as a ${intoKind}: ${error}`;

/** Server-side apply (apply-patch+yaml) bodies with repeated keys fail strict mode with this. */
export const applyPatchYamlError = (duplicateLines: string[]): string =>
  `error strict decoding YAML: error converting YAML to JSON: ${yamlUnmarshalErrors(duplicateLines)}`;

/** A `Warning` response header value (code 299, agent `-`) carrying `text`; kubectl prints `Warning: <text>`. */
export const warningHeaderValue = (text: string): string => `299 - "${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
