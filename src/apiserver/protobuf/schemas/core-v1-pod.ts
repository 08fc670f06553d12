// Protobuf field tables for core/v1 pods: spec, scheduling and status, in the compact form described in ../schema.ts.
// Upstream source: k8s.io/api core/v1/generated.proto. test/apiserver/protobuf/descriptors.test.ts
// checks every number, name and type here against the descriptors compiled into kubectl 1.33.
import type { MessageTable } from '../schema.js';

/** core/v1 Pod, PodSpec, PodTemplateSpec, their scheduling fields and PodStatus. */
export const CORE_V1_POD: MessageTable = {
  Pod: { 1: 'metadata meta.ObjectMeta', 2: 'spec PodSpec', 3: 'status PodStatus' },
  PodSpec: {
    1: 'volumes []Volume', 2: 'containers []Container', 3: 'restartPolicy string?',
    4: 'terminationGracePeriodSeconds int64', 5: 'activeDeadlineSeconds int64', 6: 'dnsPolicy string?',
    7: 'nodeSelector map<string>', 8: 'serviceAccountName string?', 9: 'serviceAccount string?',
    10: 'nodeName string?', 11: 'hostNetwork bool?', 12: 'hostPID bool?', 13: 'hostIPC bool?',
    14: 'securityContext PodSecurityContext', 15: 'imagePullSecrets []LocalObjectReference', 16: 'hostname string?',
    17: 'subdomain string?', 18: 'affinity Affinity', 19: 'schedulerName string?', 20: 'initContainers []Container',
    21: 'automountServiceAccountToken bool', 22: 'tolerations []Toleration', 23: 'hostAliases []HostAlias',
    24: 'priorityClassName string?', 25: 'priority int32', 26: 'dnsConfig PodDNSConfig',
    27: 'shareProcessNamespace bool', 28: 'readinessGates []PodReadinessGate', 29: 'runtimeClassName string',
    30: 'enableServiceLinks bool', 31: 'preemptionPolicy string', 32: 'overhead map<quantity>',
    33: 'topologySpreadConstraints []TopologySpreadConstraint', 34: 'ephemeralContainers []EphemeralContainer',
    35: 'setHostnameAsFQDN bool', 36: 'os PodOS', 37: 'hostUsers bool', 38: 'schedulingGates []PodSchedulingGate',
    39: 'resourceClaims []PodResourceClaim', 40: 'resources ResourceRequirements',
  },
  PodTemplateSpec: { 1: 'metadata meta.ObjectMeta', 2: 'spec PodSpec' },
  PodSecurityContext: {
    1: 'seLinuxOptions SELinuxOptions', 2: 'runAsUser int64', 3: 'runAsNonRoot bool', 4: 'supplementalGroups []int64',
    5: 'fsGroup int64', 6: 'runAsGroup int64', 7: 'sysctls []Sysctl',
    8: 'windowsOptions WindowsSecurityContextOptions', 9: 'fsGroupChangePolicy string',
    10: 'seccompProfile SeccompProfile', 11: 'appArmorProfile AppArmorProfile', 12: 'supplementalGroupsPolicy string',
    13: 'seLinuxChangePolicy string',
  },
  Sysctl: { 1: 'name string', 2: 'value string' },
  Affinity: { 1: 'nodeAffinity NodeAffinity', 2: 'podAffinity PodAffinity', 3: 'podAntiAffinity PodAntiAffinity' },
  NodeAffinity: {
    1: 'requiredDuringSchedulingIgnoredDuringExecution NodeSelector',
    2: 'preferredDuringSchedulingIgnoredDuringExecution []PreferredSchedulingTerm',
  },
  NodeSelector: { 1: 'nodeSelectorTerms []NodeSelectorTerm' },
  NodeSelectorTerm: { 1: 'matchExpressions []NodeSelectorRequirement', 2: 'matchFields []NodeSelectorRequirement' },
  NodeSelectorRequirement: { 1: 'key string', 2: 'operator string', 3: 'values []string' },
  PreferredSchedulingTerm: { 1: 'weight int32', 2: 'preference NodeSelectorTerm' },
  PodAffinity: {
    1: 'requiredDuringSchedulingIgnoredDuringExecution []PodAffinityTerm',
    2: 'preferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm',
  },
  PodAntiAffinity: {
    1: 'requiredDuringSchedulingIgnoredDuringExecution []PodAffinityTerm',
    2: 'preferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm',
  },
  PodAffinityTerm: {
    1: 'labelSelector meta.LabelSelector', 2: 'namespaces []string', 3: 'topologyKey string',
    4: 'namespaceSelector meta.LabelSelector', 5: 'matchLabelKeys []string', 6: 'mismatchLabelKeys []string',
  },
  WeightedPodAffinityTerm: { 1: 'weight int32', 2: 'podAffinityTerm PodAffinityTerm' },
  Toleration: {
    1: 'key string?', 2: 'operator string?', 3: 'value string?', 4: 'effect string?', 5: 'tolerationSeconds int64',
  },
  TopologySpreadConstraint: {
    1: 'maxSkew int32', 2: 'topologyKey string', 3: 'whenUnsatisfiable string', 4: 'labelSelector meta.LabelSelector',
    5: 'minDomains int32', 6: 'nodeAffinityPolicy string', 7: 'nodeTaintsPolicy string', 8: 'matchLabelKeys []string',
  },
  HostAlias: { 1: 'ip string?', 2: 'hostnames []string' },
  PodDNSConfig: { 1: 'nameservers []string', 2: 'searches []string', 3: 'options []PodDNSConfigOption' },
  PodDNSConfigOption: { 1: 'name string?', 2: 'value string' },
  PodReadinessGate: { 1: 'conditionType string' },
  PodOS: { 1: 'name string' },
  PodSchedulingGate: { 1: 'name string' },
  PodResourceClaim: { 1: 'name string', 3: 'resourceClaimName string', 4: 'resourceClaimTemplateName string' },
  PodStatus: {
    1: 'phase string?', 2: 'conditions []PodCondition', 3: 'message string?', 4: 'reason string?',
    5: 'hostIP string?', 6: 'podIP string?', 7: 'startTime time', 8: 'containerStatuses []ContainerStatus',
    9: 'qosClass string?', 10: 'initContainerStatuses []ContainerStatus', 11: 'nominatedNodeName string?',
    12: 'podIPs []PodIP', 13: 'ephemeralContainerStatuses []ContainerStatus', 14: 'resize string?',
    15: 'resourceClaimStatuses []PodResourceClaimStatus', 16: 'hostIPs []HostIP', 17: 'observedGeneration int64?',
  },
  PodCondition: {
    1: 'type string', 2: 'status string', 3: 'lastProbeTime time', 4: 'lastTransitionTime time', 5: 'reason string?',
    6: 'message string?', 7: 'observedGeneration int64?',
  },
  PodIP: { 1: 'ip string?' },
  HostIP: { 1: 'ip string?' },
  ContainerStatus: {
    1: 'name string', 2: 'state ContainerState', 3: 'lastState ContainerState', 4: 'ready bool',
    5: 'restartCount int32', 6: 'image string', 7: 'imageID string', 8: 'containerID string?', 9: 'started bool',
    10: 'allocatedResources map<quantity>', 11: 'resources ResourceRequirements',
    12: 'volumeMounts []VolumeMountStatus', 13: 'user ContainerUser', 14: 'allocatedResourcesStatus []ResourceStatus',
    15: 'stopSignal string',
  },
  ContainerState: {
    1: 'waiting ContainerStateWaiting', 2: 'running ContainerStateRunning', 3: 'terminated ContainerStateTerminated',
  },
  ContainerStateWaiting: { 1: 'reason string?', 2: 'message string?' },
  ContainerStateRunning: { 1: 'startedAt time' },
  ContainerStateTerminated: {
    1: 'exitCode int32', 2: 'signal int32?', 3: 'reason string?', 4: 'message string?', 5: 'startedAt time',
    6: 'finishedAt time', 7: 'containerID string?',
  },
  ContainerUser: { 1: 'linux LinuxContainerUser' },
  LinuxContainerUser: { 1: 'uid int64', 2: 'gid int64', 3: 'supplementalGroups []int64' },
  ResourceStatus: { 1: 'name string', 2: 'resources []ResourceHealth' },
  ResourceHealth: { 1: 'resourceID string', 2: 'health string?' },
  VolumeMountStatus: { 1: 'name string', 2: 'mountPath string', 3: 'readOnly bool?', 4: 'recursiveReadOnly string' },
  PodResourceClaimStatus: { 1: 'name string', 2: 'resourceClaimName string' },
};
