// Cron schedules as the CronJob API accepts and the CronJob controller runs them: upstream uses
// github.com/robfig/cron/v3 ParseStandard, i.e. five fields (minute hour day-of-month month
// day-of-week) with '*', '?', lists, ranges, steps and month/weekday names, the descriptors
// @yearly @annually @monthly @weekly @daily @midnight @hourly and "@every <duration>", and an
// optional TZ=/CRON_TZ= prefix. Error messages are robfig's: validation shows them verbatim.
import { LOCAL_ZONE, loadLocation, parseGoDuration, type Wall, weekday, type Zone } from './cron-time.js';

export class CronParseError extends Error {
  override name = 'CronParseError';
}

export interface CronSchedule {
  /**
   * The first activation strictly after `after`. Like robfig's zero time, an invalid Date
   * (getTime() is NaN) when the schedule has no activation within five years (e.g. Feb 30).
   */
  next(after: Date): Date;
}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = {
  min: 1,
  max: 12,
  names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
};
const DOW: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

/** The values a field allows; `star` when written as '*' or '?' (matters for day matching). */
interface FieldSet {
  values: Set<number>;
  star: boolean;
}

const full = (b: Bounds, star = true): FieldSet => {
  const values = new Set<number>();
  for (let i = b.min; i <= b.max; i++) values.add(i);
  return { values, star };
};
const only = (...v: number[]): FieldSet => ({ values: new Set(v), star: false });

interface Spec {
  minute: FieldSet;
  hour: FieldSet;
  dom: FieldSet;
  month: FieldSet;
  dow: FieldSet;
}

const DESCRIPTORS: Record<string, () => Spec> = {
  '@yearly': () => ({ minute: only(0), hour: only(0), dom: only(1), month: only(1), dow: full(DOW) }),
  '@monthly': () => ({ minute: only(0), hour: only(0), dom: only(1), month: full(MONTHS), dow: full(DOW) }),
  '@weekly': () => ({ minute: only(0), hour: only(0), dom: full(DOM), month: full(MONTHS), dow: only(0) }),
  '@daily': () => ({ minute: only(0), hour: only(0), dom: full(DOM), month: full(MONTHS), dow: full(DOW) }),
  '@hourly': () => ({ minute: only(0), hour: full(HOURS), dom: full(DOM), month: full(MONTHS), dow: full(DOW) }),
};
DESCRIPTORS['@annually'] = DESCRIPTORS['@yearly']!;
DESCRIPTORS['@midnight'] = DESCRIPTORS['@daily']!;

/** Go's strconv.Atoi wrapped as robfig's mustParseInt. */
function parseNumber(expr: string): number {
  const fail = (why: string) =>
    new CronParseError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: ${why}`);
  if (!/^[+-]?\d+$/.test(expr)) throw fail('invalid syntax');
  const n = Number(expr);
  if (!Number.isSafeInteger(n)) throw fail('value out of range');
  if (n < 0) throw new CronParseError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseIntOrName(expr: string, b: Bounds): number {
  const named = b.names?.[expr.toLowerCase()];
  return named ?? parseNumber(expr);
}

/** One comma-separated part of a field: `*`, `n`, `a-b`, each optionally `/step`. */
function parseRange(expr: string, b: Bounds, into: FieldSet): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const singleDigit = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = b.min;
    end = b.max;
    star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0]!, b);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1]!, b);
    else throw new CronParseError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = parseNumber(rangeAndStep[1]!);
    // "N/step" means "N-max/step".
    if (singleDigit) end = b.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new CronParseError(`too many slashes: ${expr}`);
  }
  if (start < b.min) throw new CronParseError(`beginning of range (${start}) below minimum (${b.min}): ${expr}`);
  if (end > b.max) throw new CronParseError(`end of range (${end}) above maximum (${b.max}): ${expr}`);
  if (start > end) throw new CronParseError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronParseError(`step of range should be a positive number: ${expr}`);
  for (let i = start; i <= end; i += step) into.values.add(i);
  if (star) into.star = true;
}

function parseField(field: string, b: Bounds): FieldSet {
  const set: FieldSet = { values: new Set(), star: false };
  for (const expr of field.split(',').filter((e) => e !== '')) parseRange(expr, b, set);
  return set;
}

/**
 * Parses a schedule as robfig/cron ParseStandard does. `timeZone` (the CronJob's spec.timeZone)
 * is where the fields are matched; without it (and without a TZ= prefix) the process's local
 * zone is, as kube-controller-manager uses time.Local. Throws CronParseError.
 */
export function parseCronSchedule(spec: string, timeZone?: string): CronSchedule {
  if (spec.length === 0) throw new CronParseError('empty spec string');
  let zone: Zone = LOCAL_ZONE;
  if (timeZone !== undefined) zone = location(timeZone, () => `unknown time zone ${timeZone}`);
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const space = spec.indexOf(' ');
    const name = spec.slice(spec.indexOf('=') + 1, space === -1 ? spec.length : space);
    zone = location(name, (msg) => `provided bad location ${name}: ${msg}`);
    spec = space === -1 ? '' : spec.slice(space).trim();
  }
  if (spec.startsWith('@')) return parseDescriptor(spec, zone);
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) {
    throw new CronParseError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  }
  return new SpecSchedule(
    {
      minute: parseField(fields[0]!, MINUTES),
      hour: parseField(fields[1]!, HOURS),
      dom: parseField(fields[2]!, DOM),
      month: parseField(fields[3]!, MONTHS),
      dow: parseField(fields[4]!, DOW),
    },
    zone,
  );
}

function location(name: string, message: (goError: string) => string): Zone {
  try {
    return loadLocation(name);
  } catch (e) {
    throw new CronParseError(message((e as Error).message));
  }
}

function parseDescriptor(descriptor: string, zone: Zone): CronSchedule {
  const make = DESCRIPTORS[descriptor];
  if (make) return new SpecSchedule(make(), zone);
  const every = '@every ';
  if (descriptor.startsWith(every)) {
    let ms: number;
    try {
      ms = parseGoDuration(descriptor.slice(every.length));
    } catch (e) {
      throw new CronParseError(`failed to parse duration ${descriptor}: ${(e as Error).message}`);
    }
    return new EverySchedule(ms);
  }
  throw new CronParseError(`unrecognized descriptor: ${descriptor}`);
}

/** "@every d": activations d apart (at least a second, whole seconds), from the time asked. */
class EverySchedule implements CronSchedule {
  private readonly delay: number;

  constructor(ms: number) {
    this.delay = ms < 1000 ? 1000 : ms - (ms % 1000);
  }

  next(after: Date): Date {
    const t = after.getTime();
    return new Date(t - (((t % 1000) + 1000) % 1000) + this.delay);
  }
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** robfig's SpecSchedule.Next: field by field, wrapping to the next year up to five years on. */
class SpecSchedule implements CronSchedule {
  constructor(
    private readonly spec: Spec,
    private readonly zone: Zone,
  ) {}

  private dayMatches(w: Wall): boolean {
    const domMatch = this.spec.dom.values.has(w.day);
    const dowMatch = this.spec.dow.values.has(weekday(w));
    // With either day field a star, both must match; otherwise either may (cron's quirk).
    if (this.spec.dom.star || this.spec.dow.star) return domMatch && dowMatch;
    return domMatch || dowMatch;
  }

  next(after: Date): Date {
    const { spec, zone } = this;
    // Standard schedules fire at second 0: start at the next whole minute.
    let t = Math.floor(after.getTime() / MINUTE) * MINUTE + MINUTE;
    let w = zone.wall(t);
    const yearLimit = w.year + 5;
    let added = false;
    const set = (ms: number) => {
      t = ms;
      w = zone.wall(t);
    };
    wrap: for (;;) {
      if (w.year > yearLimit) return new Date(NaN);
      while (!spec.month.values.has(w.month)) {
        if (!added) {
          added = true;
          set(zone.instant({ ...w, day: 1, hour: 0, minute: 0, second: 0 }));
        }
        set(zone.instant({ ...w, month: w.month + 1 }));
        if (w.month === 1) continue wrap;
      }
      while (!this.dayMatches(w)) {
        if (!added) {
          added = true;
          set(zone.instant({ ...w, hour: 0, minute: 0, second: 0 }));
        }
        set(zone.instant({ ...w, day: w.day + 1 }));
        // Keep to midnight across DST changes, as robfig does.
        if (w.hour !== 0) set(w.hour > 12 ? t + (24 - w.hour) * HOUR : t - w.hour * HOUR);
        if (w.day === 1) continue wrap;
      }
      while (!spec.hour.values.has(w.hour)) {
        if (!added) {
          added = true;
          set(zone.instant({ ...w, minute: 0, second: 0 }));
        }
        set(t + HOUR);
        if (w.hour === 0) continue wrap;
      }
      while (!spec.minute.values.has(w.minute)) {
        if (!added) {
          added = true;
          set(Math.floor(t / MINUTE) * MINUTE);
        }
        set(t + MINUTE);
        if (w.minute === 0) continue wrap;
      }
      return new Date(t);
    }
  }
}
