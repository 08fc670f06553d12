// Paths that name no resource: health checks, /version, discovery and OpenAPI.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceRegistry } from '../api/registry.js';
import { pathNotFound } from '../apimachinery/errors.js';
import {
  aggregatedContentType,
  aggregatedDiscovery,
  apiGroupDocument,
  apiGroupList,
  apiResourceList,
  apiVersions,
} from './discovery.js';
import { chooseDiscovery } from './http/negotiation.js';
import { writeJson, writeText } from './http/respond.js';
import type { NonResourceRequestInfo } from './request-info.js';
import { registry } from '../metrics/registry.js';

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

export interface OpenApiServing {
  /** GET /openapi/v3: the index of group-version documents. */
  index(): unknown;
  /** GET /openapi/v3/{api/v1 | apis/g/v}: one document, or undefined when not served. */
  document(path: string): unknown | undefined;
  /** GET /openapi/v2: the protobuf document older kubectls fetch first. */
  v2: { contentType: string; body: Buffer };
}

export interface NonResourceDeps {
  registry: ResourceRegistry;
  version: VersionInfo;
  serverAddress: string;
  /** Readiness: false until storage and bootstrap are done. */
  isReady: () => boolean;
  openapi?: OpenApiServing;
}

export async function handleNonResource(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  info: NonResourceRequestInfo,
  deps: NonResourceDeps,
): Promise<void> {
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (/^\/(healthz|livez)(\/.*)?$/.test(path)) return writeText(res, 200, 'ok');
  if (/^\/readyz(\/.*)?$/.test(path)) {
    return deps.isReady() ? writeText(res, 200, 'ok') : writeText(res, 500, '[-]bootstrap failed: not finished\nreadyz check failed');
  }
  if (path === '/version') return writeJson(res, 200, deps.version);
  if (path === '/metrics') {
    // Prometheus text format of this process's metrics (work queues, process); authenticated only.
    const body = await registry.metrics();
    res.writeHead(200, { 'Content-Type': registry.contentType, 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  if (info.discovery) return discovery(req, res, info.discovery, deps);
  if (path === '/openapi/v2' && deps.openapi) {
    res.writeHead(200, { 'Content-Type': deps.openapi.v2.contentType, 'Content-Length': deps.openapi.v2.body.length });
    res.end(deps.openapi.v2.body);
    return;
  }
  if (path === '/openapi/v3' && deps.openapi) return writeJson(res, 200, deps.openapi.index());
  if (path.startsWith('/openapi/v3/') && deps.openapi) {
    const doc = deps.openapi.document(path.slice('/openapi/v3/'.length));
    if (doc !== undefined) return writeJson(res, 200, doc);
  }
  throw pathNotFound();
}

function discovery(
  req: IncomingMessage,
  res: ServerResponse,
  d: NonNullable<NonResourceRequestInfo['discovery']>,
  deps: NonResourceDeps,
): void {
  const { registry } = deps;
  if (d.version !== undefined) {
    if (!registry.hasGroupVersion({ group: d.group ?? '', version: d.version })) throw pathNotFound();
    return writeJson(res, 200, apiResourceList(registry, d.group ?? '', d.version));
  }
  if (d.root === 'apis' && d.group) {
    const doc = apiGroupDocument(registry, d.group);
    if (!doc) throw pathNotFound();
    return writeJson(res, 200, doc);
  }
  const aggregated = chooseDiscovery(req.headers.accept);
  res.setHeader('Vary', 'Accept');
  if (aggregated !== 'legacy') {
    return writeJson(res, 200, aggregatedDiscovery(registry, d.root, aggregated), aggregatedContentType(aggregated));
  }
  if (d.root === 'api') return writeJson(res, 200, apiVersions(deps.serverAddress));
  return writeJson(res, 200, apiGroupList(registry));
}
