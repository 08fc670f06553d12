// Runs short commands (`ip`, ...) for the server from a small long-lived child process. Spawning
// forks the calling process, and forking the server (hundreds of MB mapped) blocks its event loop
// for 25-60 ms a spawn, where a small Node process spawns in a few; a burst of pod sandboxes,
// several `ip` commands each, then held the server's main thread for seconds. The child is
// forked once, lazily, without the server's Node flags (no --cpu-prof and the like), and
// multiplexes requests by id over its IPC channel, many at a time.
//
// It never keeps the server alive (unref'd; its channel is ref'd only while requests are in
// flight, as a spawned command would be), exits once its parent goes away, and is started again
// on the next request after it died: requests it was running when it died are rejected with a
// CommandRunnerError, since whether their command ran is unknown. If it cannot start at all, the
// commands run in the server itself (logged once), and another start is tried a while later.
//
// It also starts containers' main processes (spawnContainer, for container-spawner.ts), which it
// watches until they exit. When it dies they run on (detached): their watchers are told they are
// lost, and the server watches them through /proc from then on.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../../logging/index.js';
import { createLogger } from '../../../logging/index.js';
import { type CommandOptions, type CommandResult, executeCommand, type RunnerMessage, type SpawnSpec, spawnErrorFrom } from './command-runner-exec.js';

export type { CommandOptions, CommandResult, SpawnSpec, StdioTag } from './command-runner-exec.js';

const CHILD_SCRIPT = fileURLToPath(new URL('./command-runner-child.js', import.meta.url));

/** The runner could not see a request through: it died or was closed while the command ran. */
export class CommandRunnerError extends Error {
  override readonly name = 'CommandRunnerError';
}

/** spawnContainer could not be sent to a child (none could start) or its child could not connect its stdio: spawn it yourself. */
export class CommandRunnerUnavailableError extends Error {
  override readonly name = 'CommandRunnerUnavailableError';
}

/** Told about a container process the runner started. */
export interface SpawnWatcher {
  exited(code: number | null, signal: NodeJS.Signals | null): void;
  /** The runner's child ended before the process did: its exit will not be reported. */
  lost(): void;
}

export interface SpawnedProcess {
  pid: number;
  /** /proc/<pid>/stat field 22, read by the child right after the spawn. */
  startTime: number | undefined;
  /** Stops watching: no more calls to the watcher. */
  unwatch(): void;
}

export interface CommandRunnerOptions {
  /** Logs, once, that the child cannot start (default: warnings on stderr). */
  logger?: Logger;
  /** Tests only: the child's entry script. */
  script?: string;
  /** Node flags for the child (default none: the server's, e.g. --cpu-prof, are not passed on). */
  execArgv?: string[];
  /** How long the child may take to say it is ready (default 10 s). */
  startTimeoutMs?: number;
  /** After a failed start, how long commands run in-process before the child is tried again (default 30 s). */
  retryStartMs?: number;
}

type Payload = { file: string; args: string[]; options: CommandOptions } | { spawn: SpawnSpec };

interface Request {
  id: number;
  payload: Payload;
  resolve(result: CommandResult | SpawnedProcess): void;
  reject(e: Error): void;
  /** Spawn requests: who is told of the process's exit. */
  watcher?: SpawnWatcher;
}

/** One child process, from fork to its end. */
interface Session {
  proc: ChildProcess;
  ready: boolean;
  closing: boolean;
  /** Waiting for the child to be ready. */
  queued: Request[];
  /** Sent to the child, by id. */
  inflight: Map<number, Request>;
  /** Container processes it started and still runs, by request id. */
  watched: Map<number, SpawnWatcher>;
  startTimer?: NodeJS.Timeout;
  /** A fork or IPC error, for the message when it ends. */
  error?: Error;
  /** How the child ended, once it did. */
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  /** Resolves when the session ended. */
  closed: Promise<void>;
}

const commandLine = (r: Request) => ('spawn' in r.payload ? r.payload.spawn.argv : [r.payload.file, ...r.payload.args]).join(' ');

/** What a request runs in the server itself when no child can take it. */
function runHere(r: Request): void {
  if ('spawn' in r.payload) r.reject(new CommandRunnerUnavailableError('the command runner could not start'));
  else executeCommand(r.payload.file, r.payload.args, r.payload.options).then(r.resolve, r.reject);
}

export class CommandRunner {
  private static instance: CommandRunner | undefined;

  /** The process-wide runner. */
  static shared(): CommandRunner {
    return (CommandRunner.instance ??= new CommandRunner());
  }

  private readonly script: string;
  private readonly execArgv: string[];
  private readonly startTimeoutMs: number;
  private readonly retryStartMs: number;
  private logger: Logger | undefined;
  private session: Session | undefined;
  private nextId = 1;
  /** Until then commands run in-process: the child failed to start. */
  private fallbackUntil = 0;
  private warned = false;

  constructor(options: CommandRunnerOptions = {}) {
    this.logger = options.logger;
    this.script = options.script ?? CHILD_SCRIPT;
    this.execArgv = options.execArgv ?? [];
    this.startTimeoutMs = options.startTimeoutMs ?? 10_000;
    this.retryStartMs = options.retryStartMs ?? 30_000;
  }

  /** The child's pid while one runs (tests, diagnostics). */
  get pid(): number | undefined {
    return this.session?.proc.pid;
  }

  /**
   * Runs `file` with `args` (no shell) and resolves with how it ended, whatever its exit code.
   * Rejects with the spawn error (ENOENT, ...) when it cannot start, and with a
   * CommandRunnerError when the runner died or was closed while it ran.
   */
  run(file: string, args: string[], options: CommandOptions = {}): Promise<CommandResult> {
    if (Date.now() < this.fallbackUntil) return executeCommand(file, args, options);
    const session = this.session ?? this.start();
    if (!session) return executeCommand(file, args, options);
    return new Promise((resolve, reject) => {
      this.submit(session, { id: this.nextId++, payload: { file, args, options }, resolve: resolve as Request['resolve'], reject });
    });
  }

  /**
   * Starts a container's main process from the child (see container-spawn-exec.ts) and watches it.
   * Rejects with the spawn error (ENOENT, ...) when it cannot start, with a
   * CommandRunnerUnavailableError when the child cannot take it (the caller spawns it itself), and
   * with a CommandRunnerError when the child died while starting it.
   */
  spawnContainer(spec: SpawnSpec, watcher: SpawnWatcher): Promise<SpawnedProcess> {
    const session = Date.now() < this.fallbackUntil ? undefined : (this.session ?? this.start());
    if (!session) return Promise.reject(new CommandRunnerUnavailableError('the command runner cannot start'));
    return new Promise((resolve, reject) => {
      this.submit(session, { id: this.nextId++, payload: { spawn: spec }, resolve: resolve as Request['resolve'], reject, watcher });
    });
  }

  /**
   * Stops the child: requests it is running are rejected (their commands run on). A later run()
   * starts a new one.
   */
  async close(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    session.closing = true;
    this.updateRef(session);
    const kill = setTimeout(() => session.proc.kill('SIGKILL'), 2000);
    kill.unref();
    // The child exits once its channel closes.
    if (session.proc.connected) session.proc.disconnect();
    else session.proc.kill('SIGKILL');
    await session.closed;
    clearTimeout(kill);
  }

  // ---- helpers

  private submit(session: Session, request: Request): void {
    if (session.ready) this.send(session, request);
    else session.queued.push(request);
    this.updateRef(session);
  }

  private start(): Session | undefined {
    let proc: ChildProcess;
    // fork passes the environment on: NODE_OPTIONS too, which is meant for the server; the child
    // puts it back for its commands.
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (env.NODE_OPTIONS !== undefined) {
      env.KUBETS_RUNNER_NODE_OPTIONS = env.NODE_OPTIONS;
      delete env.NODE_OPTIONS;
    }
    try {
      proc = fork(this.script, [], { execArgv: this.execArgv, env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    } catch (e) {
      this.startFailed(e as Error);
      return undefined;
    }
    let closed!: () => void;
    const session: Session = { proc, ready: false, closing: false, queued: [], inflight: new Map(), watched: new Map(), closed: new Promise((r) => (closed = r)) };
    session.startTimer = setTimeout(() => {
      session.error = new Error(`not ready after ${this.startTimeoutMs} ms`);
      proc.kill('SIGKILL');
    }, this.startTimeoutMs);
    session.startTimer.unref();
    // The session ends once the child exited and its channel closed, which comes after every
    // message it sent ('close' would do, but is not emitted when the parent disconnects).
    const maybeEnded = () => {
      if (!session.exit || proc.connected) return;
      this.ended(session, session.exit.code, session.exit.signal);
      closed();
    };
    proc.on('message', (m: RunnerMessage) => this.onMessage(session, m));
    proc.on('error', (e) => {
      session.error ??= e;
      // A failed fork: there is no process to exit.
      if (proc.pid === undefined && !session.exit) {
        session.exit = { code: null, signal: null };
        if (proc.connected) proc.disconnect();
        maybeEnded();
      }
    });
    proc.on('exit', (code, signal) => {
      session.exit ??= { code, signal };
      maybeEnded();
    });
    // Also when the channel broke without the child exiting: it must exit for the session to end.
    proc.on('disconnect', () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      maybeEnded();
    });
    this.session = session;
    return session;
  }

  private onMessage(session: Session, m: RunnerMessage): void {
    if (m.type === 'ready') {
      if (session.closing) return;
      session.ready = true;
      clearTimeout(session.startTimer);
      for (const request of session.queued.splice(0)) this.send(session, request);
      return;
    }
    if (m.type === 'exited') {
      const watcher = session.watched.get(m.id);
      session.watched.delete(m.id);
      this.updateRef(session);
      watcher?.exited(m.code, m.signal);
      return;
    }
    const request = session.inflight.get(m.id);
    if (!request) return;
    session.inflight.delete(m.id);
    if (m.type === 'spawned') {
      const { id } = request;
      session.watched.set(id, request.watcher!);
      const unwatch = () => {
        session.watched.delete(id);
        this.updateRef(session);
      };
      request.resolve({ pid: m.pid, startTime: m.startTime, unwatch });
    } else if (m.type === 'result') request.resolve(m.result);
    else if (m.type === 'unavailable') request.reject(new CommandRunnerUnavailableError(m.message));
    else request.reject(spawnErrorFrom(m.error));
    this.updateRef(session);
  }

  private send(session: Session, request: Request): void {
    session.inflight.set(request.id, request);
    session.proc.send({ id: request.id, ...request.payload }, undefined, undefined, (e: Error | null) => {
      // The channel is broken: the session ends, rejecting what it had.
      if (e) {
        session.error ??= e;
        session.proc.kill('SIGKILL');
      }
    });
  }

  private ended(session: Session, code: number | null, signal: NodeJS.Signals | null): void {
    clearTimeout(session.startTimer);
    if (this.session === session) this.session = undefined;
    const how = session.error ? `failed: ${session.error.message}` : signal ? `was killed by ${signal}` : `exited with code ${code}`;
    if (!session.ready && !session.closing) {
      // Nothing was sent to it: its requests can still run here.
      this.startFailed(new Error(`the command runner (${this.script}) ${how} before it was ready`));
      for (const r of session.queued.splice(0)) runHere(r);
      return;
    }
    const pid = session.proc.pid;
    for (const r of [...session.queued.splice(0), ...session.inflight.values()]) {
      const why = session.closing ? 'was closed' : how;
      r.reject(new CommandRunnerError(`command runner (pid ${pid}) ${why} before "${commandLine(r)}" finished`));
    }
    session.inflight.clear();
    const lost = [...session.watched.values()];
    session.watched.clear();
    for (const w of lost) w.lost();
  }

  private startFailed(e: Error): void {
    this.fallbackUntil = Date.now() + this.retryStartMs;
    if (this.warned) return;
    this.warned = true;
    this.logger ??= createLogger(0);
    this.logger.warn({ err: e }, 'command runner: cannot start its child process: commands are spawned from the server itself (slower)');
  }

  /**
   * The child keeps the server alive only while a request waits on it or a container process it
   * started runs, as a spawned command would, or while close() waits for it. Both handles: its exit is not seen without the process
   * handle, and its messages not without the channel.
   */
  private updateRef(session: Session): void {
    if (session.closing || session.queued.length + session.inflight.size + session.watched.size > 0) {
      session.proc.ref();
      session.proc.channel?.ref();
    } else {
      session.proc.unref();
      session.proc.channel?.unref();
    }
  }
}
