// HTTPS requests as a Kubernetes client makes them: the admin client certificate from the
// kubeconfig kubets wrote, pooled keep-alive connections, JSON bodies.

import { readFileSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import YAML from 'yaml';

export interface Credentials {
  ca: string;
  cert: string;
  key: string;
}

interface KubeconfigFile {
  clusters?: { cluster?: { 'certificate-authority-data'?: string } }[];
  users?: { user?: { 'client-certificate-data'?: string; 'client-key-data'?: string } }[];
}

const fromB64 = (s: string | undefined, what: string): string => {
  if (!s) throw new Error(`the kubeconfig has no ${what}`);
  return Buffer.from(s, 'base64').toString('utf8');
};

/** The CA, client certificate and key of the first cluster and user of a kubets kubeconfig. */
export function readCredentials(kubeconfigPath: string): Credentials {
  const kc = YAML.parse(readFileSync(kubeconfigPath, 'utf8')) as KubeconfigFile;
  return {
    ca: fromB64(kc.clusters?.[0]?.cluster?.['certificate-authority-data'], 'certificate-authority-data'),
    cert: fromB64(kc.users?.[0]?.user?.['client-certificate-data'], 'client-certificate-data'),
    key: fromB64(kc.users?.[0]?.user?.['client-key-data'], 'client-key-data'),
  };
}

/** A keep-alive agent; `maxSockets: Infinity` for watches, which each hold a connection. */
export function makeAgent(creds: Credentials, maxSockets: number, keepAlive = true): Agent {
  return new Agent({ ...creds, keepAlive, maxSockets, maxFreeSockets: Number.isFinite(maxSockets) ? maxSockets : 256 });
}

export interface Response {
  status: number;
  bytes: number;
  /** Only when asked for (keepBody); otherwise the body is counted and dropped. */
  body?: Buffer;
}

export interface RequestOptions {
  method?: string;
  body?: string;
  accept?: string;
  keepBody?: boolean;
}

/** One request; resolves once the whole response body has arrived. */
export function send(agent: Agent, base: URL, path: string, opts: RequestOptions = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { Accept: opts.accept ?? 'application/json' };
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(opts.body);
    }
    const req = httpsRequest(
      { agent, host: base.hostname, port: base.port, path, method: opts.method ?? 'GET', headers },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (opts.keepBody) chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, bytes, body: opts.keepBody ? Buffer.concat(chunks) : undefined }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** send() that must answer `expect` (a status or a list of them); throws with the body otherwise. */
export async function sendOk(
  agent: Agent,
  base: URL,
  path: string,
  expect: number | number[],
  opts: RequestOptions = {},
): Promise<Response> {
  const res = await send(agent, base, path, { ...opts, keepBody: true });
  const ok = Array.isArray(expect) ? expect.includes(res.status) : res.status === expect;
  if (!ok) {
    const text = res.body?.toString('utf8').slice(0, 400) ?? '';
    throw new Error(`${opts.method ?? 'GET'} ${path} answered ${res.status}: ${text}`);
  }
  return res;
}
