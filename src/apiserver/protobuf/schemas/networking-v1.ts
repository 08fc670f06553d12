// Protobuf field tables for networking.k8s.io/v1, in the compact form described in ../schema.ts.
// Upstream source: k8s.io/api networking/v1/generated.proto. test/apiserver/protobuf/descriptors.test.ts
// checks every number, name and type here against the descriptors compiled into kubectl 1.33.
import type { MessageTable } from '../schema.js';

/** networking.k8s.io/v1 Ingress. */
export const NETWORKING_V1: MessageTable = {
  Ingress: { 1: 'metadata meta.ObjectMeta', 2: 'spec IngressSpec', 3: 'status IngressStatus' },
  HTTPIngressPath: { 1: 'path string?', 2: 'backend IngressBackend', 3: 'pathType string' },
  HTTPIngressRuleValue: { 1: 'paths []HTTPIngressPath' },
  IngressBackend: { 3: 'resource core.TypedLocalObjectReference', 4: 'service IngressServiceBackend' },
  IngressLoadBalancerIngress: { 1: 'ip string?', 2: 'hostname string?', 4: 'ports []IngressPortStatus' },
  IngressLoadBalancerStatus: { 1: 'ingress []IngressLoadBalancerIngress' },
  IngressPortStatus: { 1: 'port int32', 2: 'protocol string', 3: 'error string' },
  IngressRule: { 1: 'host string?', 2: '... IngressRuleValue' },
  IngressRuleValue: { 1: 'http HTTPIngressRuleValue' },
  IngressServiceBackend: { 1: 'name string', 2: 'port ServiceBackendPort' },
  IngressSpec: {
    1: 'defaultBackend IngressBackend', 2: 'tls []IngressTLS', 3: 'rules []IngressRule', 4: 'ingressClassName string',
  },
  IngressStatus: { 1: 'loadBalancer IngressLoadBalancerStatus' },
  IngressTLS: { 1: 'hosts []string', 2: 'secretName string?' },
  ServiceBackendPort: { 1: 'name string?', 2: 'number int32?' },
};
