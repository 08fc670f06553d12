// A tiny two-pod network for the proxy's kernel tests: namespace "node" with a veth to each of
// "pod1" and "pod2", each pod running a one-line HTTP server that answers with its name. All
// names carry the test's pid so that parallel runs do not collide; destroy() removes everything.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';

export interface PodNet {
  node: string;
  pods: { ns: string; ip: string; name: string }[];
  /** Runs a command inside the node namespace; returns stdout. */
  inNode(args: string[], allowFail?: boolean): string;
  destroy(): void;
}

const ip = (args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

const SERVER = `require('http').createServer((q,s)=>s.end(process.argv[1]+'\\n')).listen(8080,'0.0.0.0')`;

export async function createPodNet(tag: string): Promise<PodNet> {
  const node = `kp-${tag}-node-${process.pid}`;
  const pods = [1, 2].map((i) => ({ ns: `kp-${tag}-pod${i}-${process.pid}`, ip: `10.0.${i}.2`, name: `pod${i}` }));
  const servers: ChildProcess[] = [];
  const destroy = () => {
    for (const s of servers) if (s.exitCode === null && s.pid) s.kill('SIGKILL');
    for (const ns of [node, ...pods.map((p) => p.ns)]) {
      try {
        ip(['netns', 'del', ns]);
      } catch {
        // never created
      }
    }
  };
  const inNode = (args: string[], allowFail = false) => {
    try {
      return execFileSync('ip', ['netns', 'exec', node, ...args], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 }).toString();
    } catch (e) {
      if (allowFail) return (e as { stdout?: Buffer }).stdout?.toString() ?? '';
      throw e;
    }
  };
  try {
    ip(['netns', 'add', node]);
    ip(['-n', node, 'link', 'set', 'lo', 'up']);
    for (const [i, p] of pods.entries()) {
      const n = i + 1;
      ip(['netns', 'add', p.ns]);
      ip(['-n', node, 'link', 'add', `veth${n}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', p.ns]);
      ip(['-n', node, 'addr', 'add', `10.0.${n}.1/24`, 'dev', `veth${n}`]);
      ip(['-n', node, 'link', 'set', `veth${n}`, 'up']);
      ip(['-n', p.ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', p.ns, 'addr', 'add', `${p.ip}/24`, 'dev', 'eth0']);
      ip(['-n', p.ns, 'link', 'set', 'eth0', 'up']);
      ip(['-n', p.ns, 'route', 'add', 'default', 'via', `10.0.${n}.1`]);
      // ClusterIPs need a route for the host's own connections to get past routing before DNAT
      // (which then reroutes them); any interface does.
      if (n === 1) ip(['-n', node, 'route', 'add', '10.96.0.0/12', 'dev', 'veth1']);
      const server = spawn('ip', ['netns', 'exec', p.ns, process.execPath, '-e', SERVER, p.name], { stdio: 'ignore' });
      servers.push(server);
    }
    // Wait for both servers to answer directly.
    for (const p of pods) {
      for (let attempt = 0; ; attempt++) {
        const out = inNode(['curl', '-s', '--max-time', '1', `http://${p.ip}:8080/`], true);
        if (out.trim() === p.name) break;
        if (attempt > 50) throw new Error(`${p.name} never answered`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (e) {
    destroy();
    throw e;
  }
  return { node, pods, inNode, destroy };
}

/** `count` new connections to url from the node namespace; the names that answered, in order. */
export function requests(net: PodNet, url: string, count: number): string[] {
  // One curl, a new connection per request (Connection: close), so each one is balanced anew.
  const out = net.inNode(['curl', '-s', '--max-time', '2', '-H', 'Connection: close', `${url}?[1-${count}]`], true);
  return out.split('\n').filter(Boolean);
}
