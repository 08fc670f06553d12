// Every controller `kubets server` runs, by the name upstream's --controllers flag uses.
import { NamespaceController } from '../controllers/namespace/controller.js';
import { ServiceAccountController } from '../controllers/serviceaccount/controller.js';
import { DeploymentController } from '../controllers/deployment/index.js';
import { EndpointsController } from '../controllers/endpoints/controller.js';
import { EndpointSliceController } from '../controllers/endpointslice/controller.js';
import { ReplicaSetController } from '../controllers/replicaset/controller.js';
import { ReplicationControllerController } from '../controllers/replicaset/replication-controller.js';
import { GarbageCollector } from '../controllers/garbagecollector/controller.js';
import { PodGcController } from '../controllers/podgc/controller.js';
import { DisruptionController } from '../controllers/disruption/controller.js';
import { NodeLifecycleController } from '../controllers/nodelifecycle/controller.js';
import { NodeIpamController } from '../controllers/nodeipam/controller.js';
import { RootCaCertPublisher } from '../controllers/rootcacertpublisher/controller.js';
import { ServiceLbController } from '../controllers/servicelb/controller.js';
import type { ControllerFactory } from './controller-manager.js';

export const ALL_CONTROLLERS: ControllerFactory[] = [
  { name: 'namespace', create: (ctx) => new NamespaceController(ctx) },
  { name: 'serviceaccount', create: (ctx) => new ServiceAccountController(ctx) },
  { name: 'root-ca-cert-publisher', create: (ctx) => new RootCaCertPublisher(ctx) },
  { name: 'garbagecollector', create: (ctx) => new GarbageCollector(ctx) },
  { name: 'podgc', create: (ctx) => new PodGcController(ctx) },
  { name: 'deployment', create: (ctx) => new DeploymentController(ctx) },
  { name: 'replicaset', create: (ctx) => new ReplicaSetController(ctx) },
  { name: 'replicationcontroller', create: (ctx) => new ReplicationControllerController(ctx) },
  { name: 'endpointslice', create: (ctx) => new EndpointSliceController(ctx) },
  { name: 'endpoint', create: (ctx) => new EndpointsController(ctx) },
  { name: 'disruption', create: (ctx) => new DisruptionController(ctx) },
  { name: 'nodelifecycle', create: (ctx) => new NodeLifecycleController(ctx) },
  { name: 'nodeipam', create: (ctx) => new NodeIpamController(ctx) },
  { name: 'servicelb', create: (ctx) => new ServiceLbController(ctx) },
];
