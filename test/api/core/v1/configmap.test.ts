import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { base64Length, configMapResource as def } from '../../../../src/api/core/v1/configmap.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const cm = (o: Partial<ConfigMap>): ConfigMap => ({ metadata: { name: 'cfg', namespace: 'default' }, ...o });

describe('configmaps', () => {
  test('discovery facts', () => {
    assert.deepEqual([def.plural, def.singular, def.shortNames, def.namespaced], ['configmaps', 'configmap', ['cm'], true]);
  });

  test('validation', () => {
    const big = 'x'.repeat(1024 * 1024);
    const cases: [string, Partial<ConfigMap>, string[]][] = [
      ['valid', { data: { 'key.name': 'v', KEY_NAME: 'v', 'key-name': 'v' }, binaryData: { bin: 'AAE=' } }, []],
      ['bad key', { data: { 'a/b': 'v' } }, ['FieldValueInvalid data[a/b]']],
      ['key ..', { data: { '..': 'v' } }, ['FieldValueInvalid data[..]']],
      ['bad binary key', { binaryData: { 'a b': 'AA==' } }, ['FieldValueInvalid binaryData[a b]']],
      ['same key in both', { data: { k: 'v' }, binaryData: { k: 'AA==' } }, ['FieldValueInvalid data[k]']],
      ['exactly 1 MiB', { data: { k: big } }, []],
      ['over 1 MiB, counted in bytes', { data: { k: big.slice(1) + 'é' } }, ['FieldValueTooLong ']],
      ['binary counts decoded bytes', { data: { k: big.slice(3) }, binaryData: { b: 'AAAAAA==' } }, ['FieldValueTooLong ']],
      ['bad base64', { binaryData: { b: 'AA=A' } }, ['FieldValueInvalid binaryData[b]']],
    ];
    for (const [name, o, want] of cases) assert.deepEqual(summary(def.validate!(cm(o))), want, name);
    const [keyErr] = def.validate!(cm({ data: { 'a/b': 'v' } }));
    assert.equal(
      keyErr!.message,
      `Invalid value: "a/b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    );
    assert.equal(def.validate!(cm({ data: { k: big + 'x' } }))[0]!.message, 'Too long: may not be more than 1048576 bytes');
  });

  test('base64 as Go decodes it', () => {
    const cases: [string, number | string][] = [
      ['', 0],
      ['YQ==', 1],
      ['YWJj', 3],
      ['YWJ', 'illegal base64 data at input byte 0'],
      ['Y!==', 'illegal base64 data at input byte 1'],
    ];
    for (const [s, want] of cases) assert.equal(base64Length(s), want, s);
  });

  test('immutable configmaps keep their data', () => {
    const old = cm({ immutable: true, data: { a: '1' } });
    const cases: [Partial<ConfigMap>, string[]][] = [
      [{ immutable: true, data: { a: '1' }, metadata: { name: 'cfg', labels: { x: 'y' } } }, []],
      [{ immutable: true, data: { a: '2' } }, ['FieldValueForbidden data']],
      [{ immutable: false, data: { a: '1' } }, ['FieldValueForbidden immutable']],
      [{ immutable: true, data: { a: '1' }, binaryData: { b: 'AA==' } }, ['FieldValueForbidden binaryData']],
    ];
    for (const [o, want] of cases) assert.deepEqual(summary(def.validateUpdate!(cm(o), old)), want, JSON.stringify(o));
    assert.match(def.validateUpdate!(cm({ immutable: true, data: {} }), old)[0]!.message, /^Forbidden: field is immutable when `immutable` is set$/);
    assert.deepEqual(def.validateUpdate!(cm({ data: { a: '2' } }), cm({ data: { a: '1' } })), []);
  });

  test('DATA counts both maps', () => {
    const row = def.table!.cells(cm({ data: { a: '1', b: '2' }, binaryData: { c: 'AA==' }, metadata: { name: 'cfg', creationTimestamp: '2024-01-01T00:00:00Z' } }), new Date('2024-01-03T00:00:00Z'));
    assert.deepEqual(row, ['cfg', 3, '2d']);
    assert.deepEqual(def.table!.columns.map((c) => c.name), ['Name', 'Data', 'Age']);
  });
});
