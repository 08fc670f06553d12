// The workload resources: pods and what creates them (core/v1, apps/v1, batch/v1).
import { controllerRevisionResource } from './apps/v1/controllerrevision.js';
import { daemonSetResource } from './apps/v1/daemonset.js';
import { deploymentResource } from './apps/v1/deployment.js';
import { replicaSetResource } from './apps/v1/replicaset.js';
import { statefulSetResource } from './apps/v1/statefulset.js';
import { cronJobResource } from './batch/v1/cronjob.js';
import { jobResource } from './batch/v1/job.js';
import { podResource } from './core/v1/pod.js';
import { podTemplateResource } from './core/v1/podtemplate.js';
import { replicationControllerResource } from './core/v1/replicationcontroller.js';
import type { ResourceDefinition } from './types.js';

export const workloadResources: ResourceDefinition[] = [
  podResource,
  podTemplateResource,
  replicationControllerResource,
  deploymentResource,
  replicaSetResource,
  statefulSetResource,
  daemonSetResource,
  controllerRevisionResource,
  jobResource,
  cronJobResource,
];
