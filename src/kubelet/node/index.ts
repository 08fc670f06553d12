// The node half of the kubelet: registration, heartbeat Lease and node status.
export { NodeAgent, type NodeAgentOptions } from './agent.js';
export { NodeLease, NODE_LEASE_NAMESPACE, DEFAULT_LEASE_DURATION_SECONDS } from './lease.js';
export { type MachineInfo, type MachineProbes, type MachineUsage, type FilesystemStats, type PidStats, hostMachine, goArch, goOS } from './machine.js';
export { computeNodeStatus, nodeStatusChanged, pressureOf, updateConditions, nodeResources, nodeLabels, MEMORY_EVICTION_BYTES } from './status.js';
