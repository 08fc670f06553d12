// Cross-checks every schema table against the protobuf descriptors compiled into the real kubectl
// 1.33 binary: Go's gogo-generated code registers each generated.proto as a gzipped
// FileDescriptorProto, so the binary carries upstream's exact field numbers, names and types.
// Every field upstream defines must be in our tables (or a client's valid body would be refused as
// having an unknown field), with the same number, name, type and cardinality, and `?` (drop zero)
// only on fields gogo marks non-nullable (Go non-pointers).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { protobufSchemas } from '../../../src/apiserver/protobuf/index.js';
import type { Field, ValueType } from '../../../src/apiserver/protobuf/schema.js';

const KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.33';

interface DescField {
  number: number;
  name: string;
  type: number;
  typeName: string;
  repeated: boolean;
  nonNullable: boolean;
}
interface DescMessage {
  fields: DescField[];
  mapEntry: boolean;
}

type Raw = [number, number | Buffer];

/** Just enough of the wire format to read descriptors (an independent reader from the one under test). */
function fieldsOf(buf: Buffer): Raw[] {
  const out: Raw[] = [];
  let pos = 0;
  const varint = () => {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = buf[pos++]!;
      result += (b & 0x7f) * mul;
      mul *= 128;
      if (b < 0x80) return result;
    }
  };
  while (pos < buf.length) {
    const key = varint();
    const wire = key % 8;
    const num = Math.floor(key / 8);
    if (wire === 0) out.push([num, varint()]);
    else if (wire === 2) {
      const len = varint();
      out.push([num, buf.subarray(pos, pos + len)]);
      pos += len;
    } else if (wire === 5) pos += 4;
    else if (wire === 1) pos += 8;
    else throw new Error(`descriptor wire type ${wire}`);
  }
  return out;
}
const str = (v: number | Buffer) => (Buffer.isBuffer(v) ? v.toString('utf8') : '');

function collect(prefix: string, desc: Buffer, into: Map<string, DescMessage>): void {
  const raw = fieldsOf(desc);
  const name = `${prefix}.${str(raw.find(([n]) => n === 1)![1])}`;
  const message: DescMessage = { fields: [], mapEntry: false };
  for (const [n, v] of raw) {
    if (n === 2 && Buffer.isBuffer(v)) {
      const f = new Map<number, number | Buffer>(fieldsOf(v));
      // FieldOptions extension 65001 is gogoproto.nullable; nullable=false means a Go non-pointer.
      const options = f.get(8);
      const nonNullable = Buffer.isBuffer(options) && fieldsOf(options).some(([on, ov]) => on === 65001 && ov === 0);
      message.fields.push({
        number: f.get(3) as number,
        name: str(f.get(1)!),
        type: f.get(5) as number,
        typeName: str(f.get(6) ?? Buffer.alloc(0)),
        repeated: f.get(4) === 3,
        nonNullable,
      });
    } else if (n === 3 && Buffer.isBuffer(v)) collect(name, v, into);
    else if (n === 7 && Buffer.isBuffer(v)) message.mapEntry = fieldsOf(v).some(([on, ov]) => on === 7 && ov === 1);
  }
  into.set(name, message);
}

function loadDescriptors(): Map<string, DescMessage> {
  const binary = readFileSync(KUBECTL);
  const gzipMagic = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0]);
  const messages = new Map<string, DescMessage>();
  for (let i = binary.indexOf(gzipMagic); i >= 0; i = binary.indexOf(gzipMagic, i + 1)) {
    // Not every gzip stream in the binary is a descriptor; whatever does not parse as one is skipped.
    let raw: Raw[];
    try {
      raw = fieldsOf(gunzipSync(binary.subarray(i, i + 1_000_000)));
    } catch {
      continue;
    }
    const fileName = str(raw.find(([n]) => n === 1)?.[1] ?? Buffer.alloc(0));
    if (!fileName.endsWith('generated.proto')) continue;
    const pkg = str(raw.find(([n]) => n === 2)![1]);
    for (const [n, v] of raw) if (n === 4 && Buffer.isBuffer(v)) collect(`.${pkg}`, v, messages);
  }
  return messages;
}

const SCALAR_CODES: Record<string, number> = { int64: 3, int32: 5, bool: 8, string: 9, bytes: 12 };
const SPECIAL_MESSAGES: Record<string, string[]> = {
  time: ['.k8s.io.apimachinery.pkg.apis.meta.v1.Time'],
  microtime: ['.k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime'],
  quantity: ['.k8s.io.apimachinery.pkg.api.resource.Quantity'],
  intstr: ['.k8s.io.apimachinery.pkg.util.intstr.IntOrString'],
  rawjson: ['.k8s.io.apimachinery.pkg.runtime.RawExtension', '.k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1'],
  strings: ['.k8s.io.api.authentication.v1.ExtraValue', '.k8s.io.api.authorization.v1.ExtraValue', '.k8s.io.api.certificates.v1.ExtraValue'],
};
/** Where the JSON name differs from the proto name (the Go struct tags disagree upstream). */
const RENAMED: Record<string, string> = { 'k8s.io.api.authentication.v1.BoundObjectReference.4': 'uid' };

/** Returns a description of the mismatch, or '' when `ours` matches the descriptor field. */
function typeMismatch(ours: ValueType, theirs: DescField, descriptors: Map<string, DescMessage>): string {
  switch (ours.kind) {
    case 'scalar':
      return theirs.type === SCALAR_CODES[ours.type] ? '' : `scalar ${ours.type} vs proto type ${theirs.type}`;
    case 'special':
      return SPECIAL_MESSAGES[ours.type]!.includes(theirs.typeName) ? '' : `${ours.type} vs ${theirs.typeName}`;
    case 'message':
      return theirs.typeName === `.${ours.message.name}` ? '' : `${ours.message.name} vs ${theirs.typeName}`;
    case 'map': {
      const entry = descriptors.get(theirs.typeName);
      if (!entry?.mapEntry) return `map vs ${theirs.typeName}`;
      const key = entry.fields.find((f) => f.number === 1)!;
      const value = entry.fields.find((f) => f.number === 2)!;
      if (key.type !== SCALAR_CODES.string) return 'map key is not a string';
      return typeMismatch(ours.value, value, descriptors);
    }
  }
}

describe('schema tables match the descriptors compiled into kubectl 1.33', () => {
  const descriptors = loadDescriptors();
  const schemas = protobufSchemas();

  it('the binary yields the generated.proto descriptors we rely on', () => {
    for (const m of ['.k8s.io.api.core.v1.Pod', '.k8s.io.api.apps.v1.Deployment', '.k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta']) {
      assert.ok(descriptors.has(m), `${m} not found in ${KUBECTL}`);
    }
  });

  for (const message of new Set(schemas.values())) {
    it(message.name, () => {
      const desc = descriptors.get(`.${message.name}`);
      assert.ok(desc, `no descriptor for ${message.name}`);
      const problems: string[] = [];
      for (const theirs of desc.fields) {
        const ours: Field | undefined = message.fields.get(theirs.number);
        if (!ours) {
          problems.push(`missing field ${theirs.number} ${theirs.name}`);
          continue;
        }
        const expectedName = RENAMED[`${message.name}.${theirs.number}`] ?? theirs.name;
        if (ours.inline) {
          if (ours.type.kind !== 'message' || theirs.repeated || !theirs.nonNullable) problems.push(`${theirs.number}: inline must be an embedded struct`);
        } else if (ours.json !== expectedName) {
          problems.push(`${theirs.number}: json name ${ours.json}, proto name ${theirs.name}`);
        }
        const isMap = ours.type.kind === 'map';
        if (!isMap && ours.repeated !== theirs.repeated) problems.push(`${theirs.number} ${theirs.name}: repeated ${ours.repeated} vs ${theirs.repeated}`);
        if (isMap && (!theirs.repeated || ours.repeated)) problems.push(`${theirs.number} ${theirs.name}: map cardinality`);
        const mismatch = typeMismatch(ours.type, theirs, descriptors);
        if (mismatch) problems.push(`${theirs.number} ${theirs.name}: ${mismatch}`);
        if (ours.dropZero && !theirs.nonNullable && theirs.type !== SCALAR_CODES.bytes) {
          problems.push(`${theirs.number} ${theirs.name}: '?' on a pointer field (zero values of pointers are meaningful)`);
        }
      }
      for (const n of message.fields.keys()) {
        if (!desc.fields.some((f) => f.number === n)) problems.push(`field ${n} is not in upstream's message`);
      }
      assert.deepEqual(problems, []);
    });
  }
});
