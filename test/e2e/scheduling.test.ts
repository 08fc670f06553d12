// Scheduling end to end with the real kubectl (no kubelet: Node objects only): a pod that fits
// nowhere is Pending and `kubectl describe pod` says why in upstream's words; a high-priority pod
// preempts; the standalone `kubets scheduler` schedules for a server run without one, with
// profiles from a KubeSchedulerConfiguration file; bad configs are one line and exit code 2.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KUBETS_BIN, TestCluster, until } from './harness.js';

const nodeYaml = (name: string, cpu: string) => `
apiVersion: v1
kind: Node
metadata:
  name: ${name}
  labels: {kubernetes.io/hostname: ${name}}
status:
  capacity: {cpu: "${cpu}", memory: 8Gi, pods: "110"}
  allocatable: {cpu: "${cpu}", memory: 8Gi, pods: "110"}
`;

const podYaml = (name: string, cpu: string, extra = '') => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 0${extra}
  containers:
  - name: app
    image: registry.local/app:1
    resources: {requests: {cpu: "${cpu}"}}
`;

const runKubets = (args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [KUBETS_BIN, ...args], { timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });

describe('scheduling with kubectl', () => {
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({ datastore: 'memory' });
    await cluster.kubectlOk(['apply', '-f', '-'], { stdin: nodeYaml('node-a', '2') + '---' + nodeYaml('node-b', '2') });
  });

  after(async () => {
    await cluster?.stop();
  });

  const field = (pod: string, path: string) => cluster.kubectlOk(['get', 'pod', pod, '-o', `jsonpath={${path}}`]);

  it('kubectl describe pod shows why a Pending pod fits nowhere (kubectl 1.27 and 1.33)', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { stdin: podYaml('too-big', '3') });
    await until(async () => (await field('too-big', '.status.conditions[0].reason')) === 'Unschedulable', 'PodScheduled=False');
    const expected =
      '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod..';
    for (const version of ['1.27', '1.33']) {
      const out = await cluster.kubectlOk(['describe', 'pod', 'too-big'], { version });
      assert.match(out, /^Status:\s+Pending$/m);
      assert.match(out, /^\s+PodScheduled\s+False\s*$/m);
      const line = out.split('\n').find((l) => l.includes('FailedScheduling'));
      assert.ok(line, `a FailedScheduling event in:\n${out}`);
      // The age column may read "0s (x2 over 1s)" once the scheduler retried.
      assert.match(line!, /Warning\s+FailedScheduling\s+\S+( \(x\d+ over \S+\))?\s+default-scheduler\s+/);
      assert.ok(line!.trimEnd().endsWith(expected), line);
    }
    await cluster.kubectlOk(['delete', 'pod', 'too-big']);
  });

  it('a pod of a higher PriorityClass preempts lower-priority pods and is bound', async () => {
    await cluster.kubectlOk(['create', 'priorityclass', 'batch-low', '--value=10']);
    await cluster.kubectlOk(['create', 'priorityclass', 'urgent', '--value=100000', '--description=urgent work']);
    const lows = ['low-1', 'low-2', 'low-3', 'low-4'];
    await cluster.kubectlOk(['apply', '-f', '-'], { stdin: lows.map((n) => podYaml(n, '1', '\n  priorityClassName: batch-low')).join('---') });
    await until(async () => (await cluster.kubectlOk(['get', 'pods', '-o', 'jsonpath={.items[*].spec.nodeName}'])).split(' ').filter(Boolean).length === 4, 'low pods bound');
    await cluster.kubectlOk(['apply', '-f', '-'], { stdin: podYaml('urgent', '2', '\n  priorityClassName: urgent') });
    assert.equal(await field('urgent', '.spec.priority'), '100000');
    const node = await until(() => field('urgent', '.spec.nodeName'), 'the urgent pod bound');
    const left = (await cluster.kubectlOk(['get', 'pods', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').filter((n) => n.startsWith('low-'));
    assert.equal(left.length, 2, `two victims, both from ${node}: ${left.join(' ')}`);
    const events = await cluster.kubectlOk(['get', 'events', '--field-selector', 'reason=Preempted', '-o', 'jsonpath={range .items[*]}{.involvedObject.name} {.message}{"\\n"}{end}']);
    const lines = events.trim().split('\n');
    assert.equal(lines.length, 2, events);
    for (const l of lines) assert.match(l, new RegExp(`^low-\\d Preempted by pod \\S+ on node ${node}$`));
  });

  it('kubectl get --raw /metrics shows the scheduler at work', async () => {
    const metrics = await cluster.kubectlOk(['get', '--raw', '/metrics']);
    const value = (series: string) => {
      const line = metrics.split('\n').find((l) => l.startsWith(series + ' '));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    assert.ok((value('scheduler_schedule_attempts_total{result="scheduled",profile="default-scheduler"}') ?? 0) >= 5, 'four low pods and the urgent one');
    assert.ok((value('scheduler_schedule_attempts_total{result="unschedulable",profile="default-scheduler"}') ?? 0) >= 2);
    assert.ok((value('scheduler_preemption_attempts_total') ?? 0) >= 1);
    assert.ok((value('scheduler_pod_scheduling_sli_duration_seconds_count{attempts="1"}') ?? 0) >= 4);
    for (const queue of ['active', 'backoff', 'unschedulable']) assert.notEqual(value(`scheduler_pending_pods{queue="${queue}"}`), undefined, queue);
  });
});

describe('kubets scheduler (standalone)', () => {
  let cluster: TestCluster;
  let scheduler: ChildProcess | undefined;
  let configPath: string;

  before(async () => {
    cluster = await TestCluster.start({ datastore: 'memory', extraArgs: ['--disable-scheduler'] });
    configPath = join(cluster.dataDir, 'scheduler.yaml');
    writeFileSync(
      configPath,
      `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
profiles:
- schedulerName: default-scheduler
- schedulerName: packer
  pluginConfig:
  - name: NodeResourcesFit
    args: {scoringStrategy: {type: MostAllocated}}
`,
    );
  });

  after(async () => {
    scheduler?.kill('SIGTERM');
    await cluster?.stop();
  });

  it('rejects a bad configuration with one line and exit code 2, server and standalone alike', async () => {
    const bad = join(cluster.dataDir, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- plugins: {filter: {enabled: [{name: NoSuchPlugin}]}}\n');
    const standalone = await runKubets(['scheduler', '--kubeconfig', cluster.kubeconfig, '--config', bad]);
    assert.equal(standalone.code, 2);
    assert.match(standalone.stderr, /^kubets scheduler: scheduler config .*bad\.yaml: profiles\[0\]\.plugins: Invalid value: "NoSuchPlugin": plugin not registered/);
    assert.equal(standalone.stderr.trim().split('\n').length, 1);
    const server = await runKubets(['server', '--data-dir', join(cluster.dataDir, 'other'), '--scheduler-config', bad]);
    assert.equal(server.code, 2);
    assert.match(server.stderr, /^kubets server: scheduler config .*NoSuchPlugin/);
    const missing = await runKubets(['scheduler']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--kubeconfig is required/);
  });

  it('schedules pods of each configured profile for a server that runs none', async () => {
    await cluster.kubectlOk(['apply', '-f', '-'], { stdin: nodeYaml('n-1', '4') + '---' + nodeYaml('n-2', '4') });
    await cluster.kubectlOk(['apply', '-f', '-'], { stdin: podYaml('waiting', '1') });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await cluster.kubectlOk(['get', 'pod', 'waiting', '-o', 'jsonpath={.spec.nodeName}']), '', 'no scheduler runs yet');
    scheduler = spawn(process.execPath, [KUBETS_BIN, 'scheduler', '--kubeconfig', cluster.kubeconfig, '--config', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    scheduler.stdout!.on('data', (d) => (out += d));
    scheduler.stderr!.on('data', (d) => (out += d));
    await until(async () => (await cluster.kubectlOk(['get', 'pod', 'waiting', '-o', 'jsonpath={.spec.nodeName}'])) !== '', `bound by kubets scheduler (${out})`);
    // The packer profile (MostAllocated) puts pods together on the fuller node.
    const first = await cluster.kubectlOk(['get', 'pod', 'waiting', '-o', 'jsonpath={.spec.nodeName}']);
    await cluster.kubectlOk(['apply', '-f', '-'], { stdin: ['p-1', 'p-2'].map((n) => podYaml(n, '1', '\n  schedulerName: packer')).join('---') });
    for (const n of ['p-1', 'p-2']) {
      assert.equal(await until(() => cluster.kubectlOk(['get', 'pod', n, '-o', 'jsonpath={.spec.nodeName}']), `${n} bound`), first);
    }
    const lease = await cluster.kubectlOk(['get', 'lease', '-n', 'kube-system', 'kube-scheduler', '-o', 'jsonpath={.spec.holderIdentity}']);
    assert.ok(lease.length > 0, 'the standalone scheduler holds the kube-scheduler Lease');
    await cluster.kubectlOk(['apply', '-f', '-'], { stdin: podYaml('nobodys', '1', '\n  schedulerName: nobody') });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await cluster.kubectlOk(['get', 'pod', 'nobodys', '-o', 'jsonpath={.spec.nodeName}']), '', 'pods of other schedulers are left alone');
    scheduler.kill('SIGTERM');
    const code = await new Promise((r) => scheduler!.once('exit', r));
    assert.equal(code, 0);
    assert.match(out, /scheduler stopped/);
  });
});
