import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { readProcStat } from '../../../src/kubelet/runtime/process/proc.js';
import type { ContainerEvent } from '../../../src/kubelet/runtime/types.js';
import { containerConfig, sandboxConfig } from './contract.js';
import { abandon, cleanup, gone, newRoot, newRuntime, pids, until } from './process-harness.js';

describe('ProcessRuntime over the state of a previous one', () => {
  afterEach(cleanup);

  /** A runtime with a running `sleep 30` and a created container, then abandoned (as by a crash). */
  const crashed = async () => {
    const root = newRoot();
    const first = newRuntime(root);
    const sc = sandboxConfig(join(root, 'logs'), 'pod');
    const sid = await first.runPodSandbox(sc);
    const cid = await first.createContainer(sid, containerConfig('sleeper', { command: ['sleep', '30'], stdin: false }), sc);
    const created = await first.createContainer(sid, containerConfig('later', { command: ['sleep', '30'], stdin: false }), sc);
    await first.startContainer(cid);
    const { pid } = await first.containerStatus(cid);
    pids.push(pid!);
    await abandon(first);
    return { root, sid, cid, created, pid: pid! };
  };

  test('adopts a process still running: RUNNING, stoppable; exit status unknown', async () => {
    const { root, sid, cid, created, pid } = await crashed();
    const rt = newRuntime(root, { pollIntervalMs: 100 });
    const events: ContainerEvent[] = [];
    rt.onContainerEvent((e) => events.push(e));
    assert.equal((await rt.podSandboxStatus(sid)).state, 'SANDBOX_READY');
    const s = await rt.containerStatus(cid);
    assert.deepEqual([s.state, s.pid], ['CONTAINER_RUNNING', pid]);
    assert.match(s.message, /log capture stopped/);
    await assert.rejects(rt.attach(cid, {}), { reason: 'AttachError' });
    assert.equal((await rt.execSync(cid, ['/bin/sh', '-c', 'exit 4'], 5)).exitCode, 4);
    await rt.startContainer(created);
    pids.push((await rt.containerStatus(created)).pid!);
    await rt.stopContainer(cid, 0);
    assert.ok(gone(pid));
    const after = await rt.containerStatus(cid);
    assert.deepEqual([after.state, after.exitCode, after.reason], ['CONTAINER_EXITED', 255, 'Unknown']);
    assert.match(after.message, /after SIGKILL.*unknown/);
    assert.deepEqual(events.filter((e) => e.containerId === cid).map((e) => e.type), ['CONTAINER_STOPPED_EVENT']);
  });

  test('notices an adopted process exiting by polling /proc', async () => {
    const { root, cid, pid } = await crashed();
    const rt = newRuntime(root);
    const stopped = new Promise<ContainerEvent>((resolve) => rt.onContainerEvent((e) => e.type === 'CONTAINER_STOPPED_EVENT' && resolve(e)));
    process.kill(pid, 'SIGKILL');
    const t0 = Date.now();
    assert.equal((await stopped).containerId, cid);
    assert.ok(Date.now() - t0 < 1500, 'polled every 500 ms');
    assert.equal((await rt.containerStatus(cid)).exitCode, 255);
  });

  test('a process gone while no runtime watched is EXITED with an unknown status', async () => {
    const { root, cid, pid } = await crashed();
    process.kill(pid, 'SIGKILL');
    await until('sleep gone', () => gone(pid));
    const rt = newRuntime(root);
    const s = await rt.containerStatus(cid);
    assert.deepEqual([s.state, s.exitCode, s.reason], ['CONTAINER_EXITED', 255, 'Unknown']);
    assert.ok(s.finishedAt > s.startedAt);
  });

  test('a reused pid (another start time) is not mistaken for the container, nor signalled', async () => {
    const { root, cid } = await crashed();
    // The record names a pid now used by an unrelated process (not in the container's cgroup).
    const other = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    other.unref();
    const pid = other.pid!;
    pids.push(pid);
    const record = join(root, 'state', 'records', 'containers', `${cid}.json`);
    const saved = JSON.parse(readFileSync(record, 'utf8')) as { pid: number; pidStartTime: number };
    saved.pid = pid;
    saved.pidStartTime = readProcStat(pid)!.startTime + 1;
    writeFileSync(record, JSON.stringify(saved));
    const rt = newRuntime(root);
    assert.equal((await rt.containerStatus(cid)).state, 'CONTAINER_EXITED');
    await rt.stopContainer(cid, 0);
    await rt.removeContainer(cid);
    for (const s of await rt.listPodSandbox()) await rt.removePodSandbox(s.id);
    assert.ok(!gone(pid), 'the process with that pid was left alone');
  });
});
