// Protobuf field tables for apps/v1, in the compact form described in ../schema.ts.
// Upstream source: k8s.io/api apps/v1/generated.proto. test/apiserver/protobuf/descriptors.test.ts
// checks every number, name and type here against the descriptors compiled into kubectl 1.33.
import type { MessageTable } from '../schema.js';

/** apps/v1 Deployment. */
export const APPS_V1: MessageTable = {
  Deployment: { 1: 'metadata meta.ObjectMeta', 2: 'spec DeploymentSpec', 3: 'status DeploymentStatus' },
  DeploymentCondition: {
    1: 'type string', 2: 'status string', 4: 'reason string?', 5: 'message string?', 6: 'lastUpdateTime time',
    7: 'lastTransitionTime time',
  },
  DeploymentSpec: {
    1: 'replicas int32', 2: 'selector meta.LabelSelector', 3: 'template core.PodTemplateSpec',
    4: 'strategy DeploymentStrategy', 5: 'minReadySeconds int32?', 6: 'revisionHistoryLimit int32', 7: 'paused bool?',
    9: 'progressDeadlineSeconds int32',
  },
  DeploymentStatus: {
    1: 'observedGeneration int64?', 2: 'replicas int32?', 3: 'updatedReplicas int32?', 4: 'availableReplicas int32?',
    5: 'unavailableReplicas int32?', 6: 'conditions []DeploymentCondition', 7: 'readyReplicas int32?',
    8: 'collisionCount int32', 9: 'terminatingReplicas int32',
  },
  DeploymentStrategy: { 1: 'type string?', 2: 'rollingUpdate RollingUpdateDeployment' },
  RollingUpdateDeployment: { 1: 'maxUnavailable intstr', 2: 'maxSurge intstr' },
};
