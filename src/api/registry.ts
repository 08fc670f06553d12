import type { ResourceDefinition } from './types.js';

export interface GroupVersion {
  group: string;
  version: string;
}

export const gvString = (gv: GroupVersion): string => (gv.group ? `${gv.group}/${gv.version}` : gv.version);

/** Which group/versions are preferred when a group serves several (upstream's priority order). */
const VERSION_PRIORITY = ['v1', 'v2', 'v1beta2', 'v1beta1', 'v2beta2', 'v2beta1', 'v1alpha1'];
const versionRank = (v: string) => {
  const i = VERSION_PRIORITY.indexOf(v);
  return i === -1 ? VERSION_PRIORITY.length : i;
};

/** Order of groups in discovery, as kube-apiserver lists them (core first, then built-ins). */
const GROUP_ORDER = [
  '',
  'apiregistration.k8s.io',
  'apps',
  'events.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'networking.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'node.k8s.io',
  'discovery.k8s.io',
  'flowcontrol.apiserver.k8s.io',
];

export interface ServedGroup {
  name: string;
  /** Versions, preferred first. */
  versions: string[];
}

/**
 * Every resource the API server serves, indexed for routing (group, version, plural), for
 * discovery and for kinds. Custom resources are added and removed as their CRDs change.
 */
export class ResourceRegistry {
  private readonly byPath = new Map<string, ResourceDefinition>();
  private readonly defs: ResourceDefinition[] = [];
  private generation = 0;
  /** groups() of the current generation: routing and namespace admission ask on every request. */
  private groupsCache: { generation: number; groups: ServedGroup[] } | undefined;

  constructor(definitions: readonly ResourceDefinition[] = []) {
    for (const d of definitions) this.add(d);
  }

  add(def: ResourceDefinition): void {
    const k = pathKey(def.group, def.version, def.plural);
    const existing = this.byPath.get(k);
    if (existing) this.defs.splice(this.defs.indexOf(existing), 1);
    this.byPath.set(k, def);
    this.defs.push(def);
    this.generation++;
  }

  remove(group: string, version: string, plural: string): void {
    const k = pathKey(group, version, plural);
    const existing = this.byPath.get(k);
    if (!existing) return;
    this.byPath.delete(k);
    this.defs.splice(this.defs.indexOf(existing), 1);
    this.generation++;
  }

  /** Changes whenever a resource is added or removed (discovery documents are cached by it). */
  get version(): number {
    return this.generation;
  }

  get(group: string, version: string, plural: string): ResourceDefinition | undefined {
    return this.byPath.get(pathKey(group, version, plural));
  }

  all(): readonly ResourceDefinition[] {
    return this.defs;
  }

  resourcesOf(gv: GroupVersion): ResourceDefinition[] {
    return this.defs.filter((d) => d.group === gv.group && d.version === gv.version);
  }

  hasGroupVersion(gv: GroupVersion): boolean {
    return this.defs.some((d) => d.group === gv.group && d.version === gv.version);
  }

  byKind(group: string, version: string, kind: string): ResourceDefinition | undefined {
    return this.defs.find((d) => d.group === group && d.version === version && d.kind === kind);
  }

  /** Served groups (core included, named ''), in discovery order, versions preferred first. */
  groups(): ServedGroup[] {
    if (this.groupsCache?.generation !== this.generation) {
      this.groupsCache = { generation: this.generation, groups: this.computeGroups() };
    }
    return this.groupsCache.groups;
  }

  private computeGroups(): ServedGroup[] {
    const versions = new Map<string, Set<string>>();
    for (const d of this.defs) {
      if (!versions.has(d.group)) versions.set(d.group, new Set());
      versions.get(d.group)!.add(d.version);
    }
    const rank = (g: string) => {
      const i = GROUP_ORDER.indexOf(g);
      return i === -1 ? GROUP_ORDER.length : i;
    };
    return [...versions.entries()]
      .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
      .map(([name, vs]) => ({ name, versions: [...vs].sort((a, b) => versionRank(a) - versionRank(b) || a.localeCompare(b)) }));
  }
}

function pathKey(group: string, version: string, plural: string): string {
  return `${group}/${version}/${plural}`;
}
