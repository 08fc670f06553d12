// The little of k8s.io/mount-utils the kubelet needs: reading the mount table
// (/proc/self/mountinfo), telling whether a directory is a mount point, mounting a tmpfs and
// unmounting. Mounting shells out to mount(8)/umount(8), as upstream's Linux mounter does.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';

export interface MountInfo {
  /** Where it is mounted, unescaped. */
  mountPoint: string;
  fsType: string;
  source: string;
}

/** mountinfo escapes space, tab, newline and backslash as three octal digits (\040 ...). */
const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));

/** Parses /proc/<pid>/mountinfo text (proc(5)): fields 5 (mount point), then after " - ": type, source. */
export function parseMountInfo(text: string): MountInfo[] {
  const out: MountInfo[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    if (fields.length < 5 || dash < 0) continue;
    out.push({ mountPoint: unescape(fields[4]!), fsType: unescape(fields[dash + 1] ?? ''), source: unescape(fields[dash + 2] ?? '') });
  }
  return out;
}

/** The mount table of this process's mount namespace, in mount order. */
export function readMountTable(): MountInfo[] {
  return parseMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'));
}

/** `child` is `parent` or below it (both absolute, normalized). */
export function isWithin(child: string, parent: string): boolean {
  if (parent === '/') return child.startsWith('/');
  return child === parent || child.startsWith(`${parent}/`);
}

/** Mount points at or below `dir`, deepest first (the order to unmount them in). */
export function mountsUnder(dir: string, table: MountInfo[] = readMountTable()): string[] {
  const root = posix.normalize(dir);
  const found = new Set(table.map((m) => m.mountPoint).filter((p) => isWithin(p, root)));
  return [...found].sort((a, b) => b.split('/').length - a.split('/').length || b.localeCompare(a));
}

export function isMountPoint(dir: string, table: MountInfo[] = readMountTable()): MountInfo | undefined {
  const p = posix.normalize(dir);
  // The last entry wins: it is the mount on top when several are stacked there.
  return [...table].reverse().find((m) => m.mountPoint === p);
}

const run = (cmd: string, args: string[]): void => {
  try {
    execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`${cmd} ${args.join(' ')} failed: ${stderr || (e as Error).message}`);
  }
};

/** Mounts a tmpfs at `dir` (upstream emptyDir medium Memory), `size=<bytes>` when a limit is given. */
export function mountTmpfs(dir: string, sizeBytes?: bigint): void {
  const options = sizeBytes !== undefined && sizeBytes > 0n ? ['-o', `size=${sizeBytes}`] : [];
  run('mount', ['-t', 'tmpfs', ...options, 'tmpfs', dir]);
}

export function unmount(dir: string): void {
  run('umount', [dir]);
}
