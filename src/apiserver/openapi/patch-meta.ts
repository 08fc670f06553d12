// Strategic-merge-patch metadata of the built-in types. kubernetes-types carries no Go struct tags,
// so the `patchStrategy` / `patchMergeKey` tags of k8s.io/api are restated here and emitted as
// upstream does, as `x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key` on the field.
//
// This matters beyond documentation: kubectl (1.27+) computes `kubectl apply`'s three-way
// strategic merge patch from the OpenAPI v3 document when the PATCH operation accepts
// application/strategic-merge-patch+json. A list without its merge key would be treated as
// atomic, so removing a container or an env var from a manifest would not remove it on the server.

export interface PatchMeta {
  /** Comma-separated, e.g. `merge` or `merge,retainKeys` or `retainKeys`. */
  strategy: string;
  mergeKey?: string;
}

const merge = (mergeKey?: string): PatchMeta => (mergeKey ? { strategy: 'merge', mergeKey } : { strategy: 'merge' });
const mergeRetainKeys = (mergeKey: string): PatchMeta => ({ strategy: 'merge,retainKeys', mergeKey });
const byType = merge('type');

/** Fields of a container, shared by Container and EphemeralContainer (its inlined common part). */
const CONTAINER_FIELDS: Record<string, PatchMeta> = {
  ports: merge('containerPort'),
  env: merge('name'),
  volumeMounts: merge('mountPath'),
  volumeDevices: merge('devicePath'),
};

/** Type name (without package) -> field -> metadata, per package. */
const TABLE: Record<string, Record<string, Record<string, PatchMeta>>> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1': {
    ObjectMeta: { finalizers: merge(), ownerReferences: merge('uid') },
  },
  'io.k8s.api.core.v1': {
    PodSpec: {
      volumes: mergeRetainKeys('name'),
      initContainers: merge('name'),
      containers: merge('name'),
      ephemeralContainers: merge('name'),
      imagePullSecrets: merge('name'),
      hostAliases: merge('ip'),
      topologySpreadConstraints: merge('topologyKey'),
      resourceClaims: mergeRetainKeys('name'),
      schedulingGates: merge('name'),
    },
    Container: CONTAINER_FIELDS,
    EphemeralContainer: CONTAINER_FIELDS,
    PodStatus: {
      conditions: byType,
      podIPs: merge('ip'),
      hostIPs: merge('ip'),
      resourceClaimStatuses: mergeRetainKeys('name'),
    },
    ServiceSpec: { ports: merge('port') },
    ServiceStatus: { conditions: byType },
    ServiceAccount: { secrets: merge('name') },
    NodeSpec: { podCIDRs: merge() },
    NodeStatus: { conditions: byType, addresses: byType },
    NamespaceStatus: { conditions: byType },
    PersistentVolumeClaimStatus: { conditions: byType },
    ReplicationControllerStatus: { conditions: byType },
    ComponentStatus: { conditions: byType },
  },
  'io.k8s.api.apps.v1': {
    DeploymentSpec: { strategy: { strategy: 'retainKeys' } },
    DeploymentStatus: { conditions: byType },
    ReplicaSetStatus: { conditions: byType },
    DaemonSetStatus: { conditions: byType },
    StatefulSetStatus: { conditions: byType },
  },
  'io.k8s.api.batch.v1': { JobStatus: { conditions: byType } },
  'io.k8s.api.autoscaling.v2': { HorizontalPodAutoscalerStatus: { conditions: byType } },
  'io.k8s.api.policy.v1': { PodDisruptionBudgetStatus: { conditions: byType } },
  'io.k8s.api.storage.v1': { CSINodeSpec: { drivers: merge('name') } },
  'io.k8s.api.flowcontrol.v1': {
    FlowSchemaStatus: { conditions: byType },
    PriorityLevelConfigurationStatus: { conditions: byType },
  },
  'io.k8s.api.flowcontrol.v1beta3': {
    FlowSchemaStatus: { conditions: byType },
    PriorityLevelConfigurationStatus: { conditions: byType },
  },
};

/** The strategic-merge-patch metadata of a field, if the type declares any. */
export function patchMetaFor(pkg: string, typeName: string, field: string): PatchMeta | undefined {
  return TABLE[pkg]?.[typeName]?.[field];
}
