// Reading and decoding request bodies: JSON or YAML, at most 3 MiB (upstream's limit), with clear
// 4xx Statuses for everything else.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { badRequest, requestEntityTooLarge, unsupportedMediaType } from '../../apimachinery/errors.js';
import { decodeProtobufObject, isProtobufContentType } from '../protobuf/index.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    throw requestEntityTooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw requestEntityTooLarge(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export type BodyFormat = 'json' | 'yaml' | 'protobuf';

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The format of a create/update body from its Content-Type (415 for anything else). */
export function bodyFormat(contentType: string | undefined): BodyFormat {
  const t = mediaType(contentType);
  if (t === '' || t === 'application/json' || t === '*/*') return 'json';
  if (t === 'application/yaml' || t === 'application/x-yaml' || t === 'text/yaml') return 'yaml';
  if (isProtobufContentType(t)) return 'protobuf';
  throw unsupportedMediaType(t);
}

/** Parses a body into a value; malformed input is a 400 that says where it broke. */
export function decodeBody(body: Buffer, format: BodyFormat): unknown {
  // kubectl 1.32+ sends the bodies of its typed commands (create configmap, ...) as protobuf.
  if (format === 'protobuf') return decodeProtobufObject(body).object;
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest('the request body is empty');
  if (format === 'json') {
    try {
      return JSON.parse(text);
    } catch (e) {
      throw badRequest(`the request body is not valid JSON: ${(e as Error).message}`);
    }
  }
  try {
    const docs = parseAllDocuments(text);
    if (!Array.isArray(docs) && 'errors' in docs) throw new Error('unreadable YAML');
    const list = Array.isArray(docs) ? docs : [docs];
    const nonEmpty = list.filter((d) => d.contents !== null);
    if (nonEmpty.length !== 1) throw new Error(`expected one YAML document, found ${nonEmpty.length}`);
    const doc = nonEmpty[0]!;
    if (doc.errors.length > 0) throw new Error(doc.errors[0]!.message.split('\n')[0]);
    return parseYaml(text);
  } catch (e) {
    throw badRequest(`the request body is not valid YAML: ${(e as Error).message}`);
  }
}

/** A body must be an object whose apiVersion and kind, when present, name what the URL names. */
export function expectObject(value: unknown, what = 'object'): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(`the request body must be a JSON ${what}, not ${Array.isArray(value) ? 'an array' : typeof value}`);
  }
  return value as Record<string, unknown>;
}
