/** The kubelet's HTTPS API (container logs, exec, attach, port-forward) and what serves it. */
export { KubeletServer, DEFAULT_KUBELET_PORT } from './server.js';
export { writeTextError } from './respond.js';
export type { KubeletServerOptions, KubeletServerTls } from './server.js';
export type { ContainerLogInfo, FindPod, PodLogInfo } from './container-logs.js';
export { readLogs } from './log-reader.js';
export type { ReadLogsOptions } from './log-reader.js';
export { decodePodLogOptions, validatePodLogOptions, kubeletLogQuery, sinceNanos, LogOptionsDecodeError } from './log-options.js';
export type { PodLogOptions } from './log-options.js';
export { formatCriRecord, parseCriRecord, parseTimestamp } from './cri-log.js';
export type { CriRecord, LogStream } from './cri-log.js';
export { StreamingServer, parseStreamingPath } from './streaming/index.js';
export type { StreamingOptions, StreamingRoute, StreamTarget } from './streaming/index.js';
