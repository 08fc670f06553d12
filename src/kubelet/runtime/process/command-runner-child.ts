// The command runner's child (see command-runner.ts): forked by the server with an IPC channel,
// it runs the commands it is sent, many at once, and replies with each one's outcome by request
// id. Spawning from this small process costs a few milliseconds where forking the big server
// blocks its event loop for tens. It lives as long as its parent: once the channel closes (the
// server exited, crashed or closed the runner) it exits, leaving commands still running be, and
// containers' processes too: they are detached, and the server watches them through /proc then.
import { executeCommand, type RunnerMessage, type RunRequest, type SpawnRequest, spawnErrorInfo } from './command-runner-exec.js';
import { spawnContainer } from './container-spawn-exec.js';

// The server moves NODE_OPTIONS aside so that profiler or loader flags meant for it do not apply
// here; the commands get the environment the server has.
const saved = process.env.KUBETS_RUNNER_NODE_OPTIONS;
delete process.env.KUBETS_RUNNER_NODE_OPTIONS;
if (saved !== undefined) process.env.NODE_OPTIONS = saved;

function reply(message: RunnerMessage): void {
  // Not connected any more (or failing to send): the parent is gone, and 'disconnect' ends this process.
  if (process.connected) process.send!(message, undefined, undefined, () => {});
}

if (!process.send) {
  process.stderr.write('command-runner-child: must be started by CommandRunner (no IPC channel)\n');
  process.exit(2);
}

process.on('message', (message: RunRequest | SpawnRequest) => {
  // Containers' processes (container-spawner.ts): replies come as they start and as they exit.
  if ('spawn' in message) {
    void spawnContainer(message.id, message.spawn, reply);
    return;
  }
  const { id, file, args, options } = message;
  executeCommand(file, args, options).then(
    (result) => reply({ type: 'result', id, result }),
    (e: NodeJS.ErrnoException) => reply({ type: 'error', id, error: spawnErrorInfo(e) }),
  );
});

process.on('disconnect', () => process.exit(0));

reply({ type: 'ready', pid: process.pid });
