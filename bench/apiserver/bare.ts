// The ceiling of the API server benchmark: a bare Node HTTPS server, in its own process, with
// kubets's serving certificate and the same client-certificate handshake, that answers every
// request with bytes kubets answered before: no routing beyond the shape of the path, no storage,
// no JSON work. Whatever rate the load process reaches against it is the most Node's HTTPS
// (and the load process) allow on this machine for those bytes.
//
//   node dist/bench/apiserver/bare.js '<BareConfig as JSON>'   prints "bare: serving at https://..."

import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** Files the orchestrator wrote from kubets's answers, and kubets's TLS material. */
export interface BareConfig {
  tlsDir: string;
  /** GET of one object. */
  getFile: string;
  /** POST to a pod collection (201). */
  createdPodFile: string;
  /** POST to a configmap collection (201); also the object of the watch events it sends. */
  createdConfigMapFile: string;
  /** GET of a collection. */
  listFile: string;
  /** GET of a collection asking for a Table. */
  tableFile: string;
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as BareConfig;
const read = (f: string): Buffer => readFileSync(f);
const tls = (name: string): Buffer => read(`${cfg.tlsDir}/${name}`);

const getBody = read(cfg.getFile);
const createdPod = read(cfg.createdPodFile);
const createdConfigMap = read(cfg.createdConfigMapFile);
const listBody = read(cfg.listFile);
const tableBody = read(cfg.tableFile);
// kubets writes one event per line: {"type":"ADDED","object":<the object>}.
const eventLine = Buffer.concat([Buffer.from('{"type":"ADDED","object":'), createdConfigMap, Buffer.from('}\n')]);

const watchers = new Set<ServerResponse>();
const UNAUTHORIZED = Buffer.from('{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Unauthorized","code":401}');

function answer(res: ServerResponse, code: number, body: Buffer): void {
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': body.length,
    'Cache-Control': 'no-cache, private',
  });
  res.end(body);
}

function serve(req: IncomingMessage, res: ServerResponse): void {
  // The client certificate was asked for in the handshake, as kubets does; refuse requests without one.
  if (!(req.socket as TLSSocket).authorized) return answer(res, 401, UNAUTHORIZED);
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (req.method === 'POST') {
    req.on('data', () => {});
    req.on('end', () => {
      if (path.endsWith('/configmaps')) {
        answer(res, 201, createdConfigMap);
        for (const w of watchers) w.write(eventLine);
      } else {
        answer(res, 201, createdPod);
      }
    });
    return;
  }
  if (q >= 0 && url.includes('watch=true', q)) {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    watchers.add(res);
    res.on('close', () => watchers.delete(res));
    return;
  }
  // A collection is /api/v1/namespaces/NS/RESOURCE: an even number of segments.
  const isCollection = path.split('/').length % 2 === 0;
  if (!isCollection) return answer(res, 200, getBody);
  const accept = req.headers.accept ?? '';
  answer(res, 200, accept.includes('as=Table') ? tableBody : listBody);
}

const server = createServer(
  { cert: tls('server.crt'), key: tls('server.key'), ca: tls('ca.crt'), requestCert: true, rejectUnauthorized: false },
  serve,
);
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`bare: serving at https://127.0.0.1:${port}\n`);
});

const stop = (): void => {
  for (const w of watchers) w.end();
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
