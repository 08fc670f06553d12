import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import { buildServicePorts, type ProxyEndpoint, type ServicePortInfo } from '../../../src/proxy/model.js';
import { desiredListeners, nodePortHosts } from '../../../src/proxy/userspace/listeners.js';
import { service, slice } from '../fixtures.js';
import { servicePort } from './sockets.js';

const ep = (ip: string): ProxyEndpoint => ({ ip, port: 8080, ready: true, serving: true, terminating: false });
const A = ep('10.0.1.2');
const B = ep('10.0.2.2');

/** Each listener as "kind host:port -> endpoints [| host clients -> endpoints]". */
function render(ports: ServicePortInfo[], nodeAddresses: string[], hostAddresses: string[] = []): string[] {
  const show = (list: ProxyEndpoint[]) => list.map((e) => e.ip).join(',') || '-';
  return desiredListeners(ports, { listenAddress: (p) => ({ host: p.clusterIP, port: p.port }), nodeAddresses, hostAddresses: new Set(hostAddresses) }).map(
    (l) => `${l.kind} ${l.address.host}:${l.address.port} -> ${show(l.endpoints)}${l.hostEndpoints ? ` | host -> ${show(l.hostEndpoints)}` : ''}`,
  );
}

describe('desiredListeners', () => {
  const cases: { name: string; port: Partial<ServicePortInfo>; nodeAddresses?: string[]; hostAddresses?: string[]; want: string[] }[] = [
    { name: 'a ClusterIP service listens on its clusterIP only', port: {}, want: ['cluster 10.96.0.1:80 -> A,B'] },
    {
      name: 'a nodePort listens on every node address given',
      port: { nodePort: 30080 },
      nodeAddresses: ['10.0.1.1', '192.0.2.1', '10.0.1.1'],
      want: ['cluster 10.96.0.1:80 -> A,B', 'nodePort 10.0.1.1:30080 -> A,B', 'nodePort 192.0.2.1:30080 -> A,B'],
    },
    { name: 'the wildcard covers the specific addresses', port: { nodePort: 30080 }, nodeAddresses: ['10.0.1.1', '0.0.0.0'], want: ['cluster 10.96.0.1:80 -> A,B', 'nodePort 0.0.0.0:30080 -> A,B'] },
    {
      name: 'a UDP nodePort binds each host address rather than the wildcard',
      port: { protocol: 'UDP', nodePort: 30053 },
      hostAddresses: ['127.0.0.1', '10.0.1.1'],
      want: ['cluster 10.96.0.1:80 -> A,B', 'nodePort 10.0.1.1:30053 -> A,B', 'nodePort 127.0.0.1:30053 -> A,B'],
    },
    { name: 'no node addresses: no nodePort listener', port: { nodePort: 30080 }, nodeAddresses: [], want: ['cluster 10.96.0.1:80 -> A,B'] },
    {
      name: 'external addresses are listened on at the service port only when local',
      port: { externalAddresses: ['10.200.0.10', '10.200.0.11'] },
      hostAddresses: ['10.200.0.10'],
      want: ['cluster 10.96.0.1:80 -> A,B', 'external 10.200.0.10:80 -> A,B'],
    },
    {
      name: 'externalTrafficPolicy Local: outside clients to local endpoints, the host to all',
      port: { nodePort: 30080, externalAddresses: ['10.200.0.10'], externalPolicyLocal: true },
      hostAddresses: ['10.200.0.10'],
      want: ['cluster 10.96.0.1:80 -> A,B', 'nodePort 0.0.0.0:30080 -> A | host -> A,B', 'external 10.200.0.10:80 -> A | host -> A,B'],
    },
    {
      name: 'internalTrafficPolicy Local only changes the cluster listener',
      port: { nodePort: 30080, internalPolicyLocal: true },
      want: ['cluster 10.96.0.1:80 -> A', 'nodePort 0.0.0.0:30080 -> A,B'],
    },
  ];
  for (const tc of cases)
    it(tc.name, () => {
      const port = servicePort('web', 'TCP', [A, B], { localEndpoints: [A], ...tc.port });
      const got = render([port], tc.nodeAddresses ?? ['0.0.0.0'], tc.hostAddresses).map((l) => l.replaceAll('10.0.1.2', 'A').replaceAll('10.0.2.2', 'B'));
      assert.deepEqual(got, tc.want);
    });

  it('gives each listener a distinct id that stays the same across calls', () => {
    const ports = [servicePort('web', 'TCP', [A], { nodePort: 30080 }), servicePort('web', 'UDP', [A], { nodePort: 30080 })];
    const ids = (p: ServicePortInfo[]) => desiredListeners(p, { listenAddress: (sp) => ({ host: sp.clusterIP, port: sp.port }), nodeAddresses: ['0.0.0.0'], hostAddresses: new Set(['10.0.1.1']) }).map((l) => l.id);
    const first = ids(ports);
    assert.equal(new Set(first).size, 4);
    assert.deepEqual(ids(ports.map((p) => ({ ...p, clusterEndpoints: [A, B] }))), first, 'endpoints are not part of the identity');
  });

  it('nodePortHosts keeps order and drops duplicates', () => {
    assert.deepEqual(nodePortHosts(['10.0.0.2', '10.0.0.1', '10.0.0.2']), ['10.0.0.2', '10.0.0.1']);
  });
});

describe('load-balancer ingress by ipMode (buildServicePorts)', () => {
  const lb = (ingress: { ip: string; ipMode?: string }[], externalIPs: string[] = []): Service => ({
    ...service('lb', { type: 'LoadBalancer', clusterIP: '10.96.0.5', externalIPs, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 }] }),
    status: { loadBalancer: { ingress } },
  });
  const cases: { name: string; svc: Service; want: string[] }[] = [
    { name: 'keeps VIP and unset ipModes', svc: lb([{ ip: '10.200.0.1', ipMode: 'VIP' }, { ip: '10.200.0.2' }]), want: ['10.200.0.1', '10.200.0.2'] },
    { name: 'drops ipMode Proxy', svc: lb([{ ip: '10.200.0.1', ipMode: 'Proxy' }, { ip: '10.200.0.2' }]), want: ['10.200.0.2'] },
    { name: 'keeps a Proxy address that is also an externalIP', svc: lb([{ ip: '10.200.0.1', ipMode: 'Proxy' }], ['10.200.0.1']), want: ['10.200.0.1'] },
  ];
  for (const tc of cases)
    it(tc.name, () => {
      const ports = buildServicePorts([tc.svc], [slice('lb', ['10.0.1.2'])], { nodeName: 'node-a' });
      assert.deepEqual(
        ports.map((p) => p.externalAddresses),
        [tc.want],
      );
    });

  it('leaves other services alone', () => {
    const other = service('other', { clusterIP: '10.96.0.6', externalIPs: ['10.200.0.9'] });
    const svcs = [lb([{ ip: '10.200.0.1', ipMode: 'Proxy' }]), other];
    const ports = buildServicePorts(svcs, [], { nodeName: 'node-a' });
    assert.deepEqual(
      ports.map((p) => [p.name, p.externalAddresses]),
      [
        ['lb', []],
        ['other', ['10.200.0.9']],
      ],
    );
  });
});
