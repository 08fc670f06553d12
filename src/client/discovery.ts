// Which resources the server serves, from its discovery documents (/api, /apis and each group's
// preferred version), as the garbage collector and namespace controller need to reach every kind
// of object, custom resources included.
import type { APIGroupList, APIResourceList, APIVersions } from 'kubernetes-types/meta/v1.js';
import type { Client, ResourceType } from './types.js';

export interface DiscoveredResource extends ResourceType {
  verbs: string[];
}

export async function discoverResources(client: Client): Promise<DiscoveredResource[]> {
  const core = await client.request<APIVersions>({ method: 'GET', path: '/api' });
  const groups = await client.request<APIGroupList>({ method: 'GET', path: '/apis' });
  const targets: { group: string; version: string; path: string }[] = core.versions.map((v) => ({ group: '', version: v, path: `/api/${v}` }));
  for (const g of groups.groups) {
    const v = g.preferredVersion ?? g.versions[0];
    if (v) targets.push({ group: g.name, version: v.version, path: `/apis/${v.groupVersion}` });
  }
  const lists = await Promise.all(
    targets.map(async (t) => {
      try {
        return { t, list: await client.request<APIResourceList>({ method: 'GET', path: t.path }) };
      } catch {
        // A group that went away between the two reads (a CRD deleted) is simply skipped.
        return { t, list: undefined };
      }
    }),
  );
  const out: DiscoveredResource[] = [];
  for (const { t, list } of lists) {
    for (const r of list?.resources ?? []) {
      if (r.name.includes('/')) continue;
      out.push({ group: t.group, version: t.version, resource: r.name, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs });
    }
  }
  return out;
}

/** Resources whose objects can be listed, watched and deleted (what GC and namespace deletion reach). */
export const isDeletable = (r: DiscoveredResource): boolean => ['list', 'watch', 'delete'].every((v) => r.verbs.includes(v));
