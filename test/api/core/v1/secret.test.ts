import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Secret } from 'kubernetes-types/core/v1.js';
import { secretResource as def } from '../../../../src/api/core/v1/secret.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (o: Partial<Secret>): Secret => ({ metadata: { name: 's', namespace: 'default' }, ...o });

describe('secrets', () => {
  test('stringData is folded into base64 data (winning over data) and dropped; type defaults to Opaque', () => {
    const s = secret({ data: { a: b64('old'), keep: b64('k') }, stringData: { a: 'new', 'ü': 'ünïcode' } });
    def.defaults!(s);
    assert.deepEqual(s.data, { a: b64('new'), keep: b64('k'), 'ü': b64('ünïcode') });
    assert.equal(s.stringData, undefined);
    assert.equal(s.type, 'Opaque');
    const typed = secret({ type: 'kubernetes.io/tls' });
    def.defaults!(typed);
    assert.equal(typed.type, 'kubernetes.io/tls');
  });

  test('stringData keys are validated as data keys', () => {
    const s = secret({ stringData: { 'bad key': 'x' } });
    def.defaults!(s);
    assert.deepEqual(summary(def.validate!(s)), ['FieldValueInvalid data[bad key]']);
  });

  test('per-type requirements', () => {
    const cases: [string, Partial<Secret>, string[]][] = [
      ['opaque', { type: 'Opaque', data: { x: b64('1') } }, []],
      ['token needs the service account annotation', { type: 'kubernetes.io/service-account-token' }, ['FieldValueRequired metadata.annotations[kubernetes.io/service-account.name]']],
      ['token with annotation', { type: 'kubernetes.io/service-account-token', metadata: { name: 's', annotations: { 'kubernetes.io/service-account.name': 'default' } } }, []],
      ['dockerconfigjson needs its key', { type: 'kubernetes.io/dockerconfigjson' }, ['FieldValueRequired data[.dockerconfigjson]']],
      ['dockerconfigjson must be a JSON object', { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('[1]') } }, ['FieldValueInvalid data[.dockerconfigjson]']],
      ['dockerconfigjson valid', { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{"auths":{}}') } }, []],
      ['dockercfg', { type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64('not json') } }, ['FieldValueInvalid data[.dockercfg]']],
      ['tls needs both keys', { type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c') } }, ['FieldValueRequired data[tls.key]']],
      ['basic-auth needs one', { type: 'kubernetes.io/basic-auth' }, ['FieldValueRequired data[username]', 'FieldValueRequired data[password]']],
      ['basic-auth password only', { type: 'kubernetes.io/basic-auth', data: { password: '' } }, []],
      ['ssh-auth needs a key', { type: 'kubernetes.io/ssh-auth', data: { 'ssh-privatekey': '' } }, ['FieldValueRequired data[ssh-privatekey]']],
      ['size counts decoded bytes', { data: { big: Buffer.alloc(1024 * 1024 + 1).toString('base64') } }, ['FieldValueTooLong data']],
    ];
    for (const [name, o, want] of cases) assert.deepEqual(summary(def.validate!(secret(o))), want, name);
    const [e] = def.validate!(secret({ type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('[1]') } }));
    assert.equal(e!.message, 'Invalid value: "<secret contents redacted>": json: cannot unmarshal array into Go value of type map[string]interface {}');
  });

  test('updates: the type is fixed; immutable secrets keep their data', () => {
    const old = secret({ type: 'Opaque', data: { a: b64('1') } });
    const cases: [Partial<Secret>, Secret, string[]][] = [
      [{ type: 'Opaque', data: { a: b64('2') } }, old, []],
      [{ type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } }, old, ['FieldValueInvalid type']],
      [{ type: 'Opaque', immutable: true, data: { a: b64('2') } }, secret({ type: 'Opaque', immutable: true, data: { a: b64('1') } }), ['FieldValueForbidden data']],
      [{ type: 'Opaque', data: { a: b64('1') } }, secret({ type: 'Opaque', immutable: true, data: { a: b64('1') } }), ['FieldValueForbidden immutable']],
    ];
    for (const [o, prev, want] of cases) assert.deepEqual(summary(def.validateUpdate!(secret(o), prev)), want, JSON.stringify(o));
    assert.equal(def.validateUpdate!(secret({ type: 'x' }), old)[0]!.message, 'Invalid value: "x": field is immutable');
  });

  test('field selector and table', () => {
    const s = secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' }, metadata: { name: 'tls', creationTimestamp: '2024-01-01T00:00:00Z' } });
    assert.deepEqual(def.selectableFields!(s), { type: 'kubernetes.io/tls' });
    assert.deepEqual(def.table!.columns.map((c) => c.name), ['Name', 'Type', 'Data', 'Age']);
    assert.deepEqual(def.table!.cells(s, new Date('2024-01-01T00:00:10Z')), ['tls', 'kubernetes.io/tls', 2, '10s']);
  });
});
