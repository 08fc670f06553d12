// Run-time access to the generated schemas: loading them, following references, finding a kind's
// schema by its group-version-kind.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateOpenApiSchemas } from './generator.js';
import {
  type GeneratedSchemaFile,
  type GroupVersionKind,
  type OpenApiSchema,
  type OpenApiSchemas,
  SCHEMA_REF_PREFIX,
} from './types.js';

/** dist/generated/openapi, relative to this module once compiled (dist/src/apiserver/openapi/). */
export const defaultSchemaDir = (): string =>
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'generated', 'openapi');

const loaded = new Map<string, OpenApiSchemas>();

/**
 * Reads the schemas the build generated (scripts/gen-openapi.ts) from `dir`, by default
 * dist/generated/openapi. When the default directory is missing (a build that skipped the
 * generator), the schemas are generated in memory from kubernetes-types instead (about a second,
 * and it needs the typescript package). Results are cached per directory.
 */
export function loadOpenApiSchemas(dir?: string): OpenApiSchemas {
  const where = path.resolve(dir ?? defaultSchemaDir());
  const cached = loaded.get(where);
  if (cached) return cached;
  let schemas: Record<string, OpenApiSchema>;
  if (existsSync(where)) {
    schemas = {};
    for (const name of readdirSync(where).sort()) {
      if (!name.endsWith('.json')) continue;
      const file = JSON.parse(readFileSync(path.join(where, name), 'utf8')) as GeneratedSchemaFile;
      Object.assign(schemas, file.schemas);
    }
    if (Object.keys(schemas).length === 0) throw new Error(`no OpenAPI schemas in ${where}`);
  } else if (dir === undefined) {
    schemas = {};
    for (const file of generateOpenApiSchemas().files.values()) Object.assign(schemas, file.schemas);
  } else {
    throw new Error(`OpenAPI schema directory ${where} does not exist`);
  }
  const frozen = Object.freeze(schemas);
  loaded.set(where, frozen);
  return frozen;
}

/** The schema name a `#/components/schemas/<name>` reference points at. */
export const refName = (ref: string): string =>
  ref.startsWith(SCHEMA_REF_PREFIX) ? ref.slice(SCHEMA_REF_PREFIX.length) : ref;

/**
 * The schema a property schema stands for: follows `$ref` and a single-element `allOf` (how
 * described references are written) until reaching a schema with content of its own.
 */
export function resolveSchema(schema: OpenApiSchema | undefined, schemas: OpenApiSchemas): OpenApiSchema | undefined {
  let s = schema;
  for (let hops = 0; s && hops < 32; hops++) {
    if (s.$ref) s = schemas[refName(s.$ref)];
    else if (s.allOf?.length === 1 && !s.properties && !s.type) s = s.allOf[0];
    else return s;
  }
  return s;
}

/** Every schema name directly referenced from `schema`. */
export function directRefs(schema: OpenApiSchema): string[] {
  const out: string[] = [];
  const visit = (s: OpenApiSchema | boolean | undefined) => {
    if (!s || typeof s === 'boolean') return;
    if (s.$ref) out.push(refName(s.$ref));
    for (const p of Object.values(s.properties ?? {})) visit(p);
    visit(s.items);
    visit(s.additionalProperties);
    for (const sub of [...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? [])]) visit(sub);
  };
  visit(schema);
  return out;
}

/** `names` and every schema reachable from them through references, in a stable order. */
export function reachableSchemas(names: Iterable<string>, schemas: OpenApiSchemas): string[] {
  const seen = new Set<string>();
  const stack = [...names];
  while (stack.length > 0) {
    const name = stack.pop() as string;
    if (seen.has(name) || !schemas[name]) continue;
    seen.add(name);
    stack.push(...directRefs(schemas[name]));
  }
  return [...seen].sort();
}

const gvkIndexes = new WeakMap<OpenApiSchemas, Map<string, string>>();
const gvkKey = (g: GroupVersionKind) => `${g.group}/${g.version}/${g.kind}`;

/** The name of the schema tagged with this group-version-kind, if any. */
export function schemaNameForKind(schemas: OpenApiSchemas, gvk: GroupVersionKind): string | undefined {
  let index = gvkIndexes.get(schemas);
  if (!index) {
    index = new Map();
    for (const [name, s] of Object.entries(schemas)) {
      for (const g of s['x-kubernetes-group-version-kind'] ?? []) if (!index.has(gvkKey(g))) index.set(gvkKey(g), name);
    }
    gvkIndexes.set(schemas, index);
  }
  return index.get(gvkKey(gvk));
}
