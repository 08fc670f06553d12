// Starts containers' main processes from the command runner's small child (command-runner.ts)
// rather than from the server: forking the big server process blocks its event loop 20-40 ms a
// spawn, which a burst of pods turned into seconds. containerd does the same with its shims.
//
// The process's stdio reaches the server over a unix socket in the runtime's state directory: the
// child connects once per stream (stdin when wanted, stdout, stderr), announces it with a header
// naming the request's random token and the stream, and hands the connection to the process as
// that stream (container-spawn-exec.ts). The server matches the connections to the request, and
// the process looks to the runtime like a ChildProcess (RemoteChild): pid, stdio streams, 'exit'
// (reported by the child over its IPC channel) and 'close' (once its output streams closed too).
//
// If the child dies, the processes it started run on (detached), their output still captured: the
// server then notices their exit by polling /proc, as for a process a previous runtime started,
// and the exit status is unknown. If no child can start, or the socket cannot be served, processes
// are spawned by the server itself (spawnContainer's callers fall back on SpawnerUnavailableError).
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../../../logging/index.js';
import { silentLogger } from '../../../logging/index.js';
import { CommandRunner, CommandRunnerUnavailableError, type SpawnedProcess, type StdioTag } from './command-runner.js';
import type { SpawnedChild } from './container-process.js';
import { parseSpawnHeader, SPAWN_HEADER_LENGTH } from './container-spawn-exec.js';
import { isSameLiveProcess, processExists } from './proc.js';

export { CommandRunnerUnavailableError as SpawnerUnavailableError } from './command-runner.js';

/** Unix socket paths are limited to 108 bytes (sun_path), the terminating NUL included. */
const MAX_SOCKET_PATH = 107;
/** A connection that has not sent its header by then is not one of ours. */
const HEADER_TIMEOUT_MS = 10_000;

export interface ContainerSpawnerOptions {
  /** The socket is `<stateDir>/spawner.sock`. */
  stateDir: string;
  /** Default: the process-wide runner. */
  runner?: CommandRunner;
  /** How often a process whose spawner died is checked for exit (default 500 ms). */
  pollIntervalMs?: number;
  logger?: Logger;
}

export interface SpawnContainerOptions {
  cwd: string;
  env: Record<string, string>;
  stdin: boolean;
}

/** A spawn request waiting for its process's stdio connections. */
interface Pending {
  streams: StdioTag[];
  sockets: Map<StdioTag, Socket>;
  /** Called when the last stream connected. */
  complete?: () => void;
}

export class ContainerSpawner {
  readonly socketPath: string;
  private readonly runner: CommandRunner;
  private readonly pollIntervalMs: number;
  private readonly logger: Logger;
  private server: Server | undefined;
  private listening: Promise<void> | undefined;
  private readonly pending = new Map<string, Pending>();
  private closed = false;
  private warned = false;

  constructor(options: ContainerSpawnerOptions) {
    this.socketPath = join(options.stateDir, 'spawner.sock');
    this.runner = options.runner ?? CommandRunner.shared();
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.logger = options.logger ?? silentLogger;
  }

  /**
   * Spawns `argv` detached from the runner's child. Rejects with the spawn error (ENOENT, EACCES,
   * a bad cwd: what spawn emits), or with SpawnerUnavailableError when the caller should spawn it
   * itself.
   */
  async spawn(argv: string[], options: SpawnContainerOptions): Promise<SpawnedChild> {
    await this.listen();
    const token = randomBytes(16).toString('hex');
    const streams: StdioTag[] = options.stdin ? ['i', 'o', 'e'] : ['o', 'e'];
    const pending: Pending = { streams, sockets: new Map() };
    const connected = new Promise<void>((resolve) => (pending.complete = resolve));
    this.pending.set(token, pending);
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let lost = false;
    let child: RemoteChild | undefined;
    let spawned: SpawnedProcess;
    try {
      spawned = await this.runner.spawnContainer(
        { argv, cwd: options.cwd, env: options.env, socketPath: this.socketPath, token, streams },
        {
          exited: (code, signal) => (child ? child.exited(code, signal) : (exit = { code, signal })),
          lost: () => (child ? child.lost() : (lost = true)),
        },
      );
    } catch (e) {
      this.pending.delete(token);
      for (const s of pending.sockets.values()) s.destroy();
      if (e instanceof CommandRunnerUnavailableError) this.warnOnce(e);
      throw e;
    }
    // The child connected every stream before spawning: they are here, or about to be read.
    await connected;
    this.pending.delete(token);
    child = new RemoteChild(spawned, pending.sockets, this.pollIntervalMs);
    if (exit) child.exited(exit.code, exit.signal);
    else if (lost) child.lost();
    return child;
  }

  /** Stops serving the socket; processes already started keep their streams. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.pending.values()) {
      for (const s of p.sockets.values()) s.destroy();
      p.complete?.();
    }
    this.pending.clear();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---- helpers

  private listen(): Promise<void> {
    if (this.closed) return Promise.reject(new CommandRunnerUnavailableError('the container spawner is closed'));
    this.listening ??= new Promise<void>((resolve, reject) => {
      if (Buffer.byteLength(this.socketPath) > MAX_SOCKET_PATH) {
        reject(new CommandRunnerUnavailableError(`socket path ${this.socketPath} is too long for a unix socket`));
        return;
      }
      // A previous server's socket: nothing listens on it any more.
      rmSync(this.socketPath, { force: true });
      const server = createServer((socket) => this.accept(socket));
      server.once('error', reject);
      server.listen(this.socketPath, () => {
        server.off('error', reject);
        server.on('error', (e) => this.logger.error({ err: e }, 'container spawner: socket error'));
        // Tokens keep strangers' connections out; the mode keeps strangers out.
        chmodSync(this.socketPath, 0o600);
        server.unref();
        this.server = server;
        resolve();
      });
    }).catch((e: Error) => {
      this.warnOnce(e);
      throw e instanceof CommandRunnerUnavailableError ? e : new CommandRunnerUnavailableError(e.message);
    });
    return this.listening;
  }

  /** Reads a connection's header and hands it to its request. */
  private accept(socket: Socket): void {
    socket.on('error', () => {});
    const timer = setTimeout(() => socket.destroy(), HEADER_TIMEOUT_MS);
    timer.unref();
    const onReadable = () => {
      const header = socket.read(SPAWN_HEADER_LENGTH) as Buffer | null;
      if (header === null) return;
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
      clearTimeout(timer);
      const parsed = parseSpawnHeader(header.toString('latin1'));
      const pending = parsed && this.pending.get(parsed.token);
      if (!parsed || !pending || !pending.streams.includes(parsed.tag) || pending.sockets.has(parsed.tag)) {
        socket.destroy();
        return;
      }
      pending.sockets.set(parsed.tag, socket);
      if (pending.sockets.size === pending.streams.length) pending.complete?.();
    };
    const onEnd = () => {
      clearTimeout(timer);
      socket.destroy();
    };
    socket.on('readable', onReadable);
    socket.once('end', onEnd);
  }

  private warnOnce(e: Error): void {
    if (this.warned) return;
    this.warned = true;
    this.logger.warn({ err: e }, 'container spawner: containers are spawned from the server itself (slower)');
  }
}

/**
 * A process the runner's child started, looking like a ChildProcess to ChildContainerProcess:
 * 'exit' (code, signal, and a message when the status is unknown), then 'close' once stdout and
 * stderr closed too.
 */
class RemoteChild extends EventEmitter implements SpawnedChild {
  readonly pid: number;
  readonly startTime: number | undefined;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  private exitSeen = false;
  private exitEmitted = false;
  private closeEmitted = false;
  private openOutputs = 0;
  private poll: NodeJS.Timeout | undefined;

  constructor(
    private readonly spawned: SpawnedProcess,
    sockets: Map<StdioTag, Socket>,
    private readonly pollIntervalMs: number,
  ) {
    super();
    this.pid = spawned.pid;
    this.startTime = spawned.startTime;
    this.stdin = sockets.get('i') ?? null;
    this.stdout = sockets.get('o') ?? null;
    this.stderr = sockets.get('e') ?? null;
    for (const out of [this.stdout, this.stderr]) {
      if (!out || out.closed) continue;
      this.openOutputs++;
      out.once('close', () => {
        this.openOutputs--;
        this.maybeClose();
      });
    }
  }

  /** The exit the runner's child reported; emitted after the caller's listeners are on. */
  exited(code: number | null, signal: NodeJS.Signals | null, unknown?: string): void {
    if (this.exitSeen) return;
    this.exitSeen = true;
    clearInterval(this.poll);
    setImmediate(() => {
      this.exitEmitted = true;
      this.emit('exit', code, signal, unknown);
      this.maybeClose();
    });
  }

  /** The runner's child died: the process is not its child any more, its exit is seen in /proc. */
  lost(): void {
    if (this.exitSeen || this.poll) return;
    const gone = () => (this.startTime === undefined ? !processExists(this.pid) : !isSameLiveProcess(this.pid, this.startTime));
    this.poll = setInterval(() => {
      if (gone()) this.exited(null, null, 'the process exited after its spawner (the command runner) died; its exit status is unknown');
    }, this.pollIntervalMs);
  }

  unref(): void {
    clearInterval(this.poll);
    this.spawned.unwatch();
  }

  private maybeClose(): void {
    if (!this.exitEmitted || this.openOutputs > 0 || this.closeEmitted) return;
    this.closeEmitted = true;
    this.emit('close');
  }
}

