// IntOrString helpers (k8s.io/apimachinery/pkg/util/intstr) for fields such as maxSurge,
// maxUnavailable and minAvailable that hold either a count or a percentage like "25%", plus the
// validation upstream's apps and policy validators apply to them.
import { type FieldError, type FieldPath, invalid } from './field-errors.js';

export type IntOrString = number | string;

export class IntOrStringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntOrStringError';
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Go's strconv.Atoi, with its error text. */
function atoi(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n < INT64_MIN || n > INT64_MAX) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`);
  return Number(n);
}

export function isPercent(v: IntOrString | undefined | null): v is string {
  return typeof v === 'string' && v.endsWith('%');
}

/** The number and whether it was a percentage (upstream's unexported getIntOrPercentValueSafely). */
function intOrPercentValue(v: IntOrString): { value: number; percent: boolean } {
  if (typeof v === 'number') return { value: Math.trunc(v), percent: false };
  if (typeof v !== 'string') throw new Error('invalid type: neither int nor percentage');
  if (!v.endsWith('%')) throw new Error('invalid type: string is not a percentage');
  try {
    return { value: atoi(v.slice(0, -1)), percent: true };
  } catch (e) {
    throw new Error(`invalid value ${JSON.stringify(v)}: ${(e as Error).message}`);
  }
}

/**
 * upstream intstr.GetScaledValueFromIntOrPercent: an int as is, a percentage of `total`
 * rounded up or down. Throws "invalid value for IntOrString: ..." for strings like "abc".
 */
export function getScaledValueFromIntOrPercent(v: IntOrString | undefined | null, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) throw new IntOrStringError('nil value for IntOrString');
  let parsed: { value: number; percent: boolean };
  try {
    parsed = intOrPercentValue(v);
  } catch (e) {
    throw new IntOrStringError(`invalid value for IntOrString: ${(e as Error).message}`);
  }
  if (!parsed.percent) return parsed.value;
  // Same float64 arithmetic as upstream: value * total / 100, then ceil or floor. `+ 0` turns -0 into 0.
  const scaled = (parsed.value * total) / 100;
  return (roundUp ? Math.ceil(scaled) : Math.floor(scaled)) + 0;
}

/** The name this helper was first asked for under; same as getScaledValueFromIntOrPercent. */
export const getIntOrPercentValueSafely = getScaledValueFromIntOrPercent;

const PERCENT_FMT = '[0-9]+%';
const percentRe = new RegExp(`^${PERCENT_FMT}$`);

/** upstream validation.IsValidPercent. */
export function isValidPercent(s: string): string[] {
  if (percentRe.test(s)) return [];
  return [
    `a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '${PERCENT_FMT}')`,
  ];
}

/** upstream apps validation ValidatePositiveIntOrPercent: a non-negative int or a valid percent. */
export function validatePositiveIntOrPercent(v: IntOrString | undefined, path: FieldPath): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => invalid(path, v, m));
  if (typeof v === 'number') return v < 0 ? [invalid(path, v, 'must be greater than or equal to 0')] : [];
  return [invalid(path, v, "must be an integer or percentage (e.g '5%')")];
}

/** upstream apps validation IsNotMoreThan100Percent: only checks well-formed percentages. */
export function isNotMoreThan100Percent(v: IntOrString | undefined, path: FieldPath): FieldError[] {
  if (typeof v !== 'string' || isValidPercent(v).length) return [];
  let value = 0;
  try {
    value = atoi(v.slice(0, -1));
  } catch {
    // Upstream ignores Atoi's error here, leaving 0: an out-of-range percentage passes this check.
  }
  return value > 100 ? [invalid(path, v, 'must not be greater than 100%')] : [];
}
