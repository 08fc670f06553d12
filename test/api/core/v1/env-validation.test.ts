import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EnvFromSource, EnvVar } from 'kubernetes-types/core/v1.js';
import { isConfigMapKey, isEnvVarName, validateEnv, validateEnvFrom } from '../../../../src/api/core/v1/env-validation.js';
import { FieldPath } from '../../../../src/apimachinery/field-errors.js';
import { summary } from '../../workload-fixtures.js';

const path = FieldPath.root('env');

describe('validateEnv', () => {
  const cases: [string, EnvVar[], string[]][] = [
    ['plain values', [{ name: 'A', value: '1' }, { name: 'my.var-1', value: '' }], []],
    ['missing name', [{ name: '' }], ['FieldValueRequired env[0].name']],
    ['= in name', [{ name: 'A=B' }], ['FieldValueInvalid env[0].name']],
    ['non-ASCII name', [{ name: 'Ä' }], ['FieldValueInvalid env[0].name']],
    ['field ref', [{ name: 'N', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }], []],
    ['field ref to a label', [{ name: 'N', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.labels['app']" } } }], []],
    ['field ref not for env', [{ name: 'N', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.labels' } } }], ['FieldValueNotSupported env[0].valueFrom.fieldRef.fieldPath']],
    ['unknown field ref', [{ name: 'N', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.foo' } } }], ['FieldValueInvalid env[0].valueFrom.fieldRef.fieldPath']],
    ['resource ref', [{ name: 'N', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } }], []],
    ['bad resource ref', [{ name: 'N', valueFrom: { resourceFieldRef: { resource: 'limits.gpu' } } }], ['FieldValueNotSupported env[0].valueFrom.resourceFieldRef.resource']],
    ['secret key ref', [{ name: 'N', valueFrom: { secretKeyRef: { name: 's', key: 'password' } } }], []],
    ['config map key missing', [{ name: 'N', valueFrom: { configMapKeyRef: { name: 'c', key: '' } } }], ['FieldValueRequired env[0].valueFrom.configMapKeyRef.key']],
    ['empty valueFrom', [{ name: 'N', valueFrom: {} }], ['FieldValueInvalid env[0].valueFrom']],
    ['value and valueFrom', [{ name: 'N', value: 'x', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }], ['FieldValueInvalid env[0].valueFrom']],
  ];
  for (const [name, env, expected] of cases) it(name, () => assert.deepEqual(summary(validateEnv(env, path)), expected));

  it('says which sources are possible', () => {
    assert.equal(validateEnv([{ name: 'N', valueFrom: {} }], path)[0]!.message, 'Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`');
  });
});

describe('validateEnvFrom', () => {
  const cases: [string, EnvFromSource[], string[]][] = [
    ['config map', [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }], []],
    ['no source (reported on the list)', [{}], ['FieldValueInvalid envFrom']],
    ['both sources', [{ configMapRef: { name: 'a' }, secretRef: { name: 'b' } }], ['FieldValueInvalid envFrom']],
    ['secret without name', [{ secretRef: {} }], ['FieldValueRequired envFrom[0].secretRef.name']],
    ['bad prefix', [{ configMapRef: { name: 'a' }, prefix: 'A=' }], ['FieldValueInvalid envFrom[0].prefix']],
  ];
  for (const [name, envFrom, expected] of cases) {
    it(name, () => assert.deepEqual(summary(validateEnvFrom(envFrom, FieldPath.root('envFrom'))), expected));
  }
});

describe('name rules', () => {
  it('env var names are printable ASCII but =', () => {
    assert.deepEqual(isEnvVarName('1-weird.NAME'), []);
    assert.equal(isEnvVarName('a\tb').length, 1);
  });

  const keys: [string, number][] = [
    ['config.yaml', 0],
    ['KEY_NAME', 0],
    ['.', 1],
    ['..', 1],
    ['..data', 1],
    ['a/b', 1],
  ];
  for (const [key, count] of keys) it(`config map key ${key}: ${count}`, () => assert.equal(isConfigMapKey(key).length, count));
});
