// A container's main process: either spawned by this runtime (its child: output captured into the
// log, exit status known) or adopted from a previous runtime over the same state directory (not
// our child: exit noticed by polling /proc, exit status unknown, output no longer captured since
// its pipes were read by the runtime that died). A child is spawned by the command runner's child
// process when it can (container-spawner.ts), by the server itself otherwise.
import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { nowNanos } from './clock.js';
import { type ContainerSpawner, SpawnerUnavailableError } from './container-spawner.js';
import type { CriLogWriter, LogStream } from './log-writer.js';
import { isSameLiveProcess, killOrphanedGroup, readProcStat, signalGroup } from './proc.js';

export interface ProcessExit {
  exitCode: number;
  reason: string;
  message: string;
  finishedAt: bigint;
}

export type OutputListener = (stream: LogStream, chunk: Buffer) => void;

export interface ContainerProcess {
  readonly pid: number;
  /** /proc/<pid>/stat field 22; undefined only where /proc cannot be read. */
  readonly startTime: number | undefined;
  readonly adopted: boolean;
  /** The process's stdin, when the container was created with `stdin`. */
  readonly stdin: Writable | undefined;
  /** Settles once the process exited (and, for a child, its output is written). */
  readonly exited: Promise<ProcessExit>;
  /** Signals the whole process group. */
  signal(signal: NodeJS.Signals): void;
  onOutput(listener: OutputListener): () => void;
  /** Stops watching, leaving the process running for a later runtime to adopt; `exited` never settles. */
  release(): void;
}

/** containerd's unknownExitCode and reason, for a container whose exit status cannot be known. */
export const UNKNOWN_EXIT_CODE = 255;
export const UNKNOWN_EXIT_REASON = 'Unknown';

/** How long output still drains after the process exited before its pipes are cut: a daemonized
 * grandchild that left the process group could hold them open forever. */
const DRAIN_AFTER_EXIT_MS = 2000;

/** The message runc gives when the command cannot be executed. */
export function spawnFailureMessage(command: string, err: NodeJS.ErrnoException): string {
  if (err.code === 'ENOENT') {
    return command.includes('/')
      ? `exec: "${command}": stat ${command}: no such file or directory`
      : `exec: "${command}": executable file not found in $PATH`;
  }
  if (err.code === 'EACCES') return `exec: "${command}": permission denied`;
  return `exec: "${command}": ${err.message}`;
}

/** Resolves once `child` was spawned; rejects with the spawn error (a missing binary, ...). */
export function whenSpawned(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      child.off('spawn', onSpawn);
      reject(e);
    };
    const onSpawn = () => {
      child.off('error', onError);
      resolve();
    };
    child.once('spawn', onSpawn);
    child.once('error', onError);
  });
}

/** Exit code of a process, shells' way: 128 + the signal's number when a signal ended it. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (signal) return 128 + (constants.signals[signal] ?? 0);
  return code ?? UNKNOWN_EXIT_CODE;
}

/**
 * What ChildContainerProcess needs of the process it watches: a ChildProcess, or one the
 * container spawner started (whose 'exit' may carry a third argument, the message of an exit whose
 * status is unknown, when the spawner died before the process).
 */
export interface SpawnedChild {
  readonly pid?: number;
  /** Known when the spawner read it; read from /proc here otherwise. */
  readonly startTime?: number;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  on(event: 'error', listener: (e: Error) => void): this;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null, unknown?: string) => void): this;
  once(event: 'close', listener: () => void): this;
  unref(): void;
}

export interface SpawnOptions {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  stdin: boolean;
  log: CriLogWriter;
  /** Spawns from the command runner's child; without it (or when it is unavailable) the server spawns. */
  spawner?: ContainerSpawner;
}

/**
 * Spawns a container's process, detached in its own session and process group so that stopping
 * the container signals everything it started. Rejects with the spawn error.
 */
export async function spawnContainerProcess(options: SpawnOptions): Promise<ContainerProcess> {
  if (options.spawner) {
    try {
      const child = await options.spawner.spawn(options.argv, { cwd: options.cwd, env: options.env, stdin: options.stdin });
      return new ChildContainerProcess(child, options.log);
    } catch (e) {
      if (!(e instanceof SpawnerUnavailableError)) throw e;
    }
  }
  const [command, ...args] = options.argv as [string, ...string[]];
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  try {
    await whenSpawned(child);
  } catch (e) {
    child.stdin?.destroy();
    child.stdout?.destroy();
    child.stderr?.destroy();
    throw e;
  }
  return new ChildContainerProcess(child, options.log);
}

class ChildContainerProcess implements ContainerProcess {
  readonly pid: number;
  readonly startTime: number | undefined;
  readonly adopted = false;
  readonly stdin: Writable | undefined;
  readonly exited: Promise<ProcessExit>;
  private readonly listeners = new Set<OutputListener>();
  private exit: ProcessExit | undefined;
  private released = false;

  constructor(
    private readonly child: SpawnedChild,
    private readonly log: CriLogWriter,
  ) {
    this.pid = child.pid!;
    this.startTime = child.startTime ?? readProcStat(this.pid)?.startTime;
    this.stdin = child.stdin ?? undefined;
    // Writing to the stdin of a process that exited fails with EPIPE: not ours to crash on.
    this.stdin?.on('error', () => {});
    child.on('error', () => {});
    for (const stream of ['stdout', 'stderr'] as const) {
      const readable = child[stream]!;
      readable.on('data', (chunk: Buffer) => {
        if (this.released) return;
        log.write(stream, chunk);
        for (const l of this.listeners) l(stream, chunk);
      });
      readable.on('end', () => log.end(stream));
      readable.on('error', () => {});
    }
    let drainTimer: NodeJS.Timeout | undefined;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal, unknown) => {
        const exitCode = unknown === undefined ? exitCodeOf(code, signal) : UNKNOWN_EXIT_CODE;
        const reason = unknown !== undefined ? UNKNOWN_EXIT_REASON : exitCode === 0 ? 'Completed' : 'Error';
        this.exit = { exitCode, reason, message: unknown ?? '', finishedAt: nowNanos() };
        if (this.released) return;
        killOrphanedGroup(this.pid, this.startTime);
        drainTimer = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
        }, DRAIN_AFTER_EXIT_MS);
      });
      child.once('close', () => {
        clearTimeout(drainTimer);
        if (this.released) return;
        child.stdin?.destroy();
        log.close();
        this.listeners.clear();
        resolve(this.exit!);
      });
    });
  }

  signal(signal: NodeJS.Signals): void {
    if (this.exit) return;
    // A spawner reaps the process before its exit reaches us: by then its pid may be another
    // process's, which must not be signalled. (Our own child cannot be reaped before 'exit'.)
    const stat = this.startTime === undefined ? undefined : readProcStat(this.pid);
    if (stat && stat.startTime !== this.startTime) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: exiting right now
    }
  }

  onOutput(listener: OutputListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  release(): void {
    this.released = true;
    this.listeners.clear();
    this.log.close();
    // Like a runtime that died: our ends of the pipes close and the process goes on without us.
    this.child.stdin?.destroy();
    this.child.stdout?.destroy();
    this.child.stderr?.destroy();
    this.child.unref();
  }
}

/** Watches a process a previous runtime started. */
export function adoptProcess(pid: number, startTime: number, pollIntervalMs: number): ContainerProcess {
  return new AdoptedContainerProcess(pid, startTime, pollIntervalMs);
}

class AdoptedContainerProcess implements ContainerProcess {
  readonly adopted = true;
  readonly stdin = undefined;
  readonly exited: Promise<ProcessExit>;
  private timer: NodeJS.Timeout | undefined;
  private lastSignal: NodeJS.Signals | undefined;

  constructor(
    readonly pid: number,
    readonly startTime: number,
    pollIntervalMs: number,
  ) {
    this.exited = new Promise((resolve) => {
      this.timer = setInterval(() => {
        if (isSameLiveProcess(pid, startTime)) return;
        clearInterval(this.timer);
        killOrphanedGroup(pid, startTime);
        const after = this.lastSignal ? ` after ${this.lastSignal}` : '';
        resolve({
          exitCode: UNKNOWN_EXIT_CODE,
          reason: UNKNOWN_EXIT_REASON,
          message: `the process (adopted after a runtime restart, not its child) exited${after}; its exit status is unknown`,
          finishedAt: nowNanos(),
        });
      }, pollIntervalMs);
    });
  }

  signal(signal: NodeJS.Signals): void {
    if (signalGroup(this.pid, this.startTime, signal)) this.lastSignal = signal;
  }

  onOutput(): () => void {
    return () => {};
  }

  release(): void {
    clearInterval(this.timer);
  }
}
