// What a request is about, read from its method and path as upstream's RequestInfoFactory reads
// it: /api/v1/namespaces/{ns}/{resource}/{name}/{subresource} and /apis/{group}/{version}/...

export type Verb =
  | 'get'
  | 'list'
  | 'watch'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'deletecollection'
  | 'proxy'
  | 'connect';

export interface ResourceRequestInfo {
  isResourceRequest: true;
  verb: Verb;
  /** '' for the core group (/api). */
  group: string;
  version: string;
  /** '' for a cluster-wide request. */
  namespace: string;
  resource: string;
  /** '' for collection requests. */
  name: string;
  subresource: string;
  /** Path segments after the subresource (e.g. proxy paths). */
  rest: string[];
}

export interface NonResourceRequestInfo {
  isResourceRequest: false;
  verb: string;
  path: string;
  /** For /api, /apis, /apis/{group}, /api/{version}, /apis/{group}/{version}: which one. */
  discovery?: { group?: string; version?: string; root: 'api' | 'apis' };
}

export type RequestInfo = ResourceRequestInfo | NonResourceRequestInfo;

const methodVerbs: Record<string, Verb> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

/** Parses a request; `query` decides list vs watch (`watch=true|1`). */
export function parseRequestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const parts = pathname.split('/').filter((p) => p !== '');
  const nonResource = (): NonResourceRequestInfo => ({
    isResourceRequest: false,
    verb: method.toLowerCase(),
    path: pathname,
  });
  if (parts.length === 0 || (parts[0] !== 'api' && parts[0] !== 'apis')) return nonResource();
  const root = parts[0] as 'api' | 'apis';
  let i = 1;
  let group = '';
  if (root === 'apis') {
    if (parts.length < 3) {
      return { ...nonResource(), discovery: { root, group: parts[1] } };
    }
    group = parts[i++]!;
  } else if (parts.length < 2) {
    return { ...nonResource(), discovery: { root } };
  }
  const version = parts[i++]!;
  if (i >= parts.length) return { ...nonResource(), discovery: { root, group, version } };

  let verb: Verb = methodVerbs[method] ?? 'get';
  let watchPrefix = false;
  if (parts[i] === 'watch') {
    // Deprecated /api/v1/watch/... paths.
    watchPrefix = true;
    i++;
  }
  let namespace = '';
  // /namespaces/{ns}/{resource}... names a namespaced resource; /namespaces/{name}[/status|finalize]
  // names the namespace object itself (upstream's namespaceSubresources).
  if (parts[i] === 'namespaces' && parts.length > i + 2 && !NAMESPACE_SUBRESOURCES.has(parts[i + 2]!)) {
    namespace = decodeURIComponent(parts[i + 1]!);
    i += 2;
  }
  const resource = parts[i++] ?? '';
  const name = parts[i] !== undefined ? decodeURIComponent(parts[i++]!) : '';
  const subresource = parts[i] !== undefined ? parts[i++]! : '';
  const rest = parts.slice(i);
  if (!name) {
    if (verb === 'get') verb = watchPrefix || isWatch(query) ? 'watch' : 'list';
    else if (verb === 'delete') verb = 'deletecollection';
  } else if (verb === 'get' && (watchPrefix || isWatch(query))) {
    verb = 'watch';
  }
  return { isResourceRequest: true, verb, group, version, namespace, resource, name, subresource, rest };
}

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function isWatch(query: URLSearchParams): boolean {
  const w = query.get('watch');
  return w === 'true' || w === '1';
}
