// resource.Quantity (k8s.io/apimachinery/pkg/api/resource): an exact decimal that remembers
// whether it was written with a binary suffix (Ki, Mi...), a decimal suffix (m, k, M...) or an
// exponent (1e3), and prints itself back in upstream's canonical form. The value is a bigint
// mantissa times a power of ten; nothing here goes through floating point.

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

const SPLIT_RE = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';
export const ERR_FORMAT_WRONG = `quantities must match the regular expression '${SPLIT_RE}'`;
export const ERR_NUMERIC = 'unable to parse numeric part of quantity';
export const ERR_SUFFIX = "unable to parse quantity's suffix";

export class QuantityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuantityError';
  }
}

const DECIMAL_SUFFIXES = new Map<string, number>([
  ['n', -9], ['u', -6], ['m', -3], ['', 0], ['k', 3], ['M', 6], ['G', 9], ['T', 12], ['P', 15], ['E', 18],
]);
const DECIMAL_BY_EXPONENT = new Map([...DECIMAL_SUFFIXES].map(([s, e]) => [e, s]));
const BINARY_SUFFIXES = new Map<string, number>([['Ki', 10], ['Mi', 20], ['Gi', 30], ['Ti', 40], ['Pi', 50], ['Ei', 60]]);
const BINARY_BY_POWER = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const SUFFIX_CHARS = 'eEinumkKMGTP';

const NANO = -9;
const INT32_MAX = 2 ** 31 - 1;
/** Parsing caps binary quantities at int64's maximum, silently, as upstream does ("8Ei" -> 2^63-1). */
const MAX_BINARY = (1n << 63n) - 1n;
/**
 * Exponents may be huge ("1e2000000000" parses upstream). Arithmetic that would have to write out
 * more digits than this refuses instead of exhausting memory (upstream would hang).
 */
const MAX_EXPANSION_DIGITS = 100_000;

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const abs = (n: bigint): bigint => (n < 0n ? -n : n);
const digitCount = (n: bigint): number => (n === 0n ? 0 : abs(n).toString().length);

function pow10(n: number): bigint {
  if (n > MAX_EXPANSION_DIGITS) throw new QuantityError('quantity is too large to compute exactly');
  return 10n ** BigInt(n);
}

/** n / d rounded away from zero (d > 0): upstream's "round up" for quantities. */
function divAwayFromZero(n: bigint, d: bigint): bigint {
  const q = n / d;
  if (q * d === n) return q;
  return n < 0n ? q - 1n : q + 1n;
}

interface Scanned {
  positive: boolean;
  num: string;
  denom: string;
  suffix: string;
  /** Whether the numeric part holds a digit ("Ki" and "." have none). */
  hasDigit: boolean;
}

/** Splits a quantity like upstream's parseQuantityString: sign, integer digits, fraction, suffix. */
function scan(str: string): Scanned {
  const end = str.length;
  let pos = 0;
  let positive = true;
  if (str[0] === '-') {
    positive = false;
    pos++;
  } else if (str[0] === '+') {
    pos++;
  }
  while (pos < end && str[pos] === '0') pos++;
  // Nothing but a sign and zeros: zero. Upstream accepts a lone "+" or "-" this way too.
  if (pos === end) return { positive, num: '0', denom: '', suffix: '', hasDigit: true };

  const numStart = pos;
  while (isDigit(str[pos])) pos++;
  const num = str.slice(numStart, pos) || '0';
  let denom = '';
  if (str[pos] === '.') {
    const denomStart = ++pos;
    while (isDigit(str[pos])) pos++;
    denom = str.slice(denomStart, pos);
  }
  const hasDigit = /[0-9]/.test(str.slice(0, pos));
  const suffixStart = pos;
  while (pos < end && SUFFIX_CHARS.includes(str[pos]!)) pos++;
  if (pos < end && (str[pos] === '-' || str[pos] === '+')) pos++;
  while (isDigit(str[pos])) pos++;
  if (pos < end) throw new QuantityError(ERR_FORMAT_WRONG);
  return { positive, num, denom, suffix: str.slice(suffixStart), hasDigit };
}

interface Suffix {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
}

function interpretSuffix(s: string): Suffix | undefined {
  const dec = DECIMAL_SUFFIXES.get(s);
  if (dec !== undefined) return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = BINARY_SUFFIXES.get(s);
  if (bin !== undefined) return { base: 2, exponent: bin, format: 'BinarySI' };
  if (s.length > 1 && (s[0] === 'e' || s[0] === 'E') && /^[+-]?[0-9]+$/.test(s.slice(1))) {
    const exponent = Number(s.slice(1));
    // Upstream truncates the exponent to int32 (wrapping, or hanging on the way); refuse instead.
    if (Math.abs(exponent) > INT32_MAX) return undefined;
    return { base: 10, exponent, format: 'DecimalExponent' };
  }
  return undefined;
}

/**
 * Upstream parses small numbers on an int64 fast path and the rest through inf.Dec, whose
 * SetString needs a digit: so "Ki" and "e-9" are zero but "Pi" and "e-10" are errors.
 */
function fastPathApplies(sc: Scanned, suffix: Suffix): boolean {
  if (suffix.format === 'BinarySI') {
    return sc.denom.length === 0 && 15 - sc.num.length - Math.trunc((suffix.exponent * 3) / 10) - 1 >= 0;
  }
  return 18 - sc.num.length - sc.denom.length >= 0 && suffix.exponent - sc.denom.length >= NANO;
}

export class Quantity {
  /** The value is `unscaled * 10^scale`; the constructor strips trailing zeros of `unscaled`. */
  private readonly unscaled: bigint;
  private readonly scale: number;

  private constructor(unscaled: bigint, scale: number, readonly format: QuantityFormat) {
    if (unscaled === 0n) {
      scale = 0;
    } else {
      while (unscaled % 10n === 0n) {
        unscaled /= 10n;
        scale++;
      }
    }
    this.unscaled = unscaled;
    this.scale = scale;
  }

  /** upstream ParseQuantity. Throws QuantityError with upstream's messages. */
  static parse(str: string): Quantity {
    if (str.length === 0) throw new QuantityError(ERR_FORMAT_WRONG);
    const sc = scan(str);
    const suffix = interpretSuffix(sc.suffix);
    if (!suffix) throw new QuantityError(ERR_SUFFIX);
    if (!sc.hasDigit && !fastPathApplies(sc, suffix)) throw new QuantityError(ERR_NUMERIC);

    let unscaled = BigInt(sc.num + sc.denom);
    let scale = -sc.denom.length;
    if (suffix.base === 10) scale += suffix.exponent;
    else unscaled <<= BigInt(suffix.exponent);
    if (!sc.positive) unscaled = -unscaled;

    // Below nano, round away from zero: asking for a sliver of a resource gets the smallest unit.
    if (unscaled !== 0n && scale < NANO) {
      const shift = NANO - scale;
      unscaled = shift >= digitCount(unscaled) ? (unscaled < 0n ? -1n : 1n) : divAwayFromZero(unscaled, pow10(shift));
      scale = NANO;
    }
    let format = suffix.format;
    if (format === 'BinarySI' && unscaled !== 0n) {
      const magnitude = new Quantity(abs(unscaled), scale, format);
      if (magnitude.cmp(new Quantity(MAX_BINARY, 0, format)) > 0) {
        unscaled = unscaled < 0n ? -MAX_BINARY : MAX_BINARY;
        scale = 0;
      } else if (magnitude.cmp(new Quantity(1n, 0, format)) < 0) {
        // A binary fraction below one prints as decimal, avoiding rounding (upstream does the same).
        format = 'DecimalSI';
      }
    }
    return new Quantity(unscaled, scale, format);
  }

  /** An integer quantity (upstream NewQuantity). */
  static fromValue(value: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return Quantity.fromScaled(value, 0, format);
  }

  /** `value / 1000` (upstream NewMilliQuantity). */
  static fromMilliValue(value: bigint | number, format: QuantityFormat = 'DecimalSI'): Quantity {
    return Quantity.fromScaled(value, -3, format);
  }

  /** `value * 10^scale` (upstream NewScaledQuantity, with a format). */
  static fromScaled(value: bigint | number, scale: number, format: QuantityFormat = 'DecimalSI'): Quantity {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new QuantityError(`quantity value must be an integer: ${value}`);
    }
    if (!Number.isSafeInteger(scale)) throw new QuantityError(`quantity scale must be an integer: ${scale}`);
    return new Quantity(BigInt(value), scale, format);
  }

  static zero(format: QuantityFormat = 'DecimalSI'): Quantity {
    return new Quantity(0n, 0, format);
  }

  sign(): -1 | 0 | 1 {
    return this.unscaled === 0n ? 0 : this.unscaled < 0n ? -1 : 1;
  }

  isZero(): boolean {
    return this.unscaled === 0n;
  }

  cmp(o: Quantity): -1 | 0 | 1 {
    const sa = this.sign();
    const sb = o.sign();
    if (sa !== sb) return sa < sb ? -1 : 1;
    if (sa === 0) return 0;
    // Same sign: the position of the leading digit settles most comparisons without aligning
    // scales, which keeps "1e2000000000" vs "1" cheap.
    const lead = digitCount(this.unscaled) + this.scale - (digitCount(o.unscaled) + o.scale);
    if (lead !== 0) return (lead > 0 ? sa : -sa) as -1 | 1;
    const [a, b] = Quantity.align(this, o);
    return a === b ? 0 : a < b ? -1 : 1;
  }

  equals(o: Quantity): boolean {
    return this.cmp(o) === 0;
  }

  /** The sum; a zero receiver takes `o`'s format, as upstream's Add does. */
  add(o: Quantity): Quantity {
    const format = this.isZero() ? o.format : this.format;
    if (o.isZero()) return new Quantity(this.unscaled, this.scale, format);
    if (this.isZero()) return new Quantity(o.unscaled, o.scale, format);
    const [a, b, scale] = Quantity.align(this, o);
    return new Quantity(a + b, scale, format);
  }

  /** The difference; a zero receiver takes `o`'s format, as upstream's Sub does. */
  sub(o: Quantity): Quantity {
    return this.add(o.neg());
  }

  /** The product with an integer (upstream Mul, without the int64 overflow flag). */
  mul(n: bigint | number): Quantity {
    if (typeof n === 'number' && !Number.isSafeInteger(n)) throw new QuantityError(`multiplier must be an integer: ${n}`);
    return new Quantity(this.unscaled * BigInt(n), this.scale, this.format);
  }

  neg(): Quantity {
    return new Quantity(-this.unscaled, this.scale, this.format);
  }

  withFormat(format: QuantityFormat): Quantity {
    return format === this.format ? this : new Quantity(this.unscaled, this.scale, format);
  }

  /** The value rounded away from zero to an integer (upstream Value, without int64 overflow). */
  value(): bigint {
    return this.scaledValue(0);
  }

  /** The value in thousandths, rounded away from zero (upstream MilliValue, without overflow). */
  milliValue(): bigint {
    return this.scaledValue(-3);
  }

  /** `value / 10^scale` rounded away from zero (upstream ScaledValue). */
  scaledValue(scale: number): bigint {
    if (this.unscaled === 0n) return 0n;
    const shift = this.scale - scale;
    if (shift >= 0) return this.unscaled * pow10(shift);
    if (-shift >= digitCount(this.unscaled)) return this.unscaled < 0n ? -1n : 1n;
    return divAwayFromZero(this.unscaled, pow10(-shift));
  }

  /** A float64 approximation, for display and ratios only (upstream AsApproximateFloat64). */
  asApproximateFloat64(): number {
    const m = Number(this.unscaled);
    return this.scale >= 0 ? m * 10 ** this.scale : m / 10 ** -this.scale;
  }

  /** upstream's canonical form (CanonicalizeBytes): the largest suffix that loses no precision. */
  toString(): string {
    if (this.unscaled === 0n) return '0';
    let format = this.format;
    if (format === 'BinarySI') {
      const small = this.cmp(new Quantity(-1024n, 0, format)) > 0 && this.cmp(new Quantity(1024n, 0, format)) < 0;
      // Below 1Ki, or with a fraction, a binary suffix would round: print decimal instead.
      if (small || this.scale < 0) format = 'DecimalSI';
    }
    if (format === 'BinarySI') {
      let n = this.unscaled * pow10(this.scale);
      let power = 0;
      while (power < BINARY_BY_POWER.length - 1 && n % 1024n === 0n) {
        n /= 1024n;
        power++;
      }
      return `${n}${BINARY_BY_POWER[power]}`;
    }
    let mantissa = this.unscaled;
    let exponent = this.scale;
    while (exponent % 3 !== 0) {
      mantissa *= 10n;
      exponent--;
    }
    let suffix = format === 'DecimalSI' ? DECIMAL_BY_EXPONENT.get(exponent) : undefined;
    // DecimalSI has no suffix past E (10^18): newer upstream falls back to an exponent rather
    // than dropping the magnitude ("1000E" -> "1e21").
    if (suffix === undefined) suffix = exponent === 0 ? '' : `e${exponent}`;
    return `${mantissa}${suffix}`;
  }

  toJSON(): string {
    return this.toString();
  }

  /** Both mantissas at the smaller of the two scales, and that scale. */
  private static align(a: Quantity, b: Quantity): [bigint, bigint, number] {
    const scale = Math.min(a.scale, b.scale);
    return [a.unscaled * pow10(a.scale - scale), b.unscaled * pow10(b.scale - scale), scale];
  }
}

export function isValidQuantity(s: string): boolean {
  try {
    Quantity.parse(s);
    return true;
  } catch {
    return false;
  }
}
