// Time helpers for cron schedules: Go's time.LoadLocation and time.ParseDuration semantics (their
// error texts reach users through CronJob validation), and wall-clock arithmetic in a time zone,
// which robfig/cron does with Go's time.Date normalisation.

/** Wall-clock fields in some zone; month is 1-12. Out-of-range values normalise like Go's time.Date. */
export interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** A place whose wall clock cron fields are matched against. */
export interface Zone {
  readonly name: string;
  wall(ms: number): Wall;
  /** The instant of a wall-clock time (normalising overflowing fields). */
  instant(w: Wall): number;
}

const wallMs = (w: Wall) => Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);

const utcWall = (ms: number): Wall => {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
};

export const UTC_ZONE: Zone = { name: 'UTC', wall: utcWall, instant: wallMs };

/** The process's local zone: what Go's time.Local is for kube-controller-manager. */
export const LOCAL_ZONE: Zone = {
  name: 'Local',
  wall(ms) {
    const d = new Date(ms);
    return {
      year: d.getFullYear(),
      month: d.getMonth() + 1,
      day: d.getDate(),
      hour: d.getHours(),
      minute: d.getMinutes(),
      second: d.getSeconds(),
    };
  },
  instant: (w) => new Date(w.year, w.month - 1, w.day, w.hour, w.minute, w.second).getTime(),
};

class IanaZone implements Zone {
  private readonly fmt: Intl.DateTimeFormat;

  constructor(readonly name: string) {
    this.fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  wall(ms: number): Wall {
    const w: Wall = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
    for (const p of this.fmt.formatToParts(new Date(ms))) {
      if (p.type in w) w[p.type as keyof Wall] = Number(p.value);
    }
    return w;
  }

  /** Offset of the zone from UTC at an instant, in ms. */
  private offset(ms: number): number {
    return wallMs(this.wall(ms)) - Math.floor(ms / 1000) * 1000;
  }

  instant(w: Wall): number {
    const local = wallMs(w);
    // Two passes settle on the offset in force at the result; in a DST gap the wall time does
    // not exist and we land an hour later, as Go's time.Date usually does.
    let guess = local - this.offset(local);
    guess = local - this.offset(guess);
    return guess;
  }
}

const zones = new Map<string, Zone>();

const NAME_CHARS = /^[A-Za-z0-9_+\-./]+$/;

/**
 * Go's time.LoadLocation: '' and 'UTC' are UTC, 'Local' the process zone, anything else an IANA
 * name. Throws an Error with Go's message for names it would not load.
 */
export function loadLocation(name: string): Zone {
  if (name === '' || name === 'UTC') return UTC_ZONE;
  if (name === 'Local') return LOCAL_ZONE;
  const cached = zones.get(name);
  if (cached) return cached;
  if (name.includes('..') || name.startsWith('/') || name.startsWith('\\')) {
    throw new Error('time: invalid location name');
  }
  let resolved: string;
  try {
    if (!NAME_CHARS.test(name)) throw new RangeError(name);
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    throw new Error(`unknown time zone ${name}`);
  }
  // Intl matches names case-insensitively; Go reads zoneinfo files, whose names are case-sensitive.
  if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) {
    throw new Error(`unknown time zone ${name}`);
  }
  const zone = new IanaZone(name);
  zones.set(name, zone);
  return zone;
}

/** The day of the week (0 = Sunday) of a wall-clock date. */
export function weekday(w: Wall): number {
  return new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay();
}

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 micro sign
  'μs': 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const quote = (s: string) => JSON.stringify(s);

/** Go's time.ParseDuration ("1h30m", "-1.5s", "300ms"), in milliseconds, with Go's error texts. */
export function parseGoDuration(s: string): number {
  const orig = s;
  const invalid = () => new Error(`time: invalid duration ${quote(orig)}`);
  let neg = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  let total = 0;
  while (s !== '') {
    const num = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    const [whole, intPart = '', frac] = num;
    if (intPart === '' && (frac === undefined || frac === '')) throw invalid();
    s = s.slice(whole.length);
    const unit = /^[^\d.]*/.exec(s)![0];
    if (unit === '') throw new Error(`time: missing unit in duration ${quote(orig)}`);
    const scale = UNITS[unit];
    if (scale === undefined) throw new Error(`time: unknown unit ${quote(unit)} in duration ${quote(orig)}`);
    s = s.slice(unit.length);
    total += Number(`${intPart || '0'}.${frac ?? ''}0`) * scale;
  }
  if (total > 9_223_372_036_854) throw invalid();
  return neg ? -total : total;
}
