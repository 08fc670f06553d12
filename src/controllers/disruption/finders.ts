// From a pod's controller reference to the controller's desired scale (upstream's finders): the
// workload kinds from the informer caches (ReplicationController, a Deployment through its
// ReplicaSet, a ReplicaSet of no Deployment, StatefulSet), anything else through its scale
// subresource, with the kind mapped to its resource by discovery.
import type { Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { ReplicationController } from 'kubernetes-types/core/v1.js';
import type { APIResourceList, OwnerReference } from 'kubernetes-types/meta/v1.js';
import { isNotFound } from '../../apimachinery/errors.js';
import type { SharedInformer } from '../../client/cache/types.js';
import { discoverResources } from '../../client/discovery.js';
import { DEPLOYMENTS, REPLICATION_CONTROLLERS, REPLICA_SETS, STATEFUL_SETS } from '../../client/resources.js';
import type { Client, ResourceType } from '../../client/types.js';
import type { InformerFactory } from '../../client/cache/informer-factory.js';
import { ResourceMapper, splitApiVersion } from '../garbagecollector/rest-mapper.js';
import type { ControllerScale, ScaleFinder } from './status.js';

/** Discovery is asked again for an unknown kind at most this often. */
const REDISCOVERY_INTERVAL_MS = 10_000;

/** The reference is of `kind` in one of `groups` (upstream verifyGroupKind). */
const isKind = (ref: OwnerReference, kind: string, groups: readonly string[]): boolean =>
  ref.kind === kind && groups.includes(splitApiVersion(ref.apiVersion).group);

const controllerOf = (obj: { metadata?: { ownerReferences?: OwnerReference[] } }): OwnerReference | undefined =>
  obj.metadata?.ownerReferences?.find((r) => r.controller);

const groupResource = (t: Pick<ResourceType, 'group' | 'resource'>): string => (t.group ? `${t.resource}.${t.group}` : t.resource);

export class ControllerFinders {
  private readonly rcs: SharedInformer<ReplicationController>;
  private readonly rss: SharedInformer<ReplicaSet>;
  private readonly deployments: SharedInformer<Deployment>;
  private readonly statefulSets: SharedInformer<StatefulSet>;
  private mapper: ResourceMapper | undefined;
  private discoveredAt = 0;

  constructor(
    informers: InformerFactory,
    private readonly client: Client,
  ) {
    this.rcs = informers.for<ReplicationController>(REPLICATION_CONTROLLERS);
    this.rss = informers.for<ReplicaSet>(REPLICA_SETS);
    this.deployments = informers.for<Deployment>(DEPLOYMENTS);
    this.statefulSets = informers.for<StatefulSet>(STATEFUL_SETS);
  }

  /** Tries each finder in upstream's order; undefined when none knows the controller. */
  readonly find: ScaleFinder = async (ref, namespace) => {
    for (const finder of [this.replicationController, this.deployment, this.replicaSet, this.statefulSet, this.scale]) {
      const found = await finder(ref, namespace);
      if (found) return found;
    }
    return undefined;
  };

  private readonly replicationController: ScaleFinder = async (ref, ns) => {
    if (!isKind(ref, 'ReplicationController', [''])) return undefined;
    const rc = this.rcs.store.get(`${ns}/${ref.name}`);
    if (rc?.metadata?.uid !== ref.uid) return undefined;
    return { uid: ref.uid, scale: rc.spec?.replicas ?? 1 };
  };

  /** The ReplicaSet a reference names, if still the same object. */
  private replicaSetOf(ref: OwnerReference, ns: string): ReplicaSet | undefined {
    if (!isKind(ref, 'ReplicaSet', ['apps', 'extensions'])) return undefined;
    const rs = this.rss.store.get(`${ns}/${ref.name}`);
    return rs?.metadata?.uid === ref.uid ? rs : undefined;
  }

  private readonly deployment: ScaleFinder = async (ref, ns) => {
    const rs = this.replicaSetOf(ref, ns);
    const dref = rs && controllerOf(rs);
    if (!dref || !isKind(dref, 'Deployment', ['apps', 'extensions'])) return undefined;
    const d = this.deployments.store.get(`${ns}/${dref.name}`);
    if (d?.metadata?.uid !== dref.uid) return undefined;
    return { uid: dref.uid, scale: d.spec?.replicas ?? 1 };
  };

  private readonly replicaSet: ScaleFinder = async (ref, ns) => {
    const rs = this.replicaSetOf(ref, ns);
    // A Deployment's ReplicaSet counts through its Deployment (or, with that gone from the cache,
    // through the scale subresource).
    if (!rs || controllerOf(rs)?.kind === 'Deployment') return undefined;
    return { uid: ref.uid, scale: rs.spec?.replicas ?? 1 };
  };

  private readonly statefulSet: ScaleFinder = async (ref, ns) => {
    if (!isKind(ref, 'StatefulSet', ['apps'])) return undefined;
    const ss = this.statefulSets.store.get(`${ns}/${ref.name}`);
    if (ss?.metadata?.uid !== ref.uid) return undefined;
    return { uid: ref.uid, scale: ss.spec?.replicas ?? 1 };
  };

  /** Any other kind with a scale subresource (custom resources included). */
  private readonly scale: ScaleFinder = async (ref, ns): Promise<ControllerScale | undefined> => {
    const type = await this.resolve(ref);
    let scale;
    try {
      scale = await this.client.resource(type).getScale(ns, ref.name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      // Gone, or never had a scale subresource: only the second is an error.
      if (!(await this.implementsScale(type))) throw new Error(`${groupResource(type)} does not implement the scale subresource`);
      return undefined;
    }
    if (scale.metadata?.uid !== ref.uid) return undefined;
    return { uid: ref.uid, scale: scale.spec?.replicas ?? 0 };
  };

  /** The resource serving the reference's kind (upstream RESTMapping), asking discovery again when unknown. */
  private async resolve(ref: OwnerReference): Promise<ResourceType> {
    let type = this.mapper?.resolve(ref.apiVersion, ref.kind);
    if (!type && Date.now() - this.discoveredAt >= REDISCOVERY_INTERVAL_MS) {
      this.mapper = new ResourceMapper(await discoverResources(this.client));
      this.discoveredAt = Date.now();
      type = this.mapper.resolve(ref.apiVersion, ref.kind);
    }
    if (!type) throw new Error(`no matches for kind ${JSON.stringify(ref.kind)} in version ${JSON.stringify(ref.apiVersion)}`);
    return type;
  }

  /** Whether discovery lists `<resource>/scale` of kind autoscaling/v1 Scale. */
  private async implementsScale(type: ResourceType): Promise<boolean> {
    const path = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
    const list = await this.client.request<APIResourceList>({ method: 'GET', path });
    return list.resources.some(
      (r) => r.name === `${type.resource}/scale` && r.kind === 'Scale' && (r.group ?? 'autoscaling') === 'autoscaling' && (r.version ?? 'v1') === 'v1',
    );
  }
}
