// OpenAPI v3 for kubets: schemas generated at build time from kubernetes-types, the /openapi/v3
// index and per-group-version documents, and server-side field validation against the schemas.
export * from './types.js';
export { loadOpenApiSchemas, defaultSchemaDir, resolveSchema, reachableSchemas, schemaNameForKind, refName } from './schemas.js';
export {
  openApiV3Index,
  openApiV3Document,
  openApiV3Hash,
  openApiV2Stub,
  openApiV3PathKey,
  parseOpenApiV3Path,
  type OpenApiV3Index,
  type OpenApiV3DocumentOptions,
  type GroupVersionRef,
} from './document.js';
export { customResourceSchemaName, customResourceValidationSchema } from './crd-schema.js';
export {
  findDuplicateFields,
  findDuplicateFieldsInYaml,
  findYamlDuplicates,
  parseJsonTree,
  yamlDuplicateText,
  type JsonNode,
  type YamlDuplicate,
} from './duplicates.js';
export {
  findUnknownFields,
  jsonBodyFieldProblems,
  patchFieldProblems,
  yamlBodyFieldProblems,
  yamlProblemWarnings,
  yamlStrictDecodingError,
  yamlUnmarshalErrors,
  strictDecodingError,
  strictDecodingMessage,
  cannotBeHandledMessage,
  applyPatchYamlError,
  unknownFieldText,
  duplicateFieldText,
  warningHeaderValue,
  type FindUnknownFieldsOptions,
  type YamlFieldProblems,
} from './strict.js';
