import type { ServerResponse } from 'node:http';
import { toStatus } from '../../apimachinery/errors.js';

export function writeJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  writeJsonBytes(res, code, Buffer.from(JSON.stringify(body)), contentType);
}

/** JSON already serialised (stored bytes, spliced lists). */
export function writeJsonBytes(res: ServerResponse, code: number, body: Buffer, contentType = 'application/json'): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': body.length, 'Cache-Control': 'no-cache, private' });
  res.end(body);
}

/** JSON in pieces (a list spliced from stored bytes): written without joining them first. */
export function writeJsonParts(res: ServerResponse, code: number, parts: Buffer[]): void {
  let length = 0;
  for (const p of parts) length += p.length;
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': length, 'Cache-Control': 'no-cache, private' });
  res.cork();
  for (const p of parts) res.write(p);
  res.uncork();
  res.end();
}

/** Every failure leaves the server as a metav1.Status, here and only here. */
export function writeError(res: ServerResponse, e: unknown): void {
  const status = toStatus(e);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  writeJson(res, status.code ?? 500, status);
}

export function writeText(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(text);
}
