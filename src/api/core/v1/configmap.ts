// core/v1 ConfigMap: key and size validation, and the immutable flag. Also the base64 helpers
// Secrets share (their data and a ConfigMap's binaryData are []byte, base64 in JSON).
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, forbidden, invalid, tooLong } from '../../../apimachinery/field-errors.js';
import { AGE_COLUMN, NAME_COLUMN, age } from '../../printing.js';
import type { ResourceDefinition } from '../../types.js';
import { isConfigMapKey } from './env-validation.js';
import { semanticEqual } from './semantic-equal.js';

/** upstream MaxSecretSize, which also bounds ConfigMaps. */
export const MAX_DATA_SIZE = 1024 * 1024;

/**
 * Decoded length of standard padded base64 (Go's []byte JSON form), or the message Go's decoder
 * gives for it. Upstream fails such a body while decoding it (a 400); here it is reported as a
 * field error instead.
 */
export function base64Length(s: string): number | string {
  const bad = (at: number) => `illegal base64 data at input byte ${at}`;
  const invalidChar = s.search(/[^A-Za-z0-9+/=]/);
  if (invalidChar >= 0) return bad(invalidChar);
  const pad = s.indexOf('=');
  if (pad >= 0 && (!/^=+$/.test(s.slice(pad)) || s.length - pad > 2 || pad % 4 < 2)) return bad(pad);
  if (s.length % 4 !== 0) return bad(s.length - (s.length % 4));
  return Buffer.from(s, 'base64').length;
}

/** Keys (upstream IsConfigMapKey) and base64 values of a []byte map, adding the decoded sizes. */
export function validateByteMap(
  data: Record<string, string> | undefined,
  path: FieldPath,
): { errs: FieldError[]; size: number } {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(data ?? {})) {
    errs.push(...isConfigMapKey(key).map((m) => invalid(path.key(key), key, m)));
    const n = base64Length(typeof value === 'string' ? value : '');
    if (typeof n === 'number') size += n;
    else errs.push(invalid(path.key(key), '<value redacted>', n));
  }
  return { errs, size };
}

function validate(cm: ConfigMap): FieldError[] {
  const errs: FieldError[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(cm.data ?? {})) {
    errs.push(...isConfigMapKey(key).map((m) => invalid(FieldPath.root('data').key(key), key, m)));
    if (cm.binaryData && key in cm.binaryData) {
      errs.push(invalid(FieldPath.root('data').key(key), key, 'duplicate of key present in binaryData'));
    }
    size += Buffer.byteLength(String(value), 'utf8');
  }
  const bin = validateByteMap(cm.binaryData, FieldPath.root('binaryData'));
  errs.push(...bin.errs);
  // Upstream reports the total against the whole object (an empty field path).
  if (size + bin.size > MAX_DATA_SIZE) errs.push(tooLong('', '', MAX_DATA_SIZE));
  return errs;
}

function validateUpdate(cm: ConfigMap, old: ConfigMap): FieldError[] {
  const errs: FieldError[] = [];
  if (old.immutable) {
    const msg = 'field is immutable when `immutable` is set';
    if (!cm.immutable) errs.push(forbidden('immutable', msg));
    if (!semanticEqual(cm.data, old.data)) errs.push(forbidden('data', msg));
    if (!semanticEqual(cm.binaryData, old.binaryData)) errs.push(forbidden('binaryData', msg));
  }
  return [...errs, ...validate(cm)];
}

export const configMapResource: ResourceDefinition<ConfigMap> = {
  group: '',
  version: 'v1',
  kind: 'ConfigMap',
  plural: 'configmaps',
  singular: 'configmap',
  namespaced: true,
  shortNames: ['cm'],
  // SetDefaults_ConfigMap only makes data a non-nil empty map, which JSON never shows.
  validate,
  validateUpdate,
  table: {
    columns: [
      NAME_COLUMN,
      {
        name: 'Data',
        type: 'string',
        description:
          "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
        priority: 0,
      },
      AGE_COLUMN,
    ],
    cells: (cm, now) => [
      cm.metadata?.name ?? '',
      Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length,
      age(cm.metadata?.creationTimestamp, now),
    ],
  },
};
