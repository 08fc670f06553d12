import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceDefinition } from '../../../src/api/types.js';
import {
  openApiV2Stub,
  openApiV3Document,
  openApiV3Hash,
  openApiV3Index,
  openApiV3PathKey,
  parseOpenApiV3Path,
} from '../../../src/apiserver/openapi/document.js';
import { loadOpenApiSchemas } from '../../../src/apiserver/openapi/schemas.js';
import type { OpenApiSchema } from '../../../src/apiserver/openapi/types.js';

const schemas = loadOpenApiSchemas();

const def = (d: Partial<ResourceDefinition> & Pick<ResourceDefinition, 'group' | 'version' | 'kind' | 'plural' | 'namespaced'>): ResourceDefinition => ({
  singular: d.kind.toLowerCase(),
  ...d,
});

const APPS: ResourceDefinition[] = [
  def({ group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', namespaced: true, subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } } }),
  def({ group: 'apps', version: 'v1', kind: 'ControllerRevision', plural: 'controllerrevisions', namespaced: true, verbs: ['get', 'list', 'watch'] }),
  def({ group: '', version: 'v1', kind: 'Pod', plural: 'pods', namespaced: true }),
];

interface Op {
  operationId: string;
  'x-kubernetes-action': string;
  'x-kubernetes-group-version-kind': { group: string; version: string; kind: string };
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: OpenApiSchema }> };
  responses: Record<string, { content?: Record<string, { schema: OpenApiSchema }> }>;
}
interface Doc {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Op> & { parameters?: { name: string }[] }>;
  components: { schemas: Record<string, OpenApiSchema> };
}

const doc = openApiV3Document({ group: 'apps', version: 'v1' }, APPS, schemas) as Doc;
const base = '/apis/apps/v1/namespaces/{namespace}/deployments';

describe('openApiV3Index', () => {
  it('lists each group-version with a hashed server-relative URL', () => {
    assert.deepEqual(openApiV3Index(['apps/v1', 'v1'], (gv) => `H-${gv}`), {
      paths: {
        'api/v1': { serverRelativeURL: '/openapi/v3/api/v1?hash=H-v1' },
        'apis/apps/v1': { serverRelativeURL: '/openapi/v3/apis/apps/v1?hash=H-apps%2Fv1' },
      },
    });
  });

  it('parses the document paths back', () => {
    const cases: [string, unknown][] = [
      ['/openapi/v3/api/v1', { group: '', version: 'v1' }],
      ['/openapi/v3/apis/apps/v1', { group: 'apps', version: 'v1' }],
      ['/openapi/v3/apis/rbac.authorization.k8s.io/v1/', { group: 'rbac.authorization.k8s.io', version: 'v1' }],
      ['/openapi/v3', undefined],
      ['/openapi/v3/apis/apps', undefined],
    ];
    for (const [p, expected] of cases) assert.deepEqual(parseOpenApiV3Path(p), expected, p);
    assert.equal(openApiV3PathKey('batch/v1'), 'apis/batch/v1');
  });

  it('hashes documents as upper-case SHA-512 hex, stable and content-sensitive', () => {
    const h = openApiV3Hash(doc);
    assert.match(h, /^[0-9A-F]{128}$/);
    assert.equal(openApiV3Hash(openApiV3Document({ group: 'apps', version: 'v1' }, APPS, schemas)), h);
    assert.notEqual(openApiV3Hash(openApiV3Document({ group: 'apps', version: 'v1' }, APPS.slice(0, 1), schemas)), h);
  });
});

describe('openApiV3Document', () => {
  it('is an OpenAPI 3.0 document with upstream paths for the group-version only', () => {
    assert.equal(doc.openapi, '3.0.0');
    assert.deepEqual(doc.info, { title: 'Kubernetes', version: 'unversioned' });
    assert.deepEqual(Object.keys(doc.paths).sort(), [
      '/apis/apps/v1/controllerrevisions',
      '/apis/apps/v1/deployments',
      '/apis/apps/v1/namespaces/{namespace}/controllerrevisions',
      '/apis/apps/v1/namespaces/{namespace}/controllerrevisions/{name}',
      base,
      `${base}/{name}`,
      `${base}/{name}/scale`,
      `${base}/{name}/status`,
    ]);
  });

  it('has the PATCH operation kubectl looks for: GVK, fieldValidation and the patch types', () => {
    const patch = doc.paths[`${base}/{name}`].patch;
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
    assert.equal(patch['x-kubernetes-action'], 'patch');
    assert.equal(patch.operationId, 'patchAppsV1NamespacedDeployment');
    const query = (patch.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    assert.deepEqual(query, ['dryRun', 'fieldManager', 'fieldValidation', 'force']);
    assert.deepEqual(Object.keys(patch.requestBody?.content ?? {}).sort(), [
      'application/apply-patch+yaml',
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
    ]);
    assert.deepEqual(doc.paths[`${base}/{name}`].parameters?.map((p) => p.name), ['name', 'namespace', 'pretty']);
  });

  it('maps verbs to operations with upstream actions', () => {
    const actions = (p: string) => Object.fromEntries(Object.entries(doc.paths[p]).filter(([k]) => k !== 'parameters').map(([k, op]) => [k, (op as Op)['x-kubernetes-action']]));
    assert.deepEqual(actions(base), { get: 'list', post: 'post', delete: 'deletecollection' });
    assert.deepEqual(actions(`${base}/{name}`), { get: 'get', put: 'put', patch: 'patch', delete: 'delete' });
    assert.deepEqual(actions('/apis/apps/v1/deployments'), { get: 'list' });
    assert.deepEqual(actions('/apis/apps/v1/namespaces/{namespace}/controllerrevisions/{name}'), { get: 'get' });
    assert.equal(doc.paths[base].post.parameters?.some((p) => p.name === 'fieldValidation'), true);
    assert.equal(doc.paths[`${base}/{name}`].put.parameters?.some((p) => p.name === 'fieldValidation'), true);
  });

  it('serves status with the kind and scale as autoscaling/v1 Scale', () => {
    assert.deepEqual(doc.paths[`${base}/{name}/status`].patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
    const scale = doc.paths[`${base}/{name}/scale`];
    assert.deepEqual(scale.put['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
    assert.deepEqual(scale.get.responses['200'].content?.['application/json'].schema, { $ref: '#/components/schemas/io.k8s.api.autoscaling.v1.Scale' });
  });

  it('includes the reachable schemas and the generic meta ones, and every reference resolves', () => {
    const names = Object.keys(doc.components.schemas);
    for (const n of ['io.k8s.api.apps.v1.Deployment', 'io.k8s.api.apps.v1.DeploymentList', 'io.k8s.api.core.v1.Container', 'io.k8s.api.autoscaling.v1.Scale', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta', 'io.k8s.apimachinery.pkg.apis.meta.v1.Status', 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions', 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch', 'io.k8s.apimachinery.pkg.util.intstr.IntOrString']) {
      assert.ok(names.includes(n), `missing ${n}`);
    }
    assert.ok(!names.includes('io.k8s.api.core.v1.Pod'), 'core kinds stay out of apps/v1');
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/[^"]+/g) ?? [];
    for (const r of new Set(refs)) assert.ok(doc.components.schemas[r.slice('#/components/schemas/'.length)], `dangling ${r}`);
  });

  it('uses cluster paths for cluster-scoped resources', () => {
    const core = openApiV3Document({ group: '', version: 'v1' }, [def({ group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false, subresources: { status: true } })], schemas) as Doc;
    assert.deepEqual(Object.keys(core.paths).sort(), ['/api/v1/namespaces', '/api/v1/namespaces/{name}', '/api/v1/namespaces/{name}/status']);
    assert.equal(core.paths['/api/v1/namespaces/{name}'].patch.operationId, 'patchCoreV1Namespace');
    assert.deepEqual(core.paths['/api/v1/namespaces/{name}'].parameters?.map((p) => p.name), ['name', 'pretty']);
  });

  it('describes a custom resource without schema as open, without strategic merge patch', () => {
    const crd = def({ group: 'stable.example.com', version: 'v1', kind: 'CronTab', plural: 'crontabs', namespaced: true });
    const d = openApiV3Document({ group: 'stable.example.com', version: 'v1' }, [crd], schemas) as Doc;
    const patch = d.paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}'].patch;
    assert.ok(!('application/strategic-merge-patch+json' in (patch.requestBody?.content ?? {})));
    assert.ok(patch.parameters?.some((p) => p.name === 'fieldValidation'));
    const s = d.components.schemas['com.example.stable.v1.CronTab'];
    assert.equal(s['x-kubernetes-preserve-unknown-fields'], true);
    assert.deepEqual(s['x-kubernetes-group-version-kind'], [{ group: 'stable.example.com', version: 'v1', kind: 'CronTab' }]);
    assert.ok(d.components.schemas['com.example.stable.v1.CronTabList']);
  });
});

describe('openApiV2Stub', () => {
  it('is a protobuf document holding only swagger 2.0', () => {
    const { contentType, body } = openApiV2Stub();
    assert.equal(contentType, 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    assert.deepEqual([...body], [0x0a, 3, ...Buffer.from('2.0')]);
  });
});
