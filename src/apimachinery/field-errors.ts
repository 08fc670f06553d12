// Field errors as k8s.io/apimachinery/pkg/util/validation/field has them: a path, a type and a
// detail. They become the causes of a 422 Invalid Status, and kubectl prints them one per line
// as "* <field>: <message>".

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueNotFound'
  | 'InternalError';

export interface FieldError {
  type: FieldErrorType;
  /** The field's path, e.g. `spec.containers[0].image`. */
  field: string;
  /** The message without the field, e.g. `Required value` or `Invalid value: "x": must be ...`. */
  message: string;
}

/** A path into an object: `new FieldPath('spec').child('containers').index(0).child('image')`. */
export class FieldPath {
  private constructor(private readonly path: string) {}

  static root(name: string): FieldPath {
    return new FieldPath(name);
  }

  child(name: string, ...more: string[]): FieldPath {
    let p = this.path ? `${this.path}.${name}` : name;
    for (const m of more) p += `.${m}`;
    return new FieldPath(p);
  }

  index(i: number): FieldPath {
    return new FieldPath(`${this.path}[${i}]`);
  }

  key(k: string): FieldPath {
    return new FieldPath(`${this.path}[${k}]`);
  }

  toString(): string {
    return this.path;
  }
}

type PathLike = FieldPath | string;

/** How upstream prints a bad value inside a message: strings quoted, the rest as JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

const fe = (type: FieldErrorType, field: PathLike, message: string): FieldError => ({
  type,
  field: String(field),
  message,
});

export const required = (field: PathLike, detail = ''): FieldError =>
  fe('FieldValueRequired', field, detail ? `Required value: ${detail}` : 'Required value');

export const invalid = (field: PathLike, value: unknown, detail = ''): FieldError =>
  fe('FieldValueInvalid', field, `Invalid value: ${formatValue(value)}${detail ? `: ${detail}` : ''}`);

export const notSupported = (field: PathLike, value: unknown, valid: readonly string[]): FieldError =>
  fe(
    'FieldValueNotSupported',
    field,
    `Unsupported value: ${formatValue(value)}` +
      (valid.length ? `: supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}` : ''),
  );

export const duplicate = (field: PathLike, value: unknown): FieldError =>
  fe('FieldValueDuplicate', field, `Duplicate value: ${formatValue(value)}`);

export const forbidden = (field: PathLike, detail: string): FieldError =>
  fe('FieldValueForbidden', field, `Forbidden: ${detail}`);

export const tooLong = (field: PathLike, value: unknown, max: number): FieldError =>
  fe('FieldValueTooLong', field, `Too long: may not be more than ${max} bytes`);

export const tooMany = (field: PathLike, actual: number, max: number): FieldError =>
  fe('FieldValueTooMany', field, `Too many: ${actual}: must have at most ${max} items`);

export const notFoundField = (field: PathLike, value: unknown): FieldError =>
  fe('FieldValueNotFound', field, `Not found: ${formatValue(value)}`);

/** "field: message", as upstream's FieldError.Error(). */
export function fieldErrorString(e: FieldError): string {
  return e.field ? `${e.field}: ${e.message}` : e.message;
}
