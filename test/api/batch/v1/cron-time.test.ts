import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadLocation, parseGoDuration, UTC_ZONE } from '../../../../src/api/batch/v1/cron-time.js';

describe('parseGoDuration (Go time.ParseDuration)', () => {
  const ok: [string, number][] = [
    ['0', 0],
    ['1s', 1000],
    ['1.5s', 1500],
    ['300ms', 300],
    ['1h30m', 5_400_000],
    ['-2m', -120_000],
    ['+1m', 60_000],
    ['.5h', 1_800_000],
    ['1µs', 0.001],
  ];
  for (const [s, ms] of ok) it(`${s} = ${ms}ms`, () => assert.equal(parseGoDuration(s), ms));

  const bad: [string, string][] = [
    ['', 'time: invalid duration ""'],
    ['abc', 'time: invalid duration "abc"'],
    ['1', 'time: missing unit in duration "1"'],
    ['1x', 'time: unknown unit "x" in duration "1x"'],
    ['1h2', 'time: missing unit in duration "1h2"'],
  ];
  for (const [s, message] of bad) it(`rejects ${JSON.stringify(s)}`, () => assert.throws(() => parseGoDuration(s), { message }));
});

describe('loadLocation (Go time.LoadLocation)', () => {
  it('treats "" and UTC as UTC', () => {
    assert.equal(loadLocation(''), UTC_ZONE);
    assert.equal(loadLocation('UTC'), UTC_ZONE);
  });

  it('knows IANA names and their offsets', () => {
    const ny = loadLocation('America/New_York');
    assert.deepEqual(ny.wall(Date.parse('2024-07-01T16:30:00Z')), { year: 2024, month: 7, day: 1, hour: 12, minute: 30, second: 0 });
    assert.equal(ny.instant({ year: 2024, month: 1, day: 15, hour: 9, minute: 0, second: 0 }), Date.parse('2024-01-15T14:00:00Z'));
  });

  it('normalises overflowing wall fields like time.Date', () => {
    const tokyo = loadLocation('Asia/Tokyo');
    assert.equal(tokyo.instant({ year: 2024, month: 13, day: 1, hour: 9, minute: 0, second: 0 }), Date.parse('2025-01-01T00:00:00Z'));
  });

  const bad: [string, string][] = [
    ['Mars/Olympus', 'unknown time zone Mars/Olympus'],
    ['america/new_york', 'unknown time zone america/new_york'],
    ['../etc/passwd', 'time: invalid location name'],
    ['+01:00', 'unknown time zone +01:00'],
  ];
  for (const [name, message] of bad) it(`rejects ${name}`, () => assert.throws(() => loadLocation(name), { message }));
});
