// Commands run in a container's context (probes, lifecycle hooks, `kubectl exec`): a new process
// with the container's environment and working directory, in its own process group so that a
// timeout or the container's exit kills whatever it started. There is no pseudo-terminal without a
// native module: a tty request runs the command without one.
import { type ChildProcess, spawn } from 'node:child_process';
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

/** Wires the caller's streams to the command (ending none of them); resolves with its exit code. */
export async function execStreamIn(ctx: ExecContext, streams: StreamOptions): Promise<number> {
  const child = await start(ctx, streams.stdin !== undefined);
  const input = streams.stdin;
  const onData = (c: Buffer) => writeIfOpen(child.stdin ?? undefined, c);
  const onEnd = () => child.stdin?.end();
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
