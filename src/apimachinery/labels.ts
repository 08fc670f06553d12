// Label selectors as k8s.io/apimachinery/pkg/labels has them: requirements, matching, the
// `a=b,c in (x,y),!d` string grammar with upstream's error messages, and the metav1.LabelSelector
// conversions and validation (LabelSelectorAsSelector, FormatLabelSelector, ValidateLabelSelector).
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import {
  type FieldError,
  FieldPath,
  fieldErrorString,
  forbidden,
  formatValue,
  invalid,
  notSupported,
  required,
} from './field-errors.js';
import { isQualifiedName, isValidLabelValue, validateLabels } from './validation.js';

/**
 * upstream selection.Operator values. `==` is kept apart from `=` (they match alike) because
 * upstream keeps it and prints it back as `==`; `!` is DoesNotExist.
 */
export type SelectorOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: SelectorOperator;
  values: string[];
}

export class SelectorError extends Error {
  /** The field errors behind the message, when it came from requirement validation. */
  readonly causes: FieldError[];

  constructor(message: string, causes: FieldError[] = []) {
    super(message);
    this.name = 'SelectorError';
    this.causes = causes;
  }
}

const BINARY_OPERATORS: SelectorOperator[] = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];
const VALID_OPERATORS: SelectorOperator[] = [...BINARY_OPERATORS, 'exists', '!'];

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64): optional sign, decimal digits, within int64. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** An Invalid error whose bad value is the value list, printed as Go's %#v prints a []string. */
function invalidValues(field: FieldPath, values: string[], detail: string): FieldError {
  const shown = values.length ? `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}` : '[]string(nil)';
  return { type: 'FieldValueInvalid', field: String(field), message: `Invalid value: ${shown}: ${detail}` };
}

/** What errors.NewAggregate(...).Error() prints: one message alone, several in brackets. */
function aggregate(errs: FieldError[]): string {
  const msgs = [...new Set(errs.map(fieldErrorString))];
  return msgs.length === 1 ? msgs[0]! : `[${msgs.join(', ')}]`;
}

function labelKeyError(key: string, field: FieldPath): FieldError | undefined {
  const msgs = isQualifiedName(key);
  return msgs.length ? invalid(field, key, msgs.join('; ')) : undefined;
}

const ONE_VALUE = 'exact-match compatibility requires one single value';
const NON_EMPTY = "for 'in', 'notin' operators, values set can't be empty";
const NO_VALUES = 'values set must be empty for exists and does not exist';
const ONE_NUMBER = "for 'Gt', 'Lt' operators, exactly one value is required";
/** How many values each operator takes, and upstream's message when the count is wrong. */
const VALUE_COUNTS = new Map<SelectorOperator, [(n: number) => boolean, string]>([
  ['in', [(n) => n > 0, NON_EMPTY]],
  ['notin', [(n) => n > 0, NON_EMPTY]],
  ['=', [(n) => n === 1, ONE_VALUE]],
  ['==', [(n) => n === 1, ONE_VALUE]],
  ['!=', [(n) => n === 1, ONE_VALUE]],
  ['exists', [(n) => n === 0, NO_VALUES]],
  ['!', [(n) => n === 0, NO_VALUES]],
  ['gt', [(n) => n === 1, ONE_NUMBER]],
  ['lt', [(n) => n === 1, ONE_NUMBER]],
]);

/**
 * upstream labels.NewRequirement: checks the key, the operator and its value count, and each
 * value. Without `path` the fields are `key`, `operator` and `values[i][key]`, as upstream's.
 */
export function newRequirement(key: string, operator: SelectorOperator, values: string[], path?: FieldPath): Requirement {
  const child = (name: string) => (path ? path.child(name) : FieldPath.root(name));
  const errs: FieldError[] = [];
  const keyErr = labelKeyError(key, child('key'));
  if (keyErr) errs.push(keyErr);
  const valuesPath = child('values');
  const count = VALUE_COUNTS.get(operator);
  if (!count) errs.push(notSupported(child('operator'), operator, VALID_OPERATORS));
  else if (!count[0](values.length)) errs.push(invalidValues(valuesPath, values, count[1]));
  if (operator === 'gt' || operator === 'lt') {
    values.forEach((v, i) => {
      if (parseInt64(v) === undefined) {
        errs.push(invalid(valuesPath.index(i), v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      }
    });
  }
  values.forEach((v, i) => {
    const msgs = isValidLabelValue(v);
    if (msgs.length) errs.push(invalid(valuesPath.index(i).key(key), v, msgs.join('; ')));
  });
  if (errs.length) throw new SelectorError(aggregate(errs), errs);
  return { key, operator, values };
}

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

export function requirementMatches(r: Requirement, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && labels !== null && hasOwn(labels, r.key);
  const value = has ? labels[r.key]! : '';
  const op = r.operator;
  if (op === 'in' || op === '=' || op === '==') return has && r.values.includes(value);
  if (op === 'notin' || op === '!=') return !has || !r.values.includes(value);
  if (op === 'exists' || op === '!') return has === (op === 'exists');
  if ((op !== 'gt' && op !== 'lt') || !has || r.values.length !== 1) return false;
  // Both sides must read as int64s; a label that does not simply fails to match.
  const actual = parseInt64(value);
  const bound = parseInt64(r.values[0]!);
  if (actual === undefined || bound === undefined) return false;
  return op === 'gt' ? actual > bound : actual < bound;
}

const PRINTED_OPERATORS: Partial<Record<SelectorOperator, string>> = { in: ' in ', notin: ' notin ', gt: '>', lt: '<' };

/** upstream Requirement.String(): values sorted on output, `in`/`notin` parenthesised. */
export function requirementString(r: Requirement): string {
  if (r.operator === 'exists') return r.key;
  if (r.operator === '!') return `!${r.key}`;
  const values = r.values.length === 1 ? r.values[0]! : [...r.values].sort().join(',');
  const shown = r.operator === 'in' || r.operator === 'notin' ? `(${values})` : values;
  return `${r.key}${PRINTED_OPERATORS[r.operator] ?? r.operator}${shown}`;
}

const byKey = (reqs: Requirement[]): Requirement[] => [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

/** A conjunction of requirements, kept sorted by key; or the selector that matches nothing. */
export class Selector {
  private static readonly EVERYTHING = new Selector([], false);
  private static readonly NOTHING = new Selector([], true);

  readonly requirements: Requirement[];

  private constructor(
    requirements: Requirement[],
    private readonly selectsNothing: boolean,
  ) {
    // Frozen: everything() and nothing() are shared, so nobody may push onto their lists.
    this.requirements = Object.freeze(requirements) as Requirement[];
  }

  /** Matches every label set (upstream labels.Everything()). */
  static everything(): Selector {
    return Selector.EVERYTHING;
  }

  /** Matches no label set (upstream labels.Nothing(), what a nil metav1.LabelSelector means). */
  static nothing(): Selector {
    return Selector.NOTHING;
  }

  /** A selector of already validated requirements. */
  static fromRequirements(reqs: Requirement[]): Selector {
    return reqs.length ? new Selector(byKey(reqs), false) : Selector.EVERYTHING;
  }

  add(...reqs: Requirement[]): Selector {
    if (this.selectsNothing) return this;
    return Selector.fromRequirements([...this.requirements, ...reqs]);
  }

  matches(labels: Record<string, string> | undefined): boolean {
    if (this.selectsNothing) return false;
    return this.requirements.every((r) => requirementMatches(r, labels));
  }

  /** True when the selector does not restrict anything. Nothing() is not empty. */
  isEmpty(): boolean {
    return !this.selectsNothing && this.requirements.length === 0;
  }

  matchesNothing(): boolean {
    return this.selectsNothing;
  }

  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }

  /** The value a selector pins `label` to (`=`, `==` or a one-value `in`), as upstream's RequiresExactMatch. */
  requiresExactMatch(label: string): string | undefined {
    const r = this.requirements.find((x) => x.key === label);
    if (!r) return undefined;
    return (r.operator === '=' || r.operator === '==' || r.operator === 'in') && r.values.length === 1
      ? r.values[0]
      : undefined;
  }
}

// ---- The string grammar (upstream labels.Parse) ----

type TokenKind = 'end' | ')' | ',' | '!' | '==' | '=' | '>' | 'id' | 'in' | '<' | '!=' | 'notin' | '(';
interface Token {
  kind: TokenKind;
  lit: string;
}

const TOKENS = new Map<string, TokenKind>(
  [')', ',', '!', '==', '=', '>', 'in', '<', '!=', 'notin', '('].map((t) => [t, t as TokenKind]),
);
const isWhitespace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string) => '=!(),><'.includes(c);

function lex(s: string): Token[] {
  // Upstream's lexer reads bytes and takes a NUL as the end of the input.
  const nul = s.indexOf('\0');
  const end = nul === -1 ? s.length : nul;
  const out: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < end && isWhitespace(s[pos]!)) pos++;
    if (pos >= end) {
      out.push({ kind: 'end', lit: '' });
      return out;
    }
    if (isSpecial(s[pos]!)) {
      // The longest run of symbols that is still a token: `!=`, but `=` then `(` in `=(`. Every
      // single symbol is a token, so upstream's "keyword expected" error cannot arise.
      let lit = s[pos++]!;
      while (pos < end && TOKENS.has(lit + s[pos])) lit += s[pos++];
      out.push({ kind: TOKENS.get(lit)!, lit });
    } else {
      const start = pos;
      while (pos < end && !isSpecial(s[pos]!) && !isWhitespace(s[pos]!)) pos++;
      const lit = s.slice(start, pos);
      const kind = TOKENS.get(lit);
      out.push({ kind: kind === 'in' || kind === 'notin' ? kind : 'id', lit });
    }
  }
}

/** Where `in`/`notin` may only be values (after an operator), they read as identifiers. */
type Context = 'keyAndOperator' | 'values';

class Parser {
  private pos = 0;
  constructor(private readonly items: Token[]) {}

  private lookahead(ctx: Context, advance = false): Token {
    const t = this.items[advance ? this.pos++ : this.pos]!;
    return ctx === 'values' && (t.kind === 'in' || t.kind === 'notin') ? { kind: 'id', lit: t.lit } : t;
  }

  private consume(ctx: Context): Token {
    return this.lookahead(ctx, true);
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const t = this.lookahead('values');
      if (t.kind === 'end') return reqs;
      if (t.kind !== 'id' && t.kind !== '!') {
        throw new SelectorError(`found '${t.lit}', expected: !, identifier, or 'end of string'`);
      }
      try {
        reqs.push(this.parseRequirement());
      } catch (e) {
        if (!(e instanceof SelectorError)) throw e;
        throw new SelectorError(`unable to parse requirement: ${e.message}`, e.causes);
      }
      const next = this.consume('values');
      if (next.kind === 'end') return reqs;
      if (next.kind !== ',') throw new SelectorError(`found '${next.lit}', expected: ',' or 'end of string'`);
      const after = this.lookahead('values');
      if (after.kind !== 'id' && after.kind !== '!') {
        throw new SelectorError(`found '${after.lit}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): Requirement {
    let t = this.consume('values');
    let operator: SelectorOperator | undefined;
    if (t.kind === '!') {
      operator = '!';
      t = this.consume('values');
    }
    if (t.kind !== 'id') throw new SelectorError(`found '${t.lit}', expected: identifier`);
    const key = t.lit;
    // Upstream validates the key here with a nil field path, hence the "<nil>" in the message.
    const keyErr = labelKeyError(key, FieldPath.root('<nil>'));
    if (keyErr) throw new SelectorError(fieldErrorString(keyErr), [keyErr]);
    const next = this.lookahead('values').kind;
    if (operator === undefined && (next === 'end' || next === ',')) operator = 'exists';
    if (operator === 'exists' || operator === '!') return newRequirement(key, operator, []);

    operator = this.parseOperator();
    const values = operator === 'in' || operator === 'notin' ? this.parseValues() : this.parseExactValue();
    // Upstream collects values in a string set: deduplicated and sorted.
    return newRequirement(key, operator, [...new Set(values)].sort());
  }

  private parseOperator(): SelectorOperator {
    const t = this.consume('keyAndOperator');
    switch (t.kind) {
      case 'in':
      case 'notin':
      case '=':
      case '==':
      case '!=':
        return t.kind;
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      default:
        throw new SelectorError(`found '${t.lit}', expected: ${BINARY_OPERATORS.join(', ')}`);
    }
  }

  private parseValues(): string[] {
    const open = this.consume('values');
    if (open.kind !== '(') throw new SelectorError(`found '${open.lit}' expected: '('`);
    const t = this.lookahead('values');
    if (t.kind === ')') {
      this.consume('values');
      return [''];
    }
    if (t.kind !== 'id' && t.kind !== ',') {
      throw new SelectorError(`found '${t.lit}', expected: ',', ')' or identifier`);
    }
    const values = this.parseIdentifiersList();
    if (this.consume('values').kind !== ')') throw new SelectorError(`found '${t.lit}', expected: ')'`);
    return values;
  }

  /** A comma-separated list whose empty entries (`(,a)`, `(a,)`, `(a,,b)`) are empty values. */
  private parseIdentifiersList(): string[] {
    const values: string[] = [];
    for (;;) {
      const t = this.consume('values');
      if (t.kind === 'id') {
        values.push(t.lit);
        const next = this.lookahead('values');
        if (next.kind === ')') return values;
        if (next.kind !== ',') throw new SelectorError(`found '${next.lit}', expected: ',' or ')'`);
      } else if (t.kind === ',') {
        if (values.length === 0) values.push('');
        const next = this.lookahead('values').kind;
        if (next === ')') {
          values.push('');
          return values;
        }
        if (next === ',') {
          this.consume('values');
          values.push('');
        }
      } else {
        throw new SelectorError(`found '${t.lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): string[] {
    const t = this.lookahead('values');
    if (t.kind === 'end' || t.kind === ',') return [''];
    const v = this.consume('values');
    if (v.kind === 'id') return [v.lit];
    throw new SelectorError(`found '${v.lit}', expected: identifier`);
  }
}

/** upstream labels.Parse. Throws SelectorError with upstream's messages. */
export function parseSelector(s: string): Selector {
  return Selector.fromRequirements(new Parser(lex(s)).parse());
}

/** upstream labels.SelectorFromSet: `k=v` for every entry, unvalidated; empty matches everything. */
export function selectorFromSet(set: Record<string, string> | undefined | null): Selector {
  const entries = Object.entries(set ?? {});
  return Selector.fromRequirements(entries.map(([key, v]) => ({ key, operator: '=', values: [v] })));
}

const EXPRESSION_OPERATORS = new Map<string, SelectorOperator>([
  ['In', 'in'],
  ['NotIn', 'notin'],
  ['Exists', 'exists'],
  ['DoesNotExist', '!'],
]);

/**
 * upstream metav1.LabelSelectorAsSelector: a missing selector selects nothing, an empty one
 * everything. Throws SelectorError on bad operators, keys or values.
 */
export function selectorFromLabelSelector(ls: LabelSelector | undefined | null): Selector {
  if (ls === undefined || ls === null) return Selector.nothing();
  const matchLabels = ls.matchLabels ?? {};
  const expressions = ls.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + expressions.length === 0) return Selector.everything();
  const reqs: Requirement[] = [];
  for (const key of Object.keys(matchLabels).sort()) reqs.push(newRequirement(key, '=', [matchLabels[key]!]));
  for (const expr of expressions) {
    const op = EXPRESSION_OPERATORS.get(expr.operator);
    if (!op) throw new SelectorError(`${formatValue(expr.operator)} is not a valid label selector operator`);
    reqs.push(newRequirement(expr.key, op, [...(expr.values ?? [])]));
  }
  return Selector.fromRequirements(reqs);
}

/** upstream metav1.FormatLabelSelector: the selector string, `<none>` when empty, `<error>` when invalid. */
export function labelSelectorString(ls: LabelSelector | undefined | null): string {
  try {
    return selectorFromLabelSelector(ls).toString() || '<none>';
  } catch {
    return '<error>';
  }
}

export interface LabelSelectorValidationOptions {
  /** Skip label-value checks of matchExpressions values (upstream allows this for old objects). */
  allowInvalidLabelValueInSelector?: boolean;
}

/** upstream metav1validation.ValidateLabelSelector. */
export function validateLabelSelector(
  ls: LabelSelector | undefined | null,
  path: FieldPath,
  opts: LabelSelectorValidationOptions = {},
): FieldError[] {
  if (ls === undefined || ls === null) return [];
  const errs = validateLabels(ls.matchLabels, path.child('matchLabels'));
  (ls.matchExpressions ?? []).forEach((expr, i) => {
    const p = path.child('matchExpressions').index(i);
    const values = expr.values ?? [];
    if (expr.operator === 'In' || expr.operator === 'NotIn') {
      if (values.length === 0) errs.push(required(p.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (expr.operator === 'Exists' || expr.operator === 'DoesNotExist') {
      if (values.length) errs.push(forbidden(p.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      errs.push(invalid(p.child('operator'), expr.operator, 'not a valid selector operator'));
    }
    for (const m of isQualifiedName(expr.key ?? '')) errs.push(invalid(p.child('key'), expr.key, m));
    if (!opts.allowInvalidLabelValueInSelector) {
      values.forEach((v, j) => {
        for (const m of isValidLabelValue(v)) errs.push(invalid(p.child('values').index(j), v, m));
      });
    }
  });
  return errs;
}
