// A container's mounts. Without mount namespaces the process runtime cannot bind anything: a
// container's processes see the host's filesystem, and a mount's hostPath is where its data is.
// Mounts are only checked (the hostPath must exist) and recorded with the container. Bind mounts
// in a mount namespace per container come later as another ContainerMounts.
import { statSync } from 'node:fs';
import type { Mount } from '../types.js';
import { RuntimeError } from '../types.js';

export interface ContainerMounts {
  /** Prepares the container's mounts at creation; throws a RuntimeError when one cannot be made. */
  prepare(containerId: string, mounts: Mount[]): Promise<void>;
  /** The argv that runs `argv` with the container's mounts in place (e.g. in its mount namespace). */
  wrapCommand(containerId: string, mounts: Mount[], argv: string[]): string[];
  /**
   * The argv that runs `argv` in the mounts of the running container whose main process is `pid`
   * (exec sessions, probes, hooks); absent: execs are wrapped as a new start would be.
   */
  enterCommand?(containerId: string, pid: number, argv: string[]): string[];
  /** Undoes `prepare`; idempotent. */
  release(containerId: string): Promise<void>;
}

export class HostPathMounts implements ContainerMounts {
  async prepare(_containerId: string, mounts: Mount[]): Promise<void> {
    for (const m of mounts) {
      // containerd creates a missing source directory; here a missing one is refused, because
      // nothing would be mounted anyway and the container would not find its data.
      try {
        statSync(m.hostPath);
      } catch {
        throw new RuntimeError(
          'CreateContainerError',
          `mount of "${m.containerPath}": host path "${m.hostPath}" does not exist (the process runtime does not create mount sources)`,
        );
      }
    }
  }

  wrapCommand(_containerId: string, _mounts: Mount[], argv: string[]): string[] {
    return argv;
  }

  async release(): Promise<void> {}
}
