// One record of a container log file in the CRI format the runtime writes:
//   <RFC3339Nano timestamp> <stdout|stderr> <tags> <content>\n
// where the first `:`-separated tag is F (the record ends a line) or P (a partial line, joined
// with the records that follow it up to the next F), as upstream's parseCRILog reads it.

export type LogStream = 'stdout' | 'stderr';

export interface CriRecord {
  /** Nanoseconds since the epoch. */
  time: bigint;
  /** The timestamp re-printed with exactly nine fractional digits (upstream's RFC3339NanoFixed). */
  fixedTime: string;
  stream: LogStream;
  /** P: this record continues on the next one. */
  partial: boolean;
  /** The text after the tags, without the record's newline. */
  content: Buffer;
  /** Whether the record ended with its newline (false only for an unfinished last record). */
  terminated: boolean;
}

const SPACE = 0x20;
const NEWLINE = 0x0a;
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** A timestamp as upstream's lenient RFC3339Nano layout accepts it, or undefined. */
export function parseTimestamp(text: string): { time: bigint; fixed: string } | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  const fraction = (m[2] ?? '').padEnd(9, '0');
  return { time: BigInt(ms) * 1_000_000n + BigInt(fraction), fixed: `${m[1]}.${fraction}${m[3]}` };
}

/** Nanoseconds since the epoch of a JavaScript time in milliseconds. */
export const nanosOf = (ms: number): bigint => BigInt(Math.floor(ms)) * 1_000_000n;

/**
 * Parses one record (its bytes up to and including the newline, when it has one). Returns
 * undefined for anything that is not a CRI record; upstream skips such lines.
 */
export function parseCriRecord(bytes: Buffer): CriRecord | undefined {
  const terminated = bytes.length > 0 && bytes[bytes.length - 1] === NEWLINE;
  const line = terminated ? bytes.subarray(0, bytes.length - 1) : bytes;
  const s1 = line.indexOf(SPACE);
  if (s1 < 0) return undefined;
  const ts = parseTimestamp(line.subarray(0, s1).toString('latin1'));
  if (!ts) return undefined;
  const s2 = line.indexOf(SPACE, s1 + 1);
  if (s2 < 0) return undefined;
  const stream = line.subarray(s1 + 1, s2).toString('latin1');
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  // The tags end at the next space; a record with empty content may end right after them.
  let s3 = line.indexOf(SPACE, s2 + 1);
  if (s3 < 0) s3 = line.length;
  const tags = line.subarray(s2 + 1, s3).toString('latin1');
  if (tags.length === 0) return undefined;
  const partial = tags.split(':')[0] === 'P';
  return {
    time: ts.time,
    fixedTime: ts.fixed,
    stream,
    partial,
    content: line.subarray(Math.min(s3 + 1, line.length)),
    terminated,
  };
}

/** Whether a record (as bytes) is a partial one, without parsing the rest; unparsable: undefined. */
export function recordIsPartial(bytes: Buffer): boolean | undefined {
  const r = parseCriRecord(bytes);
  return r ? r.partial : undefined;
}

/** Formats a record as the runtime writes it (tests and tools; the writer proper is the runtime's). */
export function formatCriRecord(time: string, stream: LogStream, partial: boolean, content: string): string {
  return `${time} ${stream} ${partial ? 'P' : 'F'} ${content}\n`;
}
