// The compact schema language the tables in ./schemas are written in, and its compiled form.
//
// A table maps message name -> field number -> spec, where a spec is `'<jsonName> <type>'`:
//   scalars     string | bool | int32 | int64 | bytes (base64 in JSON)
//   specials    time (metav1.Time -> RFC 3339, seconds), microtime (metav1.MicroTime -> RFC 3339,
//               microseconds), quantity (resource.Quantity -> its string), intstr (intstr.IntOrString
//               -> number or string), rawjson (runtime.RawExtension / metav1.FieldsV1: embedded JSON),
//               strings (a message whose field 1 is a repeated string, e.g. authentication/v1 ExtraValue,
//               which JSON writes as a bare array)
//   messages    `Name` (same package) or `pkg.Name` (e.g. `meta.ObjectMeta`)
//   `[]T`       repeated T
//   `map<V>`    a map with string keys (repeated key=1/value=2 entries on the wire) and values V
//   `T?`        (scalars only) the Go field is a non-pointer with `omitempty` in its JSON tag: gogo
//               protobuf writes it even when zero, upstream JSON leaves it out, so a zero is dropped
//   `... T`     (messages only) the Go field is embedded with `json:",inline"`: its fields are merged
//               into the parent object (Probe's ProbeHandler, Volume's VolumeSource, ...)
// Everything else is decoded exactly as it is on the wire: pointer scalars keep their zeros, and
// non-pointer structs (always written by gogo) become objects even when empty, like upstream JSON.

export type MessageTable = Readonly<Record<string, Readonly<Record<number, string>>>>;

export type ScalarType = 'string' | 'bool' | 'int32' | 'int64' | 'bytes';
export type SpecialType = 'time' | 'microtime' | 'quantity' | 'intstr' | 'rawjson' | 'strings';

export type ValueType =
  | { kind: 'scalar'; type: ScalarType }
  | { kind: 'special'; type: SpecialType }
  | { kind: 'message'; message: Message }
  | { kind: 'map'; value: ValueType };

export interface Field {
  readonly number: number;
  /** The JSON name; empty for inline fields. */
  readonly json: string;
  readonly repeated: boolean;
  readonly inline: boolean;
  readonly dropZero: boolean;
  readonly type: ValueType;
}

export interface Message {
  /** The protobuf full name, for messages: `k8s.io.api.core.v1.ConfigMap`. */
  readonly name: string;
  readonly fields: Map<number, Field>;
}

/** One protobuf package: its id as used in cross-package references, its proto package name and tables. */
export interface SchemaPackage {
  readonly id: string;
  readonly proto: string;
  readonly tables: readonly MessageTable[];
}

const SCALARS: ReadonlySet<string> = new Set<ScalarType>(['string', 'bool', 'int32', 'int64', 'bytes']);
const SPECIALS: ReadonlySet<string> = new Set<SpecialType>(['time', 'microtime', 'quantity', 'intstr', 'rawjson', 'strings']);
const SPEC = /^(\S+) ((?:\[\])?)(\S+?)(\??)$/;

/**
 * Compiles every package's tables into linked Message objects, keyed `<pkg id>.<Name>`. Throws on
 * a malformed spec or a reference to a message no table defines: both are bugs in the tables.
 */
export function compileSchemas(packages: readonly SchemaPackage[]): Map<string, Message> {
  const messages = new Map<string, Message>();
  const specs: { pkg: SchemaPackage; name: string; fields: Readonly<Record<number, string>> }[] = [];
  for (const pkg of packages) {
    for (const table of pkg.tables) {
      for (const [name, fields] of Object.entries(table)) {
        const key = `${pkg.id}.${name}`;
        if (messages.has(key)) throw new Error(`protobuf schema: ${key} is defined twice`);
        messages.set(key, { name: `${pkg.proto}.${name}`, fields: new Map() });
        specs.push({ pkg, name, fields });
      }
    }
  }
  for (const { pkg, name, fields } of specs) {
    const message = messages.get(`${pkg.id}.${name}`)!;
    for (const [num, spec] of Object.entries(fields)) {
      const field = parseField(Number(num), spec, pkg.id, messages);
      if (!field) throw new Error(`protobuf schema: ${pkg.id}.${name} field ${num}: cannot parse ${JSON.stringify(spec)}`);
      message.fields.set(field.number, field);
    }
  }
  return messages;
}

function parseField(number: number, spec: string, pkgId: string, messages: Map<string, Message>): Field | undefined {
  if (!Number.isInteger(number) || number < 1) return undefined;
  if (spec.startsWith('... ')) {
    const type = resolveType(spec.slice(4), pkgId, messages);
    if (type?.kind !== 'message') return undefined;
    return { number, json: '', repeated: false, inline: true, dropZero: false, type };
  }
  const m = SPEC.exec(spec);
  if (!m) return undefined;
  const [, json, repeated, typeName, drop] = m as unknown as [string, string, string, string, string];
  const type = resolveType(typeName, pkgId, messages);
  if (!type) return undefined;
  // `?` only means something for a singular scalar: repeated and message fields are absent when empty.
  if (drop && (repeated || type.kind !== 'scalar')) return undefined;
  return { number, json, repeated: repeated !== '', inline: false, dropZero: drop !== '', type };
}

function resolveType(name: string, pkgId: string, messages: Map<string, Message>): ValueType | undefined {
  if (SCALARS.has(name)) return { kind: 'scalar', type: name as ScalarType };
  if (SPECIALS.has(name)) return { kind: 'special', type: name as SpecialType };
  if (name.startsWith('map<') && name.endsWith('>')) {
    const value = resolveType(name.slice(4, -1), pkgId, messages);
    return value && value.kind !== 'map' ? { kind: 'map', value } : undefined;
  }
  const message = messages.get(name.includes('.') ? name : `${pkgId}.${name}`);
  if (!message) throw new Error(`protobuf schema: unknown message ${name} (referenced from package ${pkgId})`);
  return { kind: 'message', message };
}
