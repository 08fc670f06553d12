// core/v1 PodLogOptions as both ends of `kubectl logs` read them from a query string: the API
// server (pods/{name}/log) and the kubelet (/containerLogs/...). Decoding follows the API
// machinery's query-parameter conversions (first value wins; booleans are false only for
// "0", "f" and "false"; integers base 10; times RFC3339); validation is upstream's
// ValidatePodLogOptions.
import { type FieldError, forbidden, invalid, notSupported } from '../../apimachinery/field-errors.js';

export interface PodLogOptions {
  container?: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  sinceSeconds?: number;
  /** Milliseconds since the epoch (the query carries RFC3339, whole seconds). */
  sinceTime?: number;
  tailLines?: number;
  limitBytes?: number;
  insecureSkipTLSVerifyBackend: boolean;
  stream?: string;
}

/** A query parameter that does not convert to its field's type (upstream answers 400). */
export class LogOptionsDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LogOptionsDecodeError';
  }
}

export const LOG_STREAMS = ['All', 'Stderr', 'Stdout'] as const;

function bool(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  if (v === null) return false;
  return !(v === '0' || v.toLowerCase() === 'f' || v.toLowerCase() === 'false');
}

function int(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null) return undefined;
  // Go's strconv.ParseInt: optional sign, decimal digits, nothing else.
  if (!/^[+-]?\d+$/.test(v)) throw new LogOptionsDecodeError(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new LogOptionsDecodeError(`strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`);
  return n;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function time(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  // An empty value is a zero time, which upstream treats as unset.
  if (v === null || v === '') return undefined;
  const ms = RFC3339.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(ms)) throw new LogOptionsDecodeError(`parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(v)} as "2006"`);
  // RFC3339 on the wire carries whole seconds (upstream formats sinceTime with time.RFC3339).
  return Math.floor(ms / 1000) * 1000;
}

/** Reads PodLogOptions from a query; throws LogOptionsDecodeError for values of the wrong type. */
export function decodePodLogOptions(query: URLSearchParams): PodLogOptions {
  const opts: PodLogOptions = {
    follow: bool(query, 'follow'),
    previous: bool(query, 'previous'),
    timestamps: bool(query, 'timestamps'),
    insecureSkipTLSVerifyBackend: bool(query, 'insecureSkipTLSVerifyBackend'),
  };
  const container = query.get('container');
  if (container) opts.container = container;
  const sinceSeconds = int(query, 'sinceSeconds');
  if (sinceSeconds !== undefined) opts.sinceSeconds = sinceSeconds;
  const sinceTime = time(query, 'sinceTime');
  if (sinceTime !== undefined) opts.sinceTime = sinceTime;
  const tailLines = int(query, 'tailLines');
  if (tailLines !== undefined) opts.tailLines = tailLines;
  const limitBytes = int(query, 'limitBytes');
  if (limitBytes !== undefined) opts.limitBytes = limitBytes;
  const stream = query.get('stream');
  if (stream !== null) opts.stream = stream;
  return opts;
}

/** Upstream's ValidatePodLogOptions, field for field. */
export function validatePodLogOptions(opts: PodLogOptions): FieldError[] {
  const errs: FieldError[] = [];
  if (opts.tailLines !== undefined && opts.tailLines < 0) errs.push(invalid('tailLines', opts.tailLines, 'must be greater than or equal to 0'));
  if (opts.limitBytes !== undefined && opts.limitBytes < 1) errs.push(invalid('limitBytes', opts.limitBytes, 'must be greater than 0'));
  if (opts.sinceSeconds !== undefined && opts.sinceTime !== undefined) {
    errs.push(forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  } else if (opts.sinceSeconds !== undefined && opts.sinceSeconds < 1) {
    errs.push(invalid('sinceSeconds', opts.sinceSeconds, 'must be greater than 0'));
  }
  if (opts.stream !== undefined && !(LOG_STREAMS as readonly string[]).includes(opts.stream)) {
    errs.push(notSupported('stream', opts.stream, LOG_STREAMS));
  }
  return errs;
}

/** The kubelet's query for the options (upstream LogLocation: only what is set, sinceTime in RFC3339). */
export function kubeletLogQuery(opts: PodLogOptions): URLSearchParams {
  const q = new URLSearchParams();
  if (opts.follow) q.set('follow', 'true');
  if (opts.previous) q.set('previous', 'true');
  if (opts.timestamps) q.set('timestamps', 'true');
  if (opts.sinceSeconds !== undefined) q.set('sinceSeconds', String(opts.sinceSeconds));
  if (opts.sinceTime !== undefined) q.set('sinceTime', new Date(opts.sinceTime).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  if (opts.tailLines !== undefined) q.set('tailLines', String(opts.tailLines));
  if (opts.limitBytes !== undefined) q.set('limitBytes', String(opts.limitBytes));
  return q;
}

/** The earliest record time to show, in nanoseconds since the epoch, or undefined for all (upstream NewLogOptions). */
export function sinceNanos(opts: PodLogOptions, nowMs: number): bigint | undefined {
  let since: number | undefined;
  if (opts.sinceSeconds !== undefined) since = nowMs - opts.sinceSeconds * 1000;
  if (opts.sinceTime !== undefined && (since === undefined || opts.sinceTime > since)) since = opts.sinceTime;
  return since === undefined ? undefined : BigInt(Math.floor(since)) * 1_000_000n;
}
