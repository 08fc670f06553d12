// OpenAPI for the served resources: the /openapi/v3 index and documents (built per group-version
// and cached until the set of resources changes), the /openapi/v2 stub older kubectls ask for,
// and the schemas behind server-side field validation.
import type { ResourceRegistry } from '../api/registry.js';
import { gvString } from '../api/registry.js';
import type { FieldProblemFinder } from '../apiserver/handlers/field-validation.js';
import type { OpenApiServing } from '../apiserver/non-resource.js';
import type { JSONSchemaProps } from 'kubernetes-types/apiextensions/v1.js';
import type { ResourceDefinition } from '../api/types.js';
import {
  type OpenApiSchema,
  customResourceSchemaName,
  customResourceValidationSchema,
  cannotBeHandledMessage,
  jsonBodyFieldProblems,
  loadOpenApiSchemas,
  openApiV2Stub,
  openApiV3Document,
  openApiV3Hash,
  openApiV3Index,
  openApiV3PathKey,
  patchFieldProblems,
  schemaNameForKind,
  strictDecodingError,
  yamlBodyFieldProblems,
  yamlProblemWarnings,
  yamlStrictDecodingError,
} from '../apiserver/openapi/index.js';

/** A custom resource's validation schema (apiVersion, kind and ObjectMeta added to its CRD's). */
function customSchema(def: ResourceDefinition): OpenApiSchema | undefined {
  if (def.openAPIV3Schema === undefined) return undefined;
  return customResourceValidationSchema(def.openAPIV3Schema as JSONSchemaProps, { group: def.group, version: def.version, kind: def.kind });
}

function customSchemas(resources: ResourceDefinition[]): Record<string, OpenApiSchema> {
  const out: Record<string, OpenApiSchema> = {};
  for (const def of resources) {
    const s = def.builtin === false ? customSchema(def) : undefined;
    if (s) out[customResourceSchemaName({ group: def.group, version: def.version, kind: def.kind })] = s;
  }
  return out;
}

export function openApiFor(registry: ResourceRegistry): { openapi: OpenApiServing; findFieldProblems: FieldProblemFinder } {
  const schemas = loadOpenApiSchemas();
  let cachedAt = -1;
  let docs = new Map<string, { doc: unknown; hash: string }>();
  const refresh = () => {
    if (cachedAt === registry.version) return;
    docs = new Map();
    for (const g of registry.groups()) {
      for (const version of g.versions) {
        const gv = { group: g.name, version };
        const resources = registry.resourcesOf(gv);
        const doc = openApiV3Document(gv, resources, schemas, { extraSchemas: customSchemas(resources) });
        docs.set(openApiV3PathKey(gvString(gv)), { doc, hash: openApiV3Hash(doc) });
      }
    }
    cachedAt = registry.version;
  };
  const openapi: OpenApiServing = {
    index() {
      refresh();
      const gvs = [...docs.keys()].map((k) => k.replace(/^apis?\//, ''));
      return openApiV3Index(gvs, (gv) => docs.get(openApiV3PathKey(gv))!.hash);
    },
    document(path) {
      refresh();
      return docs.get(path.replace(/\/+$/, ''))?.doc;
    },
    v2: openApiV2Stub(),
  };
  const findFieldProblems: FieldProblemFinder = (ctx, _obj, input) => {
    const { def } = ctx;
    const gvk = { group: def.group, version: def.version, kind: def.kind };
    const schema = def.builtin === false ? customSchema(def) : schemaNameForKind(schemas, gvk);
    if (!schema) return undefined;
    if (input.patch) {
      const problems = patchFieldProblems(input.text, _obj, schema, schemas);
      return { warnings: problems, strictMessage: strictDecodingError(problems) };
    }
    if (input.format === 'yaml') {
      const p = yamlBodyFieldProblems(input.text, schema, schemas);
      return {
        warnings: yamlProblemWarnings(p),
        strictMessage: cannotBeHandledMessage(def.kind, def.version, def.kind, yamlStrictDecodingError(p)),
      };
    }
    const problems = jsonBodyFieldProblems(input.text, schema, schemas);
    return { warnings: problems, strictMessage: cannotBeHandledMessage(def.kind, def.version, def.kind, strictDecodingError(problems)) };
  };
  return { openapi, findFieldProblems };
}
