// Server-side field validation (fieldValidation=Strict|Warn|Ignore): unknown and duplicate fields
// are refused with upstream's "strict decoding error", or returned as Warning headers.
import type { KubeObject } from '../../api/types.js';
import { badRequest } from '../../apimachinery/errors.js';
import type { BodyFormat } from '../http/body.js';
import type { RequestContext } from './context.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export function fieldValidationMode(ctx: RequestContext): FieldValidation {
  const v = ctx.query.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Strict", "Warn"`);
}

export interface FieldProblems {
  /** Worded problems (`unknown field "spec.foo"`), one warning each in Warn mode. */
  warnings: string[];
  /** The whole error message in Strict mode. */
  strictMessage: string;
}

/** What a body (create/update: raw text; patch: the patch text) holds that the schema does not. */
export type FieldProblemFinder = (
  ctx: RequestContext,
  obj: KubeObject,
  input: { text: string; format: BodyFormat; patch: boolean },
) => FieldProblems | undefined;

export function checkFieldValidation(ctx: RequestContext, obj: KubeObject, raw: Buffer, format: BodyFormat, patch = false): void {
  const mode = fieldValidationMode(ctx);
  // Protobuf bodies cannot carry unknown fields: their decoder refuses unknown field numbers.
  if (mode === 'Ignore' || !ctx.findFieldProblems || format === 'protobuf') return;
  const problems = ctx.findFieldProblems(ctx, obj, { text: raw.toString('utf8'), format, patch });
  if (!problems || problems.warnings.length === 0) return;
  if (mode === 'Strict') throw badRequest(problems.strictMessage);
  ctx.warnings.push(...problems.warnings);
}
