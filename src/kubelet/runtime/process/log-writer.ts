// A container's stdout and stderr written to its log file in the CRI log format the kubelet reads
// (`kubectl logs`): one entry per line, `<RFC3339Nano time> <stdout|stderr> <F|P> <content>`, where
// P marks a partial line: a line longer than 16 KiB is cut into P entries followed by a final F,
// and what is left without a newline when the stream ends is one P entry (containerd's behaviour).
//
// Rotation, by size (upstream's kubelet rotates containerd's files the same way, from outside):
// before an entry would take the file past `maxSize`, the file is renamed to
// `<file>.<YYYYMMDD-HHMMSS>` (UTC; `-<n>` appended when that second already has one) and a new file
// is opened under the original name, so readers always find the current log at the same path.
// At most `maxFiles` files are kept, the current one included: the oldest rotated ones go.
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { nowNanos, rfc3339Nano } from './clock.js';

export type LogStream = 'stdout' | 'stderr';

/** containerd's default max_container_log_line_size. */
export const MAX_LOG_LINE_SIZE = 16 * 1024;
export const DEFAULT_MAX_LOG_SIZE = 10 * 1024 * 1024;
export const DEFAULT_MAX_LOG_FILES = 5;

export interface LogWriterOptions {
  maxSize?: number;
  maxFiles?: number;
  maxLineSize?: number;
  now?: () => bigint;
}

const NEWLINE = 0x0a;
const CR = 0x0d;

export class CriLogWriter {
  private fd: number;
  private size: number;
  private readonly pending: Record<LogStream, Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
  private readonly maxSize: number;
  private readonly maxFiles: number;
  private readonly maxLineSize: number;
  private readonly now: () => bigint;
  private closed = false;

  /** Opens (appending) or creates `path`, creating its directories; throws when it cannot. */
  constructor(
    readonly path: string,
    options: LogWriterOptions = {},
  ) {
    this.maxSize = options.maxSize ?? DEFAULT_MAX_LOG_SIZE;
    this.maxFiles = Math.max(1, options.maxFiles ?? DEFAULT_MAX_LOG_FILES);
    this.maxLineSize = options.maxLineSize ?? MAX_LOG_LINE_SIZE;
    this.now = options.now ?? nowNanos;
    mkdirSync(dirname(path), { recursive: true });
    this.fd = -1;
    this.size = 0;
    this.reopen();
  }

  /** Takes a chunk of a stream's output and writes the entries it completes. */
  write(stream: LogStream, chunk: Buffer): void {
    if (this.closed) return;
    let buf = this.pending[stream].length ? Buffer.concat([this.pending[stream], chunk]) : chunk;
    for (;;) {
      const nl = buf.indexOf(NEWLINE);
      if (nl < 0) break;
      // Go's bufio ReadLine, which containerd uses, drops a "\r\n" ending too.
      const end = nl > 0 && buf[nl - 1] === CR ? nl - 1 : nl;
      this.writeLine(stream, buf.subarray(0, end), true);
      buf = buf.subarray(nl + 1);
    }
    // An over-long line is written as it comes rather than buffered without bound.
    while (buf.length > this.maxLineSize) {
      this.entry(stream, 'P', buf.subarray(0, this.maxLineSize));
      buf = buf.subarray(this.maxLineSize);
    }
    this.pending[stream] = Buffer.from(buf);
  }

  /** The stream ended: what is left without a newline becomes a partial entry. */
  end(stream: LogStream): void {
    if (this.closed) return;
    const rest = this.pending[stream];
    this.pending[stream] = Buffer.alloc(0);
    if (rest.length) this.writeLine(stream, rest, false);
  }

  close(): void {
    if (this.closed) return;
    this.end('stdout');
    this.end('stderr');
    this.closed = true;
    const fd = this.fd;
    this.fd = -1;
    try {
      if (fd >= 0) closeSync(fd);
    } catch {
      // ignore
    }
  }

  private writeLine(stream: LogStream, line: Buffer, complete: boolean): void {
    while (line.length > this.maxLineSize) {
      this.entry(stream, 'P', line.subarray(0, this.maxLineSize));
      line = line.subarray(this.maxLineSize);
    }
    this.entry(stream, complete ? 'F' : 'P', line);
  }

  private entry(stream: LogStream, tag: 'F' | 'P', content: Buffer): void {
    const data = Buffer.concat([Buffer.from(`${rfc3339Nano(this.now())} ${stream} ${tag} `), content, Buffer.from('\n')]);
    // Synchronous writes keep entries whole and in order without a queue. A failure (disk full,
    // log directory removed) loses the entry, never the container or the runtime.
    try {
      if (this.fd < 0) this.reopen();
      else if (this.size > 0 && this.size + data.length > this.maxSize) this.rotate();
      writeSync(this.fd, data);
      this.size += data.length;
    } catch {
      // dropped
    }
  }

  private reopen(): void {
    this.fd = openSync(this.path, 'a', 0o640);
    this.size = fstatSync(this.fd).size;
  }

  private rotate(): void {
    try {
      renameSync(this.path, rotatedName(this.path, this.now()));
    } catch {
      // The file vanished (removed by log cleanup): start a new one all the same.
    }
    const oldFd = this.fd;
    // Never left pointing at a closed descriptor, whose number the process may reuse for another file.
    this.fd = -1;
    try {
      closeSync(oldFd);
    } catch {
      // ignore
    }
    this.reopen();
    const rotated = rotatedLogFiles(this.path);
    const excess = rotated.length - (this.maxFiles - 1);
    for (const old of rotated.slice(0, Math.max(0, excess))) rmSync(old, { force: true });
  }
}

const ROTATED = /^(\d{8}-\d{6})(?:-(\d+))?$/;

function stamp(ns: bigint): string {
  const iso = new Date(Number(ns / 1_000_000n)).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

function rotatedName(path: string, ns: bigint): string {
  const base = `${path}.${stamp(ns)}`;
  // Numbered after the newest of the same second (even when older ones were removed), so that
  // names keep sorting in rotation order.
  let last = -1;
  for (const f of rotatedLogFiles(path)) {
    if (f === base) last = Math.max(last, 0);
    else if (f.startsWith(`${base}-`)) last = Math.max(last, Number(f.slice(base.length + 1)));
  }
  return last < 0 ? base : `${base}-${last + 1}`;
}

/** The rotated files of the log at `path`, oldest first. */
export function rotatedLogFiles(path: string): string[] {
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return [];
  }
  const found: { file: string; stamp: string; n: number }[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = ROTATED.exec(name.slice(prefix.length));
    if (m) found.push({ file: join(dirname(path), name), stamp: m[1]!, n: m[2] ? Number(m[2]) : 0 });
  }
  found.sort((a, b) => (a.stamp === b.stamp ? a.n - b.n : a.stamp < b.stamp ? -1 : 1));
  return found.map((f) => f.file);
}

export interface CriLogEntry {
  /** RFC3339Nano, as written. */
  time: string;
  stream: LogStream;
  partial: boolean;
  content: string;
}

/** Parses one line of a CRI log file (without its newline); undefined when it is not one. */
export function parseCriLogLine(line: string): CriLogEntry | undefined {
  const m = /^(\S+) (stdout|stderr) ([FP]) (.*)$/s.exec(line);
  if (!m) return undefined;
  return { time: m[1]!, stream: m[2] as LogStream, partial: m[3] === 'P', content: m[4]! };
}
