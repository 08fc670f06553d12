// The userspace proxy serving nodePorts and load-balancer addresses on real interfaces: the
// proxier runs inside the "node" namespace of a two-pod network this test creates (../netns.ts),
// clients connect from the node itself and from the pod namespaces.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import { service, slice } from '../fixtures.js';
import { createPodNet, type PodNet, requests } from '../netns.js';
import { NetnsProxier } from './netns-proxier.js';

const count = (names: string[]) => names.reduce<Record<string, number>>((acc, n) => ((acc[n] = (acc[n] ?? 0) + 1), acc), {});

/** `n` new connections to url from a pod's namespace; the names that answered, in order. */
function requestsFrom(ns: string, url: string, n: number): string[] {
  try {
    const out = execFileSync('ip', ['netns', 'exec', ns, 'curl', '-s', '--max-time', '2', '-H', 'Connection: close', `${url}?[1-${n}]`], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    return out.toString().split('\n').filter(Boolean);
  } catch (e) {
    return ((e as { stdout?: Buffer }).stdout?.toString() ?? '').split('\n').filter(Boolean);
  }
}

/** curl's exit code for one request from the node namespace (7: connection refused). */
const curlExit = (net: PodNet, url: string) => net.inNode(['curl', '-s', '-o', '/dev/null', '-w', '%{exitcode}', '--max-time', '2', url], true).trim();

const NODE_IP = '10.0.1.1';
const both = (name: string) => slice(name, ['10.0.1.2', '10.0.2.2']);

function nodePortService(name: string, clusterIP: string, nodePort: number, extra: Partial<Service['spec']> = {}): Service {
  return service(name, { type: 'NodePort', clusterIP, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080, nodePort }], ...extra });
}

describe('userspace proxier in a network namespace', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, () => {
  let net: PodNet;
  let proxier: NetnsProxier | undefined;

  before(async () => {
    net = await createPodNet('us');
    // NodePorts on the first veth's address only, so that the other one shows they are not wildcards.
    proxier = await NetnsProxier.start(net.node, { nodeName: 'node-a', nodeAddresses: [NODE_IP], localAddresses: true });
  });
  after(async () => {
    await proxier?.close().catch(() => proxier?.kill());
    net?.destroy();
  });

  it('serves a NodePort on the node address, round-robin over both endpoints, and its clusterIP', async () => {
    const web = nodePortService('web', '10.96.0.60', 30080);
    const result = await proxier!.sync([web], [both('web')]);
    assert.deepEqual([result.errors, result.addressError, result.listeners, result.endpoints], [[], undefined, 2, 4]);
    assert.deepEqual(
      (await proxier!.listing()).map((l) => [l.kind, `${l.address.host}:${l.address.port}`]).sort(),
      [
        ['cluster', '10.96.0.60:80'],
        ['nodePort', `${NODE_IP}:30080`],
      ],
    );
    assert.deepEqual(requests(net, `http://${NODE_IP}:30080/`, 6), ['pod1', 'pod2', 'pod1', 'pod2', 'pod1', 'pod2']);
    // From a pod, through routing: the clusterIP was made local on the node's loopback.
    assert.deepEqual(count(requestsFrom(net.pods[1]!.ns, 'http://10.96.0.60/', 4)), { pod1: 2, pod2: 2 });
    assert.equal(curlExit(net, 'http://10.0.2.1:30080/'), '7', 'not listening on addresses outside nodeAddresses');
  });

  it('externalTrafficPolicy Local sends outside clients to local endpoints only, the node itself to all', async () => {
    const local = nodePortService('local', '10.96.0.61', 30081, { externalTrafficPolicy: 'Local' });
    const slices = [slice('local', ['10.0.1.2', { ip: '10.0.2.2', node: 'node-b' }])];
    const result = await proxier!.sync([local], slices);
    assert.deepEqual(result.errors, []);
    // pod2's namespace is off-node: its address is not the host's.
    assert.deepEqual(count(requestsFrom(net.pods[1]!.ns, `http://${NODE_IP}:30081/`, 6)), { pod1: 6 });
    assert.deepEqual(count(requests(net, `http://${NODE_IP}:30081/`, 6)), { pod1: 3, pod2: 3 });
  });

  it('serves a load-balancer ingress IP that is local, and skips the others', async () => {
    for (const ip of ['10.200.0.10', '10.200.0.12']) execFileSync('ip', ['-n', net.node, 'addr', 'add', `${ip}/32`, 'dev', 'lo']);
    const lb: Service = {
      ...service('lb', { type: 'LoadBalancer', clusterIP: '10.96.0.62', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30082 }] }),
      // .10 is local, .11 is the load balancer's own (not here), .12 is local but ipMode Proxy.
      status: { loadBalancer: { ingress: [{ ip: '10.200.0.10', ipMode: 'VIP' }, { ip: '10.200.0.11' }, { ip: '10.200.0.12', ipMode: 'Proxy' }] } },
    };
    const result = await proxier!.sync([lb], [both('lb')]);
    assert.deepEqual([result.errors, result.listeners], [[], 3]);
    assert.deepEqual(
      (await proxier!.listing()).filter((l) => l.kind === 'external').map((l) => `${l.address.host}:${l.address.port}`),
      ['10.200.0.10:80'],
    );
    assert.deepEqual(count(requestsFrom(net.pods[0]!.ns, 'http://10.200.0.10/', 4)), { pod1: 2, pod2: 2 });
    assert.equal(curlExit(net, 'http://10.200.0.12/'), '7', 'an ipMode Proxy address is not captured');
  });

  it('reports a nodePort held by another socket (EADDRINUSE) and serves it once the port is free', async () => {
    const busy = nodePortService('busy', '10.96.0.63', 30083);
    await proxier!.squat(NODE_IP, 30083);
    const failed = await proxier!.sync([busy], [both('busy')]);
    assert.deepEqual(
      failed.errors.map((e) => [e.key, e.kind, `${e.address.host}:${e.address.port}`, e.code]),
      [['default/busy/tcp/http', 'nodePort', `${NODE_IP}:30083`, 'EADDRINUSE']],
    );
    assert.deepEqual([failed.listeners, failed.opened], [1, 1], 'the clusterIP listener opened regardless');
    await proxier!.unsquat();
    const retried = await proxier!.sync([busy], [both('busy')]);
    assert.deepEqual([retried.errors, retried.listeners, retried.opened], [[], 2, 1]);
    assert.equal(requests(net, `http://${NODE_IP}:30083/`, 2).length, 2);
  });

  it('close() removes the listeners and the clusterIPs it made local', async () => {
    await proxier!.close();
    proxier = undefined;
    const lo = net.inNode(['ip', '-o', '-4', 'addr', 'show', 'dev', 'lo']);
    assert.ok(!lo.includes('lo:kubets'), lo);
    assert.equal(curlExit(net, `http://${NODE_IP}:30083/`), '7');
  });
});
