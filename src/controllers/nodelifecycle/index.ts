// The node lifecycle controller and the taint eviction controller it runs.
export { NodeLifecycleController, type NodeLifecycleOptions } from './controller.js';
export { TaintEvictionController, type TaintEvictionOptions, matchingTolerations, minTolerationMs } from './taint-eviction.js';
export { NodeHealthTracker, KUBELET_CONDITIONS } from './health.js';
export * from './taints.js';
export { RateLimitedTaintQueue, computeZoneState, zoneKey, type ZoneState } from './zones.js';
