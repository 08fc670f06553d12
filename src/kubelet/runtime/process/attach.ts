// Attaching to a container's main process: its output as it comes (no replay: earlier output is
// in the log), and its stdin when it was created with one. With stdinOnce the process's stdin is
// closed when the first attached stdin ends or its session detaches, as upstream documents; without
// it, stdin stays open for the next session.
import type { Writable } from 'node:stream';
import type { ContainerConfig, StreamOptions } from '../types.js';
import type { ContainerProcess } from './container-process.js';

/** What attach resolves with when the caller detached (closed its output) before the container exited. */
export const ATTACH_DETACHED = -1;

/** Writes unless the caller already ended or destroyed the stream (a write then would throw at it). */
export function writeIfOpen(stream: Writable | undefined, chunk: Buffer): void {
  if (stream && !stream.writableEnded && !stream.destroyed) stream.write(chunk);
}

/** Resolves with the exit code once `exited` settles, or ATTACH_DETACHED when the caller closes its stdout or stderr. */
export function attachTo(proc: ContainerProcess, config: ContainerConfig, streams: StreamOptions, exited: Promise<number>): Promise<number> {
  return new Promise((resolve) => {
    const cleanups: (() => void)[] = [];
    let finished = false;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      for (const undo of cleanups) undo();
      resolve(code);
    };
    cleanups.push(proc.onOutput((stream, chunk) => writeIfOpen(streams[stream], chunk)));

    const input = streams.stdin;
    const target = proc.stdin;
    if (input && config.stdin && target) {
      const onData = (chunk: Buffer) => writeIfOpen(target, chunk);
      const onEnd = () => {
        if (config.stdinOnce) target.end();
      };
      input.on('data', onData);
      input.once('end', onEnd);
      cleanups.push(() => {
        input.off('data', onData);
        input.off('end', onEnd);
        if (config.stdinOnce && !target.writableEnded) target.end();
      });
    }

    for (const out of [streams.stdout, streams.stderr]) {
      if (!out) continue;
      const onClose = () => finish(ATTACH_DETACHED);
      out.once('close', onClose);
      cleanups.push(() => out.off('close', onClose));
    }
    void exited.then(finish);
  });
}
