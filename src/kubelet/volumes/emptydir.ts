// emptyDir (pkg/volume/emptydir): a directory that lives as long as the pod, mode 0777 so any
// user of the pod can write it. Medium "Memory" backs it with a tmpfs (size=sizeLimit when one is
// given); mounting needs root, and without it the directory is a plain one (logged). The other
// plugins that write files (configMap, secret, downwardAPI, projected) sit on a "wrapped"
// emptyDir the same way: secret, downwardAPI and projected on a tmpfs, configMap on disk, as
// upstream wraps them, so secrets do not reach the node's disk when the kubelet runs as root.
import type { EmptyDirVolumeSource } from 'kubernetes-types/core/v1.js';
import { chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Quantity } from '../../apimachinery/quantity.js';
import { isMountPoint, mountTmpfs } from './mount-utils.js';

const EMPTY_DIR_MODE = 0o777;

export interface DirSetupOptions {
  /** Whether tmpfs can be mounted (root). */
  canMount: boolean;
  /** Told once per volume when a Memory medium falls back to a plain directory. */
  warn(message: string): void;
}

/** Creates `dir` (and its parents, owner-only) and gives it emptyDir's 0777 whatever the umask. */
function makeDir(dir: string): void {
  mkdirSync(dirname(dir), { recursive: true, mode: 0o750 });
  mkdirSync(dir, { recursive: true, mode: EMPTY_DIR_MODE });
  // Only the permission bits are compared: a tmpfs root's sticky bit (1777) stays, as upstream's setupDir leaves it.
  if ((lstatSync(dir).mode & 0o777) !== EMPTY_DIR_MODE) chmodSync(dir, EMPTY_DIR_MODE);
}

/** Sets up the directory of an emptyDir (or of a wrapped one); idempotent, keeps what is in it. */
export function setUpEmptyDir(dir: string, source: EmptyDirVolumeSource, options: DirSetupOptions): void {
  const medium = source.medium ?? '';
  if (medium === '') return makeDir(dir);
  if (medium.startsWith('HugePages')) throw new Error(`the ${medium} medium is not supported by kubets's kubelet`);
  if (medium !== 'Memory') throw new Error(`unknown storage medium "${medium}"`);
  mkdirSync(dir, { recursive: true, mode: EMPTY_DIR_MODE });
  if (!options.canMount) {
    options.warn('emptyDir medium Memory needs root to mount a tmpfs: using a directory on disk');
    return makeDir(dir);
  }
  // A kubelet restarting finds the tmpfs still there: mounting again would hide its contents.
  if (isMountPoint(dir)?.fsType !== 'tmpfs') {
    const size = source.sizeLimit !== undefined ? Quantity.parse(source.sizeLimit).value() : undefined;
    mountTmpfs(dir, size);
  }
  makeDir(dir);
}
