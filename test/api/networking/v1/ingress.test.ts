import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Ingress, IngressSpec } from 'kubernetes-types/networking/v1.js';
import { formatHosts, ingressResource as def } from '../../../../src/api/networking/v1/ingress.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const backend = { service: { name: 'web', port: { number: 80 } } };
const ing = (spec: IngressSpec, o: Partial<Ingress> = {}): Ingress => ({ metadata: { name: 'web', namespace: 'default' }, spec, ...o });
const rule = (path: Record<string, unknown>) => ({ host: 'example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend, ...path }] } });

describe('ingresses', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.group, def.plural, def.shortNames, def.subresources, def.tracksGeneration], ['networking.k8s.io', 'ingresses', ['ing'], { status: true }, true]);
  });

  test('create resets status', () => {
    const i = ing({ defaultBackend: backend }, { status: { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } } });
    def.prepareForCreate!(i);
    assert.deepEqual(i.status, { loadBalancer: {} });
  });

  test('validation', () => {
    const cases: [string, IngressSpec, string[]][] = [
      ['valid', { rules: [rule({})], tls: [{ hosts: ['example.com'], secretName: 'tls' }] }, []],
      ['rules or default backend', {}, ['FieldValueInvalid spec']],
      ['pathType required', { rules: [rule({ pathType: undefined })] }, ['FieldValueRequired spec.rules[0].http.paths[0].pathType']],
      ['pathType enum', { rules: [rule({ pathType: 'Regex' })] }, ['FieldValueNotSupported spec.rules[0].http.paths[0].pathType']],
      ['absolute prefix path', { rules: [rule({ path: 'api' })] }, ['FieldValueInvalid spec.rules[0].http.paths[0].path']],
      ['no .. segments', { rules: [rule({ path: '/a/../b' })] }, ['FieldValueInvalid spec.rules[0].http.paths[0].path']],
      ['implementation-specific may be empty', { rules: [rule({ path: undefined, pathType: 'ImplementationSpecific' })] }, []],
      ['paths required', { rules: [{ host: 'a.com', http: { paths: [] } }] }, ['FieldValueRequired spec.rules[0].http.paths']],
      ['host is not an IP', { rules: [{ ...rule({}), host: '1.2.3.4' }] }, ['FieldValueInvalid spec.rules[0].host']],
      ['wildcard host', { rules: [{ ...rule({}), host: '*.example.com' }] }, []],
      ['bad wildcard', { rules: [{ ...rule({}), host: 'a.*.com' }] }, ['FieldValueInvalid spec.rules[0].host']],
      ['backend port required', { defaultBackend: { service: { name: 'web' } } }, ['FieldValueRequired spec.defaultBackend']],
      ['backend service is a DNS-1035 label', { defaultBackend: { service: { name: '1web', port: { number: 80 } } } }, ['FieldValueInvalid spec.defaultBackend.service.name']],
      ['not both name and number', { defaultBackend: { service: { name: 'web', port: { number: 80, name: 'http' } } } }, ['FieldValueInvalid spec.defaultBackend']],
      ['resource or service', { defaultBackend: {} }, ['FieldValueInvalid spec.defaultBackend']],
      ['resource backend', { defaultBackend: { resource: { kind: 'Bucket', name: '' } } }, ['FieldValueRequired spec.defaultBackend.resource.name']],
      ['tls secret name', { defaultBackend: backend, tls: [{ secretName: 'Bad_Secret' }] }, ['FieldValueInvalid spec.tls[0].secretName']],
    ];
    for (const [name, s, want] of cases) assert.deepEqual(summary(def.validate!(ing(s))), want, name);
    const errs = def.validate!(ing({ defaultBackend: backend, ingressClassName: 'nginx' }, { metadata: { name: 'w', annotations: { 'kubernetes.io/ingress.class': 'traefik' } } }));
    assert.deepEqual(summary(errs), ['FieldValueInvalid annotations.kubernetes.io/ingress.class']);
    assert.equal(errs[0]!.message, 'Invalid value: "traefik": must match `ingressClassName` when both are specified');
  });

  test('updates tolerate stored secret names that no longer validate', () => {
    const old = ing({ defaultBackend: backend, tls: [{ secretName: 'Bad_Secret' }] });
    assert.deepEqual(def.validateUpdate!(ing({ defaultBackend: backend, tls: [{ secretName: 'Bad_Secret' }] }), old), []);
    assert.equal(def.validateUpdate!(ing({ defaultBackend: backend, tls: [{ secretName: 'Bad_Secret' }] }), ing({ defaultBackend: backend })).length, 1);
  });

  test('status updates', () => {
    const old = ing({ defaultBackend: backend });
    const upd = ing({ defaultBackend: backend }, { status: { loadBalancer: { ingress: [{ ip: '1.2.3.x' }, { hostname: '10.0.0.1' }] } } });
    assert.deepEqual(summary(def.validateStatusUpdate!(upd, old)), [
      'FieldValueInvalid status.loadBalancer.ingress[0].ip',
      'FieldValueInvalid status.loadBalancer.ingress[1].hostname',
    ]);
  });

  test('golden rows', () => {
    assert.equal(formatHosts([{ host: 'a' }, {}, { host: 'b' }, { host: 'c' }, { host: 'd' }]), 'a,b,c + 2 more...');
    assert.equal(formatHosts([{}]), '*');
    const now = new Date('2024-01-01T00:00:01Z');
    const meta = { name: 'web', creationTimestamp: '2024-01-01T00:00:00Z' };
    const cases: [Ingress, unknown[]][] = [
      [ing({ rules: [rule({})] }, { metadata: meta }), ['web', '<none>', 'example.com', '', '80', '1s']],
      [ing({ ingressClassName: 'nginx', rules: [rule({})], tls: [{ hosts: ['example.com'] }] }, { metadata: meta, status: { loadBalancer: { ingress: [{ ip: '10.0.0.9' }, { hostname: 'lb.example.com' }] } } }),
        ['web', 'nginx', 'example.com', '10.0.0.9,lb.example.com', '80, 443', '1s']],
    ];
    for (const [i, row] of cases) assert.deepEqual(def.table!.cells(i, now), row);
    assert.deepEqual(def.table!.columns.map((c) => c.name), ['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age']);
  });
});
