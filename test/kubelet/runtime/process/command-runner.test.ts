import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createLogger } from '../../../../src/logging/index.js';
import { CommandRunner, CommandRunnerError } from '../../../../src/kubelet/runtime/process/command-runner.js';
import { processExists } from '../../../../src/kubelet/runtime/process/proc.js';

const RUNNER_MODULE = pathToFileURL(join(import.meta.dirname, '../../../../src/kubelet/runtime/process/command-runner.js')).href;


async function until(what: string, check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Where a command writes its pid first, so that the test can wait for it to run and kill what it leaves. */
function pidFile(dir: string, name: string): { path: string; written(): Promise<void>; killLeftover(): void } {
  const path = join(dir, name);
  const read = () => {
    try {
      return readFileSync(path, 'utf8').trim();
    } catch {
      return '';
    }
  };
  return {
    path,
    written: () => until(`${name} to be written`, () => read() !== ''),
    killLeftover() {
      // Never 0 or less: that would signal the test's own process group.
      const pid = Number(read());
      if (!Number.isInteger(pid) || pid <= 0) return;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    },
  };
}

describe('CommandRunner', () => {
  const runner = new CommandRunner();
  const dir = mkdtempSync(join(tmpdir(), 'kubets-command-runner-'));
  after(async () => {
    await runner.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('results: stdout, stderr, exit codes and signals, from a child of its own', async () => {
    const cases: { args: string[]; want: { code: number | null; signal: string | null; stdout: string; stderr: string } }[] = [
      { args: ['-c', 'echo hi'], want: { code: 0, signal: null, stdout: 'hi\n', stderr: '' } },
      { args: ['-c', 'echo out; echo err >&2; exit 3'], want: { code: 3, signal: null, stdout: 'out\n', stderr: 'err\n' } },
      { args: ['-c', 'kill -TERM $$'], want: { code: null, signal: 'SIGTERM', stdout: '', stderr: '' } },
      // Without input, stdin is /dev/null: cat ends at once.
      { args: ['-c', 'cat; echo end'], want: { code: 0, signal: null, stdout: 'end\n', stderr: '' } },
    ];
    for (const { args, want } of cases) {
      assert.deepEqual(await runner.run('sh', args), { ...want, timedOut: false }, args.join(' '));
    }
    assert.ok(runner.pid !== undefined && runner.pid !== process.pid);
  });

  test('input goes to stdin; env replaces the environment', async () => {
    const cat = await runner.run('cat', [], { input: 'a b\nc\n' });
    assert.equal(cat.stdout, 'a b\nc\n');
    const env = await runner.run('/bin/sh', ['-c', 'echo "$FOO:$HOME"'], { env: { FOO: 'bar' } });
    assert.equal(env.stdout, 'bar:\n');
  });

  test('a command that cannot start rejects with the spawn error', async () => {
    await assert.rejects(runner.run('/no/such/kubets-binary', ['x']), (e: NodeJS.ErrnoException) => {
      assert.ok(!(e instanceof CommandRunnerError));
      assert.equal(e.code, 'ENOENT');
      assert.equal(e.message, 'spawn /no/such/kubets-binary ENOENT');
      return true;
    });
  });

  test('concurrent requests run at once in one child', async () => {
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => runner.run('sh', ['-c', 'sleep 0.3; echo $0', String(i)])));
    assert.deepEqual(
      results.map((r) => r.stdout),
      results.map((_, i) => `${i}\n`),
    );
    // One after another it would take 6 s.
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  });

  test('timeoutMs: the command is SIGKILLed', async () => {
    const started = Date.now();
    const r = await runner.run('sleep', ['10'], { timeoutMs: 100 });
    assert.deepEqual({ code: r.code, signal: r.signal, timedOut: r.timedOut }, { code: null, signal: 'SIGKILL', timedOut: true });
    assert.ok(Date.now() - started < 2000);
  });

  test('the child dying mid-request rejects it; the next request starts a new child', async () => {
    const leftover = pidFile(dir, 'dying.pid');
    try {
      await runner.run('true', []);
      const pid = runner.pid!;
      const pending = runner.run('sh', ['-c', `echo $$ > ${leftover.path}; exec sleep 30`]);
      await leftover.written();
      process.kill(pid, 'SIGKILL');
      await assert.rejects(pending, (e: unknown) => {
        assert.ok(e instanceof CommandRunnerError);
        assert.match(e.message, new RegExp(`^command runner \\(pid ${pid}\\) was killed by SIGKILL before "sh -c echo .* exec sleep 30" finished$`));
        return true;
      });
      assert.equal((await runner.run('echo', ['again'])).stdout, 'again\n');
      assert.ok(runner.pid !== undefined && runner.pid !== pid);
    } finally {
      leftover.killLeftover();
    }
  });

  test('close(): requests in flight are rejected, the child exits; run() starts another', async () => {
    const own = new CommandRunner();
    const leftover = pidFile(dir, 'closed.pid');
    try {
      await own.run('true', []);
      const pid = own.pid!;
      const pending = own.run('sh', ['-c', `echo $$ > ${leftover.path}; exec sleep 30`]);
      await leftover.written();
      await own.close();
      await assert.rejects(pending, /^CommandRunnerError: command runner \(pid \d+\) was closed before "sh -c .*" finished$/);
      assert.equal(processExists(pid), false);
      assert.equal(own.pid, undefined);
      assert.equal((await own.run('echo', ['reopened'])).stdout, 'reopened\n');
    } finally {
      leftover.killLeftover();
      await own.close();
    }
  });

  test('a child that cannot start: commands run in-process, logged once', async () => {
    const lines: string[] = [];
    const logger = createLogger(0, { write: (s: string) => void lines.push(s) });
    const cases = [
      { name: 'missing script', options: { script: join(dir, 'no-such-child.js') } },
      { name: 'bad node flag', options: { execArgv: ['--no-such-node-flag-kubets'] } },
    ];
    for (const { name, options } of cases) {
      lines.length = 0;
      const broken = new CommandRunner({ ...options, logger });
      try {
        assert.equal((await broken.run('echo', ['one'])).stdout, 'one\n', name);
        assert.equal((await broken.run('echo', ['two'])).stdout, 'two\n', name);
        assert.equal(broken.pid, undefined, name);
        assert.equal(lines.length, 1, name);
        assert.match(lines[0]!, /command runner: cannot start its child process/, name);
      } finally {
        await broken.close();
      }
    }
  });

  test("the server's NODE_OPTIONS do not apply to the child, but reach its commands", async () => {
    const lines: string[] = [];
    const logger = createLogger(0, { write: (s: string) => void lines.push(s) });
    // Were it applied to the child, the child could not start (a missing --require).
    const options = `--require ${join(dir, 'no-such-preload.cjs')}`;
    const saved = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = options;
    const own = new CommandRunner({ logger });
    try {
      const r = await own.run('sh', ['-c', 'echo "$NODE_OPTIONS|$KUBETS_RUNNER_NODE_OPTIONS"']);
      assert.equal(r.stdout, `${options}|\n`);
      assert.ok(own.pid !== undefined, 'ran in the child');
      assert.deepEqual(lines, []);
    } finally {
      if (saved === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = saved;
      await own.close();
    }
  });

  test('never keeps its parent alive when idle, does while a request runs; exits with its parent', async () => {
    const script = [
      `import { CommandRunner } from ${JSON.stringify(RUNNER_MODULE)};`,
      'const runner = new CommandRunner();',
      // Top-level await: were nothing keeping the process alive, it would exit with code 13 here.
      "const r = await runner.run('sh', ['-c', 'sleep 0.3; echo done']);",
      'console.log(runner.pid, r.stdout.trim());',
    ].join('\n');
    const started = Date.now();
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 8000 }, (e, stdout) => resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout }));
      child.stdin?.end();
    });
    assert.equal(code, 0);
    const [pid, said] = stdout.trim().split(' ');
    assert.equal(said, 'done');
    assert.ok(Date.now() - started < 5000);
    await until('the runner child to exit after its parent', () => !processExists(Number(pid)));
  });
});
