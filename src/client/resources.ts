// The built-in resources kubets' own components use, as ResourceTypes for the client.
import type { ResourceType } from './types.js';

const core = (resource: string, kind: string, namespaced = true): ResourceType => ({ group: '', version: 'v1', resource, kind, namespaced });
const apps = (resource: string, kind: string): ResourceType => ({ group: 'apps', version: 'v1', resource, kind, namespaced: true });

export const PODS = core('pods', 'Pod');
export const NODES = core('nodes', 'Node', false);
export const NAMESPACES = core('namespaces', 'Namespace', false);
export const SERVICES = core('services', 'Service');
export const ENDPOINTS = core('endpoints', 'Endpoints');
export const EVENTS = core('events', 'Event');
export const SERVICE_ACCOUNTS = core('serviceaccounts', 'ServiceAccount');
export const CONFIG_MAPS = core('configmaps', 'ConfigMap');
export const SECRETS = core('secrets', 'Secret');
export const REPLICATION_CONTROLLERS = core('replicationcontrollers', 'ReplicationController');
export const PERSISTENT_VOLUME_CLAIMS = core('persistentvolumeclaims', 'PersistentVolumeClaim');
export const DEPLOYMENTS = apps('deployments', 'Deployment');
export const REPLICA_SETS = apps('replicasets', 'ReplicaSet');
export const STATEFUL_SETS = apps('statefulsets', 'StatefulSet');
export const DAEMON_SETS = apps('daemonsets', 'DaemonSet');
export const CONTROLLER_REVISIONS = apps('controllerrevisions', 'ControllerRevision');
export const JOBS: ResourceType = { group: 'batch', version: 'v1', resource: 'jobs', kind: 'Job', namespaced: true };
export const CRON_JOBS: ResourceType = { group: 'batch', version: 'v1', resource: 'cronjobs', kind: 'CronJob', namespaced: true };
export const ENDPOINT_SLICES: ResourceType = { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', kind: 'EndpointSlice', namespaced: true };
export const POD_DISRUPTION_BUDGETS: ResourceType = { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true };
export const LEASES: ResourceType = { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', kind: 'Lease', namespaced: true };

/** `apps/v1`, or `v1` for the core group. */
export const apiVersionOf = (t: ResourceType): string => (t.group ? `${t.group}/${t.version}` : t.version);
