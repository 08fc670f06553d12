import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FieldPath, fieldErrorString } from '../../src/apimachinery/field-errors.js';
import {
  getIntOrPercentValueSafely,
  getScaledValueFromIntOrPercent,
  type IntOrString,
  IntOrStringError,
  isNotMoreThan100Percent,
  isPercent,
  isValidPercent,
  validatePositiveIntOrPercent,
} from '../../src/apimachinery/intstr.js';

describe('getScaledValueFromIntOrPercent', () => {
  test('upstream TestGetScaledValueFromIntOrPercent cases and more', () => {
    const cases: [IntOrString, number, boolean, number][] = [
      [123, 0, false, 123],
      ['90%', 100, true, 90],
      ['90%', 95, true, 86],
      ['90%', 95, false, 85],
      ['25%', 10, true, 3],
      ['25%', 10, false, 2],
      ['0%', 10, true, 0],
      ['100%', 7, false, 7],
      ['110%', 10, false, 11],
      ['+5%', 100, false, 5],
      ['-10%', 15, true, -1],
      ['-10%', 15, false, -2],
      ['-10%', 5, true, 0],
      ['050%', 3, true, 2],
      [0, 100, true, 0],
      [-3, 100, true, -3],
    ];
    for (const [v, total, roundUp, want] of cases) {
      const got = getScaledValueFromIntOrPercent(v, total, roundUp);
      assert.ok(Object.is(got, want), `${v} of ${total} (roundUp ${roundUp}): got ${got}, want ${want}`);
      assert.equal(getIntOrPercentValueSafely(v, total, roundUp), want);
    }
  });

  test('errors carry upstream messages', () => {
    const cases: [IntOrString | undefined, string][] = [
      ['abc', 'invalid value for IntOrString: invalid type: string is not a percentage'],
      ['10', 'invalid value for IntOrString: invalid type: string is not a percentage'],
      ['', 'invalid value for IntOrString: invalid type: string is not a percentage'],
      ['%', 'invalid value for IntOrString: invalid value "%": strconv.Atoi: parsing "": invalid syntax'],
      ['abc%', 'invalid value for IntOrString: invalid value "abc%": strconv.Atoi: parsing "abc": invalid syntax'],
      ['1.5%', 'invalid value for IntOrString: invalid value "1.5%": strconv.Atoi: parsing "1.5": invalid syntax'],
      [' 5%', 'invalid value for IntOrString: invalid value " 5%": strconv.Atoi: parsing " 5": invalid syntax'],
      [
        '99999999999999999999%',
        'invalid value for IntOrString: invalid value "99999999999999999999%": strconv.Atoi: parsing "99999999999999999999": value out of range',
      ],
      [undefined, 'nil value for IntOrString'],
    ];
    for (const [v, message] of cases) {
      assert.throws(
        () => getScaledValueFromIntOrPercent(v, 10, true),
        (e: unknown) => e instanceof IntOrStringError && e.message === message,
        String(v),
      );
    }
  });
});

test('isPercent', () => {
  const cases: [IntOrString | undefined, boolean][] = [['10%', true], ['%', true], ['abc%', true], ['10', false], [10, false], [undefined, false]];
  for (const [v, want] of cases) assert.equal(isPercent(v), want, String(v));
});

describe('IntOrString validation (upstream apps validation)', () => {
  const path = FieldPath.root('spec').child('strategy', 'rollingUpdate', 'maxSurge');
  const PERCENT_MSG =
    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

  test('isValidPercent', () => {
    for (const ok of ['0%', '1%', '93%', '100%', '250%']) assert.deepEqual(isValidPercent(ok), [], ok);
    for (const bad of ['', '%', '1', '-1%', '1.5%', ' 1%', '1%%', 'a%']) assert.deepEqual(isValidPercent(bad), [PERCENT_MSG], bad);
  });

  test('validatePositiveIntOrPercent', () => {
    const cases: [IntOrString | undefined, string[]][] = [
      [0, []],
      [5, []],
      ['25%', []],
      ['150%', []],
      [-1, ['spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0']],
      ['abc', [`spec.strategy.rollingUpdate.maxSurge: Invalid value: "abc": ${PERCENT_MSG}`]],
      ['-5%', [`spec.strategy.rollingUpdate.maxSurge: Invalid value: "-5%": ${PERCENT_MSG}`]],
      [undefined, ["spec.strategy.rollingUpdate.maxSurge: Invalid value: null: must be an integer or percentage (e.g '5%')"]],
    ];
    for (const [v, want] of cases) assert.deepEqual(validatePositiveIntOrPercent(v, path).map(fieldErrorString), want, String(v));
  });

  test('isNotMoreThan100Percent', () => {
    const cases: [IntOrString | undefined, string[]][] = [
      ['100%', []],
      ['0%', []],
      [150, []],
      ['abc', []],
      [undefined, []],
      ['99999999999999999999%', []],
      ['101%', ['spec.strategy.rollingUpdate.maxSurge: Invalid value: "101%": must not be greater than 100%']],
    ];
    for (const [v, want] of cases) assert.deepEqual(isNotMoreThan100Percent(v, path).map(fieldErrorString), want, String(v));
  });
});
