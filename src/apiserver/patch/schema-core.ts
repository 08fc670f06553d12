// Patch metadata of meta/v1 and core/v1 types, transcribed from the `patchStrategy` and
// `patchMergeKey` tags in k8s.io/api core/v1/types.go and k8s.io/apimachinery meta/v1/types.go.
// Only fields that carry a strategy, or lead to a type that has such fields, are listed; every
// other field behaves as untagged (maps merge, lists are replaced).
import { type TypeMeta, atomicList, field, mergeList, primitiveSet, retainKeys, type } from './schema.js';

export const OwnerReference = type({});

export const ObjectMeta = type({
  finalizers: primitiveSet,
  ownerReferences: mergeList('uid', OwnerReference),
  // managedFields carries no tag: the list is replaced whole.
  managedFields: atomicList(),
});

/** The part every kind shares: `metadata`. The table used for kinds without one of their own. */
export const GenericObject = type({ metadata: field(ObjectMeta) });

/** Conditions of any status (PodCondition, NodeCondition, metav1.Condition, ...): merged by type. */
export const conditions = mergeList('type');

// Container and EphemeralContainerCommon share their tagged fields.
export const Container = type({
  ports: mergeList('containerPort'),
  env: mergeList('name'),
  volumeMounts: mergeList('mountPath'),
  volumeDevices: mergeList('devicePath'),
  envFrom: atomicList(),
  resizePolicy: atomicList(),
});

export const Volume = type({});

export const PodSpec = type({
  volumes: retainKeys(mergeList('name', Volume)),
  initContainers: mergeList('name', Container),
  containers: mergeList('name', Container),
  ephemeralContainers: mergeList('name', Container),
  imagePullSecrets: mergeList('name'),
  hostAliases: mergeList('ip'),
  topologySpreadConstraints: mergeList('topologyKey'),
  schedulingGates: mergeList('name'),
  resourceClaims: retainKeys(mergeList('name')),
  // No strategy upstream: a patch carrying tolerations or readiness gates replaces the list.
  tolerations: atomicList(),
  readinessGates: atomicList(),
});

export const PodStatus = type({
  conditions,
  podIPs: mergeList('ip'),
  hostIPs: mergeList('ip'),
  resourceClaimStatuses: retainKeys(mergeList('name')),
});

export const Pod = type({ metadata: field(ObjectMeta), spec: field(PodSpec), status: field(PodStatus) });

export const PodTemplateSpec = type({ metadata: field(ObjectMeta), spec: field(PodSpec) });

export const PodTemplate = type({ metadata: field(ObjectMeta), template: field(PodTemplateSpec) });

export const ReplicationController = type({
  metadata: field(ObjectMeta),
  spec: field(type({ template: field(PodTemplateSpec) })),
  status: field(type({ conditions })),
});

export const Service = type({
  metadata: field(ObjectMeta),
  spec: field(type({ ports: mergeList('port') })),
  status: field(type({ conditions })),
});

export const Node = type({
  metadata: field(ObjectMeta),
  // Taints carry no strategy: cordon/taint patches replace the whole list.
  spec: field(type({ podCIDRs: primitiveSet, taints: atomicList() })),
  status: field(type({ conditions, addresses: mergeList('type') })),
});

export const Namespace = type({
  metadata: field(ObjectMeta),
  // spec.finalizers carries no strategy, unlike metadata.finalizers.
  spec: field(type({ finalizers: atomicList() })),
  status: field(type({ conditions })),
});

export const ConfigMap: TypeMeta = GenericObject;
export const Secret: TypeMeta = GenericObject;

export const ServiceAccount = type({ metadata: field(ObjectMeta), secrets: mergeList('name') });

export const PersistentVolumeClaim = type({ metadata: field(ObjectMeta), status: field(type({ conditions })) });
