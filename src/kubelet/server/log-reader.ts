// Reads one container instance's CRI log the way upstream's kuberuntime/logs ReadLogs does:
// from `tailLines` lines before the end (here across rotated files too), skipping lines older
// than `since`, optionally prefixing each line with its timestamp, cut at `limitBytes`; with
// `follow`, new records are streamed as they are written (a directory watch, with polling as a
// fallback and a safety net) until the instance stops running and its file is drained, the
// byte limit is reached, or the caller aborts. A rotation while following (the live path now
// names a new file) is followed: the old file is drained, then the new one read from its start.
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { parseCriRecord } from './cri-log.js';
import { findTailStart, openLogSource, recordsBackward, rotatedLogFiles, type LogSource } from './log-files.js';

export interface ReadLogsOptions {
  /** The instance's live log file, `<logDir>/<container>/<attempt>.log`. */
  livePath: string;
  tailLines?: number;
  /** Records older than this (nanoseconds since the epoch) are left out, line by line. */
  since?: bigint;
  timestamps: boolean;
  limitBytes?: number;
  follow: boolean;
  /** With follow: whether the instance still runs; once false, the file is drained and reading ends. */
  isRunning?: () => boolean | Promise<boolean>;
  /** With follow: how often to look without a change notification (upstream checks every second). */
  pollMs?: number;
  signal?: AbortSignal;
  /** Receives the output; resolves when the consumer can take more (backpressure). */
  write: (chunk: Buffer) => Promise<void>;
}

const CHUNK = 64 * 1024;
const NEWLINE = 0x0a;
const NL = Buffer.from('\n');
const EMPTY = Buffer.alloc(0);

/**
 * Turns records into output lines: since filter, timestamps, byte limit. Partial (P) records are
 * joined into their line, which is judged and stamped once, by its first record; upstream stamps
 * and filters every record, putting timestamps mid-line for lines longer than the runtime's
 * 16 KiB record size, and counts records rather than lines for tailLines.
 */
class LineWriter {
  private inLine = false;
  private skip = false;
  private remain: number;
  private pending: Buffer[] = [];
  done = false;

  constructor(private readonly o: ReadLogsOptions) {
    this.remain = o.limitBytes ?? Number.POSITIVE_INFINITY;
  }

  record(bytes: Buffer): void {
    if (this.done) return;
    const r = parseCriRecord(bytes);
    if (!r) return; // upstream skips what it cannot parse
    const startsLine = !this.inLine;
    if (startsLine) this.skip = this.o.since !== undefined && r.time < this.o.since;
    // An unfinished last record ends the output, so it closes its line too.
    this.inLine = r.partial && r.terminated;
    if (this.skip) return;
    const parts: Buffer[] = [];
    if (startsLine && this.o.timestamps) parts.push(Buffer.from(`${r.fixedTime} `));
    parts.push(r.content);
    if (!r.partial && r.terminated) parts.push(NL);
    let out = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    if (out.length > this.remain) out = out.subarray(0, this.remain);
    this.remain -= out.length;
    if (out.length > 0) this.pending.push(out);
    if (this.remain <= 0) this.done = true;
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const out = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    this.pending = [];
    await this.o.write(out);
  }
}

/** Reads a source forwards, record by record, keeping an unfinished record for later. */
class ForwardReader {
  private carry = EMPTY;

  constructor(
    readonly src: LogSource,
    public pos: number,
  ) {}

  async readTo(to: number, out: LineWriter): Promise<void> {
    while (this.pos < to && !out.done) {
      const chunk = await this.src.read(this.pos, Math.min(CHUNK, to - this.pos));
      if (chunk.length === 0) break;
      this.pos += chunk.length;
      const data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
      let start = 0;
      for (let nl = data.indexOf(NEWLINE); nl >= 0; nl = data.indexOf(NEWLINE, start)) {
        out.record(data.subarray(start, nl + 1));
        start = nl + 1;
      }
      // Copied: a slice would keep the whole chunk alive.
      this.carry = start < data.length ? Buffer.from(data.subarray(start)) : EMPTY;
      await out.flush();
    }
  }

  /** The unfinished record as it stands (end of a finished file). */
  async finish(out: LineWriter): Promise<void> {
    if (this.carry.length > 0) out.record(this.carry);
    this.carry = EMPTY;
    await out.flush();
  }

  reset(pos: number): void {
    this.pos = pos;
    this.carry = EMPTY;
  }
}

/** The end of the last complete record in `[0, size)`. */
async function completeEnd(src: LogSource, size: number): Promise<number> {
  for await (const rec of recordsBackward(src, size)) {
    return rec.bytes[rec.bytes.length - 1] === NEWLINE ? rec.offset + rec.bytes.length : rec.offset;
  }
  return 0;
}

const inode = async (path: string): Promise<number | undefined> => {
  try {
    return (await stat(path)).ino;
  } catch {
    return undefined;
  }
};

/** Wakes a follower when something in the log directory changes, or after pollMs. */
class ChangeWaiter {
  private watcher: FSWatcher | undefined;
  private dirty = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly livePath: string,
    private readonly pollMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    const base = basename(livePath);
    try {
      // The directory, not the file: a rotation replaces the file under its name.
      this.watcher = watch(dirname(livePath), { persistent: false }, (_event, name) => {
        if (name === null || String(name).startsWith(base)) this.notify();
      });
      this.watcher.on('error', () => this.closeWatcher());
    } catch {
      this.watcher = undefined; // inotify exhausted or unsupported: polling alone
    }
  }

  private notify(): void {
    this.dirty = true;
    this.wake?.();
  }

  private closeWatcher(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  wait(): Promise<void> {
    if (this.dirty || this.signal?.aborted) {
      this.dirty = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.signal?.removeEventListener('abort', done);
        this.wake = undefined;
        this.dirty = false;
        resolve();
      };
      const timer = setTimeout(done, this.pollMs);
      this.signal?.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }

  close(): void {
    this.closeWatcher();
    this.wake?.();
  }
}

/** Streams the instance's log to `o.write`; resolves when done (see the file comment). */
export async function readLogs(o: ReadLogsOptions): Promise<void> {
  const out = new LineWriter(o);
  const paths = [...(await rotatedLogFiles(o.livePath)), o.livePath];
  const sources: LogSource[] = [];
  // A follower may watch before the first read, so that nothing written meanwhile goes unseen.
  const waiter = o.follow ? new ChangeWaiter(o.livePath, o.pollMs ?? 1000, o.signal) : undefined;
  try {
    for (const p of paths) {
      const src = await openLogSource(p);
      if (src) sources.push(src);
    }
    const live = sources[sources.length - 1];
    if (!live || live.path !== o.livePath) throw Object.assign(new Error(`failed to open log file "${o.livePath}": no such file or directory`), { code: 'ENOENT' });
    // Following, an unfinished last record is left for the follow loop to complete.
    const ends = sources.map((s) => s.size);
    if (o.follow) ends[ends.length - 1] = await completeEnd(live, live.size);
    const start = o.tailLines === undefined ? { file: 0, offset: 0 } : await findTailStart(sources, ends, o.tailLines);
    for (let f = start.file; f < sources.length - 1 && !out.done; f++) {
      const reader = new ForwardReader(sources[f]!, f === start.file ? start.offset : 0);
      await reader.readTo(ends[f]!, out);
      await reader.finish(out);
    }
    const reader = new ForwardReader(live, start.file === sources.length - 1 ? start.offset : 0);
    await reader.readTo(ends[ends.length - 1]!, out);
    if (!o.follow || out.done) {
      await reader.finish(out);
      return;
    }
    await follow(o, out, reader, waiter!);
  } finally {
    waiter?.close();
    await Promise.all(sources.map((s) => s.close()));
  }
}

async function follow(o: ReadLogsOptions, out: LineWriter, first: ForwardReader, waiter: ChangeWaiter): Promise<void> {
  let reader = first;
  const sizeOf = async (r: ForwardReader): Promise<number> => (await r.src.current()).size;
  try {
    while (!out.done && !o.signal?.aborted) {
      const size = await sizeOf(reader);
      if (size > reader.pos) {
        await reader.readTo(size, out);
        continue;
      }
      if (size < reader.pos) {
        reader.reset(0); // truncated in place (copytruncate): read it again from the start
        continue;
      }
      const current = await inode(o.livePath);
      if (current !== undefined && current !== (await reader.src.current()).inode) {
        // Rotated: whatever reached the old file before the switch, then the new file.
        await reader.readTo(await sizeOf(reader), out);
        await reader.finish(out);
        const next = await openLogSource(o.livePath);
        if (next) {
          await reader.src.close();
          reader = new ForwardReader(next, 0);
        }
        continue;
      }
      if (!(await (o.isRunning?.() ?? false))) {
        // Stopped: what it wrote before stopping, then the end.
        await reader.readTo(await sizeOf(reader), out);
        await reader.finish(out);
        return;
      }
      await waiter.wait();
    }
  } finally {
    // The first source is closed by the caller; closing twice is harmless.
    if (reader !== first) await reader.src.close();
  }
}
