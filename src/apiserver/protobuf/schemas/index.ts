// Which protobuf packages kubets can decode, and which top-level kinds each apiVersion maps to.
// The kinds are what kubectl 1.32+ sends as protobuf: its typed `create` commands, `create token`,
// `auth can-i` / `auth whoami`, `autoscale`, `certificate approve`, and DeleteOptions bodies.
import type { SchemaPackage } from '../schema.js';
import { APPS_V1 } from './apps-v1.js';
import { AUTHENTICATION_V1 } from './authentication-v1.js';
import { AUTHORIZATION_V1 } from './authorization-v1.js';
import { AUTOSCALING_V2 } from './autoscaling-v2.js';
import { BATCH_V1 } from './batch-v1.js';
import { CERTIFICATES_V1 } from './certificates-v1.js';
import { CORE_V1 } from './core-v1.js';
import { CORE_V1_CONTAINER } from './core-v1-container.js';
import { CORE_V1_POD } from './core-v1-pod.js';
import { CORE_V1_VOLUMES } from './core-v1-volumes.js';
import { META_V1 } from './meta-v1.js';
import { NETWORKING_V1 } from './networking-v1.js';
import { POLICY_V1 } from './policy-v1.js';
import { RBAC_V1 } from './rbac-v1.js';
import { SCHEDULING_V1 } from './scheduling-v1.js';

export const PACKAGES: readonly SchemaPackage[] = [
  { id: 'meta', proto: 'k8s.io.apimachinery.pkg.apis.meta.v1', tables: [META_V1] },
  { id: 'core', proto: 'k8s.io.api.core.v1', tables: [CORE_V1, CORE_V1_POD, CORE_V1_CONTAINER, CORE_V1_VOLUMES] },
  { id: 'apps', proto: 'k8s.io.api.apps.v1', tables: [APPS_V1] },
  { id: 'batch', proto: 'k8s.io.api.batch.v1', tables: [BATCH_V1] },
  { id: 'rbac', proto: 'k8s.io.api.rbac.v1', tables: [RBAC_V1] },
  { id: 'networking', proto: 'k8s.io.api.networking.v1', tables: [NETWORKING_V1] },
  { id: 'policy', proto: 'k8s.io.api.policy.v1', tables: [POLICY_V1] },
  { id: 'scheduling', proto: 'k8s.io.api.scheduling.v1', tables: [SCHEDULING_V1] },
  { id: 'authentication', proto: 'k8s.io.api.authentication.v1', tables: [AUTHENTICATION_V1] },
  { id: 'authorization', proto: 'k8s.io.api.authorization.v1', tables: [AUTHORIZATION_V1] },
  { id: 'autoscaling', proto: 'k8s.io.api.autoscaling.v2', tables: [AUTOSCALING_V2] },
  { id: 'certificates', proto: 'k8s.io.api.certificates.v1', tables: [CERTIFICATES_V1] },
];

/** apiVersion -> kind -> `<package id>.<Message>`. */
export const KINDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  v1: {
    Namespace: 'core.Namespace',
    ConfigMap: 'core.ConfigMap',
    Secret: 'core.Secret',
    ServiceAccount: 'core.ServiceAccount',
    Service: 'core.Service',
    Pod: 'core.Pod',
    ResourceQuota: 'core.ResourceQuota',
    LimitRange: 'core.LimitRange',
    Binding: 'core.Binding',
  },
  'apps/v1': { Deployment: 'apps.Deployment' },
  'batch/v1': { Job: 'batch.Job', CronJob: 'batch.CronJob' },
  'rbac.authorization.k8s.io/v1': {
    Role: 'rbac.Role',
    ClusterRole: 'rbac.ClusterRole',
    RoleBinding: 'rbac.RoleBinding',
    ClusterRoleBinding: 'rbac.ClusterRoleBinding',
  },
  'networking.k8s.io/v1': { Ingress: 'networking.Ingress' },
  'policy/v1': { PodDisruptionBudget: 'policy.PodDisruptionBudget', Eviction: 'policy.Eviction' },
  'scheduling.k8s.io/v1': { PriorityClass: 'scheduling.PriorityClass' },
  'authentication.k8s.io/v1': {
    TokenRequest: 'authentication.TokenRequest',
    TokenReview: 'authentication.TokenReview',
    SelfSubjectReview: 'authentication.SelfSubjectReview',
  },
  'authorization.k8s.io/v1': {
    SelfSubjectAccessReview: 'authorization.SelfSubjectAccessReview',
    SelfSubjectRulesReview: 'authorization.SelfSubjectRulesReview',
    SubjectAccessReview: 'authorization.SubjectAccessReview',
    LocalSubjectAccessReview: 'authorization.LocalSubjectAccessReview',
  },
  'autoscaling/v2': { HorizontalPodAutoscaler: 'autoscaling.HorizontalPodAutoscaler' },
  'certificates.k8s.io/v1': { CertificateSigningRequest: 'certificates.CertificateSigningRequest' },
};

/**
 * Upstream registers DeleteOptions (a meta/v1 type) in every group version, so a client encodes it
 * with whatever apiVersion its REST client speaks, or meta.k8s.io/v1.
 */
export function messageFor(apiVersion: string, kind: string): string | undefined {
  const served = apiVersion === 'meta.k8s.io/v1' || Object.hasOwn(KINDS, apiVersion);
  if (kind === 'DeleteOptions' && served) return 'meta.DeleteOptions';
  const kinds = Object.hasOwn(KINDS, apiVersion) ? KINDS[apiVersion]! : undefined;
  return kinds && Object.hasOwn(kinds, kind) ? kinds[kind] : undefined;
}
