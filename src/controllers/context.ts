// What every controller is built from: the API client, the shared informers (one cache per
// resource for all controllers), an event recorder and a logger. The controller manager makes one
// context and starts the informers once every controller has asked for the ones it needs.
import type { InformerFactory } from '../client/cache/informer-factory.js';
import type { EventRecorder } from '../client/events/types.js';
import type { Client } from '../client/types.js';
import type { Logger } from '../logging/index.js';

export interface ControllerContext {
  client: Client;
  informers: InformerFactory;
  /** A recorder whose events name `component` as their source (e.g. 'replicaset-controller'). */
  recorder(component: string): EventRecorder;
  logger: Logger;
  /** Cluster-wide settings some controllers need (upstream's kube-controller-manager flags). */
  settings?: ControllerSettings;
}

export interface ControllerSettings {
  /** --cluster-cidr: where node IPAM takes each node's podCIDR from (default 10.42.0.0/16). */
  clusterCIDR?: string;
  /** --root-ca-file: the cluster CA certificate (PEM) the root CA publisher puts in every namespace. */
  rootCA?: string;
}
