// A tiny protobuf writer for building request bodies by hand in tests, the way gogo protobuf lays
// them out: a tag, then a varint or a length-prefixed payload. Each helper returns one encoded field.

export function varint(value: number | bigint): Buffer {
  // Negative numbers are written as their 64-bit two's complement (ten bytes), as Go does for int32/int64.
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

export const tag = (field: number, wireType: number) => varint(field * 8 + wireType);

/** A length-delimited field (wire type 2) holding `payload`. */
export const ld = (field: number, payload: Uint8Array) => Buffer.concat([tag(field, 2), varint(payload.length), payload]);
export const str = (field: number, s: string) => ld(field, Buffer.from(s, 'utf8'));
export const bytes = (field: number, b: Uint8Array) => ld(field, b);
export const int = (field: number, n: number | bigint) => Buffer.concat([tag(field, 0), varint(n)]);
export const bool = (field: number, b: boolean) => int(field, b ? 1 : 0);
/** An embedded message field made of the given encoded fields. */
export const msg = (field: number, ...fields: Buffer[]) => ld(field, Buffer.concat(fields));
/** One map entry: key at 1, `value` (already encoded as field 2) after it. */
export const entry = (field: number, key: string, value: Buffer) => msg(field, str(1, key), value);
/** map<string,string> as repeated entries, in the sorted key order gogo writes. */
export const stringMap = (field: number, map: Record<string, string>) =>
  Buffer.concat(Object.keys(map).sort().map((k) => entry(field, k, str(2, map[k]!))));

/** metav1.Time / MicroTime: seconds=1, nanos=2 (gogo writes both, zero or not). */
export const time = (field: number, seconds: number, nanos = 0) => msg(field, int(1, seconds), int(2, nanos));
/** resource.Quantity: its string at field 1. */
export const quantity = (field: number, s: string) => msg(field, str(1, s));
/** intstr.IntOrString: type=1 (0 int, 1 string), intVal=2, strVal=3, all three written. */
export const intOrString = (field: number, v: number | string) =>
  typeof v === 'number' ? msg(field, int(1, 0), int(2, v), str(3, '')) : msg(field, int(1, 1), int(2, 0), str(3, v));

export const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** The full body: magic, then runtime.Unknown{typeMeta, raw, contentEncoding "", contentType ""}. */
export const envelope = (apiVersion: string, kind: string, ...raw: Buffer[]) =>
  Buffer.concat([MAGIC, msg(1, str(1, apiVersion), str(2, kind)), msg(2, ...raw), str(3, ''), str(4, '')]);

/**
 * ObjectMeta as gogo writes it for a Go value with only the given strings set: every non-pointer
 * field is present, zero or not (name=1, generateName=2, namespace=3, selfLink=4, uid=5,
 * resourceVersion=6, generation=7, creationTimestamp=8, labels=11, annotations=12).
 */
export function objectMeta(
  field: number,
  m: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; created?: number },
): Buffer {
  return msg(
    field,
    str(1, m.name ?? ''),
    str(2, ''),
    str(3, m.namespace ?? ''),
    str(4, ''),
    str(5, ''),
    str(6, ''),
    int(7, 0),
    time(8, m.created ?? 0),
    stringMap(11, m.labels ?? {}),
    stringMap(12, m.annotations ?? {}),
  );
}
