import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import { controllerRevisionResource as revisions } from '../../../../src/api/apps/v1/controllerrevision.js';
import { summary } from '../../workload-fixtures.js';

const cr = (over: Partial<ControllerRevision> = {}): ControllerRevision => ({
  metadata: {
    name: 'agent-6c8f',
    namespace: 'default',
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u', controller: true }],
  },
  data: { spec: { template: {} } },
  revision: 1,
  ...over,
});

describe('controllerRevisionResource', () => {
  it('has no short names, categories or subresources and no generation', () => {
    assert.deepEqual([revisions.plural, revisions.shortNames, revisions.categories, revisions.subresources, revisions.tracksGeneration], ['controllerrevisions', undefined, undefined, undefined, false]);
  });

  const cases: [string, ControllerRevision, string[]][] = [
    ['valid', cr(), []],
    ['no data', cr({ data: undefined }), ['FieldValueRequired data']],
    ['negative revision', cr({ revision: -1 }), ['FieldValueInvalid revision']],
  ];
  for (const [name, obj, expected] of cases) it(name, () => assert.deepEqual(summary(revisions.validate!(obj)), expected));

  it('keeps data immutable', () => {
    assert.deepEqual(summary(revisions.validateUpdate!(cr({ data: { spec: { x: 1 } } }), cr())), ['FieldValueInvalid data']);
    assert.deepEqual(revisions.validateUpdate!(cr({ revision: 2 }), cr()), []);
  });

  it('prints the controller as kind.group/name', () => {
    assert.deepEqual(revisions.table!.cells(cr(), new Date()), ['agent-6c8f', 'daemonset.apps/agent', 1, '<unknown>']);
    assert.equal(revisions.table!.cells(cr({ metadata: { name: 'x' } }), new Date())[1], '<none>');
  });
});
