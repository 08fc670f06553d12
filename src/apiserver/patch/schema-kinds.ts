// Patch metadata of the workload kinds (apps/v1, batch/v1, from the tags in k8s.io/api), and the
// lookup from a kind to its table. A kind not listed gets the metadata rules only.
import {
  ConfigMap,
  GenericObject,
  Namespace,
  Node,
  ObjectMeta,
  PersistentVolumeClaim,
  Pod,
  PodTemplate,
  PodTemplateSpec,
  ReplicationController,
  Secret,
  Service,
  ServiceAccount,
  conditions,
} from './schema-core.js';
import { type TypeMeta, field, mergeList, retainKeys, type } from './schema.js';

const podTemplateSpec = (extra: TypeMeta = type({})) => type({ template: field(PodTemplateSpec), ...extra });

export const Deployment = type({
  metadata: field(ObjectMeta),
  // `strategy` is tagged retainKeys: kubectl's patches carry `$retainKeys`, so switching the type
  // to Recreate drops the rollingUpdate block.
  spec: field(podTemplateSpec(type({ strategy: retainKeys() }))),
  status: field(type({ conditions })),
});

export const ReplicaSet = type({
  metadata: field(ObjectMeta),
  spec: field(podTemplateSpec()),
  status: field(type({ conditions })),
});

export const StatefulSet = ReplicaSet;
export const DaemonSet = ReplicaSet;

export const JobSpec = podTemplateSpec();

export const Job = type({ metadata: field(ObjectMeta), spec: field(JobSpec), status: field(type({ conditions })) });

export const CronJob = type({
  metadata: field(ObjectMeta),
  spec: field(type({ jobTemplate: field(type({ metadata: field(ObjectMeta), spec: field(JobSpec) })) })),
});

/** Kinds whose status conditions merge by type but which have no other tagged field. */
const WithConditions = type({ metadata: field(ObjectMeta), status: field(type({ conditions })) });

/** ComponentStatus keeps its conditions at the top level. */
const ComponentStatus = type({ metadata: field(ObjectMeta), conditions });

const CSINode = type({ metadata: field(ObjectMeta), spec: field(type({ drivers: mergeList('name') })) });

const KINDS: ReadonlyMap<string, TypeMeta> = new Map([
  ['/Pod', Pod],
  ['/PodTemplate', PodTemplate],
  ['/ReplicationController', ReplicationController],
  ['/Service', Service],
  ['/Node', Node],
  ['/Namespace', Namespace],
  ['/ConfigMap', ConfigMap],
  ['/Secret', Secret],
  ['/ServiceAccount', ServiceAccount],
  ['/PersistentVolumeClaim', PersistentVolumeClaim],
  ['apps/Deployment', Deployment],
  ['apps/ReplicaSet', ReplicaSet],
  ['apps/StatefulSet', StatefulSet],
  ['apps/DaemonSet', DaemonSet],
  ['batch/Job', Job],
  ['batch/CronJob', CronJob],
  ['policy/PodDisruptionBudget', WithConditions],
  ['/ComponentStatus', ComponentStatus],
  ['autoscaling/HorizontalPodAutoscaler', WithConditions],
  ['storage.k8s.io/CSINode', CSINode],
  ['flowcontrol.apiserver.k8s.io/FlowSchema', WithConditions],
  ['flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration', WithConditions],
]);

/** The patch metadata of a kind (the version does not change the tags of these kinds). */
export function patchMetaForKind(kind: { group: string; kind: string }): TypeMeta {
  return KINDS.get(`${kind.group}/${kind.kind}`) ?? GenericObject;
}
