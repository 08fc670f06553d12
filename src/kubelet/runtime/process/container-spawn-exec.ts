// Starts a container's main process in the command runner's child (see container-spawner.ts for
// the server's side): what containerd's shim does for containerd. The process's stdio cannot be
// pipes to the child, which would have to relay them: each stream is instead a connection to the
// server's unix socket, announced by a header naming the request and the stream, and handed to
// the process as its stdin/stdout/stderr. The child then closes its own copies (without a
// shutdown, which would end the stream for the server too), so the process and the server hold
// the only ends, as with the socketpairs a direct spawn gives it.
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { type RunnerMessage, type SpawnSpec, spawnErrorInfo, type StdioTag } from './command-runner-exec.js';
import { readProcStat } from './proc.js';

const HEADER_PREFIX = 'kubets-spawn ';
/** Tokens are 32 hex digits (container-spawner.ts), so every header has this length. */
export const SPAWN_HEADER_LENGTH = HEADER_PREFIX.length + 32 + 3;

export function spawnHeader(token: string, tag: StdioTag): string {
  return `${HEADER_PREFIX}${token} ${tag}\n`;
}

export function parseSpawnHeader(header: string): { token: string; tag: StdioTag } | undefined {
  const m = /^kubets-spawn ([0-9a-f]{32}) ([ioe])\n$/.exec(header);
  return m ? { token: m[1]!, tag: m[2] as StdioTag } : undefined;
}

/** A connection to the server, the header written; paused, so that it never reads what is meant for the process. */
function connectStream(spec: SpawnSpec, tag: StdioTag): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(spec.socketPath);
    socket.pause();
    socket.on('error', () => {});
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(spawnHeader(spec.token, tag), (e) => {
        socket.off('error', reject);
        if (e) {
          socket.destroy();
          reject(e);
        } else resolve(socket);
      });
    });
  });
}

/**
 * Spawns the process of request `id` and replies: 'spawned' (then 'exited' when it ends),
 * 'error' (it could not start: ENOENT, EACCES, a bad cwd...) or 'unavailable' (its stdio could not
 * be connected).
 */
export async function spawnContainer(id: number, spec: SpawnSpec, reply: (m: RunnerMessage) => void): Promise<void> {
  const connected = await Promise.allSettled(spec.streams.map((tag) => connectStream(spec, tag)));
  const sockets = connected.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = connected.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    for (const s of sockets) s.destroy();
    reply({ type: 'unavailable', id, message: `cannot connect to ${spec.socketPath}: ${(failed.reason as Error).message}` });
    return;
  }
  const byTag = new Map(spec.streams.map((tag, i) => [tag, sockets[i]!]));
  const [command, ...args] = spec.argv as [string, ...string[]];
  try {
    // Detached: its own session and process group, which the server signals as a whole.
    const child = spawn(command, args, { cwd: spec.cwd, env: spec.env, detached: true, stdio: [byTag.get('i') ?? 'ignore', byTag.get('o') ?? 'ignore', byTag.get('e') ?? 'ignore'] });
    let started = false;
    child.once('error', (e) => {
      if (!started) reply({ type: 'error', id, error: spawnErrorInfo(e) });
    });
    child.once('spawn', () => {
      started = true;
      const pid = child.pid!;
      // Read now, before this process reaps it: the server tells its process from a later one by it.
      reply({ type: 'spawned', id, pid, startTime: readProcStat(pid)?.startTime });
    });
    child.once('exit', (code, signal) => {
      if (started) reply({ type: 'exited', id, code, signal });
    });
  } catch (e) {
    reply({ type: 'error', id, error: spawnErrorInfo(e as NodeJS.ErrnoException) });
  } finally {
    // The process has its copies (spawn returns once it exec'd, or failed to).
    for (const s of sockets) s.destroy();
  }
}
