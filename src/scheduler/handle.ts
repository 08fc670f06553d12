// What plugins may read of the cluster beyond nodes and pods (upstream framework.Handle's
// listers): PodDisruptionBudgets for preemption, namespace labels for InterPodAffinity's
// namespaceSelector, and the selector of a pod's services and controllers for PodTopologySpread's
// system default constraints. All from informer caches: no API call while scheduling.
import type { Namespace, Pod, ReplicationController, Service } from 'kubernetes-types/core/v1.js';
import type { ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { Selector, selectorFromLabelSelector, selectorFromSet, type Requirement } from '../apimachinery/labels.js';
import { NAMESPACE_INDEX, type SharedInformer } from '../client/cache/types.js';
import type { InformerFactory } from '../client/cache/informer-factory.js';
import { NAMESPACES, POD_DISRUPTION_BUDGETS, REPLICA_SETS, REPLICATION_CONTROLLERS, SERVICES, STATEFUL_SETS } from '../client/resources.js';
import type { Client } from '../client/types.js';
import type { PluginHandle } from './framework/types.js';

/** A handle that knows nothing (unit tests, config validation). */
export const EMPTY_HANDLE: PluginHandle = {
  podDisruptionBudgets: () => [],
  namespaceLabels: () => undefined,
  defaultSelector: () => undefined,
};

export class InformerHandle implements PluginHandle {
  readonly pdbs: SharedInformer<PodDisruptionBudget>;
  private readonly namespaces: SharedInformer<Namespace>;
  private readonly services: SharedInformer<Service>;
  private readonly rcs: SharedInformer<ReplicationController>;
  private readonly rss: SharedInformer<ReplicaSet>;
  private readonly sts: SharedInformer<StatefulSet>;

  constructor(
    informers: InformerFactory,
    readonly client?: Client,
  ) {
    this.pdbs = informers.for<PodDisruptionBudget>(POD_DISRUPTION_BUDGETS);
    this.namespaces = informers.for<Namespace>(NAMESPACES);
    this.services = informers.for<Service>(SERVICES);
    this.rcs = informers.for<ReplicationController>(REPLICATION_CONTROLLERS);
    this.rss = informers.for<ReplicaSet>(REPLICA_SETS);
    this.sts = informers.for<StatefulSet>(STATEFUL_SETS);
  }

  podDisruptionBudgets = (): PodDisruptionBudget[] => this.pdbs.store.list();

  namespaceLabels = (ns: string): Record<string, string> | undefined => this.namespaces.store.get(ns)?.metadata?.labels ?? undefined;

  /**
   * upstream helper.DefaultSelector: the requirements of every Service, ReplicationController,
   * ReplicaSet and StatefulSet in the pod's namespace that selects it, together; undefined if none.
   */
  defaultSelector = (pod: Pod): Selector | undefined => {
    const ns = pod.metadata?.namespace ?? '';
    const labels = pod.metadata?.labels ?? {};
    const reqs: Requirement[] = [];
    const addSet = (set: Record<string, string> | undefined) => {
      if (!set || Object.keys(set).length === 0) return;
      const sel = selectorFromSet(set);
      if (sel.matches(labels)) reqs.push(...sel.requirements);
    };
    for (const s of this.services.store.byIndex(NAMESPACE_INDEX, ns)) addSet(s.spec?.selector);
    for (const rc of this.rcs.store.byIndex(NAMESPACE_INDEX, ns)) addSet(rc.spec?.selector);
    for (const owner of [...this.rss.store.byIndex(NAMESPACE_INDEX, ns), ...this.sts.store.byIndex(NAMESPACE_INDEX, ns)]) {
      let sel: Selector;
      try {
        sel = selectorFromLabelSelector(owner.spec?.selector);
      } catch {
        continue;
      }
      if (!sel.isEmpty() && sel.matches(labels)) reqs.push(...sel.requirements);
    }
    return reqs.length ? Selector.fromRequirements(reqs) : undefined;
  };
}
