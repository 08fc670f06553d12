import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JSONSchemaProps } from 'kubernetes-types/apiextensions/v1.js';
import { customResourceSchemaName, customResourceValidationSchema } from '../../../src/apiserver/openapi/crd-schema.js';
import { openApiV3Document } from '../../../src/apiserver/openapi/document.js';
import { loadOpenApiSchemas } from '../../../src/apiserver/openapi/schemas.js';
import { findUnknownFields, jsonBodyFieldProblems } from '../../../src/apiserver/openapi/strict.js';
import type { OpenApiSchema } from '../../../src/apiserver/openapi/types.js';

const schemas = loadOpenApiSchemas();
const gvk = { group: 'stable.example.com', version: 'v1', kind: 'CronTab' };

// The schema of kube-apiserver's field validation integration test, plus an embedded object.
const CRD_SCHEMA = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        cronSpec: { type: 'string', pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$' },
        knownField1: { type: 'string' },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
          items: {
            type: 'object',
            required: ['containerPort', 'protocol'],
            properties: { containerPort: { type: 'integer', format: 'int32' }, hostPort: { type: 'integer' }, name: { type: 'string' }, protocol: { type: 'string' } },
          },
        },
        embeddedObj: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        settings: { type: 'object', additionalProperties: { type: 'string' } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        empty: { type: 'object' },
      },
    },
  },
} as JSONSchemaProps;

describe('customResourceValidationSchema', () => {
  const schema = customResourceValidationSchema(CRD_SCHEMA, gvk);

  it('names custom resource schemas by reversed group', () => {
    assert.equal(customResourceSchemaName(gvk), 'com.example.stable.v1.CronTab');
  });

  it('adds type fields and ObjectMeta, and tags the kind', () => {
    assert.deepEqual(Object.keys(schema.properties ?? {}).sort(), ['apiVersion', 'kind', 'metadata', 'spec']);
    assert.deepEqual(schema.properties?.metadata.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
    assert.deepEqual(schema['x-kubernetes-group-version-kind'], [gvk]);
    const ports = schema.properties?.spec.properties?.ports as OpenApiSchema;
    assert.deepEqual([ports['x-kubernetes-list-type'], ports['x-kubernetes-list-map-keys'], ports.items?.required], ['map', ['containerPort', 'protocol'], ['containerPort', 'protocol']]);
  });

  const cases: { name: string; obj: unknown; expected: string[] }[] = [
    { name: 'a valid object', obj: { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'x', labels: { a: 'b' } }, spec: { cronSpec: '* * * * */5', ports: [{ containerPort: 80, protocol: 'TCP' }] } }, expected: [] },
    { name: 'unknown fields at each level', obj: { metadata: { unknownMeta: 1 }, spec: { unknown1: 1, ports: [{ containerPort: 1, protocol: 'TCP', unknownNested: 'v' }] }, status: {} }, expected: ['metadata.unknownMeta', 'spec.unknown1', 'spec.ports[0].unknownNested', 'status'] },
    { name: 'an embedded object: metadata checked, the rest preserved', obj: { spec: { embeddedObj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', unknownEmbeddedMeta: 1 }, spec: { anything: true } } } }, expected: ['spec.embeddedObj.metadata.unknownEmbeddedMeta'] },
    { name: 'maps and preserved objects accept any key', obj: { spec: { settings: { a: 'b' }, free: { deep: { er: 1 } } } }, expected: [] },
    { name: 'an object declaring no fields prunes them all', obj: { spec: { empty: { x: 1 } } }, expected: ['spec.empty.x'] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(findUnknownFields(c.obj, schema, schemas), c.expected));
  }

  it('reports problems of JSON bodies against the CRD schema', () => {
    const body = '{"metadata": {"name": "a", "name": "b"}, "spec": {"knownField1": "v", "knownField1": "w", "unknown1": 1}}';
    assert.deepEqual(jsonBodyFieldProblems(body, schema, schemas), [
      'duplicate field "metadata.name"',
      'duplicate field "spec.knownField1"',
      'unknown field "spec.unknown1"',
    ]);
  });

  it('without a schema, accepts any field but checks metadata', () => {
    const open = customResourceValidationSchema(undefined, gvk);
    assert.deepEqual(findUnknownFields({ spec: { a: 1 }, whatever: 2, metadata: { nmae: 'x' } }, open, schemas), ['metadata.nmae']);
  });

  it('serves the CRD schema in its group-version document', () => {
    const name = customResourceSchemaName(gvk);
    const doc = openApiV3Document(
      gvk,
      [{ group: gvk.group, version: gvk.version, kind: 'CronTab', plural: 'crontabs', singular: 'crontab', namespaced: true }],
      schemas,
      { extraSchemas: { [name]: schema } },
    ) as { paths: Record<string, { patch?: { requestBody: { content: Record<string, unknown> } } }>; components: { schemas: Record<string, OpenApiSchema> } };
    assert.equal(doc.components.schemas[name], schema);
    assert.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
    const patch = doc.paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}'].patch;
    assert.ok(patch && !('application/strategic-merge-patch+json' in patch.requestBody.content));
  });
});
