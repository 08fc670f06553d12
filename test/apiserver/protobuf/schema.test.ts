// The schema language (compileSchemas) and the decoder's handling of each wire kind, on a
// made-up package so every kind is exercised whatever the real tables happen to use.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeMessage } from '../../../src/apiserver/protobuf/decode.js';
import { protobufSchemas } from '../../../src/apiserver/protobuf/index.js';
import { type MessageTable, compileSchemas } from '../../../src/apiserver/protobuf/schema.js';
import { KINDS, messageFor } from '../../../src/apiserver/protobuf/schemas/index.js';
import { bool, bytes, entry, int, intOrString, ld, msg, quantity, str, tag, time, varint } from './writer.js';

const TEST: MessageTable = {
  All: {
    1: 'i32 int32',
    2: 'i64 int64',
    3: 'flag bool',
    4: 'name string?',
    5: 'list []int64',
    6: 'micro microtime',
    7: 'at time',
    8: 'groups map<strings>',
    9: 'limits map<quantity>',
    10: 'children map<Child>',
    11: 'child Child',
    12: 'raw rawjson',
    13: 'port intstr',
    14: 'blob bytes?',
    15: 'count int32?',
    16: '... Inner',
  },
  Child: { 1: 'name string' },
  Inner: { 1: 'innerName string?' },
};
const all = compileSchemas([{ id: 't', proto: 'test.v1', tables: [TEST] }]).get('t.All')!;
const decode = (...fields: Buffer[]) => {
  const buf = Buffer.concat(fields);
  return decodeMessage(all, buf, 0, buf.length, '');
};

describe('decodeMessage wire kinds', () => {
  const cases: { name: string; fields: Buffer[]; want: Record<string, unknown> }[] = [
    { name: 'negative int32 (ten-byte varint)', fields: [int(1, -5)], want: { i32: -5 } },
    { name: 'int64 past 32 bits', fields: [int(2, 2 ** 40)], want: { i64: 2 ** 40 } },
    { name: 'negative int64', fields: [int(2, -3)], want: { i64: -3 } },
    { name: 'pointer bool false is kept', fields: [bool(3, false)], want: { flag: false } },
    { name: 'omitempty string "" is dropped', fields: [str(4, '')], want: {} },
    { name: 'omitempty int32 0 is dropped, 7 kept', fields: [int(15, 0)], want: {} },
    { name: 'omitempty bytes empty dropped', fields: [bytes(14, Buffer.alloc(0))], want: {} },
    { name: 'bytes as base64', fields: [bytes(14, Buffer.from([0xde, 0xad]))], want: { blob: '3q0=' } },
    { name: 'repeated int64 unpacked', fields: [int(5, 1), int(5, 2)], want: { list: [1, 2] } },
    { name: 'repeated int64 packed', fields: [ld(5, Buffer.concat([varint(1), varint(300), varint(-1)]))], want: { list: [1, 300, -1] } },
    { name: 'microtime keeps microseconds', fields: [time(6, 1704164645, 123456789)], want: { micro: '2024-01-02T03:04:05.123456Z' } },
    { name: 'time drops nanoseconds', fields: [time(7, 1704164645, 999_000_000)], want: { at: '2024-01-02T03:04:05Z' } },
    { name: 'zero time is omitted', fields: [time(7, 0, 0)], want: {} },
    { name: 'time before 1970', fields: [time(7, -86400)], want: { at: '1969-12-31T00:00:00Z' } },
    {
      name: 'map of string lists (ExtraValue)',
      fields: [entry(8, 'scopes', msg(2, str(1, 'a'), str(1, 'b'))), entry(8, 'none', msg(2))],
      want: { groups: { scopes: ['a', 'b'], none: [] } },
    },
    {
      name: 'map of quantities, a missing value is "0"',
      fields: [entry(9, 'cpu', quantity(2, '1')), msg(9, str(1, 'memory'))],
      want: { limits: { cpu: '1', memory: '0' } },
    },
    { name: 'map of messages', fields: [entry(10, 'x', msg(2, str(1, 'kid')))], want: { children: { x: { name: 'kid' } } } },
    { name: 'an empty non-pointer message is {}', fields: [msg(11)], want: { child: {} } },
    { name: 'a singular field seen twice keeps the last', fields: [msg(11, str(1, 'a')), msg(11, str(1, 'b'))], want: { child: { name: 'b' } } },
    { name: 'rawjson', fields: [msg(12, bytes(1, Buffer.from('[1,{"a":null}]')))], want: { raw: [1, { a: null }] } },
    { name: 'empty rawjson is omitted', fields: [msg(12)], want: {} },
    { name: 'intstr int', fields: [intOrString(13, 0)], want: { port: 0 } },
    { name: 'intstr string', fields: [intOrString(13, 'http')], want: { port: 'http' } },
    { name: 'inline message fields merge into the parent', fields: [msg(16, str(1, 'in'))], want: { innerName: 'in' } },
    { name: 'inline empty message adds nothing', fields: [msg(16, str(1, ''))], want: {} },
    { name: 'a __proto__ map key is an own key, as JSON.parse makes it', fields: [entry(10, '__proto__', msg(2, str(1, 'p')))], want: { children: JSON.parse('{"__proto__":{"name":"p"}}') } },
    { name: 'utf-8 strings', fields: [str(4, 'héllo ☃')], want: { name: 'héllo ☃' } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(decode(...c.fields), c.want));

  it('a __proto__ map key does not change the map object prototype', () => {
    const out = decode(entry(10, '__proto__', msg(2, str(1, 'p'))));
    const children = out.children as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(children), Object.prototype);
    assert.ok(Object.hasOwn(children, '__proto__'));
  });

  it('fields out of number order decode the same', () => {
    assert.deepEqual(decode(int(2, 9), int(1, 8)), { i64: 9, i32: 8 });
  });

  it('a packed list of varints that is cut short is an error', () => {
    assert.throws(() => decode(ld(5, Buffer.from([0x80]))), /truncated varint in list/);
  });

  it('a wire type 1 value for an int32 field is an error', () => {
    assert.throws(() => decode(tag(1, 1), Buffer.alloc(8)), /field i32 has wire type 1, expected 0/);
  });
});

describe('compileSchemas', () => {
  const bad: [string, MessageTable, RegExp][] = [
    ['an unknown message reference', { A: { 1: 'x Missing' } }, /unknown message Missing/],
    ['an unknown cross-package reference', { A: { 1: 'x other.B' } }, /unknown message other\.B/],
    ['a spec with no type', { A: { 1: 'x' } }, /cannot parse "x"/],
    ['? on a repeated field', { A: { 1: 'x []string?' } }, /cannot parse/],
    ['? on a message', { A: { 1: 'x A?' } }, /cannot parse/],
    ['inline of a scalar', { A: { 1: '... string' } }, /cannot parse/],
    ['a map of maps', { A: { 1: 'x map<map<string>>' } }, /cannot parse/],
    ['field number 0', { A: { 0: 'x string' } }, /cannot parse/],
  ];
  for (const [name, table, message] of bad) {
    it(`rejects ${name}`, () => assert.throws(() => compileSchemas([{ id: 't', proto: 't', tables: [table] }]), message));
  }

  it('rejects a message defined twice in one package', () => {
    assert.throws(() => compileSchemas([{ id: 't', proto: 't', tables: [{ A: {} }, { A: {} }] }]), /t\.A is defined twice/);
  });

  it('resolves references across packages', () => {
    const m = compileSchemas([
      { id: 'a', proto: 'pa', tables: [{ X: { 1: 'y b.Y' } }] },
      { id: 'b', proto: 'pb', tables: [{ Y: {} }] },
    ]);
    const field = m.get('a.X')!.fields.get(1)!;
    assert.equal(field.type.kind === 'message' && field.type.message.name, 'pb.Y');
  });
});

describe('the real tables', () => {
  it('compile, and every kind names a message with ObjectMeta at field 1', () => {
    const schemas = protobufSchemas();
    for (const [apiVersion, kinds] of Object.entries(KINDS)) {
      for (const [kind, ref] of Object.entries(kinds)) {
        const message = schemas.get(ref);
        assert.ok(message, `${apiVersion} ${kind}: ${ref} is not defined`);
        assert.ok(message.name.endsWith(`.${kind}`), `${apiVersion} ${kind} maps to ${message.name}`);
        const meta = message.fields.get(1);
        assert.equal(meta?.json, 'metadata', `${kind} field 1`);
        assert.equal(meta.type.kind === 'message' && meta.type.message.name, 'k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta');
      }
    }
  });

  it('messageFor: DeleteOptions in served groups and meta.k8s.io/v1 only; no prototype keys', () => {
    assert.equal(messageFor('batch/v1', 'DeleteOptions'), 'meta.DeleteOptions');
    assert.equal(messageFor('meta.k8s.io/v1', 'DeleteOptions'), 'meta.DeleteOptions');
    assert.equal(messageFor('nope/v1', 'DeleteOptions'), undefined);
    assert.equal(messageFor('v1', 'toString'), undefined);
    assert.equal(messageFor('constructor', 'Pod'), undefined);
    assert.equal(messageFor('v1', 'Pod'), 'core.Pod');
  });
});
