// The cluster the DNS figure queries, shared by the server side (which feeds ClusterRecords) and
// the client process (which builds the query mix and knows what each answer must hold).
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';

export interface DnsClusterSpec {
  services: number;
  namespaces: number;
  /** Every n-th service is headless. */
  headlessEvery: number;
  /** Ready endpoints per service (a headless A answer holds this many records). */
  endpoints: number;
}

export const ZONE = 'cluster.local';

export const isHeadless = (spec: DnsClusterSpec, i: number): boolean => i % spec.headlessEvery === 0;
export const namespaceOf = (spec: DnsClusterSpec, i: number): string => `ns-${i % spec.namespaces}`;
export const serviceName = (i: number): string => `svc-${i}`;
export const fqdn = (spec: DnsClusterSpec, i: number): string => `${serviceName(i)}.${namespaceOf(spec, i)}.svc.${ZONE}.`;

/** The objects an informer would feed: one Service and one EndpointSlice per service. */
export function dnsObjects(spec: DnsClusterSpec): { services: Service[]; slices: EndpointSlice[] } {
  const services: Service[] = [];
  const slices: EndpointSlice[] = [];
  for (let i = 0; i < spec.services; i++) {
    const namespace = namespaceOf(spec, i);
    const name = serviceName(i);
    services.push({
      metadata: { namespace, name },
      spec: { clusterIP: isHeadless(spec, i) ? 'None' : `10.96.${(i >> 8) & 255}.${i & 255}`, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
    });
    slices.push({
      addressType: 'IPv4',
      metadata: { namespace, name: `${name}-abcde`, labels: { 'kubernetes.io/service-name': name } },
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: Array.from({ length: spec.endpoints }, (_, n) => ({
        addresses: [`10.${128 + (i >> 8)}.${i & 255}.${n + 2}`],
        conditions: { ready: true },
      })),
    });
  }
  return { services, slices };
}

export type QueryKind = 'service A' | 'headless A' | 'SRV' | 'NXDOMAIN';
export const QUERY_KINDS: QueryKind[] = ['service A', 'headless A', 'SRV', 'NXDOMAIN'];
/** The mix's weights, in QUERY_KINDS order (a pod's resolver asks mostly for service addresses). */
export const QUERY_WEIGHTS = [0.5, 0.2, 0.15, 0.15];

/** What a correct answer to each kind holds: its rcode and its number of answer records. */
export function expected(spec: DnsClusterSpec, kind: QueryKind): { rcode: number; answers: number } {
  switch (kind) {
    case 'service A':
      return { rcode: 0, answers: 1 };
    case 'headless A':
      return { rcode: 0, answers: spec.endpoints };
    case 'SRV':
      return { rcode: 0, answers: 1 };
    case 'NXDOMAIN':
      return { rcode: 3, answers: 0 };
  }
}
