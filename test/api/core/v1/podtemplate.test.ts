import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PodTemplate } from 'kubernetes-types/core/v1.js';
import { podTemplateResource } from '../../../../src/api/core/v1/podtemplate.js';
import { container, created, createErrors, podTemplate, summary } from '../../workload-fixtures.js';

const pt = (over: Partial<PodTemplate> = {}): PodTemplate => ({ metadata: { name: 'tpl', namespace: 'default' }, template: podTemplate(), ...over });

describe('podTemplateResource', () => {
  it('has no short name or category, and tracks generation over its template', () => {
    assert.equal(podTemplateResource.plural, 'podtemplates');
    assert.equal(podTemplateResource.shortNames, undefined);
    assert.equal(podTemplateResource.categories, undefined);
    assert.equal(podTemplateResource.subresources, undefined);
    assert.equal(podTemplateResource.tracksGeneration, true);
  });

  it('defaults the template pod spec', () => {
    const t = created(podTemplateResource, pt());
    assert.equal(t.template!.spec!.restartPolicy, 'Always');
    assert.equal(t.template!.spec!.containers[0]!.imagePullPolicy, 'IfNotPresent');
  });

  it('validates the template under template.*', () => {
    assert.deepEqual(summary(createErrors(podTemplateResource, pt({ template: podTemplate({}, { image: '' }) }))), ['FieldValueRequired template.spec.containers[0].image']);
    assert.deepEqual(summary(createErrors(podTemplateResource, pt({ template: undefined }))), ['FieldValueRequired template.spec.containers']);
  });

  it('prints containers, images and pod labels', () => {
    const t = pt({ template: { metadata: { labels: { b: '2', a: '1' } }, spec: { containers: [container(), container({ name: 'side', image: 'envoy' })] } } });
    assert.deepEqual(podTemplateResource.table!.columns.map((c) => c.name), ['Name', 'Containers', 'Images', 'Pod Labels']);
    assert.deepEqual(podTemplateResource.table!.cells(t, new Date()), ['tpl', 'app,side', 'nginx:1.25,envoy', 'a=1,b=2']);
  });
});
