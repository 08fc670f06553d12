import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadOpenApiSchemas } from '../../../src/apiserver/openapi/schemas.js';
import {
  applyPatchYamlError,
  cannotBeHandledMessage,
  findUnknownFields,
  jsonBodyFieldProblems,
  patchFieldProblems,
  strictDecodingError,
  strictDecodingMessage,
  warningHeaderValue,
  yamlBodyFieldProblems,
  yamlProblemWarnings,
  yamlStrictDecodingError,
} from '../../../src/apiserver/openapi/strict.js';

const schemas = loadOpenApiSchemas();
const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';

const deployment = (container: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web', 'any.key/x': 'y' }, annotations: { 'a/b': 'c' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx', resources: { limits: { cpu: '1', memory: '1Gi' } }, ...container }] },
    },
    ...extra,
  },
});

describe('findUnknownFields', () => {
  const cases: { name: string; obj: unknown; schema: string; expected: string[] }[] = [
    { name: 'a valid deployment', obj: deployment({}), schema: DEPLOYMENT, expected: [] },
    { name: 'a misspelled container field', obj: deployment({ imagee: 'x' }), schema: DEPLOYMENT, expected: ['spec.template.spec.containers[0].imagee'] },
    { name: 'unknown fields at several depths', obj: deployment({}, { replica: 3, paused: true }), schema: DEPLOYMENT, expected: ['spec.replica'] },
    { name: 'an unknown top-level field', obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, dataa: {} }, schema: 'io.k8s.api.core.v1.ConfigMap', expected: ['dataa'] },
    { name: 'any keys in ConfigMap data', obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { 'anything.conf': 'x', Other: 'y' } }, schema: 'io.k8s.api.core.v1.ConfigMap', expected: [] },
    { name: 'an unknown field in metadata', obj: { metadata: { name: 'x', nmae: 'y' } }, schema: 'io.k8s.api.core.v1.ConfigMap', expected: ['metadata.nmae'] },
    { name: 'unknown fields in the second list item', obj: { spec: { containers: [{ name: 'a' }, { name: 'b', command: ['x'], cmd: 'y' }] } }, schema: 'io.k8s.api.core.v1.Pod', expected: ['spec.containers[1].cmd'] },
    { name: 'fields inside a map of structs', obj: { spec: { containers: [{ name: 'a', resources: { limits: { 'nvidia.com/gpu': '1' } } }] } }, schema: 'io.k8s.api.core.v1.Pod', expected: [] },
    { name: 'any content in a RawExtension', obj: { data: { anything: { at: 'all' } }, revision: 1 }, schema: 'io.k8s.api.apps.v1.ControllerRevision', expected: [] },
    { name: 'managedFields fieldsV1', obj: { metadata: { managedFields: [{ manager: 'k', fieldsV1: { 'f:spec': {} } }] } }, schema: DEPLOYMENT, expected: [] },
    { name: 'a CRD schema (JSONSchemaProps maps and JSON values)', obj: { spec: { group: 'x', names: { plural: 'xs', kind: 'X' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', default: { a: 1 }, 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-validations': [{ rule: 'self.a > 0', message: 'm' }] }, port: { 'x-kubernetes-int-or-string': true }, tags: { type: 'array', 'x-kubernetes-list-type': 'set' } } } } }] } }, schema: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition', expected: [] },
    { name: 'a misspelled CRD schema keyword', obj: { spec: { versions: [{ schema: { openAPIV3Schema: { properties: { spec: { typ: 'object' } } } } }] } }, schema: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition', expected: ['spec.versions[0].schema.openAPIV3Schema.properties.spec.typ'] },
    { name: 'a wrong kind of value is not an unknown field', obj: { spec: { replicas: { a: 1 }, template: 'x' } }, schema: DEPLOYMENT, expected: [] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(findUnknownFields(c.obj, c.schema, schemas), c.expected));
  }

  it('visits keys in sorted order when asked', () => {
    const obj = { spec: { zeta: 1, alpha: 2, template: { spec: { containers: [{ name: 'x', bogus: 1 }] } } } };
    assert.deepEqual(findUnknownFields(obj, DEPLOYMENT, schemas), ['spec.zeta', 'spec.alpha', 'spec.template.spec.containers[0].bogus']);
    assert.deepEqual(findUnknownFields(obj, DEPLOYMENT, schemas, { sortKeys: true }), ['spec.alpha', 'spec.template.spec.containers[0].bogus', 'spec.zeta']);
  });
});

// The bodies and expectations of kube-apiserver's field validation integration test.
const INVALID_JSON = `{
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "a", "name": "b", "unknownMeta": "x", "labels": {"app": "nginx"}},
  "spec": {
    "unknown1": "val1", "unknownDupe": "valDupe", "unknownDupe": "valDupe2", "paused": true, "paused": false,
    "selector": {"matchLabels": {"app": "nginx"}},
    "template": {"metadata": {"labels": {"app": "nginx"}},
      "spec": {"containers": [{"name": "nginx", "image": "nginx:latest", "unknownNested": "val1", "imagePullPolicy": "Always", "imagePullPolicy": "Never"}]}}
  }
}`;

const INVALID_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: a
  name: b
  unknownMeta: x
spec:
  unknown1: val1
  unknownDupe: valDupe
  unknownDupe: valDupe2
  paused: true
  paused: false
  template:
    spec:
      containers:
      - name: nginx
        unknownNested: val1
        imagePullPolicy: Always
        imagePullPolicy: Never
`;

describe('strict decoding problems', () => {
  it('reports a JSON body in document order, unknown-and-repeated fields once', () => {
    assert.equal(
      strictDecodingError(jsonBodyFieldProblems(INVALID_JSON, DEPLOYMENT, schemas)),
      'strict decoding error: duplicate field "metadata.name", unknown field "metadata.unknownMeta", unknown field "spec.unknown1", ' +
        'unknown field "spec.unknownDupe", duplicate field "spec.paused", unknown field "spec.template.spec.containers[0].unknownNested", ' +
        'duplicate field "spec.template.spec.containers[0].imagePullPolicy"',
    );
  });

  it('reports repeated keys inside maps too', () => {
    const body = '{"metadata": {"labels": {"a": "1", "a": "2"}}, "data": {"k": "v", "k": "w"}}';
    assert.deepEqual(jsonBodyFieldProblems(body, 'io.k8s.api.core.v1.ConfigMap', schemas), [
      'duplicate field "metadata.labels.a"',
      'duplicate field "data.k"',
    ]);
    assert.deepEqual(jsonBodyFieldProblems('{"kind": "ConfigMap"}', 'io.k8s.api.core.v1.ConfigMap', schemas), []);
    assert.throws(() => jsonBodyFieldProblems('{"kind": ', 'io.k8s.api.core.v1.ConfigMap', schemas), SyntaxError);
  });

  it('reports a patch: its repeated keys, then the unknown fields of the result in key order', () => {
    const patch = '{"spec": {"unknown1": "v", "unknownDupe": "a", "unknownDupe": "b", "paused": true, "paused": false, "template": {"spec": {"containers": [{"name": "nginx", "unknownNested": "v", "imagePullPolicy": "Always", "imagePullPolicy": "Never"}]}}}}';
    const patched = deployment({ unknownNested: 'v' }, { unknown1: 'v', unknownDupe: 'b', paused: false });
    assert.equal(
      strictDecodingError(patchFieldProblems(patch, patched, DEPLOYMENT, schemas)),
      'strict decoding error: duplicate field "spec.unknownDupe", duplicate field "spec.paused", ' +
        'duplicate field "spec.template.spec.containers[0].imagePullPolicy", unknown field "spec.template.spec.containers[0].unknownNested", ' +
        'unknown field "spec.unknown1", unknown field "spec.unknownDupe"',
    );
  });

  it('reports a YAML body with go-yaml lines, as one error or one warning each', () => {
    const problems = yamlBodyFieldProblems(INVALID_YAML, DEPLOYMENT, schemas);
    assert.deepEqual(yamlProblemWarnings(problems), [
      'line 5: key "name" already set in map',
      'line 10: key "unknownDupe" already set in map',
      'line 12: key "paused" already set in map',
      'line 19: key "imagePullPolicy" already set in map',
      'unknown field "metadata.unknownMeta"',
      'unknown field "spec.template.spec.containers[0].unknownNested"',
      'unknown field "spec.unknown1"',
      'unknown field "spec.unknownDupe"',
    ]);
    assert.equal(
      yamlStrictDecodingError(problems),
      'strict decoding error: yaml: unmarshal errors:\n  line 5: key "name" already set in map\n  line 10: key "unknownDupe" already set in map\n' +
        '  line 12: key "paused" already set in map\n  line 19: key "imagePullPolicy" already set in map, unknown field "metadata.unknownMeta", ' +
        'unknown field "spec.template.spec.containers[0].unknownNested", unknown field "spec.unknown1", unknown field "spec.unknownDupe"',
    );
    assert.equal(yamlStrictDecodingError(yamlBodyFieldProblems('metadata:\n  nmae: x\n', DEPLOYMENT, schemas)), 'strict decoding error: unknown field "metadata.nmae"');
  });
});

describe('messages', () => {
  it('words strict decoding errors as upstream', () => {
    assert.equal(strictDecodingMessage(['spec.foo'], ['x']), 'strict decoding error: duplicate field "x", unknown field "spec.foo"');
    assert.equal(strictDecodingMessage(['a', 'b.c[0].d'], []), 'strict decoding error: unknown field "a", unknown field "b.c[0].d"');
    assert.equal(
      cannotBeHandledMessage('Deployment', 'v1', 'Deployment', strictDecodingMessage(['spec.foo'], [])),
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"',
    );
    assert.equal(
      applyPatchYamlError(['line 10: key "paused" already set in map']),
      'error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  line 10: key "paused" already set in map',
    );
  });

  it('escapes warning header values', () => {
    assert.equal(warningHeaderValue('unknown field "spec.foo"'), '299 - "unknown field \\"spec.foo\\""');
    assert.equal(warningHeaderValue('a\\b'), '299 - "a\\\\b"');
  });
});
