// Decoding of Kubernetes protobuf request bodies (Content-Type application/vnd.kubernetes.protobuf),
// which kubectl 1.32+ sends for its typed commands (`create configmap`, `create deployment`, ...)
// with no fallback to JSON. kubets answers in JSON, which the client accepts, so only decoding is
// needed: the body becomes the same plain object the JSON path would have parsed.
//
// The body is upstream's envelope: the 4 bytes `k8s\0`, then a runtime.Unknown message
// (typeMeta=1 {apiVersion=1, kind=2}, raw=2, contentEncoding=3, contentType=4) whose `raw` is the
// object's own message.
//
// Decisions (upstream JSON is the yardstick; kubectl 1.33's protobuf bodies are checked against
// kubectl 1.31's JSON bodies for the same commands in test/apiserver/protobuf/kubectl-*.test.ts):
// - What is on the wire is decoded, including zeros of pointer fields (`replicas: 0`,
//   `immutable: false`), except zero non-pointer scalars whose JSON tag has omitempty (gogo writes
//   them, upstream JSON leaves them out): those are dropped (schema marker `?`).
// - Non-pointer structs are always on the wire and become objects even when empty (`status: {}`),
//   as upstream JSON writes them. The zero metav1.Time (JSON null upstream) is omitted, as are
//   repeated fields and maps with no entries (JSON null when nil upstream).
// - int64 becomes a JS number (exact up to 2^53). Bytes become base64 strings, like JSON.
// - Unknown field numbers are an error rather than skipped (upstream skips them): silently losing
//   a field a client set would be worse than asking it to send JSON. The tables hold every field
//   of kubectl 1.33's messages, so only newer clients can meet this.
// - Kinds without a table, and a compressed `raw` (contentEncoding), are refused with a 400 that
//   says to send JSON; the inner contentType is ignored, as upstream reads `raw` as protobuf anyway.
import { badRequest } from '../../apimachinery/errors.js';
import { type JsonObject, decodeMessage } from './decode.js';
import { type Message, compileSchemas } from './schema.js';
import { messageFor, PACKAGES } from './schemas/index.js';
import { Reader, WIRE_BYTES, decodeString, malformed } from './wire.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

/** True for application/vnd.kubernetes.protobuf, whatever its parameters. */
export function isProtobufContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  return contentType.split(';', 1)[0]!.trim().toLowerCase() === PROTOBUF_MEDIA_TYPE;
}

let compiled: Map<string, Message> | undefined;
/** The compiled schemas, built on first use (a few hundred messages; cheap, but not needed by JSON-only servers). */
export function protobufSchemas(): Map<string, Message> {
  compiled ??= compileSchemas(PACKAGES);
  return compiled;
}

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
}

/** Decodes a protobuf request body into `{apiVersion, kind, ...fields}` as upstream JSON would spell it. */
export function decodeProtobufObject(body: Buffer): DecodedObject {
  if (body.length < MAGIC.length || MAGIC.some((b, i) => body[i] !== b)) {
    // Upstream's wording for the same failure (runtime/serializer/protobuf).
    throw badRequest(`provided data does not appear to be a protobuf message, expected prefix [${MAGIC.join(' ')}]`);
  }
  const envelope = readEnvelope(body);
  const { apiVersion, kind } = envelope;
  if (envelope.contentEncoding) throw malformed(`content encoding ${JSON.stringify(envelope.contentEncoding)} is not supported`);
  const ref = messageFor(apiVersion, kind);
  const message = ref ? protobufSchemas().get(ref) : undefined;
  if (!message) {
    throw badRequest(`no protobuf schema for ${kind || '<empty kind>'} in ${apiVersion || '<empty apiVersion>'}; send JSON`);
  }
  const fields: JsonObject = envelope.raw ? decodeMessage(message, body, envelope.raw.start, envelope.raw.end, '') : {};
  return { apiVersion, kind, object: { apiVersion, kind, ...fields } };
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw?: { start: number; end: number };
  contentEncoding: string;
}

function readEnvelope(body: Buffer): Envelope {
  const env: Envelope = { apiVersion: '', kind: '', contentEncoding: '' };
  const reader = new Reader(body, MAGIC.length);
  while (!reader.done) {
    const { number, wireType } = reader.tag('the runtime.Unknown envelope');
    if (number > 4) throw malformed(`unknown field number ${number} in message k8s.io.apimachinery.pkg.runtime.Unknown`);
    if (wireType !== WIRE_BYTES) throw malformed(`runtime.Unknown field ${number} has wire type ${wireType}, expected 2`);
    const range = reader.lengthDelimited(`runtime.Unknown field ${number}`);
    if (number === 1) Object.assign(env, readTypeMeta(body, range.start, range.end));
    else if (number === 2) env.raw = range;
    else if (number === 3) env.contentEncoding = decodeString(body, range.start, range.end);
    // 4 (contentType) names the raw bytes' media type; kubectl leaves it empty, and raw is protobuf regardless.
  }
  return env;
}

function readTypeMeta(body: Buffer, start: number, end: number): { apiVersion: string; kind: string } {
  const out = { apiVersion: '', kind: '' };
  const reader = new Reader(body, start, end);
  while (!reader.done) {
    const { number, wireType } = reader.tag('runtime.TypeMeta');
    if (number !== 1 && number !== 2) {
      throw malformed(`unknown field number ${number} in message k8s.io.apimachinery.pkg.runtime.TypeMeta`);
    }
    if (wireType !== WIRE_BYTES) throw malformed(`runtime.TypeMeta field ${number} has wire type ${wireType}, expected 2`);
    const r = reader.lengthDelimited('runtime.TypeMeta');
    out[number === 1 ? 'apiVersion' : 'kind'] = decodeString(body, r.start, r.end);
  }
  return out;
}
