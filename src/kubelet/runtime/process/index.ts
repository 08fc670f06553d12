// The process runtime: containers as host processes (see runtime.ts).
export { ATTACH_DETACHED } from './attach.js';
export { UNKNOWN_EXIT_CODE, UNKNOWN_EXIT_REASON } from './container-process.js';
export { type CriLogEntry, DEFAULT_MAX_LOG_FILES, DEFAULT_MAX_LOG_SIZE, MAX_LOG_LINE_SIZE, parseCriLogLine, rotatedLogFiles } from './log-writer.js';
export { type ContainerMounts, HostPathMounts } from './mounts.js';
export { HOST_NETWORK_INFO, HostNetwork, type SandboxNetwork, type SandboxNetworkStatus } from './network.js';
export { PROCESS_RUNTIME_NAME, PROCESS_RUNTIME_VERSION, ProcessRuntime, type ProcessRuntimeOptions, START_ERROR_EXIT_CODE } from './runtime.js';
