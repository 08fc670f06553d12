// Maps the apiVersion and kind of an owner reference to the resource that serves it (upstream's
// RESTMapper over discovery). Discovery lists each group's preferred version only; an object is
// the same at every version of its group, so a reference written at another version (e.g.
// autoscaling/v1 while v2 is preferred) is looked up at the version served.
import type { ResourceType } from '../../client/types.js';

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export class ResourceMapper {
  private readonly byGroupKind = new Map<string, ResourceType[]>();

  constructor(resources: readonly ResourceType[]) {
    for (const r of resources) {
      const k = `${r.group}/${r.kind}`;
      const list = this.byGroupKind.get(k) ?? [];
      list.push(r);
      this.byGroupKind.set(k, list);
    }
  }

  /** The resource of `kind` in the group of `apiVersion`, at that version if served; undefined if unknown. */
  resolve(apiVersion: string, kind: string): ResourceType | undefined {
    const { group, version } = splitApiVersion(apiVersion);
    const candidates = this.byGroupKind.get(`${group}/${kind}`);
    if (!candidates?.length) return undefined;
    return candidates.find((r) => r.version === version) ?? candidates[0];
  }
}
