import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IngressClass, IngressClassSpec } from 'kubernetes-types/networking/v1.js';
import { ingressClassResource as def } from '../../../../src/api/networking/v1/ingressclass.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const ic = (spec: IngressClassSpec): IngressClass => ({ metadata: { name: 'nginx' }, spec });

describe('ingressclasses', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.group, def.plural, def.namespaced, def.tracksGeneration], ['networking.k8s.io', 'ingressclasses', false, true]);
  });

  test('parameters default to cluster scope', () => {
    const c = ic({ controller: 'k8s.io/ingress-nginx', parameters: { kind: 'Config', name: 'c' } });
    def.defaults!(c);
    assert.equal(c.spec!.parameters!.scope, 'Cluster');
    const none = ic({ controller: 'k8s.io/ingress-nginx' });
    def.defaults!(none);
    assert.equal(none.spec!.parameters, undefined);
  });

  test('validation', () => {
    const cases: [string, IngressClassSpec, string[]][] = [
      ['valid', { controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'example.com', kind: 'Config', name: 'c', scope: 'Namespace', namespace: 'ops' } }, []],
      ['controller required', {}, ['FieldValueRequired spec.controller']],
      ['controller is domain-prefixed', { controller: 'nginx' }, ['FieldValueInvalid spec.controller']],
      ['namespace scope needs a namespace', { controller: 'a.io/b', parameters: { kind: 'K', name: 'n', scope: 'Namespace' } }, ['FieldValueRequired spec.parameters.namespace']],
      ['cluster scope forbids one', { controller: 'a.io/b', parameters: { kind: 'K', name: 'n', scope: 'Cluster', namespace: 'x' } }, ['FieldValueForbidden spec.parameters.namespace']],
      ['scope enum', { controller: 'a.io/b', parameters: { kind: 'K', name: 'n', scope: 'Global' } }, ['FieldValueNotSupported spec.parameters.scope']],
    ];
    for (const [name, s, want] of cases) assert.deepEqual(summary(def.validate!(ic(s))), want, name);
    assert.equal(def.validate!(ic({ controller: 'nginx' }))[0]!.message, 'Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")');
    assert.deepEqual(summary(def.validateUpdate!(ic({ controller: 'a.io/c' }), ic({ controller: 'a.io/b' }))), ['FieldValueInvalid spec.controller']);
  });

  test('golden rows', () => {
    const now = new Date('2024-01-01T00:00:02Z');
    const meta = { name: 'nginx', creationTimestamp: '2024-01-01T00:00:00Z' };
    assert.deepEqual(def.table!.cells({ metadata: meta, spec: { controller: 'k8s.io/ingress-nginx' } }, now), ['nginx', 'k8s.io/ingress-nginx', '<none>', '2s']);
    assert.deepEqual(def.table!.cells({ metadata: meta, spec: { controller: 'a.io/b', parameters: { apiGroup: 'example.com', kind: 'Config', name: 'c' } } }, now), [
      'nginx', 'a.io/b', 'Config.example.com/c', '2s',
    ]);
  });
});
