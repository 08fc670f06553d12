// Discovery documents: /api, /apis, /apis/{group}, /api/v1 and /apis/{group}/{version}, plain and
// aggregated (apidiscovery.k8s.io v2 and v2beta1), built from the resource registry.
import type { ResourceDefinition } from '../api/types.js';
import { type ResourceRegistry, gvString } from '../api/registry.js';

export const DEFAULT_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const SUBRESOURCE_VERBS = ['get', 'patch', 'update'];

interface Subresource {
  name: string;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
}

/** Subresources served beyond status and scale, with the kinds upstream gives them. */
const EXTRA_SUBRESOURCES: Record<string, Subresource[]> = {
  '/pods': [
    { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    { name: 'binding', kind: 'Binding', verbs: ['create'] },
    { name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
    { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'log', kind: 'Pod', verbs: ['get'] },
    { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  ],
  '/namespaces': [{ name: 'finalize', kind: 'Namespace', verbs: ['update'] }],
  '/nodes': [{ name: 'proxy', kind: 'NodeProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }],
  '/serviceaccounts': [{ name: 'token', group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] }],
};

export function subresourcesOf(def: ResourceDefinition): Subresource[] {
  const subs: Subresource[] = [];
  if (def.subresources?.scale) subs.push({ name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: SUBRESOURCE_VERBS });
  if (def.subresources?.status) subs.push({ name: 'status', kind: def.kind, verbs: SUBRESOURCE_VERBS });
  subs.push(...(EXTRA_SUBRESOURCES[`${def.group}/${def.plural}`] ?? []));
  return subs.sort((a, b) => a.name.localeCompare(b.name));
}

export function apiResourceList(registry: ResourceRegistry, group: string, version: string): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [];
  for (const def of registry.resourcesOf({ group, version }).sort((a, b) => a.plural.localeCompare(b.plural))) {
    const r: Record<string, unknown> = {
      name: def.plural,
      singularName: def.singular,
      namespaced: def.namespaced,
      kind: def.kind,
      verbs: def.verbs ?? DEFAULT_VERBS,
    };
    if (def.shortNames?.length) r.shortNames = def.shortNames;
    if (def.categories?.length) r.categories = def.categories;
    resources.push(r);
    for (const sub of subresourcesOf(def)) {
      const s: Record<string, unknown> = {
        name: `${def.plural}/${sub.name}`,
        singularName: '',
        namespaced: def.namespaced,
        kind: sub.kind,
        verbs: sub.verbs,
      };
      if (sub.group !== undefined) {
        s.group = sub.group;
        s.version = sub.version;
      }
      resources.push(s);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gvString({ group, version }), resources };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(name: string, versions: string[]): Record<string, unknown> {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(registry: ResourceRegistry): Record<string, unknown> {
  const groups = registry.groups().filter((g) => g.name !== '');
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => apiGroup(g.name, g.versions)) };
}

export function apiGroupDocument(registry: ResourceRegistry, name: string): Record<string, unknown> | undefined {
  const g = registry.groups().find((x) => x.name === name && name !== '');
  return g && { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g.name, g.versions) };
}

/** The aggregated document for /api (core only) or /apis (every other group). */
export function aggregatedDiscovery(
  registry: ResourceRegistry,
  root: 'api' | 'apis',
  version: 'v2' | 'v2beta1',
): Record<string, unknown> {
  const groups = registry.groups().filter((g) => (root === 'api' ? g.name === '' : g.name !== ''));
  const items = groups.map((g) => ({
    metadata: g.name ? { name: g.name, creationTimestamp: null } : { creationTimestamp: null },
    versions: g.versions.map((v) => ({
      version: v,
      resources: registry
        .resourcesOf({ group: g.name, version: v })
        .sort((a, b) => a.plural.localeCompare(b.plural))
        .map((def) => aggregatedResource(def)),
      freshness: 'Current',
    })),
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

function aggregatedResource(def: ResourceDefinition): Record<string, unknown> {
  const r: Record<string, unknown> = {
    resource: def.plural,
    responseKind: { group: def.group, version: def.version, kind: def.kind },
    scope: def.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: def.singular,
    verbs: def.verbs ?? DEFAULT_VERBS,
  };
  if (def.shortNames?.length) r.shortNames = def.shortNames;
  if (def.categories?.length) r.categories = def.categories;
  const subs = subresourcesOf(def);
  if (subs.length) {
    r.subresources = subs.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group ?? def.group, version: s.version ?? def.version, kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return r;
}

export const aggregatedContentType = (version: 'v2' | 'v2beta1') =>
  `application/json;g=apidiscovery.k8s.io;v=${version};as=APIGroupDiscoveryList`;
