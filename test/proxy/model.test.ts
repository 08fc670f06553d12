import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildServicePorts, DEFAULT_AFFINITY_TIMEOUT_SECONDS } from '../../src/proxy/model.js';
import { service, slice } from './fixtures.js';

const opts = { nodeName: 'node-a' };
const ips = (list: { ip: string; port: number }[]) => list.map((e) => `${e.ip}:${e.port}`);

describe('buildServicePorts', () => {
  it('skips ExternalName, headless and unsupported protocols', () => {
    const ports = buildServicePorts(
      [
        service('ext', { type: 'ExternalName', externalName: 'example.org', clusterIP: undefined }),
        service('headless', { clusterIP: 'None' }),
        service('sctp', { clusterIP: '10.96.0.3', ports: [{ port: 9, protocol: 'SCTP' }] }),
        service('web', { clusterIP: '10.96.0.4' }),
      ],
      [],
      opts,
    );
    assert.deepEqual(
      ports.map((p) => p.key),
      ['default/web/tcp/http'],
    );
  });

  it('gives one entry per port, matching slice ports by name and protocol (named targetPorts)', () => {
    const svc = service('dns', {
      clusterIP: '10.96.0.10',
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 'dns-tcp' },
      ],
    });
    const s = slice('dns', ['10.0.1.5'], [
      { name: 'dns', port: 5353, protocol: 'UDP' },
      { name: 'dns-tcp', port: 5354, protocol: 'TCP' },
    ]);
    const ports = buildServicePorts([svc], [s], opts);
    assert.deepEqual(
      ports.map((p) => [p.key, p.protocol, p.port, ips(p.clusterEndpoints)]),
      [
        ['default/dns/tcp/dns-tcp', 'TCP', 53, ['10.0.1.5:5354']],
        ['default/dns/udp/dns', 'UDP', 53, ['10.0.1.5:5353']],
      ],
    );
  });

  const readiness: { name: string; endpoints: Parameters<typeof slice>[1]; want: string[] }[] = [
    { name: 'nil ready counts as ready', endpoints: [{ ip: '10.0.1.2' }], want: ['10.0.1.2:8080'] },
    { name: 'not-ready endpoints are left out', endpoints: [{ ip: '10.0.1.2' }, { ip: '10.0.1.3', ready: false }], want: ['10.0.1.2:8080'] },
    {
      name: 'terminating-but-serving used only when nothing is ready',
      endpoints: [{ ip: '10.0.1.2', ready: false, serving: true, terminating: true }, { ip: '10.0.1.3', ready: false, serving: false, terminating: true }],
      want: ['10.0.1.2:8080'],
    },
    {
      name: 'ready endpoints win over terminating ones',
      endpoints: [{ ip: '10.0.1.2', ready: false, serving: true, terminating: true }, { ip: '10.0.1.9' }],
      want: ['10.0.1.9:8080'],
    },
    { name: 'sorted by address', endpoints: ['10.0.1.10', '10.0.1.9'], want: ['10.0.1.9:8080', '10.0.1.10:8080'] },
  ];
  for (const c of readiness) {
    it(`endpoint conditions: ${c.name}`, () => {
      const [p] = buildServicePorts([service('web', { clusterIP: '10.96.0.4' })], [slice('web', c.endpoints)], opts);
      assert.deepEqual(ips(p!.clusterEndpoints), c.want);
    });
  }

  it('deduplicates an endpoint listed in two slices', () => {
    const [p] = buildServicePorts([service('web', { clusterIP: '10.96.0.4' })], [slice('web', ['10.0.1.2'], undefined, 'a'), slice('web', ['10.0.1.2', '10.0.1.3'], undefined, 'b')], opts);
    assert.deepEqual(ips(p!.clusterEndpoints), ['10.0.1.2:8080', '10.0.1.3:8080']);
  });

  it('splits local endpoints and keeps node ports and ingress addresses for LoadBalancers', () => {
    const svc = service('lb', { type: 'LoadBalancer', clusterIP: '10.96.0.7', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }, ['192.168.5.5']);
    const [p] = buildServicePorts([svc], [slice('lb', [{ ip: '10.0.1.2', node: 'node-a' }, { ip: '10.0.2.2', node: 'node-b' }])], opts);
    assert.equal(p!.nodePort, 30080);
    assert.deepEqual(p!.externalAddresses, ['192.168.5.5']);
    assert.equal(p!.externalPolicyLocal, true);
    assert.deepEqual(ips(p!.clusterEndpoints), ['10.0.1.2:8080', '10.0.2.2:8080']);
    assert.deepEqual(ips(p!.localEndpoints), ['10.0.1.2:8080']);
  });

  it('ignores nodePort on ClusterIP services and externalTrafficPolicy without external reach', () => {
    const [p] = buildServicePorts([service('web', { clusterIP: '10.96.0.4', externalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: 30001 }] })], [], opts);
    assert.equal(p!.nodePort, undefined);
    assert.equal(p!.externalPolicyLocal, false);
  });

  it('session affinity ClientIP defaults its timeout to 3 hours', () => {
    const [a, b] = buildServicePorts(
      [service('a', { clusterIP: '10.96.0.4', sessionAffinity: 'ClientIP' }), service('b', { clusterIP: '10.96.0.5', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } })],
      [],
      opts,
    );
    assert.equal(a!.affinityTimeoutSeconds, DEFAULT_AFFINITY_TIMEOUT_SECONDS);
    assert.equal(b!.affinityTimeoutSeconds, 60);
  });
});
