import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { FieldPath, fieldErrorString } from '../../src/apimachinery/field-errors.js';
import {
  labelSelectorString,
  newRequirement,
  parseSelector,
  type Requirement,
  Selector,
  SelectorError,
  selectorFromLabelSelector,
  selectorFromSet,
  validateLabelSelector,
} from '../../src/apimachinery/labels.js';

const KEY_NAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const throwsSelector = (fn: () => unknown, message: string) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SelectorError, `not a SelectorError: ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });

describe('parseSelector', () => {
  test('valid selectors print back in canonical form (upstream TestSelectorParse and TestSetSelectorParser)', () => {
    const cases: [string, string][] = [
      ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
      ['', ''],
      ['x!=a,y=b', 'x!=a,y=b'],
      ['x=', 'x='],
      ['x= ', 'x='],
      ['x=,z= ', 'x=,z='],
      ['x= ,z= ', 'x=,z='],
      ['!x', '!x'],
      ['x>1', 'x>1'],
      ['x>1,z<5', 'x>1,z<5'],
      ['x=a,a=x', 'a=x,x=a'],
      ['a=x,x=a', 'a=x,x=a'],
      ['\rx', 'x'],
      ['this-is-a-dns.domain.com/key-with-dash', 'this-is-a-dns.domain.com/key-with-dash'],
      ['this-is-another-dns.domain.com/key-with-dash in (so,what)', 'this-is-another-dns.domain.com/key-with-dash in (so,what)'],
      ['0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)', '0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)'],
      ['foo  in\t (abc)', 'foo in (abc)'],
      ['x notin\n (abc)', 'x notin (abc)'],
      ['x  notin\t\t\t(abc,def)', 'x notin (abc,def)'],
      ['x in (abc,def)', 'x in (abc,def)'],
      ['x in (def,abc,abc)', 'x in (abc,def)'],
      ['x in (abc,)', 'x in (,abc)'],
      ['x in ()', 'x in ()'],
      ['x notin (abc,def),bar,z in (),w', 'bar,w,x notin (abc,def),z in ()'],
      ['x,y in (a)', 'x,y in (a)'],
      ['x,y', 'x,y'],
      ['x=a', 'x=a'],
      ['x==a', 'x==a'],
      ['x<7', 'x<7'],
      ['x=a,y!=b,z in (h,i,j)', 'x=a,y!=b,z in (h,i,j)'],
      ['x notin ( )', 'x notin ()'],
      ['x notin (, a)', 'x notin (,a)'],
      ['x in (a,,b)', 'x in (,a,b)'],
      ['a ', 'a'],
      ['a in (x,y,notin, z,in)', 'a in (in,notin,x,y,z)'],
      ['in in (in)', 'in in (in)'],
      ['notin=in', 'notin=in'],
      ['x>05', 'x>05'],
      ['a=b\0,c=d', 'a=b'],
    ];
    for (const [input, want] of cases) {
      assert.equal(parseSelector(input).toString(), want, JSON.stringify(input));
    }
  });

  test('invalid selectors fail with upstream messages', () => {
    const cases: [string, string][] = [
      ['x==a==b', "found '==', expected: ',' or 'end of string'"],
      ['!x=a', "found '=', expected: ',' or 'end of string'"],
      ['x<a', `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`],
      ['x=a||y=b', `unable to parse requirement: values[0][x]: Invalid value: "a||y": ${LABEL_VALUE_MSG}`],
      ['x,,y', "found ',', expected: identifier after ','"],
      [',x,y', "found ',', expected: !, identifier, or 'end of string'"],
      ['x nott in (y)', "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt"],
      ['a in (xyz),', "found '', expected: identifier after ','"],
      ['a in (xyz)b notin ()', "found 'b', expected: ',' or 'end of string'"],
      ['a in (xyz abc)', "unable to parse requirement: found 'abc', expected: ',' or ')'"],
      ['a notin(', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
      ['a (', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
      ['(', "found '(', expected: !, identifier, or 'end of string'"],
      ['a in b', "unable to parse requirement: found 'b' expected: '('"],
      ['a in (b', "unable to parse requirement: found '', expected: ',' or ')'"],
      ['a in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
      ['a in (b,=)', "unable to parse requirement: found '=', expected: ',', or identifier"],
      ['a=(', "unable to parse requirement: found '(', expected: identifier"],
      ['!', "unable to parse requirement: found '', expected: identifier"],
      ['!!a', "unable to parse requirement: found '!', expected: identifier"],
      ['app:monolith', `unable to parse requirement: <nil>: Invalid value: "app:monolith": ${KEY_NAME_MSG}`],
      ['*bar=x', `unable to parse requirement: <nil>: Invalid value: "*bar": ${KEY_NAME_MSG}`],
      [
        'x>a-',
        `unable to parse requirement: [values[0]: Invalid value: "a-": for 'Gt', 'Lt' operators, the value must be an integer, values[0][x]: Invalid value: "a-": ${LABEL_VALUE_MSG}]`,
      ],
      ['x>99999999999999999999', `unable to parse requirement: values[0]: Invalid value: "99999999999999999999": for 'Gt', 'Lt' operators, the value must be an integer`],
      ['x=' + 'a'.repeat(64), `unable to parse requirement: values[0][x]: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`],
    ];
    for (const [input, message] of cases) throwsSelector(() => parseSelector(input), message);
  });

  test('key errors keep their field errors as causes', () => {
    try {
      parseSelector('a/b/c=d');
      assert.fail('parsed');
    } catch (e) {
      assert.ok(e instanceof SelectorError);
      assert.equal(e.causes.length, 1);
      assert.equal(e.causes[0]!.field, '<nil>');
      assert.match(e.message, /^unable to parse requirement: <nil>: Invalid value: "a\/b\/c": a qualified name must consist/);
    }
  });

  test('parsed requirements are sorted by key, values deduplicated and sorted', () => {
    const sel = parseSelector('z in (b,a,b),a!=x,!m');
    assert.deepEqual(sel.requirements, [
      { key: 'a', operator: '!=', values: ['x'] },
      { key: 'm', operator: '!', values: [] },
      { key: 'z', operator: 'in', values: ['a', 'b'] },
    ]);
  });
});

describe('Selector.matches', () => {
  test('selector strings against label sets (upstream TestSelectorMatches)', () => {
    const labelset = { foo: 'bar', baz: 'blah' };
    const cases: [string, Record<string, string> | undefined, boolean][] = [
      ['', { x: 'y' }, true],
      ['x=y', { x: 'y' }, true],
      ['x=y,z=w', { x: 'y', z: 'w' }, true],
      ['x!=y,z!=w', { x: 'z', z: 'a' }, true],
      ['notin=in', { notin: 'in' }, true],
      ['x', { x: 'z' }, true],
      ['!x', { y: 'z' }, true],
      ['x>1', { x: '2' }, true],
      ['x<1', { x: '0' }, true],
      ['x=z', {}, false],
      ['x=y', { x: 'z' }, false],
      ['x=y,z=w', { x: 'w', z: 'w' }, false],
      ['x!=y,z!=w', { x: 'z', z: 'w' }, false],
      ['x', { y: 'z' }, false],
      ['!x', { x: 'z' }, false],
      ['x>1', { x: '0' }, false],
      ['x<1', { x: '2' }, false],
      ['foo=bar', labelset, true],
      ['baz=blah', labelset, true],
      ['foo=bar,baz=blah', labelset, true],
      ['foo=blah', labelset, false],
      ['baz=bar', labelset, false],
      ['foo=bar,foobar=bar,baz=blah', labelset, false],
      // Set-based requirements (upstream TestRequirementSelectorMatching).
      ['x in (foo),y notin (alpha)', { x: 'foo', y: 'baz' }, true],
      ['x in (foo),y in (alpha)', { x: 'foo', y: 'baz' }, false],
      ['x notin (),y', { y: '' }, true],
      ['!x,y', { y: '' }, true],
      ['x notin (),!y', { y: '' }, false],
      ['x in ()', { y: 'baz' }, false],
      ['x in ()', { x: '' }, true],
      ['z>1', { z: '2' }, true],
      ['z>1', { z: 'v2' }, false],
      ['z<1', {}, false],
      ['z>01', { z: '2' }, true],
      ['z>1', { z: '+2' }, true],
      ['z<1', { z: '-3' }, true],
      ['z<10', { z: '99999999999999999999' }, false],
      ['x==y', { x: 'y' }, true],
      ['x!=y', {}, true],
      ['x notin (a)', {}, true],
      ['x', undefined, false],
      ['!x', undefined, true],
      ['toString', {}, false],
    ];
    for (const [sel, labels, want] of cases) {
      assert.equal(parseSelector(sel).matches(labels), want, `${sel} vs ${JSON.stringify(labels)}`);
    }
  });

  test('everything, nothing and emptiness', () => {
    assert.equal(Selector.everything().matches({ x: 'y' }), true);
    assert.equal(Selector.everything().isEmpty(), true);
    assert.equal(Selector.nothing().matches({ x: 'y' }), false);
    assert.equal(Selector.nothing().matches({}), false);
    assert.equal(Selector.nothing().isEmpty(), false);
    assert.equal(Selector.nothing().matchesNothing(), true);
    assert.equal(Selector.nothing().toString(), '');
    assert.equal(Selector.nothing().add({ key: 'a', operator: 'exists', values: [] }).matches({ a: '1' }), false);
    assert.equal(parseSelector('').isEmpty(), true);
    assert.equal(parseSelector('a').isEmpty(), false);
  });

  test('add sorts by key and leaves the receiver alone (upstream TestAdd)', () => {
    const base = Selector.everything().add(newRequirement('key', 'in', ['value']));
    const more = base.add(newRequirement('key2', '=', ['value2']), newRequirement('a', 'exists', []));
    assert.equal(base.toString(), 'key in (value)');
    assert.equal(more.toString(), 'a,key in (value),key2=value2');
  });

  test('requiresExactMatch', () => {
    const cases: [string, string, string | undefined][] = [
      ['a=b', 'a', 'b'],
      ['a==b', 'a', 'b'],
      ['a in (b)', 'a', 'b'],
      ['a in (b,c)', 'a', undefined],
      ['a!=b', 'a', undefined],
      ['a', 'a', undefined],
      ['x=y,a=b', 'a', 'b'],
      ['x=y', 'a', undefined],
    ];
    for (const [sel, label, want] of cases) assert.equal(parseSelector(sel).requiresExactMatch(label), want, sel);
  });
});

describe('newRequirement (upstream TestRequirementConstructor)', () => {
  test('accepts and rejects', () => {
    const cases: [string, Requirement['operator'], string[], boolean][] = [
      ['x', 'in', [], false],
      ['x', 'notin', [], false],
      ['x', 'in', ['foo'], true],
      ['x', 'notin', ['foo'], true],
      ['x', 'exists', [], true],
      ['x', '!', [], true],
      ['x', 'exists', ['a'], false],
      ['1foo', 'in', ['bar'], true],
      ['1234', 'in', ['bar'], true],
      ['y', 'gt', ['1'], true],
      ['z', 'lt', ['6'], true],
      ['foo', 'gt', ['bar'], false],
      ['barz', 'lt', ['blah'], false],
      ['x', 'gt', ['1', '2'], false],
      ['x', '=', [], false],
      ['x', '=', ['a', 'b'], false],
      ['a'.repeat(254), 'exists', [], false],
    ];
    for (const [key, op, values, ok] of cases) {
      if (ok) assert.deepEqual(newRequirement(key, op, values), { key, operator: op, values }, `${key} ${op}`);
      else assert.throws(() => newRequirement(key, op, values), SelectorError, `${key} ${op} ${values}`);
    }
  });

  test('messages', () => {
    throwsSelector(
      () => newRequirement('x', 'in', []),
      "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    );
    throwsSelector(
      () => newRequirement('x', 'exists', ['a', 'b']),
      'values: Invalid value: []string{"a", "b"}: values set must be empty for exists and does not exist',
    );
    throwsSelector(() => newRequirement('x', '!=', ['a', 'b']), 'values: Invalid value: []string{"a", "b"}: exact-match compatibility requires one single value');
    throwsSelector(
      () => newRequirement('x', 'bogus' as Requirement['operator'], []),
      'operator: Unsupported value: "bogus": supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"',
    );
    throwsSelector(
      () => newRequirement('a b', '=', ['c d']),
      `[key: Invalid value: "a b": ${KEY_NAME_MSG}, values[0][a b]: Invalid value: "c d": ${LABEL_VALUE_MSG}]`,
    );
    throwsSelector(
      () => newRequirement('-x', 'exists', [], FieldPath.root('spec').child('selector')),
      `spec.selector.key: Invalid value: "-x": ${KEY_NAME_MSG}`,
    );
  });
});

describe('metav1.LabelSelector conversions', () => {
  test('selectorFromLabelSelector (LabelSelectorAsSelector)', () => {
    const cases: [LabelSelector | undefined | null, string, Record<string, string>, boolean][] = [
      [undefined, '', { a: 'b' }, false],
      [null, '', {}, false],
      [{}, '', { a: 'b' }, true],
      [{ matchLabels: {}, matchExpressions: [] }, '', {}, true],
      [{ matchLabels: { b: '1', a: '2' } }, 'a=2,b=1', { a: '2', b: '1', c: '3' }, true],
      [{ matchLabels: { a: '2' } }, 'a=2', { a: '3' }, false],
      [{ matchExpressions: [{ key: 'c', operator: 'In', values: ['y', 'x'] }] }, 'c in (x,y)', { c: 'y' }, true],
      [{ matchExpressions: [{ key: 'c', operator: 'NotIn', values: ['x'] }] }, 'c notin (x)', { c: 'x' }, false],
      [{ matchExpressions: [{ key: 'c', operator: 'Exists' }] }, 'c', { c: '' }, true],
      [{ matchExpressions: [{ key: 'c', operator: 'DoesNotExist' }] }, '!c', { c: '' }, false],
      [
        { matchLabels: { z: 'q' }, matchExpressions: [{ key: 'a', operator: 'Exists', values: [] }] },
        'a,z=q',
        { a: '', z: 'q' },
        true,
      ],
    ];
    for (const [ls, str, labels, match] of cases) {
      const sel = selectorFromLabelSelector(ls);
      assert.equal(sel.toString(), str, JSON.stringify(ls));
      assert.equal(sel.matches(labels), match, JSON.stringify(ls));
    }
    assert.equal(selectorFromLabelSelector(undefined).matchesNothing(), true);
    assert.equal(selectorFromLabelSelector({}).isEmpty(), true);
  });

  test('selectorFromLabelSelector errors', () => {
    throwsSelector(() => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }), '"Gt" is not a valid label selector operator');
    throwsSelector(
      () => selectorFromLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In' }] }),
      "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    );
    throwsSelector(() => selectorFromLabelSelector({ matchLabels: { 'a b': 'c' } }), `key: Invalid value: "a b": ${KEY_NAME_MSG}`);
    throwsSelector(() => selectorFromLabelSelector({ matchLabels: { a: 'b c' } }), `values[0][a]: Invalid value: "b c": ${LABEL_VALUE_MSG}`);
  });

  test('labelSelectorString (FormatLabelSelector)', () => {
    const cases: [LabelSelector | undefined, string][] = [
      [undefined, '<none>'],
      [{}, '<none>'],
      [{ matchLabels: { app: 'web' } }, 'app=web'],
      [{ matchLabels: { b: '1', a: '2' }, matchExpressions: [{ key: 'c', operator: 'In', values: ['y', 'x'] }, { key: 'd', operator: 'DoesNotExist' }] }, 'a=2,b=1,c in (x,y),!d'],
      [{ matchExpressions: [{ key: 'a', operator: 'Foo' }] }, '<error>'],
    ];
    for (const [ls, want] of cases) assert.equal(labelSelectorString(ls), want);
  });

  test('selectorFromSet', () => {
    assert.equal(selectorFromSet(undefined).isEmpty(), true);
    assert.equal(selectorFromSet({}).matches({ a: 'b' }), true);
    const sel = selectorFromSet({ foo: 'bar', baz: 'blah' });
    assert.equal(sel.toString(), 'baz=blah,foo=bar');
    assert.equal(sel.matches({ foo: 'bar', baz: 'blah', x: 'y' }), true);
    assert.equal(sel.matches({ foo: 'bar' }), false);
  });
});

describe('validateLabelSelector', () => {
  const path = FieldPath.root('spec').child('selector');
  const messages = (ls: LabelSelector | undefined, opts?: { allowInvalidLabelValueInSelector?: boolean }) =>
    validateLabelSelector(ls, path, opts).map(fieldErrorString);

  test('valid selectors', () => {
    for (const ls of [
      undefined,
      {},
      { matchLabels: { app: 'web', 'example.com/tier': 'front' } },
      { matchExpressions: [{ key: 'a', operator: 'In', values: ['x', ''] }, { key: 'b', operator: 'Exists' }] },
      { matchExpressions: [{ key: 'b', operator: 'DoesNotExist', values: [] }] },
    ]) {
      assert.deepEqual(messages(ls), [], JSON.stringify(ls));
    }
  });

  test('invalid selectors', () => {
    const cases: [LabelSelector, string[]][] = [
      [
        { matchExpressions: [{ key: 'a', operator: 'In' }] },
        ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"],
      ],
      [
        { matchExpressions: [{ key: 'a', operator: 'NotIn', values: [] }] },
        ["spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"],
      ],
      [
        { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
        ["spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"],
      ],
      [
        { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] },
        ['spec.selector.matchExpressions[0].operator: Invalid value: "Gt": not a valid selector operator'],
      ],
      [
        { matchExpressions: [{ key: 'a', operator: 'In', values: ['ok'] }, { key: '-a', operator: 'In', values: ['b c'] }] },
        [
          `spec.selector.matchExpressions[1].key: Invalid value: "-a": ${KEY_NAME_MSG}`,
          `spec.selector.matchExpressions[1].values[0]: Invalid value: "b c": ${LABEL_VALUE_MSG}`,
        ],
      ],
      [
        { matchLabels: { 'a b': 'x', ok: '-bad' } },
        [`spec.selector.matchLabels: Invalid value: "a b": ${KEY_NAME_MSG}`, `spec.selector.matchLabels: Invalid value: "-bad": ${LABEL_VALUE_MSG}`],
      ],
    ];
    for (const [ls, want] of cases) assert.deepEqual(messages(ls), want, JSON.stringify(ls));
  });

  test('allowInvalidLabelValueInSelector skips expression value checks only', () => {
    const ls: LabelSelector = { matchExpressions: [{ key: 'a', operator: 'In', values: ['b c'] }], matchLabels: { x: '-y' } };
    assert.deepEqual(messages(ls, { allowInvalidLabelValueInSelector: true }), [
      `spec.selector.matchLabels: Invalid value: "-y": ${LABEL_VALUE_MSG}`,
    ]);
    assert.equal(messages(ls).length, 2);
  });
});

test('shared selectors cannot be mutated through their requirement lists', () => {
  assert.throws(() => Selector.everything().requirements.push({ key: 'a', operator: 'exists', values: [] }), TypeError);
  assert.equal(Selector.everything().matches({}), true);
});
