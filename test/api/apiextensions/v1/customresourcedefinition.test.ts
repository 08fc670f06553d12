import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CustomResourceDefinition, CustomResourceDefinitionSpec } from 'kubernetes-types/apiextensions/v1.js';
import { customResourceDefinitionResource as def } from '../../../../src/api/apiextensions/v1/customresourcedefinition.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const schema = { openAPIV3Schema: { type: 'object' } };
const spec = (o: Partial<CustomResourceDefinitionSpec> = {}): CustomResourceDefinitionSpec => ({
  group: 'example.com',
  scope: 'Namespaced',
  names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
  versions: [{ name: 'v1', served: true, storage: true, schema }],
  ...o,
});

/** A create: defaults, prepareForCreate, as the store runs them. */
function created(s: CustomResourceDefinitionSpec, name = 'widgets.example.com', annotations?: Record<string, string>): CustomResourceDefinition {
  const crd: CustomResourceDefinition = { metadata: { name, ...(annotations ? { annotations } : {}) }, spec: structuredClone(s) };
  def.defaults!(crd);
  def.prepareForCreate!(crd);
  return crd;
}

describe('customresourcedefinitions', () => {
  test('discovery facts', () => {
    assert.deepEqual(
      [def.group, def.plural, def.shortNames, def.categories, def.namespaced, def.subresources, def.tracksGeneration],
      ['apiextensions.k8s.io', 'customresourcedefinitions', ['crd', 'crds'], ['api-extensions'], false, { status: true }, true],
    );
  });

  test('defaults and the created status', () => {
    const crd = created(spec({ names: { plural: 'widgets', kind: 'Widget' } }));
    assert.deepEqual([crd.spec.names.singular, crd.spec.names.listKind], ['widget', 'WidgetList']);
    assert.deepEqual(crd.spec.conversion, { strategy: 'None' });
    assert.deepEqual(crd.status, { acceptedNames: { plural: '', kind: '' }, storedVersions: ['v1'] });
    const hook = created(spec({ conversion: { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'], clientConfig: { service: { name: 'conv', namespace: 'x' } } } } }));
    assert.equal(hook.spec.conversion!.webhook!.clientConfig!.service!.port, 443);
  });

  test('validation', () => {
    const v = (name: string, served = true, storage = false) => ({ name, served, storage, schema });
    const cases: [string, CustomResourceDefinitionSpec, string, string[]][] = [
      ['valid', spec(), 'widgets.example.com', []],
      ['name must be plural.group', spec(), 'widget.example.com', ['FieldValueInvalid metadata.name']],
      ['group needs a dot', spec({ group: 'example' }), 'widgets.example', ['FieldValueInvalid spec.group']],
      ['scope enum', spec({ scope: 'Global' }), 'widgets.example.com', ['FieldValueNotSupported spec.scope']],
      ['one storage version', spec({ versions: [v('v1', true, true), v('v2', true, true)] }), 'widgets.example.com',
        ['FieldValueInvalid spec.versions', 'FieldValueInvalid status.storedVersions']],
      ['no storage version', spec({ versions: [v('v1')] }), 'widgets.example.com', ['FieldValueInvalid spec.versions', 'FieldValueInvalid status.storedVersions']],
      ['unique versions', spec({ versions: [v('v1', true, true), v('v1')] }), 'widgets.example.com', ['FieldValueInvalid spec.versions']],
      ['version names', spec({ versions: [v('V1', true, true)] }), 'widgets.example.com', ['FieldValueInvalid spec.versions[0].name']],
      ['schema required', spec({ versions: [{ name: 'v1', served: true, storage: true }] }), 'widgets.example.com', ['FieldValueRequired spec.versions[0].schema.openAPIV3Schema']],
      ['schema root is an object', spec({ versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'string' } } }] }), 'widgets.example.com',
        ['FieldValueInvalid spec.versions[0].schema.openAPIV3Schema.type']],
      // Without a kind, singular and listKind cannot be defaulted either.
      ['kind required', spec({ names: { plural: 'widgets', kind: '' } }), 'widgets.example.com',
        ['FieldValueRequired spec.names.singular', 'FieldValueRequired spec.names.kind', 'FieldValueRequired spec.names.listKind']],
      ['plural is a DNS-1035 label', spec({ names: { plural: 'Widgets', kind: 'Widget' } }), 'Widgets.example.com', ['FieldValueInvalid spec.names.plural']],
      ['columns', spec({ versions: [{ ...v('v1', true, true), additionalPrinterColumns: [{ name: 'Size', type: 'float', jsonPath: '' }] }] }), 'widgets.example.com',
        ['FieldValueInvalid spec.versions[0].additionalPrinterColumns[0].type', 'FieldValueRequired spec.versions[0].additionalPrinterColumns[0].jsonPath']],
      ['scale paths', spec({ versions: [{ ...v('v1', true, true), subresources: { scale: { specReplicasPath: '.replicas', statusReplicasPath: '.status.replicas' } } }] }), 'widgets.example.com',
        ['FieldValueInvalid spec.versions[0].subresources.scale.specReplicasPath']],
      ['webhook conversion needs a client config', spec({ conversion: { strategy: 'Webhook' } }), 'widgets.example.com',
        ['FieldValueRequired spec.conversion.webhookClientConfig', 'FieldValueRequired spec.conversion.conversionReviewVersions']],
    ];
    for (const [name, s, objName, want] of cases) assert.deepEqual(summary(def.validate!(created(s, objName))), want, name);
    assert.equal(def.validate!(created(spec(), 'w.example.com'))[0]!.message, 'Invalid value: "w.example.com": must be spec.names.plural+"."+spec.group');
    assert.equal(
      def.validate!(created(spec({ versions: [v('v1')] })))[0]!.message.endsWith('must have exactly one version marked as storage version'),
      true,
    );
  });

  test('protected groups need API approval', () => {
    const s = spec({ group: 'widgets.k8s.io' });
    assert.deepEqual(summary(def.validate!(created(s, 'widgets.widgets.k8s.io'))), ['FieldValueRequired metadata.annotations[api-approved.kubernetes.io]']);
    assert.deepEqual(def.validate!(created(s, 'widgets.widgets.k8s.io', { 'api-approved.kubernetes.io': 'https://github.com/kubernetes/enhancements/pull/1111' })), []);
    assert.deepEqual(def.validate!(created(s, 'widgets.widgets.k8s.io', { 'api-approved.kubernetes.io': 'unapproved, testing' })), []);
    assert.deepEqual(summary(def.validate!(created(s, 'widgets.widgets.k8s.io', { 'api-approved.kubernetes.io': 'yes' }))), ['FieldValueInvalid metadata.annotations[api-approved.kubernetes.io]']);
  });

  test('updates: group and plural are fixed; scope and kind once established; new storage versions are recorded', () => {
    const old = created(spec());
    const established = { ...old, status: { ...old.status, conditions: [{ type: 'Established', status: 'True' }] } };
    const upd = (s: CustomResourceDefinitionSpec, prev: CustomResourceDefinition) => {
      const crd: CustomResourceDefinition = { metadata: prev.metadata, spec: structuredClone(s), status: structuredClone(prev.status) };
      def.defaults!(crd);
      def.prepareForUpdate!(crd, prev);
      return def.validateUpdate!(crd, prev);
    };
    assert.deepEqual(upd(spec({ scope: 'Cluster' }), old), [], 'not yet established');
    assert.deepEqual(summary(upd(spec({ scope: 'Cluster' }), established)), ['FieldValueInvalid spec.scope']);
    assert.deepEqual(summary(upd(spec({ group: 'other.com' }), old)), ['FieldValueInvalid metadata.name', 'FieldValueInvalid spec.group']);
    const two = spec({ versions: [{ name: 'v1', served: true, storage: false, schema }, { name: 'v2', served: true, storage: true, schema }] });
    const crd: CustomResourceDefinition = { metadata: old.metadata, spec: structuredClone(two), status: structuredClone(old.status) };
    def.prepareForUpdate!(crd, old);
    assert.deepEqual(crd.status?.storedVersions, ['v1', 'v2']);
    assert.deepEqual(def.validateUpdate!(crd, old), []);
    // Dropping a version that is still stored is refused.
    assert.deepEqual(summary(upd(spec({ versions: [{ name: 'v2', served: true, storage: true, schema }] }), old)), ['FieldValueInvalid status.storedVersions[0]']);
  });

  test('NAME CREATED AT', () => {
    assert.deepEqual(def.table!.cells(created(spec()), new Date()).length, 2);
    assert.deepEqual(def.table!.cells({ metadata: { name: 'widgets.example.com', creationTimestamp: '2024-02-03T04:05:06Z' }, spec: spec() }, new Date()), ['widgets.example.com', '2024-02-03T04:05:06Z']);
  });
});
