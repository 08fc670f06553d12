// Field selectors as k8s.io/apimachinery/pkg/fields has them: `field=value` / `field!=value`
// terms joined by commas, with `\`, `,` and `=` backslash-escaped inside values. Which fields a
// resource supports is the resource's business; this only parses, prints and matches.

/** `==` parses as `=`: upstream builds the same term for both and prints it back as `=`. */
export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

export class FieldSelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FieldSelectorError';
  }
}

/** upstream fields.EscapeValue: backslash-escape `\`, `,` and `=`. */
export function escapeValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** upstream fields.UnescapeValue; rejects unknown escapes and bare `,` or `=`. */
export function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw new FieldSelectorError(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      // Upstream formats the rune with %v, which prints its code point ("61" for '=').
      throw new FieldSelectorError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw new FieldSelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on commas that are not backslash-escaped; escapes stay in the terms. */
function splitTerms(s: string): string[] {
  if (s.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/** Operators in the order upstream tries them at each position: `==` before `=`. */
const TERM_OPERATORS = ['!=', '==', '='] as const;

/** The first operator occurrence splits the term; field names cannot escape anything. */
function splitTerm(term: string): [string, (typeof TERM_OPERATORS)[number], string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

export class FieldSelector {
  private static readonly EVERYTHING = new FieldSelector([]);

  readonly requirements: FieldRequirement[];

  private constructor(requirements: FieldRequirement[]) {
    this.requirements = Object.freeze(requirements) as FieldRequirement[];
  }

  static everything(): FieldSelector {
    return FieldSelector.EVERYTHING;
  }

  /** `field=value` for every entry, in key order (upstream fields.SelectorFromSet). */
  static fromSet(set: Record<string, string> | undefined): FieldSelector {
    const keys = Object.keys(set ?? {}).sort();
    return new FieldSelector(keys.map((field) => ({ field, operator: '=', value: set![field]! })));
  }

  static fromRequirements(reqs: FieldRequirement[]): FieldSelector {
    return new FieldSelector([...reqs]);
  }

  /** A missing field reads as "", so `a=` matches objects without `a` (as upstream's Set.Get). */
  matches(fields: Record<string, string>): boolean {
    return this.requirements.every((r) => {
      const v = Object.prototype.hasOwnProperty.call(fields, r.field) ? fields[r.field] : '';
      return r.operator === '=' ? v === r.value : v !== r.value;
    });
  }

  isEmpty(): boolean {
    return this.requirements.length === 0;
  }

  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.operator}${escapeValue(r.value)}`).join(',');
  }

  /** The value an `=` term pins `field` to, if any (upstream RequiresExactMatch). */
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.field === field && r.operator === '=')?.value;
  }

  /** A selector with each requirement rewritten, e.g. to map legacy field names (upstream Transform). */
  transform(fn: (r: FieldRequirement) => FieldRequirement): FieldSelector {
    return new FieldSelector(this.requirements.map(fn));
  }
}

/**
 * upstream fields.ParseSelector. Terms are sorted as strings before parsing (so the printed form
 * is deterministic) and empty terms are skipped.
 */
export function parseFieldSelector(s: string): FieldSelector {
  const reqs: FieldRequirement[] = [];
  for (const part of splitTerms(s).sort()) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw new FieldSelectorError(`invalid selector: '${s}'; can't understand '${part}'`);
    const [field, op, raw] = split;
    reqs.push({ field, operator: op === '!=' ? '!=' : '=', value: unescapeValue(raw) });
  }
  return FieldSelector.fromRequirements(reqs);
}
