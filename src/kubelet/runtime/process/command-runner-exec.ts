// Runs one short command to completion and collects its output: what the command runner's child
// does for each request, and what the server does itself when the runner cannot start. Imports
// nothing but node:child_process so that the runner child starts small and fast.
import { spawn } from 'node:child_process';

export interface CommandOptions {
  /** Written to the command's stdin, which is then closed; without it stdin is /dev/null. */
  input?: string;
  /** SIGKILLs the command after this long; the result then has timedOut set. */
  timeoutMs?: number;
  /** The command's whole environment (default: the runner's, i.e. the server's). */
  env?: Record<string, string>;
}

export interface CommandResult {
  /** The exit code, or null when a signal ended the command. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Killed because it outlived timeoutMs. */
  timedOut: boolean;
}

/** What made a command not start (ENOENT, EACCES, ...), as it crosses the IPC channel. */
export interface SpawnErrorInfo {
  message: string;
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
}

// ---- the runner's IPC protocol (parent -> child: requests; child -> parent: ready, then replies)

export interface RunRequest {
  id: number;
  file: string;
  args: string[];
  options: CommandOptions;
}

/** Which of a container's stdio streams goes over a connection to the server: stdin, stdout, stderr. */
export type StdioTag = 'i' | 'o' | 'e';

/**
 * A container's main process to start (container-spawner.ts): detached, with each stream of
 * `streams` connected to the server's unix socket at `socketPath`, the connection announced by a
 * header naming `token` (spawnHeader in container-spawn-exec.ts).
 */
export interface SpawnSpec {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  socketPath: string;
  token: string;
  streams: StdioTag[];
}

export interface SpawnRequest {
  id: number;
  spawn: SpawnSpec;
}

export type RunnerMessage =
  | { type: 'ready'; pid: number }
  | { type: 'result'; id: number; result: CommandResult }
  | { type: 'error'; id: number; error: SpawnErrorInfo }
  // A container process: started (then, later, its exit), or not started because its stdio could
  // not be connected (the server then spawns it itself).
  | { type: 'spawned'; id: number; pid: number; startTime?: number }
  | { type: 'exited'; id: number; code: number | null; signal: NodeJS.Signals | null }
  | { type: 'unavailable'; id: number; message: string };

export function spawnErrorInfo(e: NodeJS.ErrnoException): SpawnErrorInfo {
  return { message: e.message, code: e.code, errno: e.errno, syscall: e.syscall, path: e.path };
}

/** An Error like the one spawn emitted, rebuilt from its IPC form. */
export function spawnErrorFrom(info: SpawnErrorInfo): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(info.message);
  if (info.code !== undefined) e.code = info.code;
  if (info.errno !== undefined) e.errno = info.errno;
  if (info.syscall !== undefined) e.syscall = info.syscall;
  if (info.path !== undefined) e.path = info.path;
  return e;
}

/**
 * Runs `file` with `args` (no shell). Resolves once the command exited and its output closed,
 * whatever its exit code; rejects only when it could not be started (the spawn error).
 */
export function executeCommand(file: string, args: string[], options: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const { input, timeoutMs, env } = options;
    let settled = false;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const child = spawn(file, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], env });
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    // A command that exits without reading its input breaks the pipe: its exit status tells.
    child.stdin?.on('error', () => {});
    // A failed spawn emits 'error' and then 'close': the error is the outcome.
    child.on('error', (e) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), timedOut });
    });
    if (timeoutMs !== undefined && timeoutMs > 0) {
      timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
    }
    child.stdin?.end(input);
  });
}
