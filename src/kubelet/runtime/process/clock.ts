// Nanosecond wall-clock times, as CRI reports them (createdAt, startedAt, log line stamps).
import { hrtime } from 'node:process';

// Date.now() only has millisecond precision; anchoring the monotonic clock to it once gives
// nanosecond values that never go backwards between successive calls (log lines stay ordered).
const anchorWall = BigInt(Date.now()) * 1_000_000n;
const anchorMono = hrtime.bigint();

/** Nanoseconds since the epoch. */
export function nowNanos(): bigint {
  return anchorWall + (hrtime.bigint() - anchorMono);
}

/**
 * Go's time.RFC3339Nano, in UTC: the fraction keeps up to 9 digits with trailing zeros trimmed and
 * no dot when it is zero, which is how containerd stamps CRI log lines and what the kubelet parses.
 */
export function rfc3339Nano(ns: bigint): string {
  const seconds = new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19);
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${seconds}${fraction ? `.${fraction}` : ''}Z`;
}
