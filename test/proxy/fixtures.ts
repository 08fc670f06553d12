// Services and EndpointSlices for the proxy tests, built the way the API server and the
// EndpointSlice controller would leave them.
import type { Service, ServiceSpec } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js';

export function service(name: string, spec: Partial<ServiceSpec>, ingress: string[] = []): Service {
  return {
    metadata: { namespace: 'default', name },
    spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }], ...spec },
    status: ingress.length ? { loadBalancer: { ingress: ingress.map((ip) => ({ ip })) } } : {},
  };
}

export interface EndpointSpec {
  ip: string;
  node?: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

export function slice(serviceName: string, endpoints: (string | EndpointSpec)[], ports: EndpointSlice['ports'] = [{ name: 'http', port: 8080, protocol: 'TCP' }], suffix = 'abc'): EndpointSlice {
  return {
    addressType: 'IPv4',
    metadata: { namespace: 'default', name: `${serviceName}-${suffix}`, labels: { 'kubernetes.io/service-name': serviceName } },
    ports,
    endpoints: endpoints.map((e): Endpoint => {
      const spec = typeof e === 'string' ? { ip: e } : e;
      const conditions: Endpoint['conditions'] = {};
      if (spec.ready !== undefined) conditions.ready = spec.ready;
      if (spec.serving !== undefined) conditions.serving = spec.serving;
      if (spec.terminating !== undefined) conditions.terminating = spec.terminating;
      return { addresses: [spec.ip], nodeName: spec.node ?? 'node-a', conditions };
    }),
  };
}
