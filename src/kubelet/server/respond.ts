import type { ServerResponse } from 'node:http';

/** A plain-text error, as the kubelet's go-restful handlers write them (a cut stream once the body began). */
export function writeTextError(res: ServerResponse, code: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', ...headers });
  res.end(message);
}
