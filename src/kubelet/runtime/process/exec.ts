// Commands run in a container's context (probes, lifecycle hooks, `kubectl exec`): a new process
// with the container's environment and working directory, in its own process group so that a
// timeout or the container's exit kills whatever it started.
//
// A tty request (`kubectl exec -t`) needs a pseudo-terminal, which Node cannot open without a
// native module: the command runs under util-linux `script`, which opens one, runs the command on
// its slave side and copies between it and its own stdio (output and echo, as a terminal does, with
// CRLF line ends; the end of stdin becomes the terminal's EOF character). `script -e` exits with the
// command's status. Resize events set the terminal's size with `stty -F <slave>`, which also sends
// the command SIGWINCH, as a runtime's TIOCSWINSZ on its console does. As with containerd, a tty
// exec sees TERM=xterm unless the container sets TERM.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile, readlink } from 'node:fs/promises';
import type { ExecSyncResult, StreamOptions } from '../types.js';
import { RuntimeError } from '../types.js';
import { writeIfOpen } from './attach.js';
import { exitCodeOf, spawnFailureMessage, whenSpawned } from './container-process.js';

export interface ExecContext {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  /** The container's running execs, killed when it exits. */
  running: Set<ChildProcess>;
}

/** containerd caps what ExecSync collects at 16 MiB per stream. */
const MAX_EXEC_OUTPUT = 16 * 1024 * 1024;

export function killExec(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

async function start(ctx: ExecContext, stdin: boolean): Promise<ChildProcess> {
  const [command, ...args] = ctx.argv as [string, ...string[]];
  let child: ChildProcess;
  try {
    child = spawn(command, args, { cwd: ctx.cwd, env: ctx.env, detached: true, stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    await whenSpawned(child);
  } catch (e) {
    throw new RuntimeError('ExecError', `failed to exec in container: ${spawnFailureMessage(command, e as NodeJS.ErrnoException)}`);
  }
  child.on('error', () => {});
  child.stdin?.on('error', () => {});
  ctx.running.add(child);
  child.once('close', () => ctx.running.delete(child));
  return child;
}

/** Collects the command's output; `timeoutSeconds` 0 waits for ever (CRI's default). */
export async function execSyncIn(ctx: ExecContext, timeoutSeconds: number): Promise<ExecSyncResult> {
  const child = await start(ctx, false);
  const collect = (stream: NodeJS.ReadableStream) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (c: Buffer) => {
      if (size >= MAX_EXEC_OUTPUT) return;
      chunks.push(c.subarray(0, MAX_EXEC_OUTPUT - size));
      size += c.length;
    });
    return chunks;
  };
  const stdout = collect(child.stdout!);
  const stderr = collect(child.stderr!);
  let timedOut = false;
  const timer =
    timeoutSeconds > 0
      ? setTimeout(() => {
          timedOut = true;
          killExec(child);
        }, timeoutSeconds * 1000)
      : undefined;
  const exitCode = await new Promise<number>((resolve) => child.once('close', (code, signal) => resolve(exitCodeOf(code, signal))));
  clearTimeout(timer);
  if (timedOut) {
    // The kubelet's words for a probe or hook that ran out of time.
    throw new RuntimeError('DeadlineExceeded', `command ${JSON.stringify(ctx.argv.join(' '))} timed out`);
  }
  return { stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), exitCode };
}

/** VEOF, Ctrl-D. */
const EOF_CHARACTER = 0x04;

/** A POSIX shell word: the string single-quoted, its single quotes escaped. */
const shellQuote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;

/** The same command run on a new pseudo-terminal (see the header). */
export function withTerminal(ctx: ExecContext): ExecContext {
  const command = ['exec', ...ctx.argv.map(shellQuote)].join(' ');
  return { ...ctx, argv: ['script', '--quiet', '--return', '--flush', '--command', command, '/dev/null'], env: { TERM: 'xterm', ...ctx.env } };
}

/** The terminal `script` (process `pid`) runs its command on: its child's stdin, once it exists. */
async function terminalOf(pid: number, deadline: number): Promise<string | undefined> {
  for (;;) {
    try {
      const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8')).trim().split(/\s+/).filter(Boolean);
      for (const child of children) {
        const fd0 = await readlink(`/proc/${child}/fd/0`).catch(() => '');
        if (/^\/dev\/pts\/\d+$/.test(fd0)) return fd0;
      }
    } catch {
      return undefined; // script is gone
    }
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Applies each size to the command's terminal until the command or the events end. */
async function followResizes(child: ChildProcess, resize: NonNullable<StreamOptions['resize']>): Promise<void> {
  const running = () => child.exitCode === null && child.signalCode === null;
  for await (const { width, height } of resize) {
    if (!running()) return;
    const tty = await terminalOf(child.pid!, Date.now() + 2000);
    if (!tty || !running()) continue;
    await new Promise<void>((resolve) => execFile('stty', ['-F', tty, 'rows', String(height), 'cols', String(width)], () => resolve()));
  }
}

/** Wires the caller's streams to the command (ending none of them); resolves with its exit code. */
export async function execStreamIn(ctx: ExecContext, streams: StreamOptions): Promise<number> {
  // A terminal without input still gets a pipe, left open: at EOF script would type end-of-file
  // into the session, and an interactive command would quit at once.
  const child = await start(streams.tty ? withTerminal(ctx) : ctx, streams.stdin !== undefined || streams.tty === true);
  if (streams.tty && streams.resize) void followResizes(child, streams.resize).catch(() => {});
  const input = streams.stdin;
  // On a terminal, end of input is the EOF character, which script types when its stdin ends; a
  // line still being typed takes one more (as at a keyboard: the first delivers the line).
  let midLine = false;
  const onData = (c: Buffer) => {
    if (c.length > 0) midLine = c[c.length - 1] !== 0x0a;
    writeIfOpen(child.stdin ?? undefined, c);
  };
  const onEnd = () => {
    if (streams.tty && midLine) writeIfOpen(child.stdin ?? undefined, Buffer.from([EOF_CHARACTER]));
    child.stdin?.end();
  };
  if (input) {
    input.on('data', onData);
    input.once('end', onEnd);
  }
  child.stdout!.on('data', (c: Buffer) => writeIfOpen(streams.stdout, c));
  child.stderr!.on('data', (c: Buffer) => writeIfOpen(streams.stderr, c));
  try {
    return await new Promise<number>((resolve) => child.once('close', (code, signal) => resolve(exitCodeOf(code, signal))));
  } finally {
    input?.off('data', onData);
    input?.off('end', onEnd);
  }
}
