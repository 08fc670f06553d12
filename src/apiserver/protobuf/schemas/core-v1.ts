// Protobuf field tables for core/v1 (objects other than pods), in the compact form described in ../schema.ts.
// Upstream source: k8s.io/api core/v1/generated.proto. test/apiserver/protobuf/descriptors.test.ts
// checks every number, name and type here against the descriptors compiled into kubectl 1.33.
import type { MessageTable } from '../schema.js';

/** core/v1 namespaces, config, services, quotas and limits. */
export const CORE_V1: MessageTable = {
  Namespace: { 1: 'metadata meta.ObjectMeta', 2: 'spec NamespaceSpec', 3: 'status NamespaceStatus' },
  NamespaceSpec: { 1: 'finalizers []string' },
  NamespaceStatus: { 1: 'phase string?', 2: 'conditions []NamespaceCondition' },
  NamespaceCondition: {
    1: 'type string', 2: 'status string', 4: 'lastTransitionTime time', 5: 'reason string?', 6: 'message string?',
  },
  ConfigMap: {
    1: 'metadata meta.ObjectMeta', 2: 'data map<string>', 3: 'binaryData map<bytes>', 4: 'immutable bool',
  },
  Secret: {
    1: 'metadata meta.ObjectMeta', 2: 'data map<bytes>', 3: 'type string?', 4: 'stringData map<string>',
    5: 'immutable bool',
  },
  ServiceAccount: {
    1: 'metadata meta.ObjectMeta', 2: 'secrets []ObjectReference', 3: 'imagePullSecrets []LocalObjectReference',
    4: 'automountServiceAccountToken bool',
  },
  ObjectReference: {
    1: 'kind string?', 2: 'namespace string?', 3: 'name string?', 4: 'uid string?', 5: 'apiVersion string?',
    6: 'resourceVersion string?', 7: 'fieldPath string?',
  },
  LocalObjectReference: { 1: 'name string?' },
  Service: { 1: 'metadata meta.ObjectMeta', 2: 'spec ServiceSpec', 3: 'status ServiceStatus' },
  ServiceSpec: {
    1: 'ports []ServicePort', 2: 'selector map<string>', 3: 'clusterIP string?', 4: 'type string?',
    5: 'externalIPs []string', 7: 'sessionAffinity string?', 8: 'loadBalancerIP string?',
    9: 'loadBalancerSourceRanges []string', 10: 'externalName string?', 11: 'externalTrafficPolicy string?',
    12: 'healthCheckNodePort int32?', 13: 'publishNotReadyAddresses bool?',
    14: 'sessionAffinityConfig SessionAffinityConfig', 17: 'ipFamilyPolicy string', 18: 'clusterIPs []string',
    19: 'ipFamilies []string', 20: 'allocateLoadBalancerNodePorts bool', 21: 'loadBalancerClass string',
    22: 'internalTrafficPolicy string', 23: 'trafficDistribution string',
  },
  ServicePort: {
    1: 'name string?', 2: 'protocol string?', 3: 'port int32', 4: 'targetPort intstr', 5: 'nodePort int32?',
    6: 'appProtocol string',
  },
  SessionAffinityConfig: { 1: 'clientIP ClientIPConfig' },
  ClientIPConfig: { 1: 'timeoutSeconds int32' },
  ServiceStatus: { 1: 'loadBalancer LoadBalancerStatus', 2: 'conditions []meta.Condition' },
  LoadBalancerStatus: { 1: 'ingress []LoadBalancerIngress' },
  LoadBalancerIngress: { 1: 'ip string?', 2: 'hostname string?', 3: 'ipMode string', 4: 'ports []PortStatus' },
  PortStatus: { 1: 'port int32', 2: 'protocol string', 3: 'error string' },
  ResourceQuota: { 1: 'metadata meta.ObjectMeta', 2: 'spec ResourceQuotaSpec', 3: 'status ResourceQuotaStatus' },
  ResourceQuotaSpec: { 1: 'hard map<quantity>', 2: 'scopes []string', 3: 'scopeSelector ScopeSelector' },
  ResourceQuotaStatus: { 1: 'hard map<quantity>', 2: 'used map<quantity>' },
  ScopeSelector: { 1: 'matchExpressions []ScopedResourceSelectorRequirement' },
  ScopedResourceSelectorRequirement: { 1: 'scopeName string', 2: 'operator string', 3: 'values []string' },
  LimitRange: { 1: 'metadata meta.ObjectMeta', 2: 'spec LimitRangeSpec' },
  LimitRangeSpec: { 1: 'limits []LimitRangeItem' },
  LimitRangeItem: {
    1: 'type string', 2: 'max map<quantity>', 3: 'min map<quantity>', 4: 'default map<quantity>',
    5: 'defaultRequest map<quantity>', 6: 'maxLimitRequestRatio map<quantity>',
  },
  Binding: { 1: 'metadata meta.ObjectMeta', 2: 'target ObjectReference' },
};
