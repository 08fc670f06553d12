// hostPath volumes (pkg/volume/hostpath): the node's own path is the mount source; nothing is
// created under the pod's directory. The volume's `type` is checked as upstream checks it
// (DirectoryOrCreate / FileOrCreate create what is missing, 0755 / 0644), with its words.
import type { HostPathVolumeSource } from 'kubernetes-types/core/v1.js';
import { closeSync, mkdirSync, openSync, statSync, type Stats } from 'node:fs';

type FileType = 'Directory' | 'File' | 'Socket' | 'CharDevice' | 'BlockDevice';

const DESCRIPTIONS: Record<FileType, string> = {
  Directory: 'directory',
  File: 'file',
  Socket: 'socket file',
  CharDevice: 'character device',
  BlockDevice: 'block device',
};

function fileType(st: Stats): FileType | undefined {
  if (st.isDirectory()) return 'Directory';
  if (st.isFile()) return 'File';
  if (st.isSocket()) return 'Socket';
  if (st.isCharacterDevice()) return 'CharDevice';
  if (st.isBlockDevice()) return 'BlockDevice';
  return undefined;
}

const statOrUndefined = (p: string): Stats | undefined => {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
};

/** Go's words for a failed syscall: `<op> <path>: <strerror>`. */
const goError = (op: string, path: string, e: unknown): Error => {
  const code = (e as NodeJS.ErrnoException).code;
  const words: Record<string, string> = { ENOENT: 'no such file or directory', ENOTDIR: 'not a directory', EACCES: 'permission denied', EEXIST: 'file exists' };
  return new Error(`${op} ${path}: ${(code && words[code]) ?? (e as Error).message}`);
};

function typeMatchedOrError(path: string, expected: FileType): void {
  const st = statOrUndefined(path);
  if (!st) throw new Error(`hostPath ${path} doesn't exist`);
  const actual = fileType(st);
  if (!actual) {
    throw new Error(`hostPath type check failed, ${path} is not a ${DESCRIPTIONS[expected]}, unable to determine its type: only recognise file, directory, socket, block device and character device`);
  }
  if (actual !== expected) throw new Error(`hostPath type check failed: ${path} is not a ${DESCRIPTIONS[expected]}, it's a ${actual}`);
}

/** upstream hostPathMounter.SetUp: validates the path and checks (or creates) it as `type` says. */
export function checkHostPath(source: HostPathVolumeSource): void {
  const path = source.path;
  if (path.split('/').includes('..')) throw new Error(`invalid HostPath \`${path}\`: must not contain '..'`);
  const type = source.type ?? '';
  switch (type) {
    case '':
      return;
    case 'DirectoryOrCreate':
      if (!statOrUndefined(path)) {
        try {
          mkdirSync(path, { recursive: true, mode: 0o755 });
        } catch (e) {
          throw goError('mkdir', path, e);
        }
        return;
      }
      return typeMatchedOrError(path, 'Directory');
    case 'Directory':
      return typeMatchedOrError(path, 'Directory');
    case 'FileOrCreate':
      if (!statOrUndefined(path)) {
        // Like upstream's makeFile: the parent must exist; it is not created.
        try {
          closeSync(openSync(path, 'a', 0o644));
        } catch (e) {
          throw goError('open', path, e);
        }
        return;
      }
      return typeMatchedOrError(path, 'File');
    case 'File':
    case 'Socket':
    case 'CharDevice':
    case 'BlockDevice':
      return typeMatchedOrError(path, type);
    default:
      throw new Error(`${type} is an invalid volume type`);
  }
}
