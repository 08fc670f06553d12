// The files that hold one container instance's log: the live `<attempt>.log` and the files it was
// rotated into, `<attempt>.log.<suffix>` (a UTC timestamp `20060102-150405`, as upstream's
// container log manager and the process runtime name them, the latter adding `-<n>` within one
// second; upstream gzips older ones as `.gz`), read oldest first. Finding where
// `tailLines` starts scans backwards from the end, across files, without reading the rest.
import { open, readdir, readFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { recordIsPartial } from './cri-log.js';

/** Random-access bytes of one log file. */
export interface LogSource {
  readonly path: string;
  /** Bytes readable at open time (the live file may grow; re-read with `grow`). */
  size: number;
  read(position: number, length: number): Promise<Buffer>;
  /** The size now and the file's inode (undefined for a decompressed copy), for a follower. */
  current(): Promise<{ size: number; inode?: number }>;
  close(): Promise<void>;
}

class FileSource implements LogSource {
  constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    public size: number,
  ) {}

  async read(position: number, length: number): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await this.handle.read(buf, filled, length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buf.subarray(0, filled);
  }

  async current(): Promise<{ size: number; inode?: number }> {
    const st = await this.handle.stat();
    return { size: st.size, inode: st.ino };
  }

  close(): Promise<void> {
    return this.handle.close().catch(() => undefined);
  }
}

class BufferSource implements LogSource {
  readonly size: number;
  constructor(
    readonly path: string,
    private readonly data: Buffer,
  ) {
    this.size = data.length;
  }

  async read(position: number, length: number): Promise<Buffer> {
    return this.data.subarray(position, position + length);
  }

  async current(): Promise<{ size: number; inode?: number }> {
    return { size: this.size };
  }

  async close(): Promise<void> {}
}

const isMissing = (e: unknown): boolean => (e as NodeJS.ErrnoException)?.code === 'ENOENT';

/** Opens a file as a source; undefined when it does not exist (a rotated file removed meanwhile). */
export async function openLogSource(path: string): Promise<LogSource | undefined> {
  try {
    if (path.endsWith('.gz')) return new BufferSource(path, gunzipSync(await readFile(path)));
    const handle = await open(path, 'r');
    const { size } = await handle.stat();
    return new FileSource(path, handle, size);
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

/** Digit runs compare as numbers: `...-100003-2` before `...-100003-10`. */
const NUMERIC = new Intl.Collator('en', { numeric: true });

/**
 * The rotated files of `livePath`, oldest first, by suffix (`.gz` aside): timestamps sort in time
 * order, and the process runtime's `-<n>` for several rotations within one second in number order.
 */
export async function rotatedLogFiles(livePath: string): Promise<string[]> {
  const prefix = `${basename(livePath)}.`;
  let names: string[];
  try {
    names = await readdir(dirname(livePath));
  } catch (e) {
    if (isMissing(e)) return [];
    throw e;
  }
  const suffix = (n: string) => n.slice(prefix.length).replace(/\.gz$/, '');
  return names
    .filter((n) => n.startsWith(prefix) && n.length > prefix.length && !n.endsWith('.tmp'))
    .sort((a, b) => NUMERIC.compare(suffix(a), suffix(b)))
    .map((n) => join(dirname(livePath), n));
}

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;

/**
 * The records of `[0, end)` from last to first, each with its offset; a record's bytes include its
 * newline (the last one may have none).
 */
export async function* recordsBackward(src: LogSource, end: number): AsyncGenerator<{ offset: number; bytes: Buffer }> {
  let bufStart = end;
  let buf = Buffer.alloc(0);
  for (;;) {
    // The record ending at the buffer's end starts after the previous newline (its own excluded).
    const searchFrom = buf.length - 2;
    const nl = searchFrom >= 0 ? buf.lastIndexOf(NEWLINE, searchFrom) : -1;
    if (nl >= 0) {
      yield { offset: bufStart + nl + 1, bytes: buf.subarray(nl + 1) };
      buf = buf.subarray(0, nl + 1);
      continue;
    }
    if (bufStart === 0) {
      if (buf.length > 0) yield { offset: 0, bytes: buf };
      return;
    }
    const length = Math.min(CHUNK, bufStart);
    bufStart -= length;
    buf = Buffer.concat([await src.read(bufStart, length), buf]);
  }
}

/** Where reading starts: a file of the list and an offset into it. */
export interface LogPosition {
  file: number;
  offset: number;
}

/**
 * Where the last `lines` lines of the files begin. A line is a run of records ended by an F
 * record; partial (P) records at the very end count as one unfinished line. `ends[i]` bounds file
 * i (the live file's end may leave out an unfinished record). Unparsable records count for nothing.
 */
export async function findTailStart(sources: readonly LogSource[], ends: readonly number[], lines: number): Promise<LogPosition> {
  const last = sources.length - 1;
  if (lines <= 0) return { file: Math.max(last, 0), offset: ends[last] ?? 0 };
  let counted = 0;
  let inLine = false;
  for (let f = last; f >= 0; f--) {
    for await (const rec of recordsBackward(sources[f]!, ends[f]!)) {
      const partial = recordIsPartial(rec.bytes);
      if (partial === undefined) continue;
      if (!partial) {
        // An F record closes its own line; the line after it (if any) is now complete.
        if (inLine && ++counted === lines) return { file: f, offset: rec.offset + rec.bytes.length };
        inLine = true;
      } else if (!inLine) {
        inLine = true;
      }
    }
  }
  return { file: 0, offset: 0 };
}
