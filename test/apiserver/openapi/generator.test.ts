import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../../scripts/gen-openapi.js';
import { generateOpenApiSchemas, upstreamPackage } from '../../../src/apiserver/openapi/generator.js';
import { loadOpenApiSchemas, resolveSchema, schemaNameForKind } from '../../../src/apiserver/openapi/schemas.js';
import type { OpenApiSchemas } from '../../../src/apiserver/openapi/types.js';

describe('upstreamPackage', () => {
  const cases: [string, string | undefined][] = [
    ['apps/v1', 'io.k8s.api.apps.v1'],
    ['core/v1', 'io.k8s.api.core.v1'],
    ['rbac/v1', 'io.k8s.api.rbac.v1'],
    ['flowcontrol/v1beta3', 'io.k8s.api.flowcontrol.v1beta3'],
    ['meta/v1', 'io.k8s.apimachinery.pkg.apis.meta.v1'],
    ['api/resource', 'io.k8s.apimachinery.pkg.api.resource'],
    ['runtime', 'io.k8s.apimachinery.pkg.runtime'],
    ['apiextensions/v1', 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1'],
    ['index', undefined],
  ];
  for (const [modulePath, expected] of cases) {
    it(`${modulePath} -> ${expected}`, () => assert.equal(upstreamPackage(modulePath), expected));
  }
});

describe('gen-openapi', () => {
  let dir: string;
  let schemas: OpenApiSchemas;
  let summary: string;
  let elapsedMs: number;

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kubets-openapi-'));
    const started = Date.now();
    summary = main(dir);
    elapsedMs = Date.now() - started;
    schemas = loadOpenApiSchemas(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one file per package, quickly and without untranslated declarations', () => {
    assert.match(summary, /^gen-openapi: \d+ schemas in \d+ files/);
    assert.ok(elapsedMs < 10_000, `generation took ${elapsedMs} ms`);
    const files = readdirSync(dir);
    for (const f of ['io.k8s.api.core.v1.json', 'io.k8s.api.apps.v1.json', 'io.k8s.apimachinery.pkg.apis.meta.v1.json', 'io.k8s.apimachinery.pkg.util.intstr.json']) {
      assert.ok(files.includes(f), `missing ${f}`);
    }
    assert.deepEqual(generateOpenApiSchemas().warnings, []);
  });

  const kinds: { name: string; gvk: [string, string, string]; required: string[]; fields: string[]; description: RegExp }[] = [
    { name: 'io.k8s.api.core.v1.Pod', gvk: ['', 'v1', 'Pod'], required: [], fields: ['apiVersion', 'kind', 'metadata', 'spec', 'status'], description: /^Pod is a collection of containers/ },
    { name: 'io.k8s.api.apps.v1.Deployment', gvk: ['apps', 'v1', 'Deployment'], required: [], fields: ['metadata', 'spec', 'status'], description: /^Deployment enables declarative updates/ },
    { name: 'io.k8s.api.core.v1.Service', gvk: ['', 'v1', 'Service'], required: [], fields: ['spec', 'status'], description: /Service is a named abstraction/ },
    { name: 'io.k8s.api.core.v1.ConfigMap', gvk: ['', 'v1', 'ConfigMap'], required: [], fields: ['data', 'binaryData', 'immutable'], description: /^ConfigMap holds configuration data/ },
    { name: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition', gvk: ['apiextensions.k8s.io', 'v1', 'CustomResourceDefinition'], required: ['spec'], fields: ['spec'], description: /CustomResourceDefinition represents a resource/ },
  ];
  for (const k of kinds) {
    it(`describes ${k.name} with its kind, fields and description`, () => {
      const s = schemas[k.name];
      assert.ok(s, `missing ${k.name}`);
      assert.equal(s.type, 'object');
      assert.match(s.description ?? '', k.description);
      assert.deepEqual(s['x-kubernetes-group-version-kind'], [{ group: k.gvk[0], version: k.gvk[1], kind: k.gvk[2] }]);
      assert.deepEqual(s.required ?? [], k.required);
      for (const f of k.fields) assert.ok(s.properties?.[f]?.description, `${k.name}.${f} lacks a description`);
      assert.equal(schemaNameForKind(schemas, { group: k.gvk[0], version: k.gvk[1], kind: k.gvk[2] }), k.name);
    });
  }

  it('marks required fields and types nested ones', () => {
    const container = schemas['io.k8s.api.core.v1.Container'];
    assert.deepEqual(container.required, ['name']);
    assert.deepEqual(schemas['io.k8s.api.apps.v1.DeploymentSpec'].required, ['selector', 'template']);
    assert.deepEqual(schemas['io.k8s.api.core.v1.PodSpec'].required, ['containers']);
    const replicas = schemas['io.k8s.api.apps.v1.DeploymentSpec'].properties?.replicas;
    assert.equal(replicas?.type, 'integer');
    assert.match(replicas?.description ?? '', /^Number of desired pods/);
    assert.equal(container.properties?.tty?.type, 'boolean');
    const args = container.properties?.args;
    assert.deepEqual([args?.type, args?.items], ['array', { type: 'string' }]);
  });

  it('references nested types, wrapped in allOf when described, with items for lists', () => {
    const spec = schemas['io.k8s.api.apps.v1.Deployment'].properties?.spec;
    assert.deepEqual(spec?.allOf, [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec' }]);
    const containers = schemas['io.k8s.api.core.v1.PodSpec'].properties?.containers;
    assert.deepEqual(containers?.items, { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' });
    assert.equal(resolveSchema(spec, schemas), schemas['io.k8s.api.apps.v1.DeploymentSpec']);
  });

  it('describes ObjectMeta, with maps as additionalProperties', () => {
    const meta = schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'];
    assert.match(meta.description ?? '', /^ObjectMeta is metadata that all persisted resources must have/);
    assert.deepEqual(meta.properties?.labels?.additionalProperties, { type: 'string' });
    assert.equal(meta.properties?.labels?.type, 'object');
    assert.deepEqual(meta.properties?.creationTimestamp?.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time' }]);
    assert.equal(meta['x-kubernetes-group-version-kind'], undefined);
  });

  it('gives the special types their wire formats', () => {
    const quantity = schemas['io.k8s.apimachinery.pkg.api.resource.Quantity'];
    assert.equal(quantity.type, 'string');
    assert.ok(quantity.description);
    assert.deepEqual(
      [schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Time'].type, schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Time'].format],
      ['string', 'date-time'],
    );
    assert.equal(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime'].format, 'date-time');
    const ios = schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'];
    assert.equal(ios['x-kubernetes-int-or-string'], true);
    assert.deepEqual(ios.anyOf, [{ type: 'integer' }, { type: 'string' }]);
    const targetPort = schemas['io.k8s.api.core.v1.ServicePort'].properties?.targetPort;
    assert.deepEqual(targetPort?.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString' }]);
    const limits = schemas['io.k8s.api.core.v1.ResourceRequirements'].properties?.limits;
    assert.deepEqual(limits?.additionalProperties, { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' });
    assert.equal(schemas['io.k8s.apimachinery.pkg.runtime.RawExtension'].type, 'object');
    assert.equal(schemas['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps'].properties?.maximum?.type, 'number');
  });

  it('carries strategic merge patch metadata on merged lists', () => {
    const cases: [string, string, string, string | undefined][] = [
      ['io.k8s.api.core.v1.PodSpec', 'containers', 'merge', 'name'],
      ['io.k8s.api.core.v1.PodSpec', 'volumes', 'merge,retainKeys', 'name'],
      ['io.k8s.api.core.v1.Container', 'env', 'merge', 'name'],
      ['io.k8s.api.core.v1.Container', 'ports', 'merge', 'containerPort'],
      ['io.k8s.api.core.v1.ServiceSpec', 'ports', 'merge', 'port'],
      ['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'finalizers', 'merge', undefined],
      ['io.k8s.api.apps.v1.DeploymentSpec', 'strategy', 'retainKeys', undefined],
    ];
    for (const [type, field, strategy, key] of cases) {
      const p = schemas[type].properties?.[field];
      assert.equal(p?.['x-kubernetes-patch-strategy'], strategy, `${type}.${field}`);
      assert.equal(p?.['x-kubernetes-patch-merge-key'], key, `${type}.${field}`);
    }
    assert.equal(schemas['io.k8s.api.core.v1.PodSpec'].properties?.tolerations?.['x-kubernetes-patch-strategy'], undefined);
  });

  it('loads the default location or generates in memory', () => {
    const defaults = loadOpenApiSchemas();
    assert.equal(Object.keys(defaults).length, Object.keys(schemas).length);
    assert.equal(loadOpenApiSchemas(), defaults, 'cached');
    assert.throws(() => loadOpenApiSchemas(path.join(dir, 'missing')), /does not exist/);
  });
});
