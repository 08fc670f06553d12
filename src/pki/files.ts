import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Mode of private keys and of files that embed them (kubeconfigs). */
export const PRIVATE_FILE_MODE = 0o600;
/** Mode of certificate files: public material. */
export const PUBLIC_FILE_MODE = 0o644;

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? (err instanceof Error ? err.message : String(err));
}

/** The file's text, or undefined when it does not exist; any other failure is a one-line Error naming it. */
export function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${path}: ${errorCode(err)}`);
  }
}

/**
 * Writes through a temporary file in the same directory and renames it over the target, so a crash
 * never leaves a half-written key or kubeconfig behind, and the mode is right from the first byte
 * (writeFile's `mode` is ignored when the file already exists). Parent directories are created.
 */
export function writeFileAtomic(path: string, data: string, mode: number): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new Error(`cannot create directory ${dir}: ${errorCode(err)}`);
  }
  const tmp = join(dir, `.${basename(path)}.tmp-${process.pid}-${Date.now()}`);
  try {
    const fd = openSync(tmp, 'wx', mode);
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new Error(`cannot write ${path}: ${errorCode(err)}`);
  }
}
