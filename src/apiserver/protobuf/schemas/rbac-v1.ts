// Protobuf field tables for rbac.authorization.k8s.io/v1, in the compact form described in ../schema.ts.
// Upstream source: k8s.io/api rbac/v1/generated.proto. test/apiserver/protobuf/descriptors.test.ts
// checks every number, name and type here against the descriptors compiled into kubectl 1.33.
import type { MessageTable } from '../schema.js';

/** rbac.authorization.k8s.io/v1 roles and bindings. */
export const RBAC_V1: MessageTable = {
  ClusterRole: { 1: 'metadata meta.ObjectMeta', 2: 'rules []PolicyRule', 3: 'aggregationRule AggregationRule' },
  ClusterRoleBinding: { 1: 'metadata meta.ObjectMeta', 2: 'subjects []Subject', 3: 'roleRef RoleRef' },
  Role: { 1: 'metadata meta.ObjectMeta', 2: 'rules []PolicyRule' },
  RoleBinding: { 1: 'metadata meta.ObjectMeta', 2: 'subjects []Subject', 3: 'roleRef RoleRef' },
  AggregationRule: { 1: 'clusterRoleSelectors []meta.LabelSelector' },
  PolicyRule: {
    1: 'verbs []string', 2: 'apiGroups []string', 3: 'resources []string', 4: 'resourceNames []string',
    5: 'nonResourceURLs []string',
  },
  RoleRef: { 1: 'apiGroup string', 2: 'kind string', 3: 'name string' },
  Subject: { 1: 'kind string', 2: 'apiGroup string?', 3: 'name string', 4: 'namespace string?' },
};
