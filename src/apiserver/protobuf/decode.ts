// Decodes one protobuf message into the plain object upstream's JSON encoding of the same Go value
// would produce, driven by the compiled schema (./schema.ts). Field order follows the wire, which
// gogo writes in field-number order; a singular field seen twice keeps its last value.
import type { Message, ScalarType, SpecialType, ValueType } from './schema.js';
import { Reader, WIRE_BYTES, WIRE_VARINT, decodeString, malformed } from './wire.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Decodes buf[start, end) as `message`; `path` names where it sits, for error messages. */
export function decodeMessage(message: Message, buf: Uint8Array, start: number, end: number, path: string): JsonObject {
  const out: JsonObject = {};
  const reader = new Reader(buf, start, end);
  const where = path || '<root>';
  while (!reader.done) {
    const { number, wireType } = reader.tag(`${where} (${message.name})`);
    const field = message.fields.get(number);
    if (!field) throw malformed(`unknown field number ${number} in message ${message.name} at ${where}`);
    const fieldPath = field.inline ? path : path ? `${path}.${field.json}` : field.json;
    const type = field.type;
    if (field.repeated && wireType === WIRE_BYTES && type.kind === 'scalar' && isPackable(type.type)) {
      // Packed repeated numbers: proto2 writers (gogo included) do not pack, but parsers accept both.
      const { start: s, end: e } = reader.lengthDelimited(fieldPath);
      const packed = new Reader(buf, s, e);
      const list = arrayAt(out, field.json);
      while (!packed.done) list.push(scalarFromVarint(type.type, packed.varint(fieldPath)));
      continue;
    }
    if (type.kind === 'map') {
      expectWire(wireType, WIRE_BYTES, fieldPath);
      const entry = reader.lengthDelimited(fieldPath);
      const [key, value] = readMapEntry(buf, entry.start, entry.end, type.value, fieldPath);
      setOwn(objectAt(out, field.json), key, value);
      continue;
    }
    const valuePath = field.repeated ? `${fieldPath}[${countAt(out, field.json)}]` : fieldPath;
    const value = readValue(reader, type, wireType, valuePath);
    if (field.inline) {
      Object.assign(out, value as JsonObject);
    } else if (field.repeated) {
      arrayAt(out, field.json).push(value === undefined ? null : value);
    } else if (value === undefined || (field.dropZero && isZero(value))) {
      delete out[field.json];
    } else {
      out[field.json] = value;
    }
  }
  return out;
}

const isPackable = (t: ScalarType) => t === 'bool' || t === 'int32' || t === 'int64';

/** Map keys come from the client: `__proto__` must become an own key (as JSON.parse makes it), not a prototype. */
function setOwn(obj: JsonObject, key: string, value: Json): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

const isZero = (v: Json) => v === '' || v === 0 || v === false;

function arrayAt(out: JsonObject, key: string): Json[] {
  const existing = out[key];
  if (Array.isArray(existing)) return existing;
  const list: Json[] = [];
  out[key] = list;
  return list;
}

function objectAt(out: JsonObject, key: string): JsonObject {
  const existing = out[key];
  if (existing && typeof existing === 'object' && !Array.isArray(existing)) return existing;
  const map: JsonObject = {};
  out[key] = map;
  return map;
}

/** A map entry message: key=1 (string), value=2; a missing part is its type's zero value. */
function readMapEntry(buf: Uint8Array, start: number, end: number, type: ValueType, path: string): [string, Json] {
  const reader = new Reader(buf, start, end);
  let key = '';
  let value: Json | undefined;
  while (!reader.done) {
    const { number, wireType } = reader.tag(path);
    if (number === 1) {
      expectWire(wireType, WIRE_BYTES, path);
      const r = reader.lengthDelimited(path);
      key = decodeString(buf, r.start, r.end);
    } else if (number === 2) {
      value = readValue(reader, type, wireType, `${path}[${JSON.stringify(key)}]`);
    } else {
      throw malformed(`unknown field number ${number} in a map entry at ${path}`);
    }
  }
  return [key, value ?? zeroOf(type)];
}

const SPECIAL_ZEROS: Record<SpecialType, Json> = { quantity: '0', intstr: 0, strings: [], time: null, microtime: null, rawjson: null };
const SCALAR_ZEROS: Record<ScalarType, Json> = { string: '', bytes: '', bool: false, int32: 0, int64: 0 };

function zeroOf(type: ValueType): Json {
  if (type.kind === 'message') return {};
  if (type.kind === 'special') return structuredClone(SPECIAL_ZEROS[type.type]);
  return type.kind === 'scalar' ? SCALAR_ZEROS[type.type] : null;
}

const countAt = (out: JsonObject, key: string) => {
  const existing = out[key];
  return Array.isArray(existing) ? existing.length : 0;
};

/** One value of `type` at the reader; undefined means "upstream JSON would leave this out". */
function readValue(reader: Reader, type: ValueType, wireType: number, path: string): Json | undefined {
  if (type.kind === 'scalar' && type.type !== 'string' && type.type !== 'bytes') {
    expectWire(wireType, WIRE_VARINT, path);
    return scalarFromVarint(type.type, reader.varint(path));
  }
  expectWire(wireType, WIRE_BYTES, path);
  const { start, end } = reader.lengthDelimited(path);
  const buf = reader.buf;
  switch (type.kind) {
    case 'scalar':
      return type.type === 'string' ? decodeString(buf, start, end) : Buffer.from(buf.subarray(start, end)).toString('base64');
    case 'message':
      return decodeMessage(type.message, buf, start, end, path);
    case 'special':
      return decodeSpecial(type.type, buf, start, end, path);
    case 'map':
      throw malformed(`field ${path}: a map cannot be nested in a map`);
  }
}

function expectWire(actual: number, expected: number, path: string): void {
  if (actual !== expected) throw malformed(`field ${path} has wire type ${actual}, expected ${expected}`);
}

function scalarFromVarint(type: ScalarType, v: bigint): Json {
  switch (type) {
    case 'bool':
      return v !== 0n;
    case 'int32':
      return Number(BigInt.asIntN(32, v));
    default:
      // int64 becomes a JS number like every JSON number kubets handles; values past 2^53 lose
      // precision, which no Kubernetes int64 field reaches in practice.
      return Number(BigInt.asIntN(64, v));
  }
}

type RawValue = bigint | { start: number; end: number };

/** The fields of a special message, read generically: number -> last raw value. */
function readRaw(buf: Uint8Array, start: number, end: number, path: string, allowed: Record<number, number>) {
  const values = new Map<number, RawValue>();
  const reader = new Reader(buf, start, end);
  while (!reader.done) {
    const { number, wireType } = reader.tag(path);
    const wire = allowed[number];
    if (wire === undefined) throw malformed(`unknown field number ${number} at ${path}`);
    expectWire(wireType, wire, path);
    values.set(number, wire === WIRE_VARINT ? reader.varint(path) : reader.lengthDelimited(path));
  }
  return values;
}

function decodeSpecial(type: SpecialType, buf: Uint8Array, start: number, end: number, path: string): Json | undefined {
  const str = (r?: RawValue) => (typeof r === 'object' ? decodeString(buf, r.start, r.end) : '');
  const num = (r?: RawValue) => (typeof r === 'bigint' ? r : 0n);
  switch (type) {
    case 'time':
    case 'microtime': {
      // metav1.Timestamp: seconds=1 (int64), nanos=2 (int32). Upstream JSON writes the zero time as
      // null; omitting it means the same to every reader.
      const raw = readRaw(buf, start, end, path, { 1: WIRE_VARINT, 2: WIRE_VARINT });
      const seconds = BigInt.asIntN(64, num(raw.get(1)));
      const nanos = Number(BigInt.asIntN(32, num(raw.get(2))));
      if (seconds === 0n && nanos === 0) return undefined;
      return formatTime(seconds, nanos, type === 'microtime', path);
    }
    case 'quantity': {
      // resource.Quantity: its canonical string at field 1; the zero Quantity prints "0".
      const s = str(readRaw(buf, start, end, path, { 1: WIRE_BYTES }).get(1));
      return s === '' ? '0' : s;
    }
    case 'intstr': {
      // intstr.IntOrString: type=1 (0 int, 1 string), intVal=2, strVal=3.
      const raw = readRaw(buf, start, end, path, { 1: WIRE_VARINT, 2: WIRE_VARINT, 3: WIRE_BYTES });
      return num(raw.get(1)) === 1n ? str(raw.get(3)) : Number(BigInt.asIntN(32, num(raw.get(2))));
    }
    case 'rawjson': {
      const raw = readRaw(buf, start, end, path, { 1: WIRE_BYTES }).get(1);
      const text = str(raw);
      if (text === '') return undefined;
      try {
        return JSON.parse(text) as Json;
      } catch {
        throw malformed(`field ${path} does not hold JSON`);
      }
    }
    case 'strings': {
      const list: string[] = [];
      const reader = new Reader(buf, start, end);
      while (!reader.done) {
        const { number, wireType } = reader.tag(path);
        if (number !== 1) throw malformed(`unknown field number ${number} at ${path}`);
        expectWire(wireType, WIRE_BYTES, path);
        const r = reader.lengthDelimited(path);
        list.push(decodeString(buf, r.start, r.end));
      }
      return list;
    }
  }
}

function formatTime(seconds: bigint, nanos: number, micro: boolean, path: string): string {
  const ms = Number(seconds) * 1000;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime()) || nanos < 0 || nanos > 999_999_999) {
    throw malformed(`field ${path} is not a valid time`);
  }
  // metav1.Time marshals with second precision (RFC 3339), MicroTime with six fractional digits.
  const base = date.toISOString().slice(0, 19);
  return micro ? `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${base}Z`;
}
