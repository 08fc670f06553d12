// Protobuf field tables for policy/v1, in the compact form described in ../schema.ts.
// Upstream source: k8s.io/api policy/v1/generated.proto. test/apiserver/protobuf/descriptors.test.ts
// checks every number, name and type here against the descriptors compiled into kubectl 1.33.
import type { MessageTable } from '../schema.js';

/** policy/v1 PodDisruptionBudget and Eviction. */
export const POLICY_V1: MessageTable = {
  Eviction: { 1: 'metadata meta.ObjectMeta', 2: 'deleteOptions meta.DeleteOptions' },
  PodDisruptionBudget: {
    1: 'metadata meta.ObjectMeta', 2: 'spec PodDisruptionBudgetSpec', 3: 'status PodDisruptionBudgetStatus',
  },
  PodDisruptionBudgetSpec: {
    1: 'minAvailable intstr', 2: 'selector meta.LabelSelector', 3: 'maxUnavailable intstr',
    4: 'unhealthyPodEvictionPolicy string',
  },
  PodDisruptionBudgetStatus: {
    1: 'observedGeneration int64?', 2: 'disruptedPods map<time>', 3: 'disruptionsAllowed int32',
    4: 'currentHealthy int32', 5: 'desiredHealthy int32', 6: 'expectedPods int32', 7: 'conditions []meta.Condition',
  },
};
