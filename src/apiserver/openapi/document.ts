// The /openapi/v3 endpoints: the index of group-versions and one OpenAPI 3.0 document per
// group-version, shaped like kube-apiserver's. kubectl reads them for three things:
// - `apply`/`create` with the default --validate=strict look for a PATCH operation carrying the
//   kind's `x-kubernetes-group-version-kind` and a `fieldValidation` query parameter; finding it,
//   they skip client-side validation and send `?fieldValidation=Strict` (cli-runtime's
//   QueryParamVerifierV3). Without /openapi/v3 they fail with "failed to download openapi".
// - `apply` computes its strategic merge patch from `components.schemas` (patch merge keys) when
//   the PATCH operation accepts application/strategic-merge-patch+json.
// - `explain` finds the kind from the operations on the resource's paths, then its schema by
//   `x-kubernetes-group-version-kind`, and prints descriptions.
import { createHash } from 'node:crypto';
import type { ResourceDefinition } from '../../api/types.js';
import { customResourceSchemaName } from './crd-schema.js';
import { reachableSchemas, schemaNameForKind } from './schemas.js';
import { type GroupVersionKind, META_V1, type OpenApiSchema, type OpenApiSchemas, refTo } from './types.js';

export interface GroupVersionRef {
  group: string;
  version: string;
}

export interface OpenApiV3Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

/** `v1` -> `api/v1`; `apps/v1` -> `apis/apps/v1` (the keys of the /openapi/v3 index). */
export function openApiV3PathKey(gv: string): string {
  return gv.includes('/') ? `apis/${gv}` : `api/${gv}`;
}

/** The group-version a request path under /openapi/v3 names, or undefined. */
export function parseOpenApiV3Path(urlPath: string): GroupVersionRef | undefined {
  const m = /^\/openapi\/v3\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))\/?$/.exec(urlPath);
  if (!m) return undefined;
  return m[1] ? { group: '', version: m[1] } : { group: m[2], version: m[3] };
}

/**
 * The /openapi/v3 index: for each group-version (`v1`, `apps/v1`) a server-relative URL whose
 * `hash` query changes whenever the document does (clients cache documents by that URL).
 */
export function openApiV3Index(gvs: string[], hashOf: (gv: string) => string): OpenApiV3Index {
  const paths: OpenApiV3Index['paths'] = {};
  for (const gv of [...gvs].sort()) {
    const key = openApiV3PathKey(gv);
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${encodeURIComponent(hashOf(gv))}` };
  }
  return { paths };
}

/** Upstream's document hash: SHA-512 of the served JSON, as upper-case hex. */
export function openApiV3Hash(document: unknown): string {
  return createHash('sha512').update(JSON.stringify(document)).digest('hex').toUpperCase();
}

/**
 * The answer to GET /openapi/v2: a protobuf OpenAPI v2 document holding only `swagger: "2.0"`.
 * kubectl 1.27-1.28 fetch it before any apply/create/explain, and every version fetches it to
 * validate a `kind: List` file client-side; a 404 fails those commands, while an empty document
 * makes client-side validation skip kinds it does not describe. The v3 documents carry the rest.
 */
export function openApiV2Stub(): { contentType: string; body: Buffer } {
  // Field 1 (swagger), wire type 2 (length-delimited): 0x0a, length 3, "2.0".
  return {
    contentType: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
    body: Buffer.from([0x0a, 0x03, ...Buffer.from('2.0')]),
  };
}

export interface OpenApiV3DocumentOptions {
  /** Defaults to upstream's `{title: "Kubernetes", version: "unversioned"}`. */
  info?: { title: string; version: string };
  /**
   * Whether PATCH accepts strategic merge patches for this resource. Default: when the kind's
   * schema is a built-in one (`io.k8s.api.` etc. names); custom resources accept only JSON/merge/apply
   * patches, and kubectl then computes a JSON merge patch for `apply`.
   */
  strategicMergePatch?: (resource: ResourceDefinition, schemaName: string) => boolean;
  /**
   * Schemas beyond the built-in ones, e.g. custom resources' from customResourceValidationSchema
   * under customResourceSchemaName; found by their x-kubernetes-group-version-kind.
   */
  extraSchemas?: Record<string, OpenApiSchema>;
}

const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json'];
const STRATEGIC = 'application/strategic-merge-patch+json';
const RESPONSE_TYPES = ['application/json', 'application/yaml'];
const STATUS = `${META_V1}.Status`;
const GENERIC_SCHEMAS = ['Status', 'DeleteOptions', 'Patch', 'ListMeta', 'ObjectMeta', 'WatchEvent'].map((k) => `${META_V1}.${k}`);
/** Packages of built-in kinds (custom resources are named by their reversed group instead). */
const BUILTIN_PACKAGES = ['io.k8s.api.', 'io.k8s.apimachinery.', 'io.k8s.apiextensions-apiserver.', 'io.k8s.kube-aggregator.'];
const SCALE_GVK: GroupVersionKind = { group: 'autoscaling', version: 'v1', kind: 'Scale' };

type Parameter = { name: string; in: 'query' | 'path'; description: string; required?: boolean; schema: OpenApiSchema; uniqueItems?: boolean };
type Operation = Record<string, unknown>;

const query = (name: string, description: string, type: 'string' | 'integer' | 'boolean' = 'string'): Parameter => ({
  name,
  in: 'query',
  description,
  schema: { type },
  uniqueItems: true,
});
const pathParam = (name: string, description: string): Parameter => ({
  name,
  in: 'path',
  description,
  required: true,
  schema: { type: 'string' },
  uniqueItems: true,
});

const P = {
  name: pathParam('name', 'name of the object'),
  namespace: pathParam('namespace', 'object name and auth scope, such as for teams and projects'),
  pretty: query('pretty', "If 'true', then the output is pretty printed."),
  dryRun: query('dryRun', 'When present, indicates that modifications should not be persisted. The only valid value is All: all dry run stages are processed.'),
  fieldManager: query('fieldManager', 'A name associated with the actor or entity that is making these changes (at most 128 printable characters).'),
  fieldValidation: query(
    'fieldValidation',
    'How the server treats fields of the request body that the schema does not know, or that appear twice: ' +
      'Ignore drops them silently, Warn (the default) drops them and answers with a warning header for each, ' +
      'Strict fails the request with a BadRequest listing them all.',
  ),
  force: query('force', 'Force is going to "force" Apply requests: the request re-acquires conflicting fields owned by other managers. Only for apply patches.', 'boolean'),
  gracePeriodSeconds: query('gracePeriodSeconds', 'The duration in seconds before the object should be deleted; zero means delete immediately.', 'integer'),
  propagationPolicy: query('propagationPolicy', "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."),
  orphanDependents: query('orphanDependents', 'Deprecated: use propagationPolicy. Whether the dependent objects should be orphaned.', 'boolean'),
  labelSelector: query('labelSelector', 'A selector to restrict the list of returned objects by their labels.'),
  fieldSelector: query('fieldSelector', 'A selector to restrict the list of returned objects by their fields.'),
  limit: query('limit', 'The maximum number of objects to return in one page of a list; the list metadata then carries a continue token.', 'integer'),
  continue: query('continue', 'The continue token from the previous page of a list.'),
  resourceVersion: query('resourceVersion', 'Constrains which resource versions a request may be served from.'),
  resourceVersionMatch: query('resourceVersionMatch', 'How resourceVersion is applied to list calls: Exact or NotOlderThan.'),
  timeoutSeconds: query('timeoutSeconds', 'Timeout for the list/watch call.', 'integer'),
  watch: query('watch', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.', 'boolean'),
  allowWatchBookmarks: query('allowWatchBookmarks', 'Requests watch events of type BOOKMARK.', 'boolean'),
  sendInitialEvents: query('sendInitialEvents', 'With watch=true, starts the stream with synthetic events for the current state.', 'boolean'),
};
const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const PATCH_PARAMS = [...WRITE_PARAMS, P.force];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];

const content = (types: string[], schemaName: string) =>
  Object.fromEntries(types.map((t) => [t, { schema: { $ref: refTo(schemaName) } }]));
const responses = (codes: Record<string, string>, schemaName: string) => ({
  ...Object.fromEntries(
    Object.entries(codes).map(([code, description]) => [code, { description, content: content(RESPONSE_TYPES, schemaName) }]),
  ),
  '401': { description: 'Unauthorized' },
});

/** `apps` -> `AppsV1`, `rbac.authorization.k8s.io` -> `RbacAuthorizationV1`, core -> `CoreV1` (upstream operation ids). */
function operationPrefix(gv: GroupVersionRef): string {
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  const group = gv.group ? gv.group.replace(/\.k8s\.io$/, '').split(/[.-]/).map(cap).join('') : 'Core';
  return group + cap(gv.version);
}

/** A kind with no known schema (a custom resource without one): any fields, standard metadata. */
function openKindSchema(gvk: GroupVersionKind, list: boolean): OpenApiSchema {
  const properties: Record<string, OpenApiSchema> = {
    apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
    kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
    metadata: list ? { allOf: [{ $ref: refTo(`${META_V1}.ListMeta`) }] } : { allOf: [{ $ref: refTo(`${META_V1}.ObjectMeta`) }] },
  };
  if (list) properties.items = { type: 'array', items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } };
  return {
    type: 'object',
    properties,
    ...(list ? { required: ['items'] } : { 'x-kubernetes-preserve-unknown-fields': true }),
    'x-kubernetes-group-version-kind': [gvk],
  };
}

/** An OpenAPI 3.0 document for one group-version: the resources' operations and their schemas. */
export function openApiV3Document(
  gv: GroupVersionRef,
  resources: ResourceDefinition[],
  builtinSchemas: OpenApiSchemas,
  options: OpenApiV3DocumentOptions = {},
): object {
  const schemas: OpenApiSchemas = options.extraSchemas ? { ...builtinSchemas, ...options.extraSchemas } : builtinSchemas;
  const prefix = gv.group ? `/apis/${gv.group}/${gv.version}` : `/api/${gv.version}`;
  const opPrefix = operationPrefix(gv);
  const tag = `${gv.group ? gv.group.replace(/\.k8s\.io$/, '').replace(/\./g, '_') : 'core'}_${gv.version}`;
  const paths: Record<string, Record<string, unknown>> = {};
  const roots = new Set(GENERIC_SCHEMAS);
  const synthesized: Record<string, OpenApiSchema> = {};

  const schemaFor = (gvk: GroupVersionKind, list: boolean): string => {
    const known = schemaNameForKind(schemas, gvk);
    if (known) return known;
    const name = customResourceSchemaName(gvk);
    synthesized[name] = openKindSchema(gvk, list);
    return name;
  };

  const ours = resources
    .filter((r) => r.group === gv.group && r.version === gv.version)
    .sort((a, b) => a.plural.localeCompare(b.plural));
  for (const r of ours) {
    const gvk: GroupVersionKind = { group: r.group, version: r.version, kind: r.kind };
    const kindSchema = schemaFor(gvk, false);
    const listSchema = schemaFor({ ...gvk, kind: `${r.kind}List` }, true);
    roots.add(kindSchema);
    roots.add(listSchema);
    const verbs = new Set(r.verbs ?? ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
    const strategic = options.strategicMergePatch
      ? options.strategicMergePatch(r, kindSchema)
      : Boolean(builtinSchemas[kindSchema]) && BUILTIN_PACKAGES.some((p) => kindSchema.startsWith(p));
    const patchTypes = strategic ? [...PATCH_TYPES, STRATEGIC] : PATCH_TYPES;
    const ns = r.namespaced ? 'Namespaced' : '';
    const collection = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
    const item = `${collection}/{name}`;
    const scopeParams = r.namespaced ? [P.namespace, P.pretty] : [P.pretty];

    const op = (action: string, id: string, description: string, extra: Operation, opGvk = gvk): Operation => ({
      tags: [tag],
      description,
      operationId: id,
      ...extra,
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': opGvk,
    });
    const readReplacePatch = (suffix: string, schemaName: string, what: string, opGvk: GroupVersionKind) => {
      const ops: Record<string, unknown> = {};
      if (verbs.has('get')) {
        ops.get = op('get', `read${opPrefix}${ns}${r.kind}${suffix}`, `read ${what}`, { responses: responses({ '200': 'OK' }, schemaName) }, opGvk);
      }
      if (verbs.has('update')) {
        ops.put = op('put', `replace${opPrefix}${ns}${r.kind}${suffix}`, `replace ${what}`, {
          parameters: WRITE_PARAMS,
          requestBody: { content: content(['*/*'], schemaName), required: true },
          responses: responses({ '200': 'OK', '201': 'Created' }, schemaName),
        }, opGvk);
      }
      if (verbs.has('patch')) {
        ops.patch = op('patch', `patch${opPrefix}${ns}${r.kind}${suffix}`, `partially update ${what}`, {
          parameters: PATCH_PARAMS,
          requestBody: { content: content(patchTypes, `${META_V1}.Patch`), required: true },
          responses: responses({ '200': 'OK', '201': 'Created' }, schemaName),
        }, opGvk);
      }
      return ops;
    };

    const collectionOps: Record<string, unknown> = {};
    if (verbs.has('list')) {
      collectionOps.get = op('list', `list${opPrefix}${ns}${r.kind}`, `list or watch objects of kind ${r.kind}`, {
        parameters: LIST_PARAMS,
        responses: responses({ '200': 'OK' }, listSchema),
      });
    }
    if (verbs.has('create')) {
      collectionOps.post = op('post', `create${opPrefix}${ns}${r.kind}`, `create a ${r.kind}`, {
        parameters: WRITE_PARAMS,
        requestBody: { content: content(['*/*'], kindSchema), required: true },
        responses: responses({ '200': 'OK', '201': 'Created', '202': 'Accepted' }, kindSchema),
      });
    }
    if (verbs.has('deletecollection')) {
      collectionOps.delete = op('deletecollection', `deleteCollection${opPrefix}${ns}${r.kind}`, `delete collection of ${r.kind}`, {
        parameters: [...DELETE_PARAMS, ...LIST_PARAMS.filter((p) => p.name !== 'watch' && p.name !== 'allowWatchBookmarks')],
        requestBody: { content: content(['*/*'], `${META_V1}.DeleteOptions`) },
        responses: responses({ '200': 'OK' }, STATUS),
      });
    }
    if (Object.keys(collectionOps).length > 0) paths[collection] = { ...collectionOps, parameters: scopeParams };

    const itemOps = readReplacePatch('', kindSchema, `the specified ${r.kind}`, gvk);
    if (verbs.has('delete')) {
      itemOps.delete = op('delete', `delete${opPrefix}${ns}${r.kind}`, `delete a ${r.kind}`, {
        parameters: DELETE_PARAMS,
        requestBody: { content: content(['*/*'], `${META_V1}.DeleteOptions`) },
        responses: responses({ '200': 'OK', '202': 'Accepted' }, STATUS),
      });
    }
    if (Object.keys(itemOps).length > 0) paths[item] = { ...itemOps, parameters: [P.name, ...scopeParams] };

    if (r.namespaced && verbs.has('list')) {
      paths[`${prefix}/${r.plural}`] = {
        get: op('list', `list${opPrefix}${r.kind}ForAllNamespaces`, `list or watch objects of kind ${r.kind}`, {
          parameters: LIST_PARAMS,
          responses: responses({ '200': 'OK' }, listSchema),
        }),
        parameters: [P.pretty],
      };
    }
    if (r.subresources?.status) {
      paths[`${item}/status`] = {
        ...readReplacePatch('Status', kindSchema, `status of the specified ${r.kind}`, gvk),
        parameters: [P.name, ...scopeParams],
      };
    }
    if (r.subresources?.scale) {
      const scaleSchema = schemaFor(SCALE_GVK, false);
      roots.add(scaleSchema);
      paths[`${item}/scale`] = {
        ...readReplacePatch('Scale', scaleSchema, `scale of the specified ${r.kind}`, SCALE_GVK),
        parameters: [P.name, ...scopeParams],
      };
    }
  }

  const all: OpenApiSchemas = { ...schemas, ...synthesized };
  const componentSchemas: Record<string, OpenApiSchema> = {};
  for (const name of reachableSchemas(roots, all)) componentSchemas[name] = all[name];
  return {
    openapi: '3.0.0',
    info: options.info ?? { title: 'Kubernetes', version: 'unversioned' },
    paths,
    components: { schemas: componentSchemas },
  };
}
