// A node agent (registered from this process over HTTPS, as a kubelet on another machine would)
// seen through the real kubectl on a real `kubets server`: get nodes, describe node (with the
// pod CIDR the server's node IPAM controller assigned), and cordon / uncordon, whose taint the
// server's node lifecycle controller keeps in step.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from '../../src/client/client.js';
import { NodeAgent } from '../../src/kubelet/node/agent.js';
import { hostMachine } from '../../src/kubelet/node/machine.js';
import { TestCluster, until } from './harness.js';

describe('nodes with kubectl', () => {
  let cluster: TestCluster;
  let client: ApiClient;
  const ac = new AbortController();
  let running: Promise<void>;

  before(async () => {
    cluster = await TestCluster.start({ datastore: 'memory' });
    client = cluster.client();
    const agent = new NodeAgent({ client, nodeName: 'e2e-node', controlPlane: true, machine: hostMachine(cluster.dataDir), statusUpdateIntervalMs: 200 });
    running = agent.start(ac.signal);
    await agent.registered();
  });

  after(async () => {
    ac.abort();
    await running;
    client?.close();
    await cluster?.stop();
  });

  it('kubectl get nodes shows the node Ready with its role and version', async () => {
    const out = await cluster.kubectlOk(['get', 'nodes']);
    assert.match(out, /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\n/);
    assert.match(out, /^e2e-node\s+Ready\s+control-plane\s+\S+\s+v1\.33\.0$/m);
    const wide = await cluster.kubectlOk(['get', 'nodes', '-o', 'wide']);
    assert.match(wide, /^e2e-node\s+Ready\s+control-plane\s+\S+\s+v1\.33\.0\s+\d+\.\d+\.\d+\.\d+\s+<none>\s+.+\s+process:\/\/\S+$/m);
  });

  it('kubectl describe node shows conditions, capacity, the pod CIDR and events', async () => {
    await until(async () => (await cluster.kubectlOk(['get', 'node', 'e2e-node', '-o', 'jsonpath={.spec.podCIDR}'])) === '10.42.0.0/24', 'pod CIDR assigned', 15_000);
    const out = await cluster.kubectlOk(['describe', 'node', 'e2e-node']);
    assert.match(out, /^Roles:\s+control-plane$/m);
    assert.match(out, /^Taints:\s+<none>$/m);
    assert.match(out, /^PodCIDR:\s+10\.42\.0\.0\/24$/m);
    assert.match(out, /^\s+Ready\s+True\s+.+KubeletReady\s+kubelet is posting ready status$/m);
    assert.match(out, /^\s+MemoryPressure\s+False\s+.+KubeletHasSufficientMemory\s+kubelet has sufficient memory available$/m);
    assert.match(out, /^Capacity:\n(\s+\S+:\s+\S+\n)*\s+pods:\s+110$/m);
    assert.match(out, /^\s+Kubelet Version:\s+v1\.33\.0$/m);
    assert.match(out, /^\s+Normal\s+Starting\s+\S+\s+kubelet\s+Starting kubelet\.$/m);
  });

  it('kubectl cordon and uncordon: SchedulingDisabled and the unschedulable taint, then neither', async () => {
    assert.match(await cluster.kubectlOk(['cordon', 'e2e-node']), /^node\/e2e-node cordoned$/m);
    assert.match(await cluster.kubectlOk(['get', 'nodes']), /^e2e-node\s+Ready,SchedulingDisabled\s+/m);
    const taints = () => cluster.kubectlOk(['get', 'node', 'e2e-node', '-o', 'jsonpath={.spec.taints}']);
    await until(async () => (await taints()).includes('"key":"node.kubernetes.io/unschedulable"'), 'unschedulable taint', 15_000);
    assert.match(await cluster.kubectlOk(['describe', 'node', 'e2e-node']), /^Unschedulable:\s+true$/m);
    assert.match(await cluster.kubectlOk(['uncordon', 'e2e-node']), /^node\/e2e-node uncordoned$/m);
    await until(async () => (await taints()) === '', 'taint removed', 15_000);
    assert.match(await cluster.kubectlOk(['get', 'nodes']), /^e2e-node\s+Ready\s+control-plane/m);
  });
});
