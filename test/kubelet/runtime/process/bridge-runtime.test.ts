// The process runtime on the bridge network (root): the runtime contract (hostNetwork sandboxes,
// which keep the node network), then pods with their own namespaces through the RuntimeService.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import type { BridgeNetwork } from '../../../../src/kubelet/runtime/process/bridge-network.js';
import type { ProcessRuntime } from '../../../../src/kubelet/runtime/process/index.js';
import type { PodSandboxConfig } from '../../../../src/kubelet/runtime/types.js';
import { containerConfig, runtimeContract, sandboxConfig } from '../contract.js';
import { abandon, cleanup, NODE_IP, newRoot, newRuntime, pids, until } from '../process-harness.js';
import { cleanupBridges, httpGet, newBridgeNetwork, NODE, reopen } from './bridge-harness.js';

let shared: BridgeNetwork | undefined;
after(async () => {
  await cleanup();
  await cleanupBridges();
});

runtimeContract('process on the bridge network', async () => {
  shared ??= await newBridgeNetwork();
  const root = newRoot();
  const runtime = newRuntime(root, { network: shared });
  return {
    runtime,
    nodeIp: NODE_IP,
    logRoot: join(root, 'logs'),
    exit: async (id, code) => void (await runtime.attach(id, { stdin: Readable.from([Buffer.from(`${code}\n`)]) })),
    close: cleanup,
  };
});

describe('ProcessRuntime with pods on the bridge network', () => {
  let net: BridgeNetwork;
  let root: string;
  let rt: ProcessRuntime;
  const pod = (name: string): PodSandboxConfig => sandboxConfig(join(root, 'logs'), name, { hostNetwork: false });
  /** A sandbox and its containers, started; their pids are killed after the file whatever happens. */
  const runPod = async (name: string, containers: [string, string[]][]) => {
    const sc = pod(name);
    const sid = await rt.runPodSandbox(sc);
    const cids: string[] = [];
    for (const [cname, command] of containers) {
      const cid = await rt.createContainer(sid, containerConfig(cname, { command, stdin: false }), sc);
      await rt.startContainer(cid);
      pids.push((await rt.containerStatus(cid)).pid!);
      cids.push(cid);
    }
    return { sid, cids, ip: (await rt.podSandboxStatus(sid)).network.ip! };
  };
  // Pod a: a web server on 8080 and, for its other container only, a server on 127.0.0.1:9000.
  const web = (name: string) => [NODE, '-e', `require('http').createServer((q, s) => s.end('${name}')).listen(8080)`];
  const loopbackServer = [NODE, '-e', `require('net').createServer((s) => s.end('from localhost')).listen(9000, '127.0.0.1')`];
  const loopbackClient = [
    NODE,
    '-e',
    `const go = () => require('net').connect(9000, '127.0.0.1').on('data', (d) => { console.log('got ' + d); process.exit(0); }).on('error', () => setTimeout(go, 50)); go();`,
  ];
  let a: Awaited<ReturnType<typeof runPod>>;
  let b: Awaited<ReturnType<typeof runPod>>;

  before(async () => {
    net = await newBridgeNetwork();
    root = newRoot();
    rt = newRuntime(root, { network: net });
    [a, b] = await Promise.all([
      runPod('a', [['web', web('pod a')], ['local', loopbackServer], ['client', loopbackClient]]),
      runPod('b', [['web', web('pod b')]]),
    ]);
  });

  test('each pod has its IP; both serve port 8080; the pid the runtime records is in the pod namespace', async () => {
    assert.notEqual(a.ip, b.ip);
    assert.ok(a.ip.startsWith(net.subnet.cidr.replace(/0\/24$/, '')));
    const status = await rt.podSandboxStatus(a.sid);
    assert.deepEqual(status.info, { network: `process runtime: bridge ${net.bridgeName} (${net.subnet.cidr})`, netns: net.netnsPath(a.sid) });
    await until('both pods serving', async () => (await httpGet(a.ip, 8080)) === 'pod a' && (await httpGet(b.ip, 8080)) === 'pod b', 8000);
    const { pid } = await rt.containerStatus(a.cids[0]!);
    assert.equal(readlinkSync(`/proc/${pid}/exe`), process.execPath, 'nsenter exec’d the command: the pid is node’s');
    assert.equal(readlinkSync(`/proc/${pid}/ns/net`), `net:[${statSync(net.netnsPath(a.sid)).ino}]`);
  });

  test('containers of one pod share localhost', async () => {
    const client = a.cids[2]!;
    await until('client done', async () => (await rt.containerStatus(client)).state === 'CONTAINER_EXITED', 8000);
    const s = await rt.containerStatus(client);
    assert.equal(s.exitCode, 0);
    assert.match(readFileSync(s.logPath, 'utf8'), / stdout F got from localhost\n/);
  });

  test('exec and portForward happen in the pod network', async () => {
    const r = await rt.execSync(a.cids[0]!, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'], 5);
    assert.match(r.stdout.toString(), new RegExp(`inet ${a.ip.replace(/\./g, '\\.')}/24`));
    const stream = await rt.portForward(a.sid, 9000);
    const [data] = (await once(stream, 'data')) as [Buffer];
    assert.equal(data.toString(), 'from localhost');
    stream.destroy();
    await assert.rejects(rt.portForward(b.sid, 9000), { reason: 'PortForwardError' });
  });

  test('a restarted runtime over the same state: same IPs, exec still in the pod namespace', async () => {
    await abandon(rt);
    await net.close();
    rt = newRuntime(root, { network: reopen(net) });
    assert.equal((await rt.podSandboxStatus(a.sid)).network.ip, a.ip);
    const r = await rt.execSync(a.cids[0]!, ['ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'], 5);
    assert.match(r.stdout.toString(), new RegExp(`inet ${a.ip.replace(/\./g, '\\.')}/24`));
  });

  test('stopping a pod sandbox removes its namespace and frees its IP; the other pod is untouched', async () => {
    await rt.stopPodSandbox(b.sid);
    assert.equal((await rt.containerStatus(b.cids[0]!)).state, 'CONTAINER_EXITED');
    assert.ok(!existsSync(net.netnsPath(b.sid)));
    await rt.stopPodSandbox(b.sid);
    await rt.removePodSandbox(b.sid);
    assert.equal(await httpGet(a.ip, 8080), 'pod a');
    const c = await runPod('c', [['web', web('pod c')]]);
    assert.ok(![a.ip, b.ip].includes(c.ip), 'the next address, not one just freed');
  });
});
