// Protobuf field tables for meta/v1, in the compact form described in ../schema.ts.
// Upstream source: k8s.io/apimachinery pkg/apis/meta/v1/generated.proto. test/apiserver/protobuf/descriptors.test.ts
// checks every number, name and type here against the descriptors compiled into kubectl 1.33.
import type { MessageTable } from '../schema.js';

/** meta/v1 object metadata, selectors, conditions and delete options. */
export const META_V1: MessageTable = {
  ObjectMeta: {
    1: 'name string?', 2: 'generateName string?', 3: 'namespace string?', 4: 'selfLink string?', 5: 'uid string?',
    6: 'resourceVersion string?', 7: 'generation int64?', 8: 'creationTimestamp time', 9: 'deletionTimestamp time',
    10: 'deletionGracePeriodSeconds int64', 11: 'labels map<string>', 12: 'annotations map<string>',
    13: 'ownerReferences []OwnerReference', 14: 'finalizers []string', 17: 'managedFields []ManagedFieldsEntry',
  },
  OwnerReference: {
    1: 'kind string', 3: 'name string', 4: 'uid string', 5: 'apiVersion string', 6: 'controller bool',
    7: 'blockOwnerDeletion bool',
  },
  ManagedFieldsEntry: {
    1: 'manager string?', 2: 'operation string?', 3: 'apiVersion string?', 4: 'time time', 6: 'fieldsType string?',
    7: 'fieldsV1 rawjson', 8: 'subresource string?',
  },
  LabelSelector: { 1: 'matchLabels map<string>', 2: 'matchExpressions []LabelSelectorRequirement' },
  LabelSelectorRequirement: { 1: 'key string', 2: 'operator string', 3: 'values []string' },
  FieldSelectorRequirement: { 1: 'key string', 2: 'operator string', 3: 'values []string' },
  Condition: {
    1: 'type string', 2: 'status string', 3: 'observedGeneration int64?', 4: 'lastTransitionTime time',
    5: 'reason string', 6: 'message string',
  },
  DeleteOptions: {
    1: 'gracePeriodSeconds int64', 2: 'preconditions Preconditions', 3: 'orphanDependents bool',
    4: 'propagationPolicy string', 5: 'dryRun []string', 6: 'ignoreStoreReadErrorWithClusterBreakingPotential bool',
  },
  Preconditions: { 1: 'uid string', 2: 'resourceVersion string' },
};
