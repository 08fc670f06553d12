// `kubets agent` joins a machine to a cluster: a real `kubets server` without a local node, a real
// `kubets agent` process with the server's kubeconfig and CA key, and the real kubectl. The node
// registers and becomes Ready, a pod is scheduled to it and runs, `kubectl logs` reaches the
// agent's kubelet, and SIGTERM stops the agent without leaving the pod's processes behind. Bad
// flags are one line and exit code 2.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type AgentConfig, parseAgentFlags, UsageError } from '../../src/cli/agent-command.js';
import { KUBETS_BIN, removePodNetwork, TestCluster, until } from './harness.js';

/** Host processes whose command line contains `marker`. */
function processes(marker: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes(marker) && !l.includes('ps -eo'))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `kubets agent ...args` to its end (for the commands that exit at once). */
function agentOnce(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [KUBETS_BIN, 'agent', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { stdout: '', stderr: '' };
    child.stdout.on('data', (d) => (out.stdout += d));
    child.stderr.on('data', (d) => (out.stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, ...out });
    });
  });
}

describe('kubets agent', () => {
  let cluster: TestCluster;
  const dataDir = mkdtempSync(join(tmpdir(), 'kubets-agent-'));
  let agent: ChildProcess | undefined;
  const output = { stdout: '', stderr: '' };
  // Unique per run: the pod's shell and its sleep are found (and must be gone) by these.
  const marker = `e2e-agent-${process.pid}`;
  const sleepSeconds = 3000 + (process.pid % 997);

  before(async () => {
    // No local node; the agent's node gets its pod subnet from a range of its own, as the harness
    // gives each local node one (nodes of tests running side by side must not share a subnet).
    cluster = await TestCluster.start({ extraArgs: ['--cluster-cidr', `10.${100 + Math.floor(Math.random() * 120)}.0.0/16`] });
  });

  after(async () => {
    if (agent && agent.exitCode === null && agent.signalCode === null) {
      const exited = new Promise((r) => agent!.once('exit', r));
      agent.kill('SIGKILL');
      await exited;
    }
    for (const pid of [...processes(marker), ...processes(`sleep ${sleepSeconds}`)]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await cluster?.stop();
    removePodNetwork(join(dataDir, 'runtime', 'network'));
    rmSync(dataDir, { recursive: true, force: true });
  });

  const caKey = () => join(cluster.dataDir, 'tls', 'ca.key');

  it('parses its flags: defaults, and one-line refusals', () => {
    const cfg = parseAgentFlags(['--kubeconfig', 'k.yaml', '--ca-key', 'ca.key', '--node-name', 'Agent-1', '--kubelet-port', '0', '-v', '-v']);
    assert.notEqual(cfg, 'help');
    const c = cfg as AgentConfig;
    assert.equal(c.kubeconfig, resolve('k.yaml'));
    assert.equal(c.caKey, resolve('ca.key'));
    assert.equal(c.caCert, undefined, 'default: the kubeconfig’s CA');
    assert.equal(c.nodeName, 'agent-1', 'node names are lower-cased');
    assert.equal(c.kubeletPort, 0);
    assert.equal(c.verbosity, 2);
    assert.equal(c.dataDir, join(homedir(), '.kubets', 'agent'));
    assert.equal(parseAgentFlags(['-h']), 'help');
    const refused: [string[], RegExp][] = [
      [[], /^--kubeconfig is required$/],
      [['--kubeconfig', 'k'], /^--ca-key is required \(the cluster CA's key, from the server's <data-dir>\/tls\/ca\.key\)$/],
      [['--kubeconfig', 'k', '--ca-key', 'c', '--kubelet-port', 'x'], /^--kubelet-port must be a number from 0 to 65535, not "x"$/],
      [['--kubeconfig', 'k', '--ca-key', 'c', '--kubelet-port', '70000'], /^--kubelet-port must be a number from 0 to 65535, not "70000"$/],
      [['--kubeconfig', 'k', '--ca-key', 'c', '--node-name', 'bad_name'], /^--node-name "bad_name" is not a valid node name: /],
      [['--kubeconfig', 'k', '--frobnicate'], /^Unknown option '--frobnicate'/],
      [['--kubeconfig', 'k', 'extra'], /Unexpected argument 'extra'/],
    ];
    for (const [args, message] of refused) {
      assert.throws(() => parseAgentFlags(args), (e: unknown) => e instanceof UsageError && message.test(e.message), args.join(' '));
    }
  });

  it('as a command: a bad flag is one line and exit 2; a key that is not the cluster CA’s, exit 1', async () => {
    const [bad, wrongKey] = await Promise.all([
      agentOnce(['--kubeconfig', cluster.kubeconfig]),
      agentOnce(['--kubeconfig', cluster.kubeconfig, '--ca-key', join(cluster.dataDir, 'tls', 'admin.key'), '--data-dir', dataDir]),
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^kubets agent: --ca-key is required .* \(see 'kubets agent --help'\)\n$/);
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.stderr, /^kubets agent: .*admin\.key is not the key of the cluster CA certificate in the kubeconfig\n$/);
  });

  it('joins node agent-1: Ready, runs a scheduled pod, serves its logs, stops it on SIGTERM', async () => {
    const args = ['agent', '--kubeconfig', cluster.kubeconfig, '--ca-key', caKey(), '--node-name', 'agent-1', '--data-dir', dataDir, '--kubelet-port', '0'];
    agent = spawn(process.execPath, [KUBETS_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    agent.stdout!.on('data', (d) => (output.stdout += d));
    agent.stderr!.on('data', (d) => (output.stderr += d));
    const running = agent;
    const exited = new Promise<number | null>((r) => running.once('exit', (code) => r(code)));
    const ready = async () => (await cluster.kubectl(['get', 'node', 'agent-1', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'])).stdout === 'True';
    await until(ready, `node agent-1 Ready (agent output: ${output.stdout}${output.stderr})`, 20_000);
    assert.match(output.stdout, /^kubets: agent for node agent-1 joining https:\/\/127\.0\.0\.1:\d+ \(data in .*\)\n/);
    const labels = await cluster.kubectlOk(['get', 'node', 'agent-1', '-o', 'jsonpath={.metadata.labels}']);
    assert.doesNotMatch(labels, /control-plane/, 'an agent is a worker node');

    await cluster.kubectlOk(['run', 'from-agent', '--image=busybox', '--restart=Never', '--command', '--', 'sh', '-c', `echo from-agent; sleep ${sleepSeconds} # ${marker}`]);
    const field = async (path: string) => (await cluster.kubectl(['get', 'pod', 'from-agent', '-o', `jsonpath={${path}}`])).stdout;
    await until(async () => (await field('.status.phase')) === 'Running', 'from-agent Running', 10_000);
    assert.equal(await field('.spec.nodeName'), 'agent-1', 'scheduled to the agent’s node');
    assert.ok(processes(marker).length >= 1, 'the pod runs on this machine');
    const logs = await until(async () => (await cluster.kubectl(['logs', 'from-agent'])).stdout, 'kubectl logs from-agent', 10_000);
    assert.equal(logs, 'from-agent\n');

    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 20_000);
    const code = await exited;
    clearTimeout(timer);
    assert.equal(code, 0, `the agent exits cleanly: ${output.stderr}`);
    assert.match(output.stdout, /kubets: agent stopped\n$/);
    assert.deepEqual(processes(marker), [], 'the pod’s shell is gone');
    assert.deepEqual(processes(`sleep ${sleepSeconds}`), [], 'and so is its child');
  });
});
