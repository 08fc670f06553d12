// Serves custom resources as their CRDs come and go: a CRD's served versions are added to the
// resource registry (discovery, OpenAPI and routing follow at once) and its status says it is
// Established; a deleted CRD's resources stop being served and its objects are removed.
import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1.js';
import type { ResourceRegistry } from '../../api/registry.js';
import type { KubeObject, ResourceDefinition } from '../../api/types.js';
import { isConflict, isNotFound } from '../../apimachinery/errors.js';
import type { Logger } from '../../logging/index.js';
import type { Runnable } from '../../manager/index.js';
import type { StoreSet } from '../registry/store-set.js';
import { rfc3339 } from '../registry/object-meta.js';
import { EVERYTHING } from '../registry/selection.js';
import { watchObjects } from '../registry/watch.js';
import { definitionsFromCrd } from './definitions.js';

export class CrdRegistrar implements Runnable {
  readonly name = 'crd-registrar';
  /** What each CRD (by name) has registered. */
  private readonly registered = new Map<string, ResourceDefinition[]>();
  private startRevision = '';

  constructor(private readonly deps: { registry: ResourceRegistry; stores: StoreSet; logger: Logger }) {}

  /** Registers the stored CRDs before the API server serves (so their resources answer at once). */
  async loadExisting(): Promise<void> {
    const crds = this.deps.stores.byResource('apiextensions.k8s.io', 'customresourcedefinitions');
    const page = await crds.backend.list(crds.prefix(''));
    for (const kv of page.items) this.apply(crds.decode(kv.value, kv.modRevision) as CustomResourceDefinition);
    this.startRevision = String(page.revision);
  }

  async start(signal: AbortSignal): Promise<void> {
    const crds = this.deps.stores.byResource('apiextensions.k8s.io', 'customresourcedefinitions');
    for await (const ev of watchObjects(crds, { namespace: '', predicate: EVERYTHING, resourceVersion: this.startRevision, signal })) {
      const crd = ev.object as CustomResourceDefinition;
      try {
        if (ev.type === 'DELETED') await this.remove(crd);
        else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') {
          if (crd.metadata?.deletionTimestamp) await this.remove(crd);
          else {
            this.apply(crd);
            await this.establish(crd);
          }
        }
      } catch (e) {
        this.deps.logger.warn({ crd: crd.metadata?.name, err: e }, 'could not serve custom resource definition');
      }
    }
  }

  /** Adds the CRD's served versions to the registry (replacing what it had). */
  apply(crd: CustomResourceDefinition): void {
    const name = crd.metadata!.name!;
    const defs = definitionsFromCrd(crd);
    for (const old of this.registered.get(name) ?? []) {
      if (!defs.some((d) => d.version === old.version)) this.deps.registry.remove(old.group, old.version, old.plural);
      this.deps.stores.drop(old);
    }
    for (const d of defs) this.deps.registry.add(d);
    this.registered.set(name, defs);
  }

  private async remove(crd: CustomResourceDefinition): Promise<void> {
    const name = crd.metadata!.name!;
    const defs = this.registered.get(name) ?? [];
    // Delete the custom resources first (upstream's customresourcecleanup finalizer does).
    const first = defs[0];
    if (first) {
      const store = this.deps.stores.for(first);
      const page = await store.backend.list(store.prefix(''));
      for (const kv of page.items) await store.backend.delete(kv.key).catch(() => undefined);
    }
    for (const d of defs) {
      this.deps.registry.remove(d.group, d.version, d.plural);
      this.deps.stores.drop(d);
    }
    this.registered.delete(name);
  }

  /** Sets NamesAccepted and Established, as upstream's controllers do once names are free. */
  private async establish(crd: CustomResourceDefinition): Promise<void> {
    const conds = crd.status?.conditions ?? [];
    if (conds.some((c) => c.type === 'Established' && c.status === 'True')) return;
    const crds = this.deps.stores.byResource('apiextensions.k8s.io', 'customresourcedefinitions');
    const now = rfc3339(new Date());
    const storage = crd.spec.versions.find((v) => v.storage)?.name;
    try {
      await crds.guaranteedUpdate(
        '',
        crd.metadata!.name!,
        (cur) => {
          const c = cur as CustomResourceDefinition & KubeObject;
          (c as { status?: unknown }).status = {
            ...c.status,
            acceptedNames: c.spec.names,
            storedVersions: [...new Set([...(c.status?.storedVersions ?? []), ...(storage ? [storage] : [])])],
            conditions: [
              { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: now },
              { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: now },
            ],
          };
          delete cur.metadata!.resourceVersion;
          return cur;
        },
        { subresource: 'status' },
      );
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }
}
