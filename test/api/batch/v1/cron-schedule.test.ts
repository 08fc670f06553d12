import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CronParseError, parseCronSchedule } from '../../../../src/api/batch/v1/cron-schedule.js';

describe('parseCronSchedule errors (robfig/cron ParseStandard messages)', () => {
  const cases: [string, string][] = [
    ['', 'empty spec string'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['0 * * * * *', 'expected exactly 5 fields, found 6: [0 * * * * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['* 24 * * *', 'end of range (24) above maximum (23): 24'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['* * * 13 *', 'end of range (13) above maximum (12): 13'],
    ['* * * * 7', 'end of range (7) above maximum (6): 7'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['a * * * *', 'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['*/2/3 * * * *', 'too many slashes: */2/3'],
    ['* * * foo *', 'failed to parse int from foo: strconv.Atoi: parsing "foo": invalid syntax'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
    ['@every 1x', 'failed to parse duration @every 1x: time: unknown unit "x" in duration "1x"'],
    ['@every', 'unrecognized descriptor: @every'],
    ['TZ=Nowhere/City 0 * * * *', 'provided bad location Nowhere/City: unknown time zone Nowhere/City'],
  ];
  for (const [spec, message] of cases) {
    it(JSON.stringify(spec), () => {
      assert.throws(() => parseCronSchedule(spec, 'UTC'), (e: unknown) => e instanceof CronParseError && e.message === message);
    });
  }
});

describe('CronSchedule.next', () => {
  const cases: [string, string, string, string?][] = [
    // spec, after, expected (UTC), time zone
    ['*/15 * * * *', '2024-01-01T10:07:30Z', '2024-01-01T10:15:00Z'],
    ['*/15 * * * *', '2024-01-01T10:15:00Z', '2024-01-01T10:30:00Z'],
    ['0 0 * * *', '2024-01-01T10:00:00Z', '2024-01-02T00:00:00Z'],
    ['@hourly', '2024-01-01T10:00:00Z', '2024-01-01T11:00:00Z'],
    ['@daily', '2024-12-31T23:59:59.999Z', '2025-01-01T00:00:00Z'],
    ['@weekly', '2024-01-03T00:00:00Z', '2024-01-07T00:00:00Z'],
    ['@monthly', '2024-01-31T12:00:00Z', '2024-02-01T00:00:00Z'],
    ['@yearly', '2024-06-01T00:00:00Z', '2025-01-01T00:00:00Z'],
    ['0 12 1 * *', '2024-01-15T00:00:00Z', '2024-02-01T12:00:00Z'],
    // 2024-01-01 is a Monday; "strictly after" moves a week on.
    ['0 0 * * mon', '2024-01-01T00:00:00Z', '2024-01-08T00:00:00Z'],
    // Both day fields restricted: either may match (the 13th or a Friday).
    ['0 0 13 * 5', '2024-09-01T00:00:00Z', '2024-09-06T00:00:00Z'],
    // One of them a star: both must match (Fridays only).
    ['0 0 * * FRI', '2024-09-06T00:00:00Z', '2024-09-13T00:00:00Z'],
    ['0 0 1 jan-mar/2 *', '2024-01-15T00:00:00Z', '2024-03-01T00:00:00Z'],
    ['30 8-10 * * 1-5', '2024-01-05T10:30:00Z', '2024-01-08T08:30:00Z'],
    ['0 0 29 2 *', '2024-03-01T00:00:00Z', '2028-02-29T00:00:00Z'],
    ['@every 90s', '2024-01-01T10:00:00.500Z', '2024-01-01T10:01:30.000Z'],
    ['@every 100ms', '2024-01-01T10:00:00.500Z', '2024-01-01T10:00:01.000Z'],
    ['0 9 * * *', '2024-07-01T00:00:00Z', '2024-07-01T13:00:00Z', 'America/New_York'],
    ['0 9 * * *', '2024-01-15T00:00:00Z', '2024-01-15T14:00:00Z', 'America/New_York'],
    ['TZ=Asia/Tokyo 0 9 * * *', '2023-12-31T20:00:00Z', '2024-01-01T00:00:00Z', 'UTC'],
    ['CRON_TZ=Asia/Tokyo 0 9 * * *', '2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z', 'UTC'],
  ];
  for (const [spec, after, expected, tz] of cases) {
    it(`${spec} after ${after}${tz ? ` in ${tz}` : ''}`, () => {
      const next = parseCronSchedule(spec, tz ?? 'UTC').next(new Date(after));
      assert.equal(next.toISOString(), new Date(expected).toISOString());
    });
  }

  it('returns an invalid Date when nothing fires within five years (Feb 30)', () => {
    const next = parseCronSchedule('0 0 30 2 *', 'UTC').next(new Date('2024-01-01T00:00:00Z'));
    assert.ok(Number.isNaN(next.getTime()));
  });

  it('keeps to the wall clock across a DST change', () => {
    const s = parseCronSchedule('0 12 * * *', 'Europe/Berlin');
    // 2024-03-31 switches CET (+1) to CEST (+2).
    assert.equal(s.next(new Date('2024-03-30T12:00:00Z')).toISOString(), '2024-03-31T10:00:00.000Z');
  });

  it('without a time zone uses the process local zone, like time.Local', () => {
    const after = new Date(2024, 0, 1, 10, 7);
    assert.equal(parseCronSchedule('*/15 * * * *').next(after).getTime(), new Date(2024, 0, 1, 10, 15).getTime());
  });

  it('rejects an unknown time zone argument', () => {
    assert.throws(() => parseCronSchedule('* * * * *', 'Mars/Olympus'), /unknown time zone Mars\/Olympus/);
  });
});
