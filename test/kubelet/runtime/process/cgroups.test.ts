// The process runtime's cgroups with real processes (root): limits written and enforced, OOM kills
// reported, usage read back, cgroups removed with their containers. Every test's cgroups live under
// a root named for this test process, removed after each test whatever happened.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { chooseContainerCgroups, limitsEnforcementMessage, NoCgroups, type ContainerResources } from '../../../../src/kubelet/runtime/process/cgroups.js';
import { detectCgroups } from '../../../../src/kubelet/runtime/process/cgroups-detect.js';
import { removeCgroup } from '../../../../src/kubelet/runtime/process/cgroups-fs.js';
import type { ProcessRuntime } from '../../../../src/kubelet/runtime/process/index.js';
import type { ContainerConfig } from '../../../../src/kubelet/runtime/types.js';
import { containerConfig, sandboxConfig } from '../contract.js';
import { abandon, cleanup, NODE, newRoot, newRuntime, pids, until } from '../process-harness.js';

const NAME = `kubets-test-${process.pid}`;
const plan = detectCgroups(NAME);
const MiB = 1024 * 1024;

/** The cgroup directories of the test's pods' root: one per v1 controller, or v2's one. */
function roots(): string[] {
  if (plan.kind === 'v1') return [...new Set(Object.values(plan.roots))];
  if (plan.kind === 'v2') return [plan.root];
  throw new Error(`no usable cgroups on this machine: ${plan.reason}`);
}

/** A control file of the container's cgroup, by v1 controller (v2 has one directory). */
function file(controller: 'memory' | 'cpu' | 'cpuacct' | 'pids', podUid: string, cid: string, name: string): string {
  const root = plan.kind === 'v1' ? plan.roots[controller]! : roots()[0]!;
  return join(root, `pod${podUid}`, cid, name);
}
const read = (path: string) => readFileSync(path, 'utf8').trim();
const keyValue = (path: string, key: string) => Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(readFileSync(path, 'utf8'))?.[1]);

afterEach(async () => {
  try {
    await cleanup();
  } finally {
    // Whatever a failed test left: its processes are killed with the cgroups.
    for (const root of roots()) await removeCgroup(root);
  }
});

/** A runtime using the test's cgroups, a sandbox, and a container running `command` (started). */
async function running(command: string[], resources?: ContainerResources, overrides: Partial<ContainerConfig> = {}, rt?: ProcessRuntime) {
  const root = newRoot();
  rt ??= newRuntime(root, { cgroups: chooseContainerCgroups({ name: NAME }) });
  const sc = sandboxConfig(join(root, 'logs'), `pod-${Math.random().toString(36).slice(2, 8)}`);
  const sid = await rt.runPodSandbox(sc);
  const cid = await rt.createContainer(sid, containerConfig('c', { command, stdin: false, linux: { resources }, ...overrides }), sc);
  await rt.startContainer(cid);
  const status = await rt.containerStatus(cid);
  if (status.pid) pids.push(status.pid);
  const uid = sc.metadata.uid;
  const log = () => readFileSync(status.logPath, 'utf8');
  const exited = async (ms = 5000) => {
    await until('container exit', async () => (await rt.containerStatus(cid)).state === 'CONTAINER_EXITED', ms);
    return rt.containerStatus(cid);
  };
  return { root, rt, sid, cid, uid, pid: status.pid!, log, exited };
}

describe('container cgroups (real processes)', () => {
  test('this machine: the hierarchy found, every limit enforceable as root; none and why otherwise', () => {
    const cgroups = chooseContainerCgroups({ name: NAME });
    assert.equal(cgroups.kind, existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'v2' : 'v1');
    assert.equal(limitsEnforcementMessage(cgroups), undefined);
    const none = chooseContainerCgroups({ name: NAME, uid: 1000 });
    assert.equal(none.kind, 'none');
    assert.match(limitsEnforcementMessage(none)!, /^resource limits are not enforced: the process runtime needs root .*uid 1000/);
    assert.deepEqual(none.wrapCommand('x', ['sleep', '1']), ['sleep', '1']);
  });

  test('limits are written to the container cgroup, its process (same pid) is in it; its exit removes it', async () => {
    const resources = { memoryLimitInBytes: 64 * MiB, cpuShares: 512, cpuQuota: 20000, cpuPeriod: 100000, pidsLimit: 7 };
    const { rt, cid, uid, pid } = await running(['sleep', '30'], resources);
    // The wrapper shell becomes the command (exec): same pid, once it entered the cgroup.
    await until('the wrapper to exec the command', () => read(`/proc/${pid}/comm`) === 'sleep');
    const expected: [string, string][] =
      plan.kind === 'v1'
        ? [
            [file('memory', uid, cid, 'memory.limit_in_bytes'), String(64 * MiB)],
            [file('cpu', uid, cid, 'cpu.shares'), '512'],
            [file('cpu', uid, cid, 'cpu.cfs_quota_us'), '20000'],
            [file('cpu', uid, cid, 'cpu.cfs_period_us'), '100000'],
            [file('pids', uid, cid, 'pids.max'), '7'],
          ]
        : [
            [file('memory', uid, cid, 'memory.max'), String(64 * MiB)],
            [file('cpu', uid, cid, 'cpu.weight'), '20'],
            [file('cpu', uid, cid, 'cpu.max'), '20000 100000'],
            [file('pids', uid, cid, 'pids.max'), '7'],
          ];
    for (const [path, value] of expected) assert.equal(read(path), value, path);
    const controllers = ['memory', 'cpu', 'cpuacct', 'pids'] as const;
    for (const c of controllers) assert.ok(read(file(c, uid, cid, 'cgroup.procs')).split('\n').includes(String(pid)), `${c}: the process is in the cgroup`);
    await rt.stopContainer(cid, 0);
    for (const c of controllers) assert.equal(existsSync(join(file(c, uid, cid, '..'))), false, `${c}: the pod's cgroup is gone with its last container`);
    for (const root of roots()) assert.equal(existsSync(root), false, 'the emptied pods root is gone too');
  });

  test('a container created but never started: its cgroup goes with removeContainer', async () => {
    const root = newRoot();
    const rt = newRuntime(root, { cgroups: chooseContainerCgroups({ name: NAME }) });
    const sc = sandboxConfig(join(root, 'logs'), 'created');
    const sid = await rt.runPodSandbox(sc);
    const cid = await rt.createContainer(sid, containerConfig('c', { command: ['sleep', '30'], linux: { resources: { pidsLimit: 3 } } }), sc);
    assert.equal(read(file('pids', sc.metadata.uid, cid, 'pids.max')), '3');
    await rt.removeContainer(cid);
    assert.equal(existsSync(file('pids', sc.metadata.uid, cid, '')), false);
  });

  test('a limit the kernel refuses fails the creation (CreateContainerError), leaving no cgroup', async () => {
    const root = newRoot();
    const rt = newRuntime(root, { cgroups: chooseContainerCgroups({ name: NAME }) });
    const sc = sandboxConfig(join(root, 'logs'), 'refused');
    const sid = await rt.runPodSandbox(sc);
    // A quota under 1 ms is refused (EINVAL) by v1 and v2 alike.
    const config = containerConfig('c', { command: ['sleep', '30'], linux: { resources: { cpuQuota: 500, cpuPeriod: 100000 } } });
    await assert.rejects(rt.createContainer(sid, config, sc), { reason: 'CreateContainerError', message: /failed to create the cgroup of container .*EINVAL/ });
    assert.deepEqual(await rt.listContainers(), []);
    for (const r of roots()) assert.equal(existsSync(r), false);
  });

  test('a container past its memory limit is OOMKilled, exit code 137', async () => {
    const grow = `console.log('started'); const b = Buffer.alloc(200e6, 1); console.log('survived', b.length)`;
    const { exited, log } = await running([NODE, '-e', grow], { memoryLimitInBytes: 32 * MiB });
    const s = await exited();
    assert.deepEqual([s.exitCode, s.reason], [137, 'OOMKilled']);
    assert.match(log(), /started/);
    assert.doesNotMatch(log(), /survived/);
  });

  test('a container killed otherwise is not OOMKilled', async () => {
    const { rt, cid, exited } = await running(['sleep', '30'], { memoryLimitInBytes: 32 * MiB });
    await rt.stopContainer(cid, 0);
    const s = await exited();
    assert.deepEqual([s.exitCode, s.reason], [137, 'Error']);
  });

  test('a pids limit stops a container forking past it', async () => {
    const loop = 'i=0; while [ $i -lt 20 ]; do sleep 3 & i=$((i+1)); done; echo all-forked; wait';
    const { exited, log } = await running(['/bin/sh', '-c', loop], { pidsLimit: 5 });
    // The shell gives up at the first fork refused (dash: "Cannot fork"), its sleeps killed with it.
    const s = await exited();
    assert.notEqual(s.exitCode, 0);
    assert.match(log(), /fork/i);
    assert.doesNotMatch(log(), /all-forked/);
  });

  test('a cpu quota throttles a busy loop; stats measure it', async () => {
    // 20 ms every 100 ms: a fifth of a core.
    const { rt, uid, cid } = await running(['/bin/sh', '-c', 'while :; do :; done'], { cpuQuota: 20000, cpuPeriod: 100000 });
    await new Promise((r) => setTimeout(r, 500));
    const s = await rt.containerStats(cid);
    const used = s.cpu!.usageCoreNanoSeconds;
    assert.ok(used > 0.01e9 && used < 0.25e9, `${used} ns of cpu in 0.5 s at 0.2 cores`);
    assert.ok(s.cpu!.usageNanoCores! > 0.02e9 && s.cpu!.usageNanoCores! < 0.4e9, `rate ${s.cpu!.usageNanoCores}`);
    assert.ok(keyValue(file('cpu', uid, cid, 'cpu.stat'), 'nr_throttled') > 0, 'throttled');
  });

  test('stats report the memory a process holds: from its cgroup, and without cgroups from /proc', async () => {
    const hold = `const b = Buffer.alloc(50e6, 1); console.log('ready'); setTimeout(() => b, 30000)`;
    // Both at once: the two node processes start side by side.
    const plain = newRuntime(newRoot(), { cgroups: new NoCgroups('test: no cgroups') });
    const [withCgroup, without] = await Promise.all([
      running([NODE, '-e', hold], { memoryLimitInBytes: 256 * MiB }),
      running([NODE, '-e', hold], { memoryLimitInBytes: 32 * MiB }, {}, plain),
    ]);
    await until('the allocations', () => withCgroup.log().includes('ready') && without.log().includes('ready'));

    const { rt, sid, cid } = withCgroup;
    const s = await rt.containerStats(cid);
    assert.deepEqual(s.attributes.metadata, { name: 'c', attempt: 0 });
    assert.deepEqual(s.attributes.labels, { container: 'c' });
    const m = s.memory!;
    assert.ok(m.workingSetBytes >= 50e6 && m.workingSetBytes < 250 * MiB, `working set ${m.workingSetBytes}`);
    assert.ok(m.usageBytes >= m.workingSetBytes);
    assert.ok(m.rssBytes >= 50e6, `rss ${m.rssBytes}`);
    assert.equal(m.availableBytes, 256 * MiB - m.workingSetBytes);
    assert.ok(s.cpu!.usageCoreNanoSeconds > 0);
    assert.ok(s.cpu!.usageNanoCores !== undefined, 'a rate from the first sample: the cgroup started at zero');
    assert.deepEqual((await rt.listContainerStats({ podSandboxId: sid })).map((l) => l.attributes.id), [cid]);
    assert.deepEqual(await rt.listContainerStats({ podSandboxId: 'other' }), []);

    // Without cgroups the 32 MiB limit is not enforced (the node says so), and nothing was made.
    assert.equal(existsSync(file('memory', without.uid, without.cid, '')), false);
    const p = await plain.containerStats(without.cid);
    assert.ok(p.memory!.workingSetBytes >= 50e6, `rss ${p.memory!.workingSetBytes}`);
    assert.ok(p.memory!.rssBytes >= 50e6);
    assert.equal(p.memory!.availableBytes, undefined);
    assert.ok(p.cpu!.usageCoreNanoSeconds > 0 && p.cpu!.usageNanoCores !== undefined);
    assert.equal(plain.cgroups.limitsUnsupportedReason(), 'test: no cgroups');
  });

  test('a restarted runtime finds its containers’ cgroups again: usage, removal, an OOM kill while none watched', async () => {
    const { root, rt, uid, cid } = await running(['sleep', '30'], { memoryLimitInBytes: 64 * MiB });
    const grow = `setTimeout(() => Buffer.alloc(200e6, 1), 100)`;
    const oom = await running([NODE, '-e', grow], { memoryLimitInBytes: 32 * MiB }, {}, rt);
    await abandon(rt);
    await until('the OOM kill', () => !existsSync(`/proc/${oom.pid}`) || read(`/proc/${oom.pid}/stat`).includes(') Z '), 5000);
    const next = newRuntime(root, { cgroups: chooseContainerCgroups({ name: NAME }) });
    assert.ok((await next.containerStats(cid)).memory!.usageBytes > 0);
    const s = await next.containerStatus(oom.cid);
    assert.deepEqual([s.state, s.exitCode, s.reason], ['CONTAINER_EXITED', 137, 'OOMKilled']);
    await until('the exited container’s cgroup removed', () => !existsSync(file('memory', oom.uid, oom.cid, '')));
    await next.removeContainer(cid);
    assert.equal(existsSync(file('memory', uid, cid, '')), false);
  });
});
