import assert from 'node:assert/strict';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, test } from 'node:test';
import { CommandRunner } from '../../../../src/kubelet/runtime/process/command-runner.js';
import { ContainerSpawner } from '../../../../src/kubelet/runtime/process/container-spawner.js';
import { parseCriLogLine, START_ERROR_EXIT_CODE, UNKNOWN_EXIT_CODE, UNKNOWN_EXIT_REASON } from '../../../../src/kubelet/runtime/process/index.js';
import { readProcStat } from '../../../../src/kubelet/runtime/process/proc.js';
import type { ContainerConfig } from '../../../../src/kubelet/runtime/types.js';
import { RuntimeError } from '../../../../src/kubelet/runtime/types.js';
import { createLogger } from '../../../../src/logging/index.js';
import { containerConfig, sandboxConfig } from '../contract.js';
import { cleanup, gone, newRoot, newRuntime, pids, until } from '../process-harness.js';

/** The parent pid of `pid` (field 4 of /proc/<pid>/stat). */
function ppid(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[1]);
}

describe('ContainerSpawner: containers started from the command runner’s child', () => {
  const runners: CommandRunner[] = [];
  afterEach(async () => {
    await cleanup();
    for (const r of runners.splice(0)) await r.close();
  });

  /** A runtime over its own runner and spawner, a sandbox, and a container per call of add(). */
  const setup = async (runnerOptions: ConstructorParameters<typeof CommandRunner>[0] = {}) => {
    const root = newRoot();
    const warnings: string[] = [];
    const logger = createLogger(0, { write: (line: string) => void warnings.push(line) });
    const runner = new CommandRunner({ logger, ...runnerOptions });
    runners.push(runner);
    const spawner = new ContainerSpawner({ stateDir: join(root, 'state'), runner, pollIntervalMs: 50, logger });
    const rt = newRuntime(root, { spawner, pollIntervalMs: 50, logger });
    const sc = sandboxConfig(join(root, 'logs'), 'pod');
    const sid = await rt.runPodSandbox(sc);
    let n = 0;
    const add = async (command: string[], overrides: Partial<ContainerConfig> = {}) => {
      const cid = await rt.createContainer(sid, containerConfig(`c${n++}`, { command, stdin: false, ...overrides }), sc);
      const start = async () => {
        await rt.startContainer(cid);
        const { pid } = await rt.containerStatus(cid);
        if (pid) pids.push(pid);
        return pid!;
      };
      const status = () => rt.containerStatus(cid);
      const exited = () => until('container exit', async () => (await status()).state === 'CONTAINER_EXITED');
      const log = async () =>
        readFileSync((await status()).logPath, 'utf8')
          .split('\n')
          .slice(0, -1)
          .map((l) => parseCriLogLine(l)!)
          .map((e) => `${e.stream} ${e.partial ? 'P' : 'F'} ${e.content}`);
      return { cid, start, status, exited, log };
    };
    return { root, rt, runner, add, warnings };
  };

  test('the process is the runner child’s, in its own process group; stdout and stderr reach the log', async () => {
    const { runner, add } = await setup();
    const c = await add(['/bin/sh', '-c', 'echo out; echo err >&2; printf partial; sleep 0.2']);
    const pid = await c.start();
    assert.ok(runner.pid, 'the runner’s child runs');
    assert.equal(ppid(pid), runner.pid, 'spawned by the runner’s child');
    assert.equal(readProcStat(pid)?.pgid, pid, 'leads its own process group');
    assert.equal((await c.status()).pid, pid);
    await c.exited();
    const s = await c.status();
    assert.equal(s.exitCode, 0);
    assert.equal(s.reason, 'Completed');
    const log = await c.log();
    assert.deepEqual(log.filter((l) => l.startsWith('stdout')), ['stdout F out', 'stdout P partial']);
    assert.deepEqual(log.filter((l) => l.startsWith('stderr')), ['stderr F err']);
  });

  test('blocking stdio: output far past a socket buffer is written whole', async () => {
    const { add } = await setup();
    // A non-blocking stdout would fail `head` with EAGAIN once the buffer is full.
    const c = await add(['/bin/sh', '-c', 'yes 0123456789 | head -n 50000; echo done']);
    await c.start();
    await c.exited();
    assert.equal((await c.status()).exitCode, 0);
    const log = await c.log();
    assert.equal(log.length, 50001);
    assert.equal(log.at(-1), 'stdout F done');
  });

  test('exit codes and signals', async () => {
    const { add } = await setup();
    const cases = [
      { command: ['/bin/sh', '-c', 'exit 3'], exitCode: 3, reason: 'Error' },
      { command: ['/bin/sh', '-c', 'kill -TERM $$'], exitCode: 128 + 15, reason: 'Error' },
      { command: ['/bin/sh', '-c', 'kill -KILL $$'], exitCode: 128 + 9, reason: 'Error' },
    ];
    for (const { command, exitCode, reason } of cases) {
      const c = await add(command);
      await c.start();
      await c.exited();
      const s = await c.status();
      assert.equal(s.exitCode, exitCode, command.join(' '));
      assert.equal(s.reason, reason, command.join(' '));
    }
  });

  test('stopContainer signals the process group: a grandchild goes too', async () => {
    const { rt, add } = await setup();
    const c = await add(['/bin/sh', '-c', 'sleep 60 & echo $! ; wait']);
    const pid = await c.start();
    await until('the grandchild’s pid in the log', async () => (await c.log()).length > 0);
    const grandchild = Number((await c.log())[0]!.split(' ')[2]);
    pids.push(grandchild);
    await rt.stopContainer(c.cid, 5);
    const s = await c.status();
    assert.equal(s.state, 'CONTAINER_EXITED');
    assert.equal(s.exitCode, 128 + 15);
    await until('the group gone', () => gone(pid) && gone(grandchild));
  });

  test('stdin, written through attach, reaches the process; stdinOnce closes it', async () => {
    const { rt, add } = await setup();
    const c = await add(['/bin/sh', '-c', 'read a; echo "got $a"; cat; echo eof'], { stdin: true, stdinOnce: true });
    await c.start();
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const seen: Buffer[] = [];
    stdout.on('data', (d: Buffer) => seen.push(d));
    const attached = rt.attach(c.cid, { stdin, stdout });
    stdin.write('hello\n');
    stdin.end('more\n');
    assert.equal(await attached, 0);
    assert.equal(Buffer.concat(seen).toString(), 'got hello\nmore\neof\n');
    assert.deepEqual(await c.log(), ['stdout F got hello', 'stdout F more', 'stdout F eof']);
  });

  test('a command that cannot start: StartError, exit code 128, runc’s messages', async () => {
    const { root, add } = await setup();
    const script = join(root, 'not-executable.sh');
    writeFileSync(script, '#!/bin/sh\n');
    chmodSync(script, 0o644);
    const cases = [
      { command: ['/no/such/binary'], message: 'unable to start container process: exec: "/no/such/binary": stat /no/such/binary: no such file or directory' },
      { command: ['no-such-binary-kubets'], message: 'unable to start container process: exec: "no-such-binary-kubets": executable file not found in $PATH' },
      { command: [script], message: `unable to start container process: exec: "${script}": permission denied` },
    ];
    for (const { command, message } of cases) {
      const c = await add(command);
      await assert.rejects(c.start(), (e: unknown) => e instanceof RuntimeError && e.reason === 'RunContainerError' && e.message === message);
      const s = await c.status();
      assert.equal(s.state, 'CONTAINER_EXITED');
      assert.equal(s.exitCode, START_ERROR_EXIT_CODE);
      assert.equal(s.reason, 'StartError');
      assert.equal(s.message, message);
    }
  });

  test('spawn(): a missing working directory is the spawn error', async () => {
    const root = newRoot();
    const runner = new CommandRunner();
    runners.push(runner);
    const spawner = new ContainerSpawner({ stateDir: root, runner });
    try {
      await assert.rejects(spawner.spawn(['/bin/true'], { cwd: join(root, 'missing'), env: {}, stdin: false }), { code: 'ENOENT' });
    } finally {
      await spawner.close();
    }
  });

  test('the runner’s child killed: containers run on, their output is still logged, their exit is noticed; the next start uses a new child', async () => {
    const { runner, add } = await setup();
    const c = await add(['/bin/sh', '-c', 'echo before; sleep 0.5; echo after; sleep 60']);
    const pid = await c.start();
    const first = runner.pid!;
    await until('first output', async () => (await c.log()).includes('stdout F before'));
    process.kill(first, 'SIGKILL');
    await until('the child gone', () => runner.pid === undefined);
    await until('output after the kill', async () => (await c.log()).includes('stdout F after'));
    assert.equal((await c.status()).state, 'CONTAINER_RUNNING', 'the container survives its spawner');
    assert.ok(!gone(pid));

    // Alive long enough for its parent to be read from /proc (an instant exit raced the read).
    const next = await add(['/bin/sh', '-c', 'sleep 0.3; exit 7']);
    const nextPid = await next.start();
    assert.ok(runner.pid !== undefined && runner.pid !== first, 'a new child');
    assert.equal(ppid(nextPid), runner.pid);
    await next.exited();
    assert.equal((await next.status()).exitCode, 7);

    process.kill(-pid, 'SIGKILL');
    await c.exited();
    const s = await c.status();
    assert.equal(s.exitCode, UNKNOWN_EXIT_CODE);
    assert.equal(s.reason, UNKNOWN_EXIT_REASON);
    assert.match(s.message ?? '', /exit status is unknown/);
  });

  test('a runner whose child cannot start: the server spawns containers itself, and says so once', async () => {
    const { add, warnings } = await setup({ script: join(newRoot(), 'no-such-child.js') });
    for (const code of [4, 5]) {
      const c = await add(['/bin/sh', '-c', `echo direct; sleep 0.2; exit ${code}`]);
      const pid = await c.start();
      assert.equal(ppid(pid), process.pid, 'spawned by the server');
      await c.exited();
      assert.equal((await c.status()).exitCode, code);
      assert.deepEqual(await c.log(), ['stdout F direct']);
    }
    const said = warnings.filter((w) => w.includes('container spawner'));
    assert.equal(said.length, 1, warnings.join('\n'));
  });
});
