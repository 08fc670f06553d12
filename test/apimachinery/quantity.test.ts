import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ERR_FORMAT_WRONG,
  ERR_NUMERIC,
  ERR_SUFFIX,
  isValidQuantity,
  Quantity,
  QuantityError,
  type QuantityFormat,
} from '../../src/apimachinery/quantity.js';

const q = (s: string) => Quantity.parse(s);

// Upstream's TestQuantityParse table; the expectation is written as the canonical string its
// expected decQuantity prints, plus the format.
const PARSE: [string, string, QuantityFormat][] = [
  ['0', '0', 'DecimalSI'],
  ['0n', '0', 'DecimalSI'],
  ['0u', '0', 'DecimalSI'],
  ['0m', '0', 'DecimalSI'],
  ['0Ki', '0', 'BinarySI'],
  ['0k', '0', 'DecimalSI'],
  ['0Mi', '0', 'BinarySI'],
  ['0M', '0', 'DecimalSI'],
  ['0Gi', '0', 'BinarySI'],
  ['0G', '0', 'DecimalSI'],
  ['0Ti', '0', 'BinarySI'],
  ['0T', '0', 'DecimalSI'],
  ['1', '1', 'DecimalSI'],
  ['1Ki', '1Ki', 'BinarySI'],
  ['8Ki', '8Ki', 'BinarySI'],
  ['7Mi', '7Mi', 'BinarySI'],
  ['6Gi', '6Gi', 'BinarySI'],
  ['5Ti', '5Ti', 'BinarySI'],
  ['4Pi', '4Pi', 'BinarySI'],
  ['3Ei', '3Ei', 'BinarySI'],
  ['10Ti', '10Ti', 'BinarySI'],
  ['100Ti', '100Ti', 'BinarySI'],
  ['5n', '5n', 'DecimalSI'],
  ['4u', '4u', 'DecimalSI'],
  ['3m', '3m', 'DecimalSI'],
  ['9', '9', 'DecimalSI'],
  ['8k', '8k', 'DecimalSI'],
  ['50k', '50k', 'DecimalSI'],
  ['7M', '7M', 'DecimalSI'],
  ['6G', '6G', 'DecimalSI'],
  ['5T', '5T', 'DecimalSI'],
  ['40T', '40T', 'DecimalSI'],
  ['300T', '300T', 'DecimalSI'],
  ['2P', '2P', 'DecimalSI'],
  ['1E', '1E', 'DecimalSI'],
  ['1E-3', '1e-3', 'DecimalExponent'],
  ['1e3', '1e3', 'DecimalExponent'],
  ['1E6', '1e6', 'DecimalExponent'],
  ['1e9', '1e9', 'DecimalExponent'],
  ['1E12', '1e12', 'DecimalExponent'],
  ['1e15', '1e15', 'DecimalExponent'],
  ['1E18', '1e18', 'DecimalExponent'],
  ['1e14', '100e12', 'DecimalExponent'],
  ['1e13', '10e12', 'DecimalExponent'],
  ['100.035k', '100035', 'DecimalSI'],
  ['0.001', '1m', 'DecimalSI'],
  ['0.0005k', '500m', 'DecimalSI'],
  ['0.005', '5m', 'DecimalSI'],
  ['0.05', '50m', 'DecimalSI'],
  ['0.5', '500m', 'DecimalSI'],
  ['0.00050k', '500m', 'DecimalSI'],
  ['0.00500', '5m', 'DecimalSI'],
  ['0.05000', '50m', 'DecimalSI'],
  ['0.50000', '500m', 'DecimalSI'],
  ['0.5e0', '500e-3', 'DecimalExponent'],
  ['0.5e-1', '50e-3', 'DecimalExponent'],
  ['0.5e-2', '5e-3', 'DecimalExponent'],
  ['10.035M', '10035k', 'DecimalSI'],
  ['1.2e3', '1200', 'DecimalExponent'],
  ['1.3E+6', '1300e3', 'DecimalExponent'],
  ['1.40e9', '1400e6', 'DecimalExponent'],
  ['1.53E12', '1530e9', 'DecimalExponent'],
  ['1.6e15', '1600e12', 'DecimalExponent'],
  ['1.7E18', '1700e15', 'DecimalExponent'],
  ['9.01', '9010m', 'DecimalSI'],
  ['8.1k', '8100', 'DecimalSI'],
  ['7.123456M', '7123456', 'DecimalSI'],
  ['6.987654321G', '6987654321', 'DecimalSI'],
  ['5.444T', '5444G', 'DecimalSI'],
  ['40.1T', '40100G', 'DecimalSI'],
  ['300.2T', '300200G', 'DecimalSI'],
  ['2.5P', '2500T', 'DecimalSI'],
  ['1.01E', '1010P', 'DecimalSI'],
  // Things that saturate or round (away from zero, at nano).
  ['3.001n', '4n', 'DecimalSI'],
  ['1.1E-9', '2e-9', 'DecimalExponent'],
  ['0.0000000001', '1n', 'DecimalSI'],
  ['0.0000000005', '1n', 'DecimalSI'],
  ['0.00000000050', '1n', 'DecimalSI'],
  ['0.5e-9', '1e-9', 'DecimalExponent'],
  ['0.9n', '1n', 'DecimalSI'],
  ['0.00000012345', '124n', 'DecimalSI'],
  ['0.00000012354', '124n', 'DecimalSI'],
  ['9Ei', '9223372036854775807', 'BinarySI'],
  ['9223372036854775807Ki', '9223372036854775807', 'BinarySI'],
  ['12E', '12E', 'DecimalSI'],
  // Fractional binary quantities.
  ['100.035Ki', '102435840m', 'BinarySI'],
  ['0.5Mi', '512Ki', 'BinarySI'],
  ['0.05Gi', '53687091200m', 'BinarySI'],
  ['0.025Ti', '27487790694400m', 'BinarySI'],
  // "Things written by trolls".
  ['0.000000000001Ki', '2n', 'DecimalSI'],
  ['.001', '1m', 'DecimalSI'],
  ['.0001k', '100m', 'DecimalSI'],
  ['1.', '1', 'DecimalSI'],
  ['1.G', '1G', 'DecimalSI'],
];

describe('Quantity.parse', () => {
  test('upstream parse table, with explicit sign variants', () => {
    for (const [input, canonical, format] of PARSE) {
      const got = q(input);
      assert.equal(got.toString(), canonical, input);
      assert.equal(got.format, format, `${input} format`);
      const plus = q(`+${input}`);
      assert.equal(plus.toString(), canonical, `+${input}`);
      assert.equal(plus.format, format, `+${input} format`);
      const minus = q(`-${input}`);
      assert.equal(minus.toString(), canonical === '0' ? '0' : `-${canonical}`, `-${input}`);
      assert.equal(minus.format, format, `-${input} format`);
      assert.equal(minus.cmp(got.neg()), 0, `-${input} value`);
    }
  });

  test('invalid quantities and their messages', () => {
    const cases: [string, string][] = [
      ['', ERR_FORMAT_WRONG],
      ['1.1.M', ERR_FORMAT_WRONG],
      ['1+1.0M', ERR_FORMAT_WRONG],
      ['0.1mi', ERR_SUFFIX],
      ['0.1am', ERR_FORMAT_WRONG],
      ['aoeu', ERR_FORMAT_WRONG],
      ['.5i', ERR_SUFFIX],
      ['1i', ERR_SUFFIX],
      ['-3.01i', ERR_SUFFIX],
      ['-3.01e-', ERR_SUFFIX],
      [' 1', ERR_FORMAT_WRONG],
      ['1 ', ERR_FORMAT_WRONG],
      ['1ki', ERR_SUFFIX],
      ['1KI', ERR_FORMAT_WRONG],
      ['1e3Ki', ERR_FORMAT_WRONG],
      ['1eKi', ERR_SUFFIX],
      ['abc', ERR_FORMAT_WRONG],
      ['1.5 Gi', ERR_FORMAT_WRONG],
      // No digits and too big for upstream's int64 fast path: inf.Dec rejects the empty number.
      ['Pi', ERR_NUMERIC],
      ['Ei', ERR_NUMERIC],
      ['.Pi', ERR_NUMERIC],
      ['e-10', ERR_NUMERIC],
      ['.e-18', ERR_NUMERIC],
      // Exponents beyond int32 (upstream wraps or hangs on these).
      ['1e2147483648', ERR_SUFFIX],
    ];
    for (const [input, message] of cases) {
      assert.throws(() => q(input), (e: unknown) => e instanceof QuantityError && e.message === message, JSON.stringify(input));
      assert.equal(isValidQuantity(input), false, input);
    }
    assert.equal(
      ERR_FORMAT_WRONG,
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
  });

  test('edge inputs upstream accepts (its decode corpus)', () => {
    const cases: [string, string, QuantityFormat][] = [
      ['Ki', '0', 'BinarySI'],
      ['Ti', '0', 'BinarySI'],
      ['0Pi', '0', 'BinarySI'],
      ['.', '0', 'DecimalSI'],
      ['-', '0', 'DecimalSI'],
      ['+', '0', 'DecimalSI'],
      ['e-9', '0', 'DecimalExponent'],
      ['e03', '0', 'DecimalExponent'],
      ['0e-1000', '0', 'DecimalExponent'],
      ['00', '0', 'DecimalSI'],
      ['1e+21', '1e21', 'DecimalExponent'],
      ['1e03', '1e3', 'DecimalExponent'],
      ['01e-10', '1e-9', 'DecimalExponent'],
      ['5e-1000', '1e-9', 'DecimalExponent'],
      ['7Ei', '7Ei', 'BinarySI'],
      ['1e330', '1e330', 'DecimalExponent'],
      ['1e2147483647', '10e2147483646', 'DecimalExponent'],
    ];
    for (const [input, canonical, format] of cases) {
      const got = q(input);
      assert.equal(got.toString(), canonical, input);
      assert.equal(got.format, format, `${input} format`);
      assert.equal(isValidQuantity(input), true, input);
    }
    assert.equal(q('5Ki').value(), 5120n);
  });
});

describe('Quantity.toString (canonical form)', () => {
  test('alternate spellings canonicalise as upstream (TestQuantityString, TestQuantityParseEmit)', () => {
    const cases: [string, string][] = [
      ['1.5', '1500m'],
      ['1000Mi', '1000Mi'],
      ['1024Mi', '1Gi'],
      ['0.1', '100m'],
      ['100m', '100m'],
      ['2000000', '2M'],
      ['1.5Gi', '1536Mi'],
      ['307200Ki', '300Mi'],
      ['1025024Mi', '1001Gi'],
      ['1024Gi', '1Ti'],
      ['5000m', '5'],
      ['1000M', '1G'],
      ['0.001T', '1G'],
      ['1000u', '1m'],
      ['1.08', '1080m'],
      ['1080000000n', '1080m'],
      ['1000E', '1e21'],
      ['5000E', '5e21'],
      ['1000000E', '1e24'],
      ['.001e12', '1e9'],
      ['0.001e0', '1e-3'],
      ['1000e-12', '1e-9'],
      ['1Ki', '1Ki'],
      ['1Mi', '1Mi'],
      ['.001Ki', '1024m'],
      ['.000001Ki', '1024u'],
      ['.000000001Ki', '1024n'],
      ['.000000000001Ki', '2n'],
      ['1023Ki', '1023Ki'],
      ['1048576Ki', '1Gi'],
      ['1536', '1536'],
      ['0.5Ki', '512'],
      ['1.1Ki', '1126400m'],
      ['2048', '2048'],
      ['1e3', '1e3'],
      ['1e-2', '10e-3'],
      ['12345e-3', '12345e-3'],
      // Upstream keeps these input strings verbatim (a caching quirk, kubernetes#138165); the
      // canonical form is printed instead.
      ['1.500', '1500m'],
      ['1.001', '1001m'],
      ['+1', '1'],
      ['01', '1'],
      ['+1Ki', '1Ki'],
    ];
    for (const [input, canonical] of cases) {
      assert.equal(q(input).toString(), canonical, input);
      if (canonical !== '0') assert.equal(q(`-${input.replace(/^\+/, '')}`).toString(), `-${canonical}`, `-${input}`);
    }
  });

  test('canonical strings round-trip unchanged', () => {
    const canonical = [
      '1Gi', '300Mi', '6Ki', '1001Gi', '1Ti', '5', '500m', '1G', '1m', '80m', '1080m', '300M', '1T',
      '1E', '1e21', '1234567M', '1234567m', '3k', '1025', '0', '1e9', '1e-3', '1e-9', '80e-3', '300e6',
      '1e12', '3e3', '1n', '80n', '1080n', '1u', '80u', '1080u', '-1Gi', '-250m',
    ];
    for (const s of canonical) assert.equal(q(s).toString(), s);
  });

  test('toJSON gives the canonical string', () => {
    assert.equal(JSON.stringify({ cpu: q('1.5') }), '{"cpu":"1500m"}');
  });
});

describe('Quantity comparison and sign', () => {
  test('cmp table (upstream TestQuantityCmp and TestQuantityCmpInt64AndDec in string form)', () => {
    const cases: [string, string, -1 | 0 | 1][] = [
      ['0', '0', 0],
      ['100m', '50m', 1],
      ['50m', '100m', -1],
      ['10000T', '100Gi', 1],
      ['9.01', '9.01', 0],
      ['9', '9.01', -1],
      ['9.01', '9', 1],
      ['0k', '0m', 0],
      ['800m', '1', -1],
      ['800m', '790m', 1],
      ['9223372036854775807', '100m', 1],
      ['92233720368547758070', '1', 1],
      ['-9223372036854775808', '0', -1],
      ['-9.223372036854775808', '-1', -1],
      ['-0.9223372036854775808', '-1', 1],
      ['10', '1e1', 0],
      ['10.000000000000000001', '1e1', 1],
      ['9.999999999', '1e1', -1],
      // Parsing rounds below nano away from zero, so this one becomes exactly 10.
      ['9.999999999999999999', '1e1', 0],
      ['1Gi', '1073741824', 0],
      ['1e3', '1k', 0],
      ['1.5', '1500m', 0],
      ['-1', '1', -1],
      ['1n', '0', 1],
      ['-1n', '0', -1],
      ['999m', '1', -1],
      ['8Ei', '9223372036854775807', 0],
      ['1e2000000000', '1', 1],
      ['-1e2000000000', '-1', -1],
      ['1e-2000000000', '1n', 0],
      ['1e20', '99999999999999999999', 1],
    ];
    for (const [a, b, want] of cases) {
      assert.equal(q(a).cmp(q(b)), want, `${a} vs ${b}`);
      assert.equal(q(b).cmp(q(a)), want === 0 ? 0 : -want, `${b} vs ${a}`);
      assert.equal(q(a).equals(q(b)), want === 0, `${a} equals ${b}`);
    }
  });

  test('sign and isZero', () => {
    const cases: [string, -1 | 0 | 1][] = [['0', 0], ['0Gi', 0], ['-0', 0], ['1n', 1], ['-1n', -1], ['5Gi', 1], ['-2e9', -1]];
    for (const [s, sign] of cases) {
      assert.equal(q(s).sign(), sign, s);
      assert.equal(q(s).isZero(), sign === 0, s);
    }
  });
});

describe('Quantity values', () => {
  test('milliValue and value round away from zero (upstream ScaledValue)', () => {
    const cases: [string, bigint, bigint][] = [
      ['0', 0n, 0n],
      ['1', 1000n, 1n],
      ['1.5', 1500n, 2n],
      ['-1.5', -1500n, -2n],
      ['100m', 100n, 1n],
      ['-100m', -100n, -1n],
      ['1n', 1n, 1n],
      ['-1n', -1n, -1n],
      ['1.0001m', 2n, 1n],
      ['999999u', 1000n, 1n],
      ['1Ki', 1024000n, 1024n],
      ['0.5', 500n, 1n],
      ['1e3', 1000000n, 1000n],
      ['2Gi', 2147483648000n, 2147483648n],
      // Beyond int64 upstream overflows silently; here the exact value comes back.
      ['9Ei', 9223372036854775807000n, 9223372036854775807n],
      ['100E', 100000000000000000000000n, 100000000000000000000n],
    ];
    for (const [s, milli, value] of cases) {
      assert.equal(q(s).milliValue(), milli, `${s} milli`);
      assert.equal(q(s).value(), value, `${s} value`);
    }
  });

  test('scaledValue table (upstream TestScaledValue)', () => {
    const cases: [number, number, bigint][] = [
      [-9, -9, 1n], [-9, -6, 1n], [-9, -3, 1n], [-9, 0, 1n],
      [-6, -9, 1000n], [-6, -6, 1n], [-6, -3, 1n], [-6, 0, 1n],
      [-3, -9, 1000000n], [-3, -6, 1000n], [-3, -3, 1n], [-3, 0, 1n],
      [0, -9, 1000000000n], [0, -6, 1000000n], [0, -3, 1000n], [0, 0, 1n],
      [2, -2, 10000n],
    ];
    for (const [from, to, want] of cases) assert.equal(Quantity.fromScaled(1, from).scaledValue(to), want, `${from}->${to}`);
  });

  test('constructors print as upstream NewQuantity / NewMilliQuantity / NewScaledQuantity', () => {
    const cases: [Quantity, string][] = [
      [Quantity.fromValue(1), '1'],
      [Quantity.fromValue(1000), '1k'],
      [Quantity.fromValue(1234000), '1234k'],
      [Quantity.fromValue(1024, 'BinarySI'), '1Ki'],
      [Quantity.fromValue(1000000, 'DecimalExponent'), '1e6'],
      [Quantity.fromValue(1024 * 1024, 'BinarySI'), '1Mi'],
      [Quantity.fromMilliValue(1), '1m'],
      [Quantity.fromMilliValue(1000), '1'],
      [Quantity.fromMilliValue(1234000), '1234'],
      [Quantity.fromMilliValue(1024, 'BinarySI'), '1024m'],
      [Quantity.fromMilliValue(1000000, 'DecimalExponent'), '1e3'],
      [Quantity.fromMilliValue(1024 * 1024, 'BinarySI'), '1048576m'],
      [Quantity.fromScaled(1, -9), '1n'],
      [Quantity.fromScaled(1000, -9), '1u'],
      [Quantity.fromScaled(1000, -6), '1m'],
      [Quantity.fromScaled(1000, -3), '1'],
      [Quantity.fromScaled(0, -9), '0'],
      [Quantity.fromValue(5n, 'BinarySI'), '5'],
      [Quantity.zero('BinarySI'), '0'],
    ];
    for (const [got, want] of cases) assert.equal(got.toString(), want);
    assert.throws(() => Quantity.fromValue(1.5), QuantityError);
  });

  test('asApproximateFloat64', () => {
    assert.equal(q('1500m').asApproximateFloat64(), 1.5);
    assert.equal(q('2Ki').asApproximateFloat64(), 2048);
    assert.equal(q('-3k').asApproximateFloat64(), -3000);
  });
});

describe('Quantity arithmetic', () => {
  const fs = Quantity.fromScaled;
  test('add (upstream TestAdd) keeps the receiver format unless it is zero', () => {
    const cases: [Quantity, Quantity, string, QuantityFormat][] = [
      [fs(10, 0), fs(1, 1), '20', 'DecimalSI'],
      [fs(10, 0), fs(1, 0, 'BinarySI'), '11', 'DecimalSI'],
      [fs(10, 0, 'BinarySI'), fs(1, 0), '11', 'BinarySI'],
      [Quantity.zero(), fs(50, 0), '50', 'DecimalSI'],
      [fs(50, 0), Quantity.zero(), '50', 'DecimalSI'],
      [Quantity.zero(), Quantity.zero(), '0', 'DecimalSI'],
      [Quantity.zero(), q('1Gi'), '1Gi', 'BinarySI'],
      [q('1Gi'), Quantity.zero(), '1Gi', 'BinarySI'],
      [q('100m'), q('0'), '100m', 'DecimalSI'],
      [q('0'), q('100m'), '100m', 'DecimalSI'],
      [q('512Mi'), q('512Mi'), '1Gi', 'BinarySI'],
      [q('1.5'), q('500m'), '2', 'DecimalSI'],
      [q('1'), q('1n'), '1000000001n', 'DecimalSI'],
      [q('1Gi'), q('-1Gi'), '0', 'BinarySI'],
      [q('1e3'), q('1'), '1001', 'DecimalExponent'],
    ];
    for (const [a, b, want, format] of cases) {
      const got = a.add(b);
      assert.equal(got.toString(), want, `${a} + ${b}`);
      assert.equal(got.format, format, `${a} + ${b} format`);
    }
  });

  test('sub (upstream TestSub and the most-negative cases)', () => {
    const mostNegative = -(2n ** 63n);
    const cases: [Quantity, Quantity, string, QuantityFormat][] = [
      [fs(10, 0), fs(1, 1), '0', 'DecimalSI'],
      [fs(10, 0), fs(1, 0, 'BinarySI'), '9', 'DecimalSI'],
      [fs(10, 0, 'BinarySI'), fs(1, 0), '9', 'BinarySI'],
      [Quantity.zero(), fs(50, 0), '-50', 'DecimalSI'],
      [fs(50, 0), Quantity.zero(), '50', 'DecimalSI'],
      [Quantity.zero(), Quantity.zero(), '0', 'DecimalSI'],
      [Quantity.zero(), q('100m'), '-100m', 'DecimalSI'],
      [Quantity.zero(), q('1Gi'), '-1Gi', 'BinarySI'],
      [q('1Gi'), Quantity.zero(), '1Gi', 'BinarySI'],
      [Quantity.zero(), fs(mostNegative, 0), '9223372036854775808', 'DecimalSI'],
      [fs(1, 0), fs(mostNegative, 0), '9223372036854775809', 'DecimalSI'],
      [fs(1, -3), fs(mostNegative, -3), '9223372036854775809m', 'DecimalSI'],
      [fs(1, 1), fs(mostNegative, 0), '9223372036854775818', 'DecimalSI'],
      [Quantity.zero(), fs(mostNegative, 0, 'BinarySI'), '8Ei', 'BinarySI'],
      [q('2'), q('2500m'), '-500m', 'DecimalSI'],
    ];
    for (const [a, b, want, format] of cases) {
      const got = a.sub(b);
      assert.equal(got.toString(), want, `${a} - ${b}`);
      assert.equal(got.format, format, `${a} - ${b} format`);
    }
  });

  test('neg and mul do not mutate the receiver', () => {
    const a = q('9.01');
    assert.equal(a.neg().toString(), '-9010m');
    assert.equal(a.mul(10).toString(), '90100m');
    assert.equal(a.mul(-2n).toString(), '-18020m');
    assert.equal(a.mul(0).toString(), '0');
    assert.equal(a.toString(), '9010m');
    assert.equal(q('1Gi').add(q('1Gi')).toString(), '2Gi');
  });

  test('arithmetic that would write out absurd numbers of digits refuses', () => {
    const huge = q('1e2000000000');
    assert.throws(() => huge.add(q('1')), QuantityError);
    assert.throws(() => huge.value(), QuantityError);
    assert.equal(huge.add(q('0')).toString(), '100e1999999998');
    assert.equal(q('1e-2000000000').milliValue(), 1n);
  });
});

test('isValidQuantity', () => {
  for (const s of ['1', '100m', '1.5Gi', '1e3', '-2', '0']) assert.equal(isValidQuantity(s), true, s);
  for (const s of ['', 'x', '1Q', '1 Gi', '1.1.1']) assert.equal(isValidQuantity(s), false, s);
});
