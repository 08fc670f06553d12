// Strategic merge patch semantics, on a test type shaped like upstream's own test fixture
// (strategicpatch's MergeItem), with cases adapted from upstream's patch_test.go; then the
// errors as the API returns them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../../src/apimachinery/errors.js';
import { PatchFailure } from '../../../src/apiserver/patch/failures.js';
import { applyStrategicMergePatch } from '../../../src/apiserver/patch/index.js';
import { type FieldMeta, type TypeMeta, mergeList, primitiveSet, replaceMap, retainKeys } from '../../../src/apiserver/patch/schema.js';
import { mergeMap } from '../../../src/apiserver/patch/strategic.js';
import { POD, pod } from './fixtures.js';

const fields: Record<string, FieldMeta> = {};
const MergeItem: TypeMeta = fields;
Object.assign(fields, {
  mergingList: mergeList('name', MergeItem),
  mergingIntList: primitiveSet,
  retainKeysMap: retainKeys(),
  retainKeysMergingList: retainKeys(mergeList('name', MergeItem)),
  replacingItem: replaceMap(),
});

const smp = (original: object, patch: object) =>
  mergeMap(structuredClone(original) as Record<string, unknown>, structuredClone(patch) as Record<string, unknown>, MergeItem);

interface Case {
  name: string;
  current: object;
  patch: object;
  result: object;
}

const cases: Case[] = [
  { name: 'add a field to a map', current: { name: 1, other: 'a' }, patch: { value: 1 }, result: { name: 1, other: 'a', value: 1 } },
  { name: 'null deletes a field', current: { name: 1, value: 1, other: 'a' }, patch: { name: null, value: null }, result: { other: 'a' } },
  { name: 'null for an absent field is ignored', current: { name: 'a' }, patch: { other: null }, result: { name: 'a' } },
  { name: 'nested map field deleted', current: { simpleMap: { key1: 1, key2: 1 } }, patch: { simpleMap: { key2: null } }, result: { simpleMap: { key1: 1 } } },
  { name: 'lists without a strategy are replaced', current: { nonMergingIntList: [1, 2] }, patch: { nonMergingIntList: [2, 3] }, result: { nonMergingIntList: [2, 3] } },
  { name: 'scalar lists merge as sets', current: { mergingIntList: [1, 2] }, patch: { mergingIntList: [2, 3] }, result: { mergingIntList: [1, 2, 3] } },
  { name: 'patch order wins for named scalars', current: { mergingIntList: [1, 2, 3] }, patch: { mergingIntList: [3, 1, 2] }, result: { mergingIntList: [3, 1, 2] } },
  { name: 'server-only scalars interleave', current: { mergingIntList: [1, 2, 3] }, patch: { mergingIntList: [3, 1] }, result: { mergingIntList: [2, 3, 1] } },
  { name: '$patch: delete on a nested map empties it', current: { simpleMap: { key1: 1 } }, patch: { simpleMap: { $patch: 'delete' } }, result: { simpleMap: {} } },
  { name: '$patch: replace on the whole object', current: { name: 1, value: 1 }, patch: { other: 'a', $patch: 'replace' }, result: { other: 'a' } },
  { name: '$patch: replace on a merging list', current: { mergingList: [{ name: 1 }, { name: 2 }] }, patch: { mergingList: [{ $patch: 'replace' }, { name: 3 }] }, result: { mergingList: [{ name: 3 }] } },
  { name: 'an empty merging list changes nothing', current: { mergingList: [{ name: 1 }] }, patch: { mergingList: [] }, result: { mergingList: [{ name: 1 }] } },
  {
    name: 'delete every map of a merging list',
    current: { mergingList: [{ name: 1, other: 'a' }, { name: 2 }] },
    patch: { mergingList: [{ name: 1, $patch: 'delete' }, { name: 2, $patch: 'delete' }] },
    result: { mergingList: [] },
  },
  {
    name: 'a replace-strategy map is replaced whole',
    current: { replacingItem: { a: 1, b: 2 } },
    patch: { replacingItem: { c: 3 } },
    result: { replacingItem: { c: 3 } },
  },
  {
    name: 'patch order wins in a merging list',
    current: { mergingList: [{ name: 1 }, { name: 2, value: 'b' }, { name: 3 }] },
    patch: { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }, { name: 2, other: 'x' }] },
    result: { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }, { name: 2, value: 'b', other: 'x' }] },
  },
  {
    name: 'server-only maps interleave by live position',
    current: { mergingList: [{ name: 1 }, { name: 2, value: 'b' }, { name: 3 }] },
    patch: { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }] },
    result: { mergingList: [{ name: 2, value: 'b' }, { name: 3, value: 'c' }, { name: 1, value: 'a' }] },
  },
  {
    name: '$setElementOrder places new and live maps',
    current: { mergingList: [{ name: 1, other: 'a' }, { name: 2, value: 2, other: 'b' }] },
    patch: {
      '$setElementOrder/mergingList': [{ name: 4 }, { name: 1 }, { name: 2 }, { name: 3 }],
      mergingList: [{ name: 4, value: 4 }, { name: 3, value: 3 }],
    },
    result: { mergingList: [{ name: 4, value: 4 }, { name: 1, other: 'a' }, { name: 2, value: 2, other: 'b' }, { name: 3, value: 3 }] },
  },
  {
    name: '$setElementOrder may name items neither side has',
    current: { mergingList: [{ name: 1 }, { name: 3 }] },
    patch: { '$setElementOrder/mergingList': [{ name: 3 }, { name: 2 }, { name: 1 }], mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] },
    result: { mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] },
  },
  {
    name: '$setElementOrder alone reorders a scalar list',
    current: { mergingIntList: [1, 3] },
    patch: { '$setElementOrder/mergingIntList': [3, 2, 1] },
    result: { mergingIntList: [3, 1] },
  },
  {
    name: '$deleteFromPrimitiveList with $setElementOrder keeps server-only items',
    current: { mergingIntList: [1, 2, 3, 3, 4] },
    patch: { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] },
    result: { mergingIntList: [1, 2, 4] },
  },
  {
    name: 'add and delete in one scalar patch',
    current: { mergingIntList: [1, 2, 3] },
    patch: { '$setElementOrder/mergingIntList': [1, 2, 4], '$deleteFromPrimitiveList/mergingIntList': [3], mergingIntList: [4] },
    result: { mergingIntList: [1, 2, 4] },
  },
  {
    name: '$deleteFromPrimitiveList for an absent list deletes nothing',
    current: { name: 'a' },
    patch: { '$deleteFromPrimitiveList/mergingIntList': [3] },
    result: { name: 'a' },
  },
  {
    name: '$retainKeys clears keys it does not name',
    current: { retainKeysMap: { name: 'foo', value: 'a', other: 'b' } },
    patch: { retainKeysMap: { $retainKeys: ['name', 'other'], other: 'c' } },
    result: { retainKeysMap: { name: 'foo', other: 'c' } },
  },
  {
    name: 'without $retainKeys a retainKeys map merges',
    current: { retainKeysMap: { name: 'foo', value: 'a' } },
    patch: { retainKeysMap: { value: null } },
    result: { retainKeysMap: { name: 'foo' } },
  },
  {
    name: '$retainKeys inside a merging list item',
    current: { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'a' }] },
    patch: { retainKeysMergingList: [{ name: 'foo', $retainKeys: ['name', 'other'], other: 'b' }] },
    result: { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', other: 'b' }] },
  },
  {
    name: 'directives in a value the live object lacks are applied, not stored',
    current: {},
    patch: { mergingList: [{ name: 1, $patch: 'delete' }, { name: 2, simpleMap: { gone: null, kept: 1 } }] },
    result: { mergingList: [{ name: 2, simpleMap: { kept: 1 } }] },
  },
  {
    name: 'a value whose JSON type changed is replaced',
    current: { mergingList: 'scalar', value: { a: 1 } },
    patch: { mergingList: [{ name: 1 }], value: 'x' },
    result: { mergingList: [{ name: 1 }], value: 'x' },
  },
  {
    name: 'an untagged list is merged by the key its $setElementOrder names',
    current: { items: [{ id: 'a', v: 1 }, { id: 'b', v: 1 }] },
    patch: { '$setElementOrder/items': [{ id: 'b' }, { id: 'a' }], items: [{ id: 'b', v: 2 }] },
    result: { items: [{ id: 'b', v: 2 }, { id: 'a', v: 1 }] },
  },
  {
    name: 'an untagged list with a $patch item is merged by that item\'s key',
    current: { items: [{ id: 'a' }, { id: 'b' }] },
    patch: { items: [{ id: 'a', $patch: 'delete' }] },
    result: { items: [{ id: 'b' }] },
  },
];

test('strategic merge patch case table', () => {
  for (const c of cases) {
    assert.deepEqual(smp(c.current, c.patch), c.result, c.name);
  }
});

test('engine failures carry upstream messages', () => {
  const failures: Array<[string, object, object, RegExp]> = [
    ['missing merge key', { mergingList: [{ name: 1, value: 'a' }] }, { mergingList: [{ value: 'b' }] }, /^map: map\[value:b\] does not contain declared merge key: name$/],
    ['order mismatch (maps)', { mergingList: [{ name: 1 }, { name: 3 }, { name: 2 }] }, { '$setElementOrder/mergingList': [{ name: 1 }, { name: 2 }, { name: 3 }], mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] }, /doesn't match \$setElementOrder list/],
    ['order mismatch (scalars)', { mergingIntList: [1, 3, 2] }, { '$setElementOrder/mergingIntList': [1, 2, 3], mergingIntList: [3, 1] }, /^The order in patch list:\n\[3 1\]\n doesn't match/],
  ];
  for (const [name, current, patch, message] of failures) {
    assert.throws(() => smp(current, patch), (e: unknown) => e instanceof PatchFailure && message.test(e.message), name);
  }
});

test('strategic merge patch errors map to upstream status codes', () => {
  const containers = (list: unknown[]) => ({ spec: { containers: list } });
  const withEmptyFinalizers = () => ({ ...pod(), metadata: { ...pod().metadata, finalizers: [] } });
  const cases: Array<{ name: string; patch: unknown; code: number; reason: string; message: string; live?: object }> = [
    { name: 'not an object', patch: ['x'], code: 400, reason: 'BadRequest', message: 'json: cannot unmarshal array into Go value of type map[string]interface {}' },
    { name: 'a string', patch: 'x', code: 400, reason: 'BadRequest', message: 'json: cannot unmarshal string into Go value of type map[string]interface {}' },
    { name: '$retainKeys not a list', patch: { spec: { $retainKeys: 'x' } }, code: 400, reason: 'BadRequest', message: 'invalid patch format of retainKeys' },
    { name: '$retainKeys missing a patched key', patch: { spec: { $retainKeys: ['nodeName'], hostname: 'h' } }, code: 400, reason: 'BadRequest', message: 'invalid patch format of retainKeys' },
    { name: 'malformed $setElementOrder', patch: { spec: { $setElementOrder: [] } }, code: 400, reason: 'BadRequest', message: 'invalid patch format of setElementOrder list' },
    { name: 'malformed $deleteFromPrimitiveList', patch: { metadata: { $deleteFromPrimitiveListfinalizers: ['a'] } }, code: 400, reason: 'BadRequest', message: 'invalid patch format of primitive list' },
    { name: 'list of lists', live: withEmptyFinalizers(), patch: { metadata: { finalizers: [['a']] } }, code: 422, reason: 'Invalid', message: 'the server rejected our request due to an error in our request' },
    { name: 'missing merge key', patch: containers([{ image: 'nginx' }]), code: 500, reason: 'InternalError', message: 'map: map[image:nginx] does not contain declared merge key: name' },
    { name: 'unknown $patch in a list', patch: containers([{ name: 'web', $patch: 'bogus' }]), code: 500, reason: 'InternalError', message: 'unknown patch type: bogus in map: map[$patch:bogus name:web]' },
    { name: '$patch: merge in a list', patch: containers([{ $patch: 'merge' }]), code: 500, reason: 'InternalError', message: 'merging lists cannot yet be specified in the patch' },
    { name: 'unknown $patch on a map', patch: { spec: { $patch: 'remove' } }, code: 500, reason: 'InternalError', message: 'unknown patch type: remove in map: map[$patch:remove]' },
    { name: 'mixed element types', patch: containers(['web']), code: 500, reason: 'InternalError', message: 'list element types are not identical: [[map[env:[map[name:MODE value:prod] map[name:LOG_LEVEL value:info]] image:nginx:1.25 name:web ports:[map[containerPort:80 protocol:TCP]] volumeMounts:[map[mountPath:/etc/web name:config]]] map[args:[sleep infinity] image:busybox:1.36 name:sidecar]] [web]]' },
    { name: '$setElementOrder not a list', patch: { spec: { '$setElementOrder/containers': 'web' } }, code: 500, reason: 'InternalError', message: 'expected a []interface {}, but received a string' },
  ];
  for (const c of cases) {
    assert.throws(
      () => applyStrategicMergePatch(c.live ?? pod(), c.patch, POD),
      (e: unknown) => {
        assert.ok(e instanceof StatusError, c.name);
        assert.equal(e.code, c.code, c.name);
        assert.equal(e.reason, c.reason, c.name);
        assert.equal(e.message, c.message, c.name);
        return true;
      },
    );
  }
});

test('a null strategic patch changes nothing; the inputs are never mutated', () => {
  assert.deepEqual(applyStrategicMergePatch(pod(), null, POD), pod());
  const live = pod();
  const patch = { metadata: { labels: { app: null } }, spec: { containers: [{ name: 'web', $patch: 'delete' }] } };
  const before = structuredClone(patch);
  const out = applyStrategicMergePatch(live, patch, POD) as ReturnType<typeof pod>;
  assert.deepEqual(out.spec?.containers.map((c) => c.name), ['sidecar']);
  assert.deepEqual(live, pod());
  assert.deepEqual(patch, before);
});

test('a __proto__ key in a patch stays data and does not reach any prototype', () => {
  const out = applyStrategicMergePatch(pod(), JSON.parse('{"metadata":{"labels":{"__proto__":{"x":1}}}}'), POD) as ReturnType<typeof pod>;
  const labels = out.metadata!.labels as Record<string, unknown>;
  assert.ok(Object.hasOwn(labels, '__proto__'));
  assert.equal(Object.getPrototypeOf(labels), Object.prototype);
  assert.equal(({} as Record<string, unknown>).x, undefined);
});
