import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SchedulerConfiguration } from '../scheduler/config.js';
import type { DatastoreKind } from '../storage/index.js';
import type { NodeFlags } from '../cli/node-flags.js';

/** Everything `kubets server` is configured with, built once from flags. */
export interface ServerConfig {
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  bindAddress: string;
  datastore: DatastoreKind;
  serviceCidr: string;
  /** Pod addresses: each node gets a /24 of it as its podCIDR (upstream's --cluster-cidr). */
  clusterCidr: string;
  nodePortRange: [number, number];
  mergeKubeconfig: boolean;
  /** Where to merge the `kubets` context (default: $KUBECONFIG or ~/.kube/config). */
  kubeconfigPath?: string;
  verbosity: number;
  /** Runs no controllers (for tests that drive objects themselves). */
  disableControllers: boolean;
  /** Runs no scheduler (pods stay unbound unless something else binds them). */
  disableScheduler?: boolean;
  /** Runs no local node (kubelet): only the control plane. */
  disableAgent?: boolean;
  /** The local node's name (default: the host name, lowercased). */
  nodeName?: string;
  /** The local kubelet API's port (default 10250; 0 picks a free one). */
  kubeletPort?: number;
  /** The local node's networking (service proxy mode, cluster domain, resolvers). */
  node?: NodeFlags;
  /** The scheduler's KubeSchedulerConfiguration (from --scheduler-config). */
  schedulerConfig?: SchedulerConfiguration;
  /** Where schedulerConfig was read from. */
  schedulerConfigPath?: string;
  /** The controller manager's lease timings; `false` runs it without leader election. */
  leaderElection?: false | { leaseDurationMs?: number; renewDeadlineMs?: number; retryPeriodMs?: number; identity?: string };
}

export const defaultServerConfig = (): ServerConfig => ({
  dataDir: join(homedir(), '.kubets'),
  port: 6443,
  bindAddress: '0.0.0.0',
  datastore: 'sqlite',
  serviceCidr: '10.43.0.0/16',
  clusterCidr: '10.42.0.0/16',
  nodePortRange: [30000, 32767],
  mergeKubeconfig: true,
  verbosity: 0,
  disableControllers: false,
});

/** The Kubernetes version kubets speaks (strict semver: kubectl refuses anything else). */
export const KUBERNETES_VERSION = { major: '1', minor: '33', gitVersion: 'v1.33.0' };
export const KUBETS_VERSION = '0.1.0';
