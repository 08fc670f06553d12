// Upstream's AtomicWriter (pkg/volume/util/atomic_writer.go): projects a payload of files into a
// volume directory so that a reader never sees half an update. The files live in a hidden
// timestamped directory (`..2006_01_02_15_04_05.<random>`); `..data` is a symlink to the current
// one, and each top-level user-visible name is a symlink through it (`key -> ..data/key`). An
// update writes a new timestamped directory, swaps `..data` with one rename(2), then prunes names
// that are gone and the previous directory. Names starting with `..` are reserved.
import { randomInt } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { Payload } from './types.js';

const DATA_DIR = '..data';
const NEW_DATA_DIR = '..data_tmp';
const MAX_FILE_NAME_LENGTH = 255;
const MAX_PATH_LENGTH = 4096;

/** Upstream validatePath's checks and words. */
export function validatePayloadPath(p: string): void {
  if (p === '') throw new Error(`invalid path: must not be empty: ""`);
  if (p.startsWith('/')) throw new Error(`invalid path: must be relative path: ${p}`);
  if (p.length > MAX_PATH_LENGTH) throw new Error(`invalid path: must be less than or equal to ${MAX_PATH_LENGTH} characters`);
  const items = p.split('/');
  for (const item of items) {
    if (item === '..') throw new Error(`invalid path: must not contain '..': ${p}`);
    if (Buffer.byteLength(item) > MAX_FILE_NAME_LENGTH) throw new Error(`invalid path: filenames must be less than or equal to ${MAX_FILE_NAME_LENGTH} characters`);
  }
  if (items[0]!.startsWith('..') && items[0]!.length > 2) throw new Error(`invalid path: must not start with '..': ${p}`);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Go's time format "..2006_01_02_15_04_05." in UTC, as the timestamped directories are named. */
function timestampPrefix(now: Date): string {
  return `..${now.getUTCFullYear()}_${pad(now.getUTCMonth() + 1)}_${pad(now.getUTCDate())}_${pad(now.getUTCHours())}_${pad(now.getUTCMinutes())}_${pad(now.getUTCSeconds())}.`;
}

const exists = (p: string): boolean => {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

/** Every path (files and directories) below `dir`, relative to it. */
function walk(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    out.push(rel);
    if (entry.isDirectory()) out.push(...walk(join(dir, entry.name), rel));
  }
  return out;
}

export class AtomicWriter {
  constructor(
    private readonly targetDir: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Projects `payload`; returns false when the directory already held exactly this content. */
  write(payload: Payload): boolean {
    const clean: Payload = new Map();
    for (const [p, file] of payload) {
      validatePayloadPath(p);
      clean.set(posix.normalize(p), file);
    }
    const dataDir = join(this.targetDir, DATA_DIR);
    let oldTsName = '';
    try {
      oldTsName = readlinkSync(dataDir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const oldTsDir = oldTsName ? join(this.targetDir, oldTsName) : '';
    const toRemove = oldTsDir ? this.pathsToRemove(clean, oldTsDir) : new Set<string>();
    if (oldTsDir && toRemove.size === 0 && !this.changed(clean, oldTsDir)) return false;

    const tsDir = this.newTimestampDir();
    try {
      for (const [p, file] of clean) {
        const full = join(tsDir, p);
        mkdirSync(posix.dirname(full), { recursive: true });
        writeFileSync(full, file.data, { mode: file.mode });
        // The umask applied at creation; the mode asked for is the mode wanted.
        chmodSync(full, file.mode & 0o7777);
      }
      const tmpLink = join(this.targetDir, NEW_DATA_DIR);
      rmSync(tmpLink, { force: true });
      symlinkSync(posix.basename(tsDir), tmpLink);
      renameSync(tmpLink, dataDir);
    } catch (e) {
      rmSync(tsDir, { recursive: true, force: true });
      throw e;
    }
    this.createUserVisibleFiles(clean);
    for (const p of toRemove) {
      // Only names at the volume's root are links of ours; deeper ones went with the old directory.
      if (!p.includes('/')) rmSync(join(this.targetDir, p), { force: true });
    }
    if (oldTsDir && oldTsName !== posix.basename(tsDir)) rmSync(oldTsDir, { recursive: true, force: true });
    return true;
  }

  private changed(payload: Payload, oldTsDir: string): boolean {
    for (const [p, file] of payload) {
      const onDisk = join(oldTsDir, p);
      if (!exists(onDisk)) return true;
      if (!readFileSync(onDisk).equals(file.data)) return true;
    }
    return false;
  }

  /** Paths of the previous version that the new payload no longer has (its directories count as kept). */
  private pathsToRemove(payload: Payload, oldTsDir: string): Set<string> {
    let old: string[];
    try {
      old = walk(oldTsDir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
      throw e;
    }
    const kept = new Set<string>();
    for (const p of payload.keys()) {
      for (let sub = p; sub !== '.' && sub !== ''; sub = posix.dirname(sub)) kept.add(sub);
    }
    return new Set(old.filter((p) => !kept.has(p)));
  }

  private newTimestampDir(): string {
    const prefix = timestampPrefix(this.now());
    for (;;) {
      const dir = join(this.targetDir, `${prefix}${randomInt(0, 2 ** 31)}`);
      try {
        mkdirSync(dir);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw e;
      }
      // Group and others must be able to walk the tree whatever the umask was.
      chmodSync(dir, 0o755);
      return dir;
    }
  }

  private createUserVisibleFiles(payload: Payload): void {
    for (const p of payload.keys()) {
      const name = p.split('/')[0]!;
      const visible = join(this.targetDir, name);
      let isLink = false;
      try {
        isLink = lstatSync(visible).isSymbolicLink();
      } catch {
        // missing: created below
      }
      if (isLink) continue;
      // Something else than our link is in the way (left by hand): it gives way to the payload.
      if (exists(visible)) rmSync(visible, { recursive: true, force: true });
      symlinkSync(posix.join(DATA_DIR, name), visible);
    }
  }
}

