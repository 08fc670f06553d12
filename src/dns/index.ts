/** Cluster DNS (CoreDNS's kubernetes + forward plugins): wire format, records, zone, server. */
export { ClusterRecords, type ClusterRecordsSink } from './records.js';
export { KubernetesZone, type ZoneOptions } from './zone.js';
export { Forwarder, parseResolvConf, type ForwarderOptions, type Upstream } from './forwarder.js';
export { DnsServer, type DnsServerOptions } from './server.js';
export type { DnsMetrics } from './responder.js';
