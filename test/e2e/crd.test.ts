// CustomResourceDefinitions: their resources are served at once, validated and pruned by their
// schema, printed with their columns, scaled through /scale, and gone with the CRD.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestCluster } from './harness.js';

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames: [ct]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {}
      scale:
        specReplicasPath: .spec.replicas
        statusReplicasPath: .status.replicas
    additionalPrinterColumns:
    - name: Spec
      type: string
      jsonPath: .spec.cronSpec
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [cronSpec]
            properties:
              cronSpec:
                type: string
                pattern: '^(\\S+ ){4}\\S+$'
              image:
                type: string
              replicas:
                type: integer
                minimum: 0
                default: 1
          status:
            type: object
            properties:
              replicas:
                type: integer
`;

const CRONTAB = (name: string, extra = '') => `apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: ${name}
spec:
  cronSpec: "* * * * */5"
  image: my-cron-image${extra}
`;

for (const version of ['1.27', '1.33']) {
  describe(`custom resources with kubectl ${version}`, () => {
    let c: TestCluster;
    const ok = (args: string[], stdin?: string) => c.kubectlOk(args, { version, stdin });
    const k = (args: string[], stdin?: string) => c.kubectl(args, { version, stdin });
    before(async () => {
      c = await TestCluster.start({ datastore: 'memory' });
    });
    after(async () => {
      await c.stop();
    });

    it('serves a CRD at once, with defaults, columns and short names', async () => {
      assert.match(await ok(['apply', '-f', '-'], CRD), /customresourcedefinition.apiextensions.k8s.io\/crontabs.stable.example.com created/);
      await ok(['wait', '--for', 'condition=established', '--timeout=10s', 'crd/crontabs.stable.example.com']);
      assert.match(await ok(['apply', '-f', '-'], CRONTAB('nightly')), /crontab.stable.example.com\/nightly created/);
      const obj = JSON.parse(await ok(['get', 'ct', 'nightly', '-o', 'json']));
      assert.equal(obj.spec.replicas, 1, 'schema default applied');
      assert.equal(obj.kind, 'CronTab');
      assert.match(await ok(['get', 'crontabs']), /^NAME\s+SPEC\s+REPLICAS\s+AGE\nnightly\s+\* \* \* \* \*\/5\s+1\s+\S+\n$/);
    });

    it('validates against the schema and prunes unknown fields', async () => {
      const bad = await k(['apply', '-f', '-'], CRONTAB('broken').replace('"* * * * */5"', '"not a cron"'));
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /The CronTab "broken" is invalid: spec.cronSpec: Invalid value: "not a cron": spec.cronSpec in body should match/);
      const strict = await k(['apply', '-f', '-'], CRONTAB('typo', '\n  colour: red'));
      assert.equal(strict.code, 1);
      assert.match(strict.stderr, /unknown field "spec.colour"/);
      await ok(['apply', '--validate=false', '-f', '-'], CRONTAB('pruned', '\n  colour: red'));
      const pruned = JSON.parse(await ok(['get', 'ct', 'pruned', '-o', 'json']));
      assert.equal(pruned.spec.colour, undefined, 'unknown field pruned');
    });

    it('scales through the scale subresource and patches with merge patches', async () => {
      assert.match(await ok(['scale', 'crontab', 'nightly', '--replicas=4']), /scaled/);
      assert.equal(await ok(['get', 'ct', 'nightly', '-o', 'jsonpath={.spec.replicas}']), '4');
      await ok(['patch', 'ct', 'nightly', '--type=merge', '-p', '{"spec":{"image":"other"}}']);
      assert.equal(await ok(['get', 'ct', 'nightly', '-o', 'jsonpath={.spec.image}']), 'other');
    });

    it('stops serving and removes the objects when the CRD goes', async () => {
      await ok(['delete', 'crd', 'crontabs.stable.example.com']);
      let r = await k(['get', 'crontabs']);
      for (let i = 0; i < 50 && r.code === 0; i++) {
        await new Promise((res) => setTimeout(res, 100));
        r = await k(['get', 'crontabs']);
      }
      assert.notEqual(r.code, 0);
      // A fresh discovery says the type is gone; a cached one gets a 404 for it.
      assert.match(r.stderr, /the server doesn't have a resource type "crontabs"|the server could not find the requested resource/);
    });
  });
}
