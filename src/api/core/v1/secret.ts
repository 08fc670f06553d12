// core/v1 Secret: stringData folded into data (upstream does it while converting the request),
// the Opaque default, the per-type required keys, size and immutability.
import type { Secret } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, forbidden, invalid, required, tooLong } from '../../../apimachinery/field-errors.js';
import { AGE_COLUMN, NAME_COLUMN, age } from '../../printing.js';
import type { ResourceDefinition } from '../../types.js';
import { MAX_DATA_SIZE, validateByteMap } from './configmap.js';
import { semanticEqual } from './semantic-equal.js';

const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';

function defaults(secret: Secret): void {
  if (secret.stringData) {
    // stringData is write-only: its values win over data's and are stored base64-encoded.
    const data = { ...secret.data };
    for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    secret.data = data;
    delete secret.stringData;
  }
  secret.type ||= 'Opaque';
}

const decode = (v: string | undefined) => Buffer.from(v ?? '', 'base64');

/** The message Go's json.Unmarshal into map[string]interface{} gives for content that is not an object. */
function jsonObjectError(bytes: Buffer): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    return (e as Error).message;
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return undefined;
  const kind = Array.isArray(value) ? 'array' : value === null ? undefined : typeof value === 'boolean' ? 'bool' : typeof value;
  return kind ? `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}` : undefined;
}

function validate(secret: Secret): FieldError[] {
  const dataPath = FieldPath.root('data');
  const { errs, size } = validateByteMap(secret.data, dataPath);
  if (size > MAX_DATA_SIZE) errs.push(tooLong(dataPath, '', MAX_DATA_SIZE));
  const data = secret.data ?? {};
  const has = (k: string) => Object.prototype.hasOwnProperty.call(data, k);
  const jsonKey = (key: string) => {
    if (!has(key)) return errs.push(required(dataPath.key(key)));
    const msg = jsonObjectError(decode(data[key]));
    if (msg) errs.push(invalid(dataPath.key(key), '<secret contents redacted>', msg));
  };
  switch (secret.type) {
    case 'kubernetes.io/service-account-token':
      // The token controller fills in the rest (uid annotation, token data) later.
      if (!secret.metadata?.annotations?.[SA_NAME_ANNOTATION]) {
        errs.push(required(FieldPath.root('metadata').child('annotations').key(SA_NAME_ANNOTATION)));
      }
      break;
    case 'kubernetes.io/dockercfg':
      jsonKey('.dockercfg');
      break;
    case 'kubernetes.io/dockerconfigjson':
      jsonKey('.dockerconfigjson');
      break;
    case 'kubernetes.io/basic-auth':
      // Either may be empty, but one of them must be present.
      if (!has('username') && !has('password')) errs.push(required(dataPath.key('username')), required(dataPath.key('password')));
      break;
    case 'kubernetes.io/ssh-auth':
      if (decode(data['ssh-privatekey']).length === 0) errs.push(required(dataPath.key('ssh-privatekey')));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(required(dataPath.key('tls.crt')));
      if (!has('tls.key')) errs.push(required(dataPath.key('tls.key')));
      break;
  }
  return errs;
}

function validateUpdate(secret: Secret, old: Secret): FieldError[] {
  const errs: FieldError[] = [];
  if ((secret.type ?? '') !== (old.type ?? '')) errs.push(invalid('type', secret.type ?? '', 'field is immutable'));
  if (old.immutable) {
    const msg = 'field is immutable when `immutable` is set';
    if (!secret.immutable) errs.push(forbidden('immutable', msg));
    // stringData was already folded into data.
    if (!semanticEqual(secret.data, old.data)) errs.push(forbidden('data', msg));
  }
  return [...errs, ...validate(secret)];
}

export const secretResource: ResourceDefinition<Secret> = {
  group: '',
  version: 'v1',
  kind: 'Secret',
  plural: 'secrets',
  singular: 'secret',
  namespaced: true,
  defaults,
  validate,
  validateUpdate,
  selectableFields: (s) => ({ type: s.type ?? '' }),
  table: {
    columns: [
      NAME_COLUMN,
      { name: 'Type', type: 'string', description: 'Used to facilitate programmatic handling of secret data.', priority: 0 },
      {
        name: 'Data',
        type: 'string',
        description:
          "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
        priority: 0,
      },
      AGE_COLUMN,
    ],
    cells: (s, now) => [s.metadata?.name ?? '', s.type ?? '', Object.keys(s.data ?? {}).length, age(s.metadata?.creationTimestamp, now)],
  },
};
