// Pods reach beyond the node through the egress masquerade (root): an "outside" network is a
// namespace this test makes, joined to the node by a veth on a 198.18.x.0/30 (the benchmarking
// range, on no real network); its server answers with the address it sees. Traffic goes only to
// that namespace, the pods' namespaces and the node.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { BridgeNetwork } from '../../../../src/kubelet/runtime/process/bridge-network.js';
import { EgressMasquerade } from '../../../../src/kubelet/runtime/process/egress-masquerade.js';
import { silentLogger } from '../../../../src/logging/index.js';
import { cleanupBridges, httpGet, newBridgeNetwork, NODE, podConfig, startProcess, until } from './bridge-harness.js';

const run = promisify(execFile);
const asRoot = process.getuid?.() === 0;
const tag = randomBytes(3).toString('hex');
const OUTSIDE_NS = `kbo${tag}`;
const HOST_VETH = `kbo${tag}h`;
const octet = 1 + Math.floor(Math.random() * 250);
const HOST_IP = `198.18.${octet}.1`;
const OUTSIDE_IP = `198.18.${octet}.2`;
// Answers with the client address it sees.
const whoAsks = [NODE, '-e', "require('http').createServer((q, s) => s.end(q.socket.remoteAddress)).listen(8080, '0.0.0.0')"];

const ipCmd = (...args: string[]) => execFileSync('ip', args, { stdio: 'ignore' });

/** GET from inside a pod's namespace: the body or the error code. */
async function getFromPod(net: BridgeNetwork, sandbox: string, url: string): Promise<string> {
  const script = `fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(1500) }).then((r) => r.text(), (e) => e.cause?.code ?? e.name).then((t) => process.stdout.write(t))`;
  const [command, ...args] = net.wrapCommand(sandbox, [NODE, '-e', script]);
  return (await run(command!, args)).stdout;
}

describe('egress masquerade', { skip: !asRoot && 'needs root (namespaces, nftables)' }, () => {
  let net: BridgeNetwork;
  let podIP: string;

  before(async () => {
    ipCmd('netns', 'add', OUTSIDE_NS);
    ipCmd('link', 'add', HOST_VETH, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', OUTSIDE_NS);
    ipCmd('addr', 'add', `${HOST_IP}/30`, 'dev', HOST_VETH);
    ipCmd('link', 'set', HOST_VETH, 'up');
    ipCmd('-n', OUTSIDE_NS, 'addr', 'add', `${OUTSIDE_IP}/30`, 'dev', 'eth0');
    ipCmd('-n', OUTSIDE_NS, 'link', 'set', 'eth0', 'up');
    ipCmd('-n', OUTSIDE_NS, 'link', 'set', 'lo', 'up');
    startProcess(['ip', 'netns', 'exec', OUTSIDE_NS, ...whoAsks]);
    net = await newBridgeNetwork({ clusterCIDR: '10.250.0.0/16' });
    podIP = (await net.setup('sandbox-egress', podConfig('egress'))).ip!;
    startProcess(net.wrapCommand('sandbox-egress', whoAsks));
    await until('the outside server', async () => (await httpGet(OUTSIDE_IP, 8080)) === HOST_IP, 8000);
  });

  after(async () => {
    await cleanupBridges();
    for (const args of [['link', 'del', HOST_VETH], ['netns', 'del', OUTSIDE_NS]]) {
      try {
        ipCmd(...args);
      } catch {
        // gone
      }
    }
  });

  test('a pod reaches an address beyond the node, seen there as the node', async () => {
    assert.equal(await getFromPod(net, 'sandbox-egress', `http://${OUTSIDE_IP}:8080/`), HOST_IP);
    const { stdout } = await run('nft', ['list', 'table', 'ip', `${net.bridgeName}-egress`]);
    assert.match(stdout, new RegExp(`ip saddr ${net.subnet.cidr.replace(/\./g, '\\.')} ip daddr != 10\\.250\\.0\\.0/16 oifname != "${net.bridgeName}" masquerade`));
  });

  test('traffic to pod IPs keeps the pod\'s address', async () => {
    // The node asks the pod: the pod sees the gateway (the node on the bridge), unchanged.
    assert.equal(await httpGet(podIP, 8080), net.subnet.gateway);
    // The pod asks itself by its IP: it sees itself, not the node.
    assert.equal(await getFromPod(net, 'sandbox-egress', `http://${podIP}:8080/`), podIP);
  });

  test('without the masquerade the outside cannot answer the pod (no route back), and removeBridge deletes the table', async () => {
    await new EgressMasquerade({ bridgeName: net.bridgeName, podCIDR: net.subnet.cidr, clusterCIDR: '10.250.0.0/16', logger: silentLogger }).remove();
    assert.match(await getFromPod(net, 'sandbox-egress', `http://${OUTSIDE_IP}:8080/`), /TimeoutError|ETIMEDOUT|ECONNRESET|AbortError|UND_ERR/);
    await net.removeBridge();
    await assert.rejects(run('nft', ['list', 'table', 'ip', `${net.bridgeName}-egress`]));
  });
});
