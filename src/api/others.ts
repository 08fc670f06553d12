// The built-in resources beyond the workloads (pods, templates, controllers, apps, batch), in
// discovery order within each group.
import { customResourceDefinitionResource } from './apiextensions/v1/customresourcedefinition.js';
import { horizontalPodAutoscalerV1Resource } from './autoscaling/v1/horizontalpodautoscaler.js';
import { horizontalPodAutoscalerV2Resource } from './autoscaling/v2/horizontalpodautoscaler.js';
import { leaseResource } from './coordination/v1/lease.js';
import { configMapResource } from './core/v1/configmap.js';
import { endpointsResource } from './core/v1/endpoints.js';
import { eventResource } from './core/v1/event.js';
import { limitRangeResource } from './core/v1/limitrange.js';
import { namespaceResource } from './core/v1/namespace.js';
import { nodeResource } from './core/v1/node.js';
import { persistentVolumeResource } from './core/v1/persistentvolume.js';
import { persistentVolumeClaimResource } from './core/v1/persistentvolumeclaim.js';
import { resourceQuotaResource } from './core/v1/resourcequota.js';
import { secretResource } from './core/v1/secret.js';
import { serviceResource } from './core/v1/service.js';
import { serviceAccountResource } from './core/v1/serviceaccount.js';
import { endpointSliceResource } from './discovery/v1/endpointslice.js';
import { eventsV1EventResource } from './events/v1/event.js';
import { ingressResource } from './networking/v1/ingress.js';
import { ingressClassResource } from './networking/v1/ingressclass.js';
import { networkPolicyResource } from './networking/v1/networkpolicy.js';
import { podDisruptionBudgetResource } from './policy/v1/poddisruptionbudget.js';
import { clusterRoleResource } from './rbac/v1/clusterrole.js';
import { clusterRoleBindingResource } from './rbac/v1/clusterrolebinding.js';
import { roleResource } from './rbac/v1/role.js';
import { roleBindingResource } from './rbac/v1/rolebinding.js';
import { priorityClassResource } from './scheduling/v1/priorityclass.js';
import { storageClassResource } from './storage/v1/storageclass.js';
import type { ResourceDefinition } from './types.js';

export const otherResources: ResourceDefinition[] = [
  configMapResource,
  endpointsResource,
  eventResource,
  limitRangeResource,
  namespaceResource,
  nodeResource,
  persistentVolumeClaimResource,
  persistentVolumeResource,
  resourceQuotaResource,
  secretResource,
  serviceAccountResource,
  serviceResource,
  eventsV1EventResource,
  horizontalPodAutoscalerV2Resource,
  horizontalPodAutoscalerV1Resource,
  networkPolicyResource,
  ingressClassResource,
  ingressResource,
  podDisruptionBudgetResource,
  clusterRoleBindingResource,
  clusterRoleResource,
  roleBindingResource,
  roleResource,
  storageClassResource,
  customResourceDefinitionResource,
  priorityClassResource,
  leaseResource,
  endpointSliceResource,
] as ResourceDefinition[];
