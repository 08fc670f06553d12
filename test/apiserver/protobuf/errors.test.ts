// Bodies kubets must refuse with 400 BadRequest and a message saying what is wrong.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../../../src/apimachinery/errors.js';
import { decodeProtobufObject } from '../../../src/apiserver/protobuf/index.js';
import { MAGIC, bytes, envelope, int, ld, msg, objectMeta, str, tag, varint } from './writer.js';

const configMap = envelope('v1', 'ConfigMap', objectMeta(1, { name: 'c' }), msg(2, str(1, 'a'), str(2, 'b')));

const cases: { name: string; body: Buffer; message: RegExp }[] = [
  { name: 'an empty body', body: Buffer.alloc(0), message: /does not appear to be a protobuf message, expected prefix \[107 56 115 0\]/ },
  { name: 'a JSON body', body: Buffer.from('{"kind":"ConfigMap"}'), message: /does not appear to be a protobuf message/ },
  { name: 'only the magic, short', body: MAGIC.subarray(0, 3), message: /does not appear to be a protobuf message/ },
  { name: 'a truncated body', body: configMap.subarray(0, 30), message: /truncated data in runtime.Unknown field 2: length \d+ runs past the end/ },
  {
    name: 'a length running past its parent message',
    body: envelope('v1', 'ConfigMap', Buffer.concat([tag(1, 2), varint(50), str(1, 'c')])),
    message: /truncated data in metadata: length 50 runs past the end of the message/,
  },
  {
    name: 'a varint cut short',
    body: envelope('scheduling.k8s.io/v1', 'PriorityClass', Buffer.concat([tag(2, 0), Buffer.from([0x80, 0x80])])),
    message: /truncated varint in value$/,
  },
  {
    name: 'a varint longer than ten bytes',
    body: envelope('scheduling.k8s.io/v1', 'PriorityClass', Buffer.concat([tag(2, 0), Buffer.alloc(11, 0xff)])),
    message: /varint longer than 10 bytes/,
  },
  {
    name: 'an unknown kind',
    body: envelope('v1', 'Frobnicator', objectMeta(1, { name: 'x' })),
    message: /^no protobuf schema for Frobnicator in v1; send JSON$/,
  },
  {
    name: 'an unknown apiVersion',
    body: envelope('example.com/v1', 'ConfigMap'),
    message: /^no protobuf schema for ConfigMap in example.com\/v1; send JSON$/,
  },
  {
    name: 'a kind served only in another version',
    body: envelope('apps/v1beta1', 'Deployment'),
    message: /^no protobuf schema for Deployment in apps\/v1beta1; send JSON$/,
  },
  {
    name: 'DeleteOptions under an unknown group',
    body: envelope('example.com/v1', 'DeleteOptions'),
    message: /no protobuf schema for DeleteOptions in example.com\/v1/,
  },
  {
    name: 'an empty envelope',
    body: Buffer.from(MAGIC),
    message: /no protobuf schema for <empty kind> in <empty apiVersion>/,
  },
  {
    name: 'an unknown field number at the top level',
    body: envelope('v1', 'ConfigMap', objectMeta(1, { name: 'c' }), str(99, 'x')),
    message: /unknown field number 99 in message k8s\.io\.api\.core\.v1\.ConfigMap at <root>/,
  },
  {
    name: 'an unknown field number in a nested message',
    body: envelope('apps/v1', 'Deployment', msg(2, msg(3, msg(2, msg(2, str(1, 'c'), int(77, 1)))))),
    message: /unknown field number 77 in message k8s\.io\.api\.core\.v1\.Container at spec\.template\.spec\.containers\[0\]/,
  },
  {
    name: 'an unknown field in a map entry',
    body: envelope('v1', 'ConfigMap', msg(2, str(1, 'a'), str(3, 'b'))),
    message: /unknown field number 3 in a map entry at data/,
  },
  {
    name: 'a wrong wire type',
    body: envelope('v1', 'ConfigMap', int(2, 5)),
    message: /field data has wire type 0, expected 2/,
  },
  {
    name: 'a group wire type',
    body: envelope('v1', 'ConfigMap', tag(2, 3)),
    message: /unsupported wire type 3 for field 2/,
  },
  {
    name: 'field number zero',
    body: envelope('v1', 'ConfigMap', tag(0, 2)),
    message: /field number 0/,
  },
  {
    name: 'an unknown envelope field',
    body: Buffer.concat([MAGIC, msg(1, str(1, 'v1'), str(2, 'ConfigMap')), str(7, 'x')]),
    message: /unknown field number 7 in message k8s\.io\.apimachinery\.pkg\.runtime\.Unknown/,
  },
  {
    name: 'an unknown TypeMeta field',
    body: Buffer.concat([MAGIC, msg(1, str(3, 'x'))]),
    message: /unknown field number 3 in message k8s\.io\.apimachinery\.pkg\.runtime\.TypeMeta/,
  },
  {
    name: 'a compressed raw object',
    body: Buffer.concat([MAGIC, msg(1, str(1, 'v1'), str(2, 'ConfigMap')), ld(2, Buffer.from([1, 2])), str(3, 'gzip')]),
    message: /content encoding "gzip" is not supported/,
  },
  {
    name: 'fieldsV1 that is not JSON',
    body: envelope('v1', 'ConfigMap', msg(1, msg(17, msg(7, bytes(1, Buffer.from('{nope')))))),
    message: /field metadata\.managedFields\[0\]\.fieldsV1 does not hold JSON/,
  },
  {
    name: 'an unknown field inside a Time',
    body: envelope('v1', 'ConfigMap', msg(1, msg(8, int(1, 5), int(3, 1)))),
    message: /unknown field number 3 at metadata\.creationTimestamp/,
  },
];

describe('decodeProtobufObject rejects bad bodies with 400 BadRequest', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.throws(
        () => decodeProtobufObject(c.body),
        (e: unknown) => {
          assert.ok(e instanceof StatusError, `not a StatusError: ${String(e)}`);
          assert.equal(e.code, 400);
          assert.equal(e.reason, 'BadRequest');
          assert.match(e.message, c.message);
          return true;
        },
      );
    });
  }

  it('the same envelope intact decodes (the truncation cases are not failing for another reason)', () => {
    assert.deepEqual(decodeProtobufObject(configMap).object, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } });
  });
});
