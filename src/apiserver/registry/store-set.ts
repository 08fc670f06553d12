// One ResourceStore per served resource, keyed like kube-apiserver's etcd keys:
// /registry/<plural>/<namespace>/<name> for the core group, /registry/<group>/<plural>/... others.
import type { ResourceRegistry } from '../../api/registry.js';
import type { ResourceDefinition } from '../../api/types.js';
import { StatusError, notFound } from '../../apimachinery/errors.js';
import type { Backend } from '../../storage/index.js';
import type { StoreHooks } from './hooks.js';
import { ResourceStore } from './store.js';

export interface StoreSetOptions {
  storage: Backend;
  registry: ResourceRegistry;
  /** Hooks by `<group>/<plural>` ('/pods' for core pods). */
  hooks?: Record<string, StoreHooks>;
  now?: () => Date;
}

export class StoreSet {
  private readonly stores = new Map<ResourceDefinition, ResourceStore>();

  constructor(private readonly opts: StoreSetOptions) {}

  /** Forgets the store of a resource no longer served (a deleted custom resource version). */
  drop(def: ResourceDefinition): void {
    this.stores.delete(def);
  }

  for(def: ResourceDefinition): ResourceStore {
    let store = this.stores.get(def);
    if (!store) {
      store = new ResourceStore(def, {
        storage: this.opts.storage,
        keyRoot: keyRootOf(def, this.opts.registry),
        hooks: this.opts.hooks?.[`${def.group}/${def.plural}`],
        now: this.opts.now,
        admitNamespace: (ns) => this.admitNamespace(ns),
      });
      this.stores.set(def, store);
    }
    return store;
  }

  /** The store of a resource at its preferred version. */
  byResource(group: string, plural: string): ResourceStore {
    const g = this.opts.registry.groups().find((x) => x.name === group);
    const def = g && this.opts.registry.get(group, g.versions[0]!, plural);
    if (!def) throw new Error(`no resource ${plural} in group "${group}"`);
    return this.for(def);
  }

  /** Every namespaced resource's store (one per resource, at its preferred version). */
  namespacedStores(): ResourceStore[] {
    const seen = new Set<string>();
    const out: ResourceStore[] = [];
    for (const g of this.opts.registry.groups()) {
      for (const v of g.versions) {
        for (const def of this.opts.registry.resourcesOf({ group: g.name, version: v })) {
          const key = keyRootOf(def, this.opts.registry);
          if (!def.namespaced || seen.has(key)) continue;
          seen.add(key);
          out.push(this.for(def));
        }
      }
    }
    return out;
  }

  /** NamespaceLifecycle admission: no new objects in a missing or terminating namespace. */
  private async admitNamespace(namespace: string): Promise<void> {
    const namespaces = this.byResource('', 'namespaces');
    let ns;
    try {
      ns = await namespaces.get('', namespace);
    } catch (e) {
      if ((e as { reason?: string }).reason === 'NotFound') throw notFound({ group: '', resource: 'namespaces' }, namespace);
      throw e;
    }
    if (ns.metadata?.deletionTimestamp || (ns as { status?: { phase?: string } }).status?.phase === 'Terminating') {
      throw new StatusError(
        403,
        'Forbidden',
        `unable to create new content in namespace ${namespace} because it is being terminated`,
        { name: namespace, kind: 'namespaces', causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }] },
      );
    }
  }
}

/**
 * The key root of a resource. Versions of one resource share it only when they share a schema;
 * kubets has no conversion between versions yet, so a non-preferred version stores apart.
 */
export function keyRootOf(def: ResourceDefinition, registry: ResourceRegistry): string {
  // Custom resources: every version shares storage (upstream's conversion strategy None).
  if (def.builtin === false) return `/registry/${def.group}/${def.plural}/`;
  const base = def.group ? `/registry/${def.group}/${def.plural}` : `/registry/${def.plural}`;
  const preferred = registry.groups().find((g) => g.name === def.group)?.versions.find((v) => registry.get(def.group, v, def.plural));
  return preferred === undefined || preferred === def.version ? `${base}/` : `${base}@${def.version}/`;
}
