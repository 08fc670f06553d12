// The built-in service load balancer with the real kubectl against a real `kubets server` and its
// local node: a LoadBalancer service publishes the node's address within seconds (its status, the
// EXTERNAL-IP column of old and new kubectl, describe's events); changing its type releases it, a
// service of another class stays pending, and deleting a published one returns at once. No
// traffic is sent: answering on the address is the proxy's work.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import { TestCluster, until } from './harness.js';

describe('service load balancer (kubets server with its local node)', () => {
  let cluster: TestCluster;
  /** The address the local node serves load balancers on: its ExternalIP if it has one, else its InternalIP. */
  let nodeIp: string;

  before(async () => {
    cluster = await TestCluster.start({ agent: true });
    const jsonpath = (p: string) => cluster.kubectl(['get', 'nodes', '-o', `jsonpath=${p}`]).then((r) => r.stdout);
    await until(async () => (await jsonpath('{.items[*].status.conditions[?(@.type=="Ready")].status}')) === 'True', 'the local node Ready');
    const internal = await jsonpath('{.items[0].status.addresses[?(@.type=="InternalIP")].address}');
    const external = await jsonpath('{.items[0].status.addresses[?(@.type=="ExternalIP")].address}');
    nodeIp = external || internal;
    assert.match(nodeIp, /^[0-9a-f.:]+$/, `the node has an address: ${internal} / ${external}`);
  });

  after(async () => {
    await cluster?.stop();
  });

  /** The service as `kubectl get -o json` shows it. */
  const getSvc = async (name: string): Promise<Service> => JSON.parse(await cluster.kubectlOk(['get', 'svc', name, '-o', 'json'])) as Service;
  const ingressIps = (svc: Service) => (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).join(' ');
  /** Waits until the service shows `check`, returning it. */
  const waitForSvc = (name: string, check: (svc: Service) => boolean, what: string) =>
    until(async () => {
      const svc = await getSvc(name);
      return check(svc) ? svc : undefined;
    }, what, 5000) as Promise<Service>;

  /** The EXTERNAL-IP cell of `kubectl get svc <name>`. */
  async function externalIpColumn(name: string, version?: string): Promise<string> {
    const [header, row] = (await cluster.kubectlOk(['get', 'svc', name], { version })).trimEnd().split('\n');
    const at = header!.indexOf('EXTERNAL-IP');
    assert.ok(at >= 0, `an EXTERNAL-IP column: ${header}`);
    return row!.slice(at).split(/\s+/)[0]!;
  }

  it('kubectl create service loadbalancer: the node’s address is the ingress within seconds, in VIP mode', async () => {
    await cluster.kubectlOk(['create', 'service', 'loadbalancer', 'web', '--tcp=80:8080']);
    // waitForSvc gives up after 5 s.
    const web = await waitForSvc('web', (svc) => ingressIps(svc) === nodeIp, 'the ingress IP');
    assert.deepEqual(web.status?.loadBalancer?.ingress, [{ ip: nodeIp, ipMode: 'VIP' }]);
    assert.deepEqual(web.metadata?.finalizers, ['service.kubernetes.io/load-balancer-cleanup']);

    assert.equal(await externalIpColumn('web'), nodeIp);
    assert.equal(await externalIpColumn('web', '1.27'), nodeIp, 'the server’s table, whatever the client version');
    const described = await until(async () => {
      const out = (await cluster.kubectl(['describe', 'svc', 'web'])).stdout;
      return /EnsuredLoadBalancer/.test(out) ? out : '';
    }, 'load balancer events in describe', 5000);
    assert.match(described, /LoadBalancer Ingress:\s+\S+/);
    assert.match(described, /Normal\s+EnsuringLoadBalancer\s+\S+\s+service-controller\s+Ensuring load balancer/);
    assert.match(described, /Normal\s+EnsuredLoadBalancer\s+\S+\s+service-controller\s+Ensured load balancer/);
  });

  it('a type change to ClusterIP takes the address away and releases the service', async () => {
    await cluster.kubectlOk(['create', 'service', 'loadbalancer', 'flip', '--tcp=443:8443']);
    await waitForSvc('flip', (svc) => ingressIps(svc) === nodeIp, 'flip published');

    await cluster.kubectlOk(['patch', 'svc', 'flip', '--type=merge', '-p', '{"spec":{"type":"ClusterIP"}}']);
    const released = await waitForSvc('flip', (svc) => !svc.metadata?.finalizers?.length, 'flip released');
    assert.deepEqual(released.status?.loadBalancer, {});
    assert.equal(await externalIpColumn('flip'), '<none>');
    const events = await until(async () => {
      const out = await cluster.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=flip', '-o', 'jsonpath={range .items[*]}{.reason}{"\\n"}{end}']);
      return out.includes('DeletedLoadBalancer') ? out : '';
    }, 'DeletedLoadBalancer event', 5000);
    assert.match(events, /DeletingLoadBalancer/);
  });

  it('a loadBalancerClass service stays pending; deleting a published service returns promptly', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], {
      stdin: `apiVersion: v1
kind: Service
metadata:
  name: classy
spec:
  type: LoadBalancer
  loadBalancerClass: example.com/other
  selector: { app: classy }
  ports: [{ port: 80, targetPort: 8080 }]
`,
    });
    // A classless service created after it being published means the controller has seen it.
    await cluster.kubectlOk(['create', 'service', 'loadbalancer', 'probe', '--tcp=80:8080']);
    await waitForSvc('probe', (svc) => ingressIps(svc) === nodeIp, 'probe published');
    assert.equal(await externalIpColumn('classy'), '<pending>');
    assert.equal((await getSvc('classy')).metadata?.finalizers, undefined);

    const started = Date.now();
    await cluster.kubectlOk(['delete', 'svc', 'web', '--timeout=10s']);
    assert.ok(Date.now() - started < 5000, 'the finalizer is released as soon as the deletion is seen');
    const gone = await cluster.kubectl(['get', 'svc', 'web']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /NotFound/);
  });
});
