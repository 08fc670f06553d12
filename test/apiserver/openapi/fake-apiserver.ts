// A minimal API server for driving the real kubectl against kubets' OpenAPI documents: version,
// legacy (non-aggregated) discovery, /openapi/v3 and an in-memory object store that records the
// writes it receives. Only for tests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResourceDefinition } from '../../../src/api/types.js';
import {
  type OpenApiSchemas,
  openApiV2Stub,
  openApiV3Document,
  openApiV3Hash,
  openApiV3Index,
  parseOpenApiV3Path,
} from '../../../src/apiserver/openapi/index.js';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  contentType: string;
  body: string;
}

export interface FakeApiServer {
  url: string;
  requests: RecordedRequest[];
  objects: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

const gvOf = (r: ResourceDefinition) => (r.group ? `${r.group}/${r.version}` : r.version);

export async function startFakeApiServer(resources: ResourceDefinition[], schemas: OpenApiSchemas): Promise<FakeApiServer> {
  const gvs = [...new Set(resources.map(gvOf))];
  const docs = new Map<string, object>();
  for (const gv of gvs) {
    const [group, version] = gv.includes('/') ? gv.split('/') : ['', gv];
    docs.set(gv, openApiV3Document({ group, version }, resources, schemas));
  }
  const requests: RecordedRequest[] = [];
  const objects = new Map<string, Record<string, unknown>>();
  let rv = 100;

  const resourceList = (gv: string) => ({
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv,
    resources: resources
      .filter((r) => gvOf(r) === gv)
      .map((r) => ({
        name: r.plural,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      })),
  });

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, contentType: req.headers['content-type'] ?? '', body });
      const send = (code: number, obj: unknown) => {
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(obj));
      };
      const notFound = (message = 'the server could not find the requested resource') =>
        send(404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'NotFound', code: 404 });
      const p = url.pathname;
      if (p === '/version') {
        return send(200, { major: '1', minor: '30', gitVersion: 'v1.30.0', gitCommit: 'kubets', gitTreeState: 'clean', buildDate: '2024-01-01T00:00:00Z', goVersion: 'go1.22.0', compiler: 'gc', platform: 'linux/amd64' });
      }
      if (p === '/api') return send(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: url.host }] });
      if (p === '/apis') {
        const groups = [...new Set(resources.filter((r) => r.group).map((r) => r.group))].map((name) => {
          const versions = gvs.filter((gv) => gv.startsWith(`${name}/`)).map((gv) => ({ groupVersion: gv, version: gv.split('/')[1] }));
          return { name, versions, preferredVersion: versions[0] };
        });
        return send(200, { kind: 'APIGroupList', apiVersion: 'v1', groups });
      }
      if (p === '/openapi/v2') {
        const stub = openApiV2Stub();
        res.writeHead(200, { 'Content-Type': stub.contentType });
        return res.end(stub.body);
      }
      if (p === '/openapi/v3') return send(200, openApiV3Index(gvs, (gv) => openApiV3Hash(docs.get(gv))));
      const openapiGv = parseOpenApiV3Path(p);
      if (openapiGv) {
        const doc = docs.get(openapiGv.group ? `${openapiGv.group}/${openapiGv.version}` : openapiGv.version);
        return doc ? send(200, doc) : notFound();
      }
      const m = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))(?:\/namespaces\/([^/]+))?(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(p);
      if (!m) return notFound();
      const gv = m[1] ?? m[2];
      const [ns, plural, name] = [m[3], m[4], m[5]];
      if (!plural) return gvs.includes(gv) ? send(200, resourceList(gv)) : notFound();
      const def = resources.find((r) => gvOf(r) === gv && r.plural === plural);
      if (!def) return notFound();
      const key = `${gv}/${ns ?? ''}/${plural}`;
      if (req.method === 'POST' && !name) {
        const obj = JSON.parse(body) as { metadata: Record<string, unknown> };
        obj.metadata = { ...obj.metadata, namespace: ns, uid: `uid-${rv}`, resourceVersion: String(++rv), creationTimestamp: '2024-01-01T00:00:00Z' };
        objects.set(`${key}/${String(obj.metadata.name)}`, obj);
        return send(201, obj);
      }
      const existing = name ? objects.get(`${key}/${name}`) : undefined;
      if (!existing) return notFound(`${def.plural}${def.group ? `.${def.group}` : ''} "${name}" not found`);
      // GET and PATCH answer with the stored object: the tests inspect the patch kubectl sent.
      return send(200, existing);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    objects,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
