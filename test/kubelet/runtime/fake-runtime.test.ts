import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { RuntimeError } from '../../../src/kubelet/runtime/types.js';
import { CONTRACT_EXEC, containerConfig, runtimeContract, sandboxConfig } from './contract.js';
import { FakeRuntime } from './fake-runtime.js';

runtimeContract('fake', async () => {
  const runtime = new FakeRuntime('10.0.0.1');
  runtime.execHandler = (_id, cmd) =>
    JSON.stringify(cmd) === JSON.stringify(CONTRACT_EXEC.cmd)
      ? { stdout: Buffer.from(CONTRACT_EXEC.stdout), stderr: Buffer.from(CONTRACT_EXEC.stderr), exitCode: CONTRACT_EXEC.exitCode }
      : { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: 0 };
  const logRoot = mkdtempSync(join(tmpdir(), 'kubets-fake-'));
  return {
    runtime,
    nodeIp: '10.0.0.1',
    logRoot,
    exit: async (id, code) => runtime.exit(id, code),
    close: async () => rmSync(logRoot, { recursive: true, force: true }),
  };
});

describe('FakeRuntime for other components', () => {
  const setup = async () => {
    const rt = new FakeRuntime();
    const sc = sandboxConfig('/logs', 'p');
    const sid = await rt.runPodSandbox(sc);
    const cid = await rt.createContainer(sid, containerConfig('c'), sc);
    return { rt, sid, cid };
  };

  test('records the calls made to it', async () => {
    const { rt, sid, cid } = await setup();
    await rt.startContainer(cid);
    await rt.stopContainer(cid, 30);
    assert.deepEqual(rt.calls, [`runPodSandbox ${sid}`, `createContainer ${cid}`, `startContainer ${cid}`, `stopContainer ${cid} 30`]);
    assert.equal((await rt.containerStatus(cid)).exitCode, 143);
  });

  test('startError makes a start fail like a missing binary', async () => {
    const { rt, cid } = await setup();
    rt.startError = () => new RuntimeError('RunContainerError', 'exec: "x": executable file not found in $PATH');
    await assert.rejects(rt.startContainer(cid), /executable file not found/);
    const s = await rt.containerStatus(cid);
    assert.deepEqual([s.state, s.exitCode, s.reason], ['CONTAINER_EXITED', 128, 'StartError']);
  });

  test('output reaches attached sessions; their stdin is recorded', async () => {
    const { rt, cid } = await setup();
    await rt.startContainer(cid);
    const stdout = new PassThrough();
    const stdin = new PassThrough();
    const attached = rt.attach(cid, { stdout, stdin });
    stdin.write('input');
    rt.output(cid, 'stdout', 'hello');
    rt.exit(cid, 2, 'Custom');
    assert.equal(await attached, 2);
    assert.equal(stdout.read()?.toString(), 'hello');
    assert.equal(rt.stdinOf(cid).toString(), 'input');
    assert.equal((await rt.containerStatus(cid)).reason, 'Custom');
  });
});
