import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, describe, test } from 'node:test';
import {
  ATTACH_DETACHED,
  HOST_NETWORK_INFO,
  parseCriLogLine,
  type ProcessRuntimeOptions,
  rotatedLogFiles,
} from '../../../src/kubelet/runtime/process/index.js';
import type { ContainerConfig, ContainerEvent } from '../../../src/kubelet/runtime/types.js';
import { RuntimeError } from '../../../src/kubelet/runtime/types.js';
import { containerConfig, runtimeContract, sandboxConfig } from './contract.js';
import { cleanup, gone, NODE, NODE_IP, newRoot, newRuntime, pids, until } from './process-harness.js';

runtimeContract('process', async () => {
  const root = newRoot();
  const runtime = newRuntime(root);
  return {
    runtime,
    nodeIp: NODE_IP,
    logRoot: join(root, 'logs'),
    // The contract's containers exit with the code they read on stdin.
    exit: async (id, code) => void (await runtime.attach(id, { stdin: Readable.from([Buffer.from(`${code}\n`)]) })),
    close: cleanup,
  };
});

describe('ProcessRuntime', () => {
  afterEach(cleanup);

  /** A runtime, a sandbox, and a container running `command` (started unless told not to). */
  const setup = async (command: string[], overrides: Partial<ContainerConfig> = {}, options: Partial<ProcessRuntimeOptions> = {}) => {
    const root = newRoot();
    const rt = newRuntime(root, options);
    const events: ContainerEvent[] = [];
    rt.onContainerEvent((e) => events.push(e));
    const sc = sandboxConfig(join(root, 'logs'), 'pod');
    const sid = await rt.runPodSandbox(sc);
    const cid = await rt.createContainer(sid, containerConfig('c', { command, stdin: false, ...overrides }), sc);
    const start = async () => {
      await rt.startContainer(cid);
      const { pid } = await rt.containerStatus(cid);
      if (pid) pids.push(pid);
      return pid!;
    };
    const exited = () => until('container exit', async () => (await rt.containerStatus(cid)).state === 'CONTAINER_EXITED');
    const logEntries = async () =>
      readFileSync((await rt.containerStatus(cid)).logPath, 'utf8')
        .split('\n')
        .slice(0, -1)
        .map((l) => parseCriLogLine(l)!);
    return { root, rt, sc, sid, cid, events, start, exited, logEntries };
  };

  test('sandbox: host network, a directory under the state dir, records on disk', async () => {
    const { root, rt, sid, cid, sc } = await setup(['/bin/sh', '-c', 'echo "$FOO $HOSTNAME"; pwd'], { envs: [{ key: 'FOO', value: 'bar' }] });
    const status = await rt.podSandboxStatus(sid);
    assert.deepEqual(status.network, { ip: NODE_IP, additionalIps: [] });
    assert.deepEqual(status.info, { network: HOST_NETWORK_INFO });
    const sandboxDir = join(root, 'state', 'sandboxes', sid);
    assert.ok(statSync(sandboxDir).isDirectory());
    const record = join(root, 'state', 'records', 'containers', `${cid}.json`);
    assert.equal(statSync(record).mode & 0o777, 0o600);
    await rt.startContainer(cid);
    await until('exit', async () => (await rt.containerStatus(cid)).state === 'CONTAINER_EXITED');
    const contents = readFileSync((await rt.containerStatus(cid)).logPath, 'utf8');
    assert.match(contents, new RegExp(` stdout F bar ${sc.hostname ?? '\\S+'}\n`));
    assert.ok(contents.includes(` stdout F ${sandboxDir}\n`), 'default working directory: the sandbox directory');
    const other = await rt.runPodSandbox(sandboxConfig(join(root, 'logs'), 'pod-net', { hostNetwork: false }));
    assert.match((await rt.podSandboxStatus(other)).info?.warning ?? '', /host network/);
    await rt.removePodSandbox(sid);
    assert.throws(() => statSync(sandboxDir));
    assert.throws(() => statSync(record));
    assert.ok(statSync(join(sc.logDirectory, 'c', '0.log')).isFile(), 'logs stay: removing them is the kubelet’s job');
  });

  test('log file: CRI format, both streams, a trailing partial line', async () => {
    const { start, exited, logEntries } = await setup(['/bin/sh', '-c', 'echo hello; echo oops >&2; printf partial']);
    await start();
    await exited();
    const entries = await logEntries();
    for (const e of entries) {
      assert.match(e.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
      assert.ok(Math.abs(Date.parse(e.time) - Date.now()) < 60_000);
    }
    const byStream = (s: string) => entries.filter((e) => e.stream === s).map((e) => [e.partial ? 'P' : 'F', e.content]);
    assert.deepEqual(byStream('stdout'), [['F', 'hello'], ['P', 'partial']]);
    assert.deepEqual(byStream('stderr'), [['F', 'oops']]);
  });

  test('log file: lines over 16 KiB are cut into partial entries', async () => {
    const { start, exited, logEntries } = await setup([NODE, '-e', "process.stdout.write('x'.repeat(40000) + '\\n')"]);
    await start();
    await exited();
    assert.deepEqual(
      (await logEntries()).map((e) => [e.partial, e.content.length]),
      [[true, 16384], [true, 16384], [false, 7232]],
    );
  });

  test('log file: rotated by size, maxLogFiles kept, the current file under its name', async () => {
    const script = "for (let i = 0; i < 200; i++) console.log('line ' + String(i).padStart(3, '0') + ' ' + 'x'.repeat(40))";
    const { rt, cid, start, exited, logEntries } = await setup([NODE, '-e', script], {}, { maxLogSize: 2048, maxLogFiles: 3 });
    await start();
    await exited();
    const { logPath } = await rt.containerStatus(cid);
    const rotated = rotatedLogFiles(logPath);
    assert.equal(rotated.length, 2);
    for (const f of [...rotated, logPath]) assert.ok(statSync(f).size <= 2048, f);
    const kept = [...rotated, logPath].flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .slice(0, -1)
        .map((l) => Number(parseCriLogLine(l)!.content.slice(5, 8))),
    );
    assert.equal(kept.at(-1), 199);
    assert.ok(kept[0]! > 0, 'the oldest files were removed');
    assert.deepEqual(kept, kept.map((_, i) => kept[0]! + i), 'nothing lost within the kept files');
    assert.equal((await logEntries()).at(-1)?.content.slice(0, 8), 'line 199');
  });

  test('stop: SIGTERM to the process group, SIGKILL once the grace period is over', async () => {
    // The child inherits the ignored SIGTERM; the file lands in the sandbox directory (the default cwd).
    const { root, rt, cid, start } = await setup(['/bin/sh', '-c', 'trap "" TERM; sleep 30 & echo $! > child.pid; wait; wait']);
    const pid = await start();
    const childFile = join(root, 'state', 'sandboxes', (await rt.containerStatus(cid)).podSandboxId, 'child.pid');
    await until('child pid', () => {
      try {
        return readFileSync(childFile, 'utf8').trim().length > 0;
      } catch {
        return false;
      }
    });
    const child = Number(readFileSync(childFile, 'utf8'));
    const t0 = Date.now();
    await rt.stopContainer(cid, 1);
    const took = Date.now() - t0;
    assert.ok(took >= 950 && took < 3000, `stop took ${took} ms`);
    const s = await rt.containerStatus(cid);
    assert.deepEqual([s.state, s.exitCode, s.reason], ['CONTAINER_EXITED', 137, 'Error']);
    assert.ok(gone(pid));
    await until('the background child killed with its group', () => gone(child), 2000);
  });

  test('stop: a process that honours SIGTERM exits at once with 143', async () => {
    const { rt, cid, start } = await setup(['sleep', '30']);
    await start();
    const t0 = Date.now();
    await rt.stopContainer(cid, 10);
    assert.ok(Date.now() - t0 < 2000);
    const s = await rt.containerStatus(cid);
    assert.deepEqual([s.exitCode, s.reason, s.pid], [143, 'Error', undefined]);
  });

  test('when the main process exits, what it left in its group is killed', async () => {
    const { rt, cid, start, exited } = await setup(['/bin/sh', '-c', 'sleep 30 & echo $!']);
    await start();
    await exited();
    const s = await rt.containerStatus(cid);
    assert.deepEqual([s.exitCode, s.reason], [0, 'Completed']);
    const [entry] = readFileSync(s.logPath, 'utf8').split('\n');
    const bg = Number(parseCriLogLine(entry!)!.content);
    await until('background sleep killed', () => gone(bg), 2000);
  });

  test('start failures: a missing binary or working directory leaves the container EXITED 128 StartError', async () => {
    const cases: [string, Partial<ContainerConfig>, string][] = [
      ['not in PATH', { command: ['nosuch-binary-kubets'] }, 'exec: "nosuch-binary-kubets": executable file not found in $PATH'],
      ['absolute', { command: ['/nonexistent/bin/x'] }, 'exec: "/nonexistent/bin/x": stat /nonexistent/bin/x: no such file or directory'],
      ['working dir', { command: ['sleep', '1'], workingDir: '/nonexistent/dir' }, 'chdir to cwd ("/nonexistent/dir")'],
    ];
    for (const [name, overrides, message] of cases) {
      const { rt, cid, events } = await setup([], overrides);
      await assert.rejects(rt.startContainer(cid), (e: unknown) => {
        assert.ok(e instanceof RuntimeError, name);
        assert.equal(e.reason, 'RunContainerError', name);
        assert.ok(e.message.includes(message), `${name}: ${e.message}`);
        return true;
      });
      const s = await rt.containerStatus(cid);
      assert.deepEqual([s.state, s.exitCode, s.reason], ['CONTAINER_EXITED', 128, 'StartError'], name);
      assert.ok(s.message.includes(message), name);
      assert.equal(events.at(-1)?.type, 'CONTAINER_STOPPED_EVENT', name);
    }
  });

  test('createContainer: no command, or a missing mount source, is refused', async () => {
    const root = newRoot();
    const rt = newRuntime(root);
    const sc = sandboxConfig(join(root, 'logs'), 'pod');
    const sid = await rt.runPodSandbox(sc);
    await assert.rejects(rt.createContainer(sid, containerConfig('c', { command: [], args: ['x'] }), sc), (e: unknown) => {
      assert.ok(e instanceof RuntimeError);
      assert.equal(e.reason, 'CreateContainerConfigError');
      assert.match(e.message, /process runtime needs a command/);
      return true;
    });
    const mounts = [{ containerPath: '/data', hostPath: join(root, 'missing'), readonly: false }];
    await assert.rejects(rt.createContainer(sid, containerConfig('c', { mounts }), sc), { reason: 'CreateContainerError' });
    mkdirSync(join(root, 'missing'));
    await rt.createContainer(sid, containerConfig('c', { mounts }), sc);
  });

  test('execSync: exit codes, signals, environment and working directory, timeout', async () => {
    const { rt, cid, start } = await setup(['sleep', '30'], { envs: [{ key: 'FOO', value: 'bar' }], workingDir: tmpdir() });
    await start();
    const cases: [string[], number, string][] = [
      [['/bin/sh', '-c', 'exit 0'], 0, ''],
      [['/bin/sh', '-c', 'exit 5'], 5, ''],
      [['/bin/sh', '-c', 'kill -KILL $$'], 137, ''],
      [['/bin/sh', '-c', 'kill -TERM $$'], 143, ''],
      [['/bin/sh', '-c', 'printf "%s %s" "$FOO" "$PWD"'], 0, `bar ${tmpdir()}`],
    ];
    for (const [cmd, code, stdout] of cases) {
      const r = await rt.execSync(cid, cmd, 5);
      assert.deepEqual([r.exitCode, r.stdout.toString()], [code, stdout], cmd.join(' '));
    }
    await assert.rejects(rt.execSync(cid, ['nosuch-binary-kubets'], 5), (e: unknown) => {
      assert.ok(e instanceof RuntimeError);
      assert.match(e.message, /exec: "nosuch-binary-kubets": executable file not found in \$PATH/);
      return true;
    });
    const t0 = Date.now();
    await assert.rejects(rt.execSync(cid, ['/bin/sh', '-c', 'sleep 5; sleep 5'], 1), { reason: 'DeadlineExceeded', message: 'command "/bin/sh -c sleep 5; sleep 5" timed out' });
    assert.ok(Date.now() - t0 < 2500);
  });

  test('exec streams stdin to the command', async () => {
    const { rt, cid, start } = await setup(['sleep', '30']);
    await start();
    const stdout = new PassThrough();
    const code = await rt.exec(cid, ['/bin/sh', '-c', 'cat; exit 2'], { stdin: Readable.from([Buffer.from('abc')]), stdout });
    assert.equal(code, 2);
    assert.equal(stdout.read()?.toString(), 'abc');
  });

  test('an exec still running when the container exits is killed', async () => {
    const { rt, cid, start } = await setup(['sleep', '30']);
    await start();
    const pending = rt.execSync(cid, ['sleep', '20'], 0);
    await new Promise((r) => setTimeout(r, 100));
    await rt.stopContainer(cid, 0);
    assert.equal((await pending).exitCode, 137);
  });

  test('attach: live output, stdin to the main process; detach leaves it running', async () => {
    const { rt, cid, start, logEntries } = await setup(['/bin/sh', '-c', 'read line; echo "got $line"; read again; echo bye'], { stdin: true });
    await start();
    const stdout = new PassThrough();
    const stdin = new PassThrough();
    const first = rt.attach(cid, { stdin, stdout });
    stdin.write('hello\n');
    await until('echo', () => String(stdout.read() ?? '').includes('got hello'));
    stdout.destroy();
    assert.equal(await first, ATTACH_DETACHED);
    assert.equal((await rt.containerStatus(cid)).state, 'CONTAINER_RUNNING');
    const out2 = new PassThrough();
    const second = rt.attach(cid, { stdin: Readable.from([Buffer.from('x\n')]), stdout: out2 });
    assert.equal(await second, 0);
    assert.equal(out2.read()?.toString(), 'bye\n');
    assert.deepEqual((await logEntries()).map((e) => e.content), ['got hello', 'bye']);
  });

  test('attach with stdinOnce: the end of the attached stdin closes the process stdin', async () => {
    const { rt, cid, start } = await setup(['/bin/sh', '-c', 'cat; echo done'], { stdin: true, stdinOnce: true });
    await start();
    const stdout = new PassThrough();
    assert.equal(await rt.attach(cid, { stdin: Readable.from([Buffer.from('abc')]), stdout }), 0);
    assert.equal(stdout.read()?.toString(), 'abcdone\n');
  });

  test('portForward reaches a server the container runs on the host network', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const server = `require('http').createServer((q, s) => s.end('hi')).listen(${port}, '127.0.0.1')`;
    const { rt, sid, start } = await setup([NODE, '-e', server]);
    await start();
    let stream: Awaited<ReturnType<typeof rt.portForward>> | undefined;
    await until('server listening', async () => {
      stream = await rt.portForward(sid, port).catch(() => undefined);
      return stream !== undefined;
    });
    const chunks: Buffer[] = [];
    stream!.on('data', (c: Buffer) => chunks.push(c));
    stream!.write('GET / HTTP/1.0\r\nHost: x\r\n\r\n');
    await once(stream!, 'end');
    assert.match(Buffer.concat(chunks).toString(), /^HTTP\/1\.1 200 OK[\s\S]*\r\n\r\nhi$/);
    await rt.stopPodSandbox(sid);
    await assert.rejects(rt.portForward(sid, port), { reason: 'PortForwardError' });
  });
});
