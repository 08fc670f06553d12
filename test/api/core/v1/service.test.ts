import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Service, ServiceSpec } from 'kubernetes-types/core/v1.js';
import { serviceResource as def, isDNS1035Label } from '../../../../src/api/core/v1/service.js';

const summary = (errs: { type: string; field: string }[]) => errs.map((e) => `${e.type} ${e.field}`);
const svc = (spec: ServiceSpec, name = 'web'): Service => ({ metadata: { name, namespace: 'default' }, spec });

/** defaults, then prepareForCreate, as a create request goes. */
function created(spec: ServiceSpec, name?: string): Service {
  const s = svc(structuredClone(spec), name);
  def.defaults!(s);
  def.prepareForCreate!(s);
  return s;
}

function updated(old: Service, spec: ServiceSpec): Service {
  const s: Service = { metadata: old.metadata, spec: structuredClone(spec), status: old.status };
  def.defaults!(s);
  def.prepareForUpdate!(s, old);
  return s;
}

describe('services: discovery', () => {
  test('facts as upstream', () => {
    assert.deepEqual(
      [def.plural, def.singular, def.shortNames, def.categories, def.subresources, def.nameValidation, def.tracksGeneration],
      ['services', 'service', ['svc'], ['all'], { status: true }, 'dns1123Label', false],
    );
  });
});

describe('services: defaults', () => {
  test('cases', () => {
    const port = { port: 80 };
    const cases: [string, ServiceSpec, Partial<ServiceSpec>][] = [
      ['ClusterIP basics', { ports: [port], selector: { a: 'b' } }, {
        type: 'ClusterIP', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', ipFamilyPolicy: 'SingleStack',
        ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      }],
      ['named target port kept', { ports: [{ port: 80, targetPort: 'http' }] }, { ports: [{ port: 80, protocol: 'TCP', targetPort: 'http' }] }],
      ['target port 0 becomes the port', { ports: [{ port: 8080, targetPort: 0 }] }, { ports: [{ port: 8080, protocol: 'TCP', targetPort: 8080 }] }],
      ['NodePort gets externalTrafficPolicy', { type: 'NodePort', ports: [port] }, { externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster' }],
      ['LoadBalancer allocates node ports', { type: 'LoadBalancer', ports: [port] }, { externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true }],
      ['ClusterIP with externalIPs is externally accessible', { externalIPs: ['1.2.3.4'], ports: [port] }, { externalTrafficPolicy: 'Cluster' }],
      ['ClientIP affinity gets the 3h timeout', { sessionAffinity: 'ClientIP', ports: [port] }, { sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } }],
      ['headless without selector asks for every family', { clusterIP: 'None' }, { ipFamilyPolicy: 'RequireDualStack' }],
      ['headless with selector is single-stack', { clusterIP: 'None', selector: { a: 'b' } }, { ipFamilyPolicy: 'SingleStack' }],
      ['two families mean dual-stack', { ipFamilies: ['IPv4', 'IPv6'], ports: [port] }, { ipFamilyPolicy: 'RequireDualStack' }],
    ];
    for (const [name, spec, want] of cases) {
      const s = created(spec);
      for (const [k, v] of Object.entries(want)) assert.deepEqual(s.spec![k as keyof ServiceSpec], v, `${name}: ${k}`);
    }
  });

  test('ExternalName gets neither traffic nor family policies; affinity None drops its config', () => {
    const s = created({ type: 'ExternalName', externalName: 'db.example.com', sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } } });
    assert.equal(s.spec!.internalTrafficPolicy, undefined);
    assert.equal(s.spec!.ipFamilyPolicy, undefined);
    assert.equal(s.spec!.externalTrafficPolicy, undefined);
    assert.equal(s.spec!.sessionAffinityConfig, undefined);
  });

  test('create syncs clusterIPs with clusterIP and resets status', () => {
    const s = svc({ clusterIP: '10.0.0.10', ports: [{ port: 80 }] });
    (s as { status?: unknown }).status = { loadBalancer: { ingress: [{ ip: '1.1.1.1' }] } };
    def.defaults!(s);
    def.prepareForCreate!(s);
    assert.deepEqual(s.spec!.clusterIPs, ['10.0.0.10']);
    assert.deepEqual(s.status, { loadBalancer: {} });
  });
});

describe('services: validation', () => {
  test('cases', () => {
    const port = { port: 80 };
    const cases: [string, ServiceSpec, string[], string?][] = [
      ['valid ClusterIP', { ports: [port], selector: { app: 'web' } }, []],
      ['ports required', {}, ['FieldValueRequired spec.ports']],
      ['headless needs no ports', { clusterIP: 'None' }, []],
      ['port out of range', { ports: [{ port: 70000 }] }, ['FieldValueInvalid spec.ports[0].port', 'FieldValueInvalid spec.ports[0].targetPort']],
      ['names required with two ports', { ports: [{ port: 80 }, { port: 81, name: 'b' }] }, ['FieldValueRequired spec.ports[0].name']],
      ['duplicate names', { ports: [{ port: 80, name: 'a' }, { port: 81, name: 'a' }] }, ['FieldValueDuplicate spec.ports[1].name']],
      ['duplicate port and protocol', { ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b' }] }, ['FieldValueDuplicate spec.ports[1]']],
      ['same port, other protocol', { ports: [{ port: 53, name: 'a' }, { port: 53, name: 'b', protocol: 'UDP' }] }, []],
      ['protocol enum', { ports: [{ port: 80, protocol: 'ICMP' }] }, ['FieldValueNotSupported spec.ports[0].protocol']],
      ['type enum', { type: 'Magic', ports: [port] }, ['FieldValueNotSupported spec.type']],
      ['clusterIP syntax', { clusterIP: '10.0.0.300', ports: [port] }, ['FieldValueInvalid spec.clusterIPs[0]']],
      ['externalName required', { type: 'ExternalName' }, ['FieldValueRequired spec.externalName']],
      ['externalName must be a subdomain', { type: 'ExternalName', externalName: 'Bad_Name' }, ['FieldValueInvalid spec.externalName']],
      ['externalName may end with a dot', { type: 'ExternalName', externalName: 'db.example.com.' }, []],
      ['ExternalName may not have a cluster IP', { type: 'ExternalName', externalName: 'a.b', clusterIP: '10.0.0.1' }, ['FieldValueForbidden spec.clusterIPs']],
      ['nodePort on ClusterIP', { ports: [{ port: 80, nodePort: 30080 }] }, ['FieldValueForbidden spec.ports[0].nodePort']],
      ['NodePort may not be headless', { type: 'NodePort', clusterIP: 'None', ports: [port] }, ['FieldValueInvalid spec.clusterIPs[0]']],
      ['selector labels', { ports: [port], selector: { 'bad key!': 'v' } }, ['FieldValueInvalid spec.selector']],
      ['affinity timeout range', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 90000 } }, ports: [port] },
        ['FieldValueInvalid spec.sessionAffinityConfig.clientIP.timeoutSeconds']],
      ['externalTrafficPolicy only when externally accessible', { externalTrafficPolicy: 'Local', ports: [port] }, ['FieldValueInvalid spec.externalTrafficPolicy']],
      ['externalIPs must not be loopback', { externalIPs: ['127.0.0.1'], ports: [port] }, ['FieldValueInvalid spec.externalIPs[0]']],
      ['source ranges need a LoadBalancer', { loadBalancerSourceRanges: ['10.0.0.0/8'], ports: [port] }, ['FieldValueForbidden spec.LoadBalancerSourceRanges']],
      ['a health check port must be a port', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 70000, ports: [port] },
        ['FieldValueInvalid spec.healthCheckNodePort']],
      ['a health check port only for LoadBalancer with Local policy', { type: 'NodePort', externalTrafficPolicy: 'Cluster', healthCheckNodePort: 31000, ports: [port] },
        ['FieldValueInvalid spec.healthCheckNodePort']],
    ];
    for (const [name, spec, want] of cases) assert.deepEqual(summary(def.validate!(created(spec))), want, name);
  });

  test('messages', () => {
    const [e] = def.validate!(created({ clusterIP: 'nope', ports: [{ port: 80 }] }));
    assert.equal(e!.message, 'Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)');
    const [r] = def.validate!(created({}));
    assert.equal(r!.message, 'Required value');
  });

  test('service names are DNS-1035 labels', () => {
    assert.deepEqual(isDNS1035Label('web-1'), []);
    assert.equal(isDNS1035Label('1web').length, 1);
    const errs = def.validate!(created({ ports: [{ port: 80 }] }, '1web'));
    assert.deepEqual(summary(errs), ['FieldValueInvalid metadata.name']);
    assert.match(errs[0]!.message, /a DNS-1035 label must consist of/);
  });
});

describe('services: updates', () => {
  const base = () => {
    const s = created({ ports: [{ port: 80 }], selector: { app: 'web' } });
    s.spec!.clusterIP = '10.0.0.10';
    s.spec!.clusterIPs = ['10.0.0.10'];
    s.spec!.ipFamilies = ['IPv4'];
    return s;
  };

  test('the cluster IP may not change', () => {
    const old = base();
    const s = updated(old, { ...old.spec, clusterIP: '10.0.0.11' });
    assert.deepEqual(s.spec!.clusterIPs, ['10.0.0.11']);
    const errs = def.validateUpdate!(s, old);
    assert.deepEqual(summary(errs), ['FieldValueInvalid spec.clusterIPs[0]']);
    assert.match(errs[0]!.message, /may not change once set$/);
  });

  test('resubmitting the created YAML keeps the allocated values', () => {
    const old = base();
    old.spec = { ...old.spec, type: 'NodePort', externalTrafficPolicy: 'Cluster', ports: [{ port: 80, protocol: 'TCP', targetPort: 80, nodePort: 30080 }] };
    const s = updated(old, { type: 'NodePort', ports: [{ port: 80 }], selector: { app: 'web' } });
    assert.equal(s.spec!.clusterIP, '10.0.0.10');
    assert.deepEqual(s.spec!.clusterIPs, ['10.0.0.10']);
    assert.equal(s.spec!.ports![0]!.nodePort, 30080);
    assert.deepEqual(def.validateUpdate!(s, old), []);
  });

  test('switching to ExternalName drops the cluster IP and families', () => {
    const old = base();
    const s = updated(old, { ...old.spec, type: 'ExternalName', externalName: 'db.example.com' });
    assert.equal(s.spec!.clusterIP, undefined);
    assert.equal(s.spec!.clusterIPs, undefined);
    assert.equal(s.spec!.ipFamilies, undefined);
    assert.equal(s.spec!.ipFamilyPolicy, undefined);
    assert.equal(s.spec!.internalTrafficPolicy, 'Cluster', 'kept: upstream does not wipe it');
    assert.deepEqual(summary(def.validateUpdate!(s, old)), []);
  });

  test('switching LoadBalancer to ClusterIP drops node ports, LB fields and LB status', () => {
    const old = created({ type: 'LoadBalancer', ports: [{ port: 80 }] });
    old.spec = { ...old.spec, clusterIP: '10.0.0.10', clusterIPs: ['10.0.0.10'], ports: [{ port: 80, protocol: 'TCP', targetPort: 80, nodePort: 30080 }] };
    (old as { status?: unknown }).status = { loadBalancer: { ingress: [{ ip: '1.2.3.4', ipMode: 'VIP' }] } };
    const s = updated(old, { ...old.spec, type: 'ClusterIP' });
    assert.equal(s.spec!.ports![0]!.nodePort, undefined);
    assert.equal(s.spec!.allocateLoadBalancerNodePorts, undefined);
    assert.equal(s.spec!.externalTrafficPolicy, undefined);
    assert.deepEqual(s.status?.loadBalancer, {});
    assert.deepEqual(def.validateUpdate!(s, old), []);
  });

  test('the primary IP family and the load balancer class are fixed', () => {
    const old = base();
    const s = updated(old, { ...old.spec, ipFamilies: ['IPv6'] });
    assert.ok(summary(def.validateUpdate!(s, old)).includes('FieldValueInvalid spec.ipFamilies[0]'));
    const lb = created({ type: 'LoadBalancer', loadBalancerClass: 'example.com/a', ports: [{ port: 80 }] });
    const lb2 = updated(lb, { ...lb.spec, loadBalancerClass: 'example.com/b' });
    assert.ok(summary(def.validateUpdate!(lb2, lb)).includes('FieldValueInvalid spec.loadBalancerClass'));
  });

  test('status updates validate the load balancer ingress', () => {
    const lb = created({ type: 'LoadBalancer', ports: [{ port: 80 }] });
    const cases: [unknown, string[]][] = [
      [[{ ip: '1.2.3.4', ipMode: 'VIP' }], []],
      [[{ ip: '1.2.3.4' }], ['FieldValueRequired status.loadBalancer.ingress[0].ipMode']],
      [[{ hostname: '1.2.3.4' }], ['FieldValueInvalid status.loadBalancer.ingress[0].hostname']],
      [[{ ip: 'x', ipMode: 'VIP' }], ['FieldValueInvalid status.loadBalancer.ingress[0].ip']],
    ];
    for (const [ingress, want] of cases) {
      const s = { ...lb, status: { loadBalancer: { ingress } } } as Service;
      assert.deepEqual(summary(def.validateStatusUpdate!(s, lb)), want, JSON.stringify(ingress));
    }
    const cip = { ...created({ ports: [{ port: 80 }] }), status: { loadBalancer: { ingress: [{ ip: '1.2.3.4', ipMode: 'VIP' }] } } } as Service;
    assert.deepEqual(summary(def.validateStatusUpdate!(cip, cip)), ['FieldValueForbidden status.loadBalancer.ingress']);
  });
});

describe('services: printing and field selectors', () => {
  test('columns', () => {
    assert.deepEqual(
      def.table!.columns.map((c) => [c.name, c.priority]),
      [['Name', 0], ['Type', 0], ['Cluster-IP', 0], ['External-IP', 0], ['Port(s)', 0], ['Age', 0], ['Selector', 1]],
    );
  });

  test('golden rows', () => {
    const now = new Date('2024-01-01T01:00:00Z');
    const meta = { name: 'web', creationTimestamp: '2024-01-01T00:00:00Z' };
    const cases: [Service, unknown[]][] = [
      [{ metadata: meta, spec: { type: 'ClusterIP', clusterIPs: ['10.0.0.10'], ports: [{ port: 80, protocol: 'TCP' }], selector: { app: 'web' } } },
        ['web', 'ClusterIP', '10.0.0.10', '<none>', '80/TCP', '60m', 'app=web']],
      [{ metadata: meta, spec: { type: 'NodePort', clusterIPs: ['10.0.0.10'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] } },
        ['web', 'NodePort', '10.0.0.10', '<none>', '80:30080/TCP,53/UDP', '60m', '<none>']],
      [{ metadata: meta, spec: { type: 'LoadBalancer', clusterIPs: ['10.0.0.10'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] } },
        ['web', 'LoadBalancer', '10.0.0.10', '<pending>', '80:30080/TCP', '60m', '<none>']],
      [{ metadata: meta, spec: { type: 'LoadBalancer', clusterIPs: ['10.0.0.10'], externalIPs: ['5.5.5.5'], ports: [] },
        status: { loadBalancer: { ingress: [{ ip: '2.2.2.2' }, { hostname: 'lb.example.com' }, { ip: '1.1.1.1' }] } } },
        ['web', 'LoadBalancer', '10.0.0.10', '1.1.1.1,2.2.2.2,lb.example.com,5.5.5.5', '<none>', '60m', '<none>']],
      [{ metadata: meta, spec: { type: 'ExternalName', externalName: 'db.example.com' } },
        ['web', 'ExternalName', '<none>', 'db.example.com', '<none>', '60m', '<none>']],
      [{ metadata: meta, spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [] } },
        ['web', 'ClusterIP', 'None', '<none>', '<none>', '60m', '<none>']],
    ];
    for (const [s, row] of cases) assert.deepEqual(def.table!.cells(s, now), row);
  });

  test('spec.clusterIP and spec.type are selectable', () => {
    assert.deepEqual(def.selectableFields!(svc({ type: 'NodePort', clusterIP: '10.0.0.1' })), { 'spec.clusterIP': '10.0.0.1', 'spec.type': 'NodePort' });
  });
});
