// The small network the clusterIP throughput figure runs in, all inside namespaces this benchmark
// creates: a "node" namespace holding a bridge with the pods' gateway address, N "pod" namespaces
// on veths into the bridge, each running a Node.js HTTP server on :8080 that answers with its name,
// and a "client" pod namespace on the same bridge for the load generator. As on a node with a
// bridge CNI plugin, pod-to-pod traffic is bridged and clusterIP traffic is routed (and DNATed)
// by the node namespace.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { addNetns, killAtCleanup } from './cleanup.js';

export interface Pod {
  ns: string;
  ip: string;
  name: string;
}

export interface Topology {
  node: string;
  client: Pod;
  pods: Pod[];
  gateway: string;
  /** The pod network, for the proxier's clusterCIDR (traffic from it is not masqueraded). */
  podCIDR: string;
  /** The servers' process ids (`ip netns exec` execs node: same pid). */
  serverPids: number[];
  /** Runs a command inside a namespace; returns stdout. */
  exec(ns: string, args: string[], timeoutMs?: number): string;
}

const SUBNET = '10.244.0';
export const SERVER_PORT = 8080;
// A server answering every request with its pod name, keeping idle connections (the load
// generator's, between runs) well beyond Node's default 5 s.
const SERVER = `const s=require('http').createServer((q,r)=>r.end(process.argv[1]));s.keepAliveTimeout=120000;s.listen(${SERVER_PORT},'0.0.0.0')`;

const ip = (args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

function exec(ns: string, args: string[], timeoutMs = 10_000): string {
  return execFileSync('ip', ['netns', 'exec', ns, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs }).toString();
}

/** A pod namespace on a veth into the node's bridge. */
function addPod(node: string, pod: Pod, index: number): void {
  addNetns(pod.ns);
  const hostSide = `veth${index}`;
  ip(['-n', node, 'link', 'add', hostSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod.ns]);
  ip(['-n', node, 'link', 'set', hostSide, 'master', 'br0', 'up']);
  ip(['-n', pod.ns, 'link', 'set', 'lo', 'up']);
  ip(['-n', pod.ns, 'addr', 'add', `${pod.ip}/24`, 'dev', 'eth0']);
  ip(['-n', pod.ns, 'link', 'set', 'eth0', 'up']);
  ip(['-n', pod.ns, 'route', 'add', 'default', 'via', `${SUBNET}.1`]);
}

async function waitForServer(t: Topology, pod: Pod, server: ChildProcess): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    if (server.exitCode !== null) throw new Error(`the server in ${pod.ns} exited with ${server.exitCode}`);
    let out = '';
    try {
      out = exec(t.client.ns, ['curl', '-s', '--max-time', '1', `http://${pod.ip}:${SERVER_PORT}/`], 3000);
    } catch {
      // not listening yet
    }
    if (out === pod.name) return;
    if (attempt > 100) throw new Error(`${pod.name} (${pod.ip}) never answered from the client pod`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Builds the network and starts the servers; everything goes at cleanup (cleanup.ts). */
export async function createTopology(tag: string, podCount: number): Promise<Topology> {
  const node = `kbp-${tag}-node`;
  const pods: Pod[] = Array.from({ length: podCount }, (_, i) => ({ ns: `kbp-${tag}-pod${i + 1}`, ip: `${SUBNET}.${10 + i}`, name: `pod${i + 1}` }));
  const client: Pod = { ns: `kbp-${tag}-client`, ip: `${SUBNET}.200`, name: 'client' };
  const t: Topology = { node, client, pods, gateway: `${SUBNET}.1`, podCIDR: `${SUBNET.split('.').slice(0, 2).join('.')}.0.0/16`, serverPids: [], exec };

  addNetns(node);
  ip(['-n', node, 'link', 'set', 'lo', 'up']);
  ip(['-n', node, 'link', 'add', 'br0', 'type', 'bridge']);
  ip(['-n', node, 'addr', 'add', `${t.gateway}/24`, 'dev', 'br0']);
  ip(['-n', node, 'link', 'set', 'br0', 'up']);
  // The node namespace routes pod -> clusterIP traffic (and DNATs it on the way). The reply comes
  // from a pod on the same bridge, so it is bridged straight to the client: only with
  // bridge-nf-call-iptables does it pass conntrack, which rewrites its source back to the
  // clusterIP (the reason kubeadm requires br_netfilter). Both are per-namespace sysctls on
  // current kernels (bridge-nf-* since 5.3): the host's values are not touched.
  exec(node, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
  try {
    exec(node, ['sysctl', '-q', '-w', 'net.bridge.bridge-nf-call-iptables=1']);
  } catch (e) {
    throw new Error(`cannot set net.bridge.bridge-nf-call-iptables in the node namespace (is br_netfilter loaded? modprobe br_netfilter): ${(e as Error).message}`);
  }
  [...pods, client].forEach((p, i) => addPod(node, p, i + 1));
  // Connection-per-request runs open tens of thousands of connections from one address.
  exec(client.ns, ['sysctl', '-q', '-w', 'net.ipv4.ip_local_port_range=1024 65535']);

  for (const pod of pods) {
    const server = spawn('ip', ['netns', 'exec', pod.ns, process.execPath, '-e', SERVER, pod.name], { stdio: 'ignore' });
    killAtCleanup(server);
    await waitForServer(t, pod, server);
    t.serverPids.push(server.pid!);
  }
  return t;
}
