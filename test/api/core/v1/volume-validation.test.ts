import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Volume } from 'kubernetes-types/core/v1.js';
import { validateVolumes } from '../../../../src/api/core/v1/volume-validation.js';
import { FieldPath } from '../../../../src/apimachinery/field-errors.js';
import { summary } from '../../workload-fixtures.js';

const check = (volumes: Volume[]) => validateVolumes(volumes, FieldPath.root('volumes'));

describe('validateVolumes', () => {
  const cases: [string, Volume[], string[]][] = [
    ['emptyDir and secret', [{ name: 'a', emptyDir: {} }, { name: 'b', secret: { secretName: 's' } }], []],
    ['no name', [{ name: '', emptyDir: {} }], ['FieldValueRequired volumes[0].name']],
    ['name not a DNS label', [{ name: 'Data', emptyDir: {} }], ['FieldValueInvalid volumes[0].name']],
    ['duplicate names', [{ name: 'a', emptyDir: {} }, { name: 'a', emptyDir: {} }], ['FieldValueDuplicate volumes[1].name']],
    ['no source', [{ name: 'a' }], ['FieldValueRequired volumes[0]']],
    ['two sources', [{ name: 'a', emptyDir: {}, configMap: { name: 'c' } }], ['FieldValueForbidden volumes[0].configMap']],
    ['secret without name', [{ name: 'a', secret: {} }], ['FieldValueRequired volumes[0].secret.secretName']],
    ['configMap without name', [{ name: 'a', configMap: {} }], ['FieldValueRequired volumes[0].configMap.name']],
    ['bad file mode', [{ name: 'a', configMap: { name: 'c', defaultMode: 0o1000 } }], ['FieldValueInvalid volumes[0].configMap.defaultMode']],
    ['item path climbing out', [{ name: 'a', secret: { secretName: 's', items: [{ key: 'k', path: '../x' }] } }], ['FieldValueInvalid volumes[0].secret.items[0].path']],
    ['item path with a dot-dot name', [{ name: 'a', secret: { secretName: 's', items: [{ key: 'k', path: '..x' }] } }], ['FieldValueInvalid volumes[0].secret.items[0].path']],
    ['hostPath without path', [{ name: 'a', hostPath: { path: '' } }], ['FieldValueRequired volumes[0].hostPath.path']],
    ['bad hostPath type', [{ name: 'a', hostPath: { path: '/x', type: 'Dir' } }], ['FieldValueNotSupported volumes[0].hostPath.type']],
    ['claim without name', [{ name: 'a', persistentVolumeClaim: { claimName: '' } }], ['FieldValueRequired volumes[0].persistentVolumeClaim.claimName']],
    ['relative nfs path', [{ name: 'a', nfs: { server: 'nfs', path: 'x' } }], ['FieldValueInvalid volumes[0].nfs.path']],
  ];
  for (const [name, volumes, expected] of cases) it(name, () => assert.deepEqual(summary(check(volumes).errs), expected));

  it('returns only the volumes that validated', () => {
    const { valid } = check([{ name: 'a', emptyDir: {} }, { name: 'b' }]);
    assert.deepEqual([...valid.keys()], ['a']);
  });

  it('says which source was one too many', () => {
    const [e] = check([{ name: 'a', emptyDir: {}, hostPath: { path: '/x' } }]).errs;
    assert.equal(e!.message, 'Forbidden: may not specify more than 1 volume type');
  });
});
