import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  escapeValue,
  FieldSelector,
  FieldSelectorError,
  parseFieldSelector,
  unescapeValue,
} from '../../src/apimachinery/fields.js';

const throwsField = (fn: () => unknown, message: string) =>
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof FieldSelectorError, `not a FieldSelectorError: ${String(e)}`);
    assert.equal(e.message, message);
    return true;
  });

describe('parseFieldSelector', () => {
  test('valid selectors print back in sorted, escaped form (upstream TestSelectorParse)', () => {
    const cases: [string, string][] = [
      ['x=a,y=b,z=c', 'x=a,y=b,z=c'],
      ['', ''],
      ['x!=a,y=b', 'x!=a,y=b'],
      ['x=a||y\\=b', 'x=a||y\\=b'],
      ['x=a\\=\\=b', 'x=a\\=\\=b'],
      ['x=a,a=x', 'a=x,x=a'],
      ['a=x,x=a', 'a=x,x=a'],
      ['b==c', 'b=c'],
      ['a=', 'a='],
      ['a!=', 'a!='],
      ['=b', '=b'],
      ['a=b,', 'a=b'],
      [',a=b,,c=d', 'a=b,c=d'],
      ['k=\\,,k2=v2', 'k2=v2,k=\\,'],
      ['k=\\\\,k2=v2', 'k2=v2,k=\\\\'],
      ['k=\\\\\\,,k2=v2', 'k2=v2,k=\\\\\\,'],
      ['a=!b', 'a=!b'],
      ['a!!=b', 'a!!=b'],
      ['함=수,목=록', '목=록,함=수'],
      ['metadata.name=foo,spec.nodeName!=', 'metadata.name=foo,spec.nodeName!='],
      ['status.phase=Running ', 'status.phase=Running '],
    ];
    for (const [input, want] of cases) assert.equal(parseFieldSelector(input).toString(), want, JSON.stringify(input));
  });

  test('requirements: `==` becomes `=`, values unescaped, the first operator splits', () => {
    assert.deepEqual(parseFieldSelector('b==c,a!=x,k=\\,\\=\\\\').requirements, [
      { field: 'a', operator: '!=', value: 'x' },
      { field: 'b', operator: '=', value: 'c' },
      { field: 'k', operator: '=', value: ',=\\' },
    ]);
    assert.deepEqual(parseFieldSelector('a!!=b').requirements, [{ field: 'a!', operator: '!=', value: 'b' }]);
    assert.deepEqual(parseFieldSelector('a=!b').requirements, [{ field: 'a', operator: '=', value: '!b' }]);
  });

  test('invalid selectors fail with upstream messages', () => {
    const cases: [string, string][] = [
      ['x', "invalid selector: 'x'; can't understand 'x'"],
      ['x in (a)', "invalid selector: 'x in (a)'; can't understand 'x in (a)'"],
      ['x in (a,b,c)', "invalid selector: 'x in (a,b,c)'; can't understand 'b'"],
      ['x=a,b', "invalid selector: 'x=a,b'; can't understand 'b'"],
      ['x=a||y=b', 'invalid field selector: unescaped character in value: 61'],
      ['x==a==b', 'invalid field selector: unescaped character in value: 61'],
      ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
      ['a!==b', 'invalid field selector: unescaped character in value: 61'],
      ['a=!=b', 'invalid field selector: unescaped character in value: 61'],
      ['a=\\x', 'invalid field selector: invalid escape sequence: \\x'],
      ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
      ['a=\\!', 'invalid field selector: invalid escape sequence: \\!'],
    ];
    for (const [input, message] of cases) throwsField(() => parseFieldSelector(input), message);
  });
});

describe('escaping (upstream TestEscapeValue)', () => {
  test('escape and unescape round trip', () => {
    const cases: [string, string][] = [
      ['', ''],
      ['a', 'a'],
      ['=', '\\='],
      [',', '\\,'],
      ['\\', '\\\\'],
      ['\\=\\,\\', '\\\\\\=\\\\\\,\\\\'],
      ['a!b', 'a!b'],
    ];
    for (const [raw, escaped] of cases) {
      assert.equal(escapeValue(raw), escaped, raw);
      assert.equal(unescapeValue(escaped), raw, escaped);
    }
  });

  test('invalid escape sequences', () => {
    for (const [bad, message] of [
      ['\\', 'invalid field selector: invalid escape sequence: \\'],
      ['\\\\\\', 'invalid field selector: invalid escape sequence: \\'],
      ['\\a', 'invalid field selector: invalid escape sequence: \\a'],
      [',', 'invalid field selector: unescaped character in value: 44'],
    ] as const) {
      throwsField(() => unescapeValue(bad), message);
    }
  });
});

describe('FieldSelector', () => {
  test('matches (upstream TestSelectorMatches)', () => {
    const fieldset = { foo: 'bar', baz: 'blah', complex: '=value\\,\\' };
    const cases: [string, Record<string, string>, boolean][] = [
      ['', { x: 'y' }, true],
      ['x=y', { x: 'y' }, true],
      ['x=y,z=w', { x: 'y', z: 'w' }, true],
      ['x!=y,z!=w', { x: 'z', z: 'a' }, true],
      ['notin=in', { notin: 'in' }, true],
      ['x=y', { x: 'z' }, false],
      ['x=y,z=w', { x: 'w', z: 'w' }, false],
      ['x!=y,z!=w', { x: 'z', z: 'w' }, false],
      ['foo=bar', fieldset, true],
      ['baz=blah', fieldset, true],
      ['foo=bar,baz=blah', fieldset, true],
      ['foo=bar,baz=blah,complex=\\=value\\\\\\,\\\\', fieldset, true],
      ['foo=blah', fieldset, false],
      ['baz=bar', fieldset, false],
      ['foo=bar,foobar=bar,baz=blah', fieldset, false],
      // A missing field reads as the empty string.
      ['spec.nodeName=', {}, true],
      ['spec.nodeName!=', {}, false],
      ['spec.nodeName!=', { 'spec.nodeName': 'n1' }, true],
      ['toString=', {}, true],
    ];
    for (const [sel, fields, want] of cases) {
      assert.equal(parseFieldSelector(sel).matches(fields), want, `${sel} vs ${JSON.stringify(fields)}`);
    }
  });

  test('fromSet (upstream TestSetMatches)', () => {
    const labelset = { foo: 'bar', baz: 'blah' };
    const cases: [Record<string, string>, boolean][] = [
      [{}, true],
      [{ foo: 'bar' }, true],
      [{ baz: 'blah' }, true],
      [{ foo: 'bar', baz: 'blah' }, true],
      [{ foo: '=blah' }, false],
      [{ baz: '=bar' }, false],
      [{ foo: '=bar', foobar: 'bar', baz: 'blah' }, false],
    ];
    for (const [set, want] of cases) assert.equal(FieldSelector.fromSet(set).matches(labelset), want, JSON.stringify(set));
    assert.equal(FieldSelector.fromSet({ b: 'x=y', a: '1' }).toString(), 'a=1,b=x\\=y');
    assert.equal(FieldSelector.fromSet(undefined).isEmpty(), true);
  });

  test('isEmpty and everything', () => {
    assert.equal(FieldSelector.everything().isEmpty(), true);
    assert.equal(FieldSelector.everything().matches({ x: 'y' }), true);
    assert.equal(parseFieldSelector('').isEmpty(), true);
    assert.equal(parseFieldSelector(',').isEmpty(), true);
    assert.equal(parseFieldSelector('a=b').isEmpty(), false);
    assert.equal(parseFieldSelector('a!=').isEmpty(), false);
  });

  test('requiresExactMatch (upstream TestRequiresExactMatch)', () => {
    const cases: [string, string, string | undefined][] = [
      ['', 'test', undefined],
      ['a=b', 'test', undefined],
      ['test=b', 'test', 'b'],
      ['test==b', 'test', 'b'],
      ['test=', 'test', ''],
      ['test!=b', 'test', undefined],
      ['test!=', 'test', undefined],
      ['a=c,test=b', 'test', 'b'],
      ['metadata.name=x\\,y', 'metadata.name', 'x,y'],
    ];
    for (const [sel, field, want] of cases) assert.equal(parseFieldSelector(sel).requiresExactMatch(field), want, sel);
  });

  test('transform rewrites requirements without touching the original', () => {
    const sel = parseFieldSelector('name=x,spec.host=n1');
    const mapped = sel.transform((r) => (r.field === 'spec.host' ? { ...r, field: 'spec.nodeName' } : r));
    assert.equal(mapped.toString(), 'name=x,spec.nodeName=n1');
    assert.equal(sel.toString(), 'name=x,spec.host=n1');
  });
});
