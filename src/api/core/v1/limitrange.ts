// core/v1 LimitRange: the container-item defaults (limit from max, request from limit or min) and
// ValidateLimitRange's ordering rules between min, max, default, defaultRequest and the ratio.
// Also the "Created At" table upstream's default table convertor gives kinds without printers.
import type { LimitRange, LimitRangeItem } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, duplicate, forbidden, invalid, required } from '../../../apimachinery/field-errors.js';
import { Quantity } from '../../../apimachinery/quantity.js';
import { isQualifiedName } from '../../../apimachinery/validation.js';
import { AGE_COLUMN, NAME_COLUMN } from '../../printing.js';
import type { KubeObject, ResourceDefinition, TableDefinition } from '../../types.js';
import { parseQuantity, validateContainerResourceName } from './resource-validation.js';
import { isOvercommitAllowed, validateResourceName } from './resourcequota.js';

/** upstream's DefaultTableConvertor: Name and Created At (RFC 3339, UTC), for kinds without printers. */
export function createdAtTable<T extends KubeObject>(): TableDefinition<T> {
  return {
    columns: [NAME_COLUMN, { name: 'Created At', type: 'date', description: AGE_COLUMN.description, priority: 0 }],
    cells: (obj) => {
      const t = obj.metadata?.creationTimestamp;
      const ms = t ? Date.parse(t) : NaN;
      return [obj.metadata?.name ?? '', Number.isNaN(ms) ? '' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')];
    },
  };
}

const LIMIT_TYPES = new Set(['Pod', 'Container', 'PersistentVolumeClaim']);

function defaults(lr: LimitRange): void {
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    const def = (item.default ??= {});
    const req = (item.defaultRequest ??= {});
    // A missing default limit is the max; a missing default request is the default limit, else the min.
    for (const [k, v] of Object.entries(item.max ?? {})) def[k] ??= v;
    for (const [k, v] of Object.entries(def)) req[k] ??= v;
    for (const [k, v] of Object.entries(item.min ?? {})) req[k] ??= v;
  }
}

function validateTypeName(type: string, path: FieldPath): FieldError[] {
  const errs = isQualifiedName(type).map((m) => invalid(path, type, m));
  if (!errs.length && !type.includes('/') && !LIMIT_TYPES.has(type)) {
    errs.push(invalid(path, type, 'must be a standard limit type or fully qualified'));
  }
  return errs;
}

const validateItemResourceName = (type: string, name: string, path: FieldPath) =>
  type === 'Pod' || type === 'Container' ? validateContainerResourceName(name, path) : validateResourceName(name, path);

/** Go's %f: six decimals. */
const goFloat = (n: number) => (Number.isFinite(n) ? n.toFixed(6) : n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN');

function validateItem(item: LimitRangeItem, path: FieldPath, seen: Set<string>): FieldError[] {
  const errs = validateTypeName(item.type ?? '', path.child('type'));
  if (seen.has(item.type)) errs.push(duplicate(path.child('type'), item.type));
  seen.add(item.type);
  const lists: Record<string, Map<string, Quantity>> = {};
  const keys = new Set<string>();
  const collect = (field: 'max' | 'min' | 'default' | 'defaultRequest' | 'maxLimitRequestRatio') => {
    const m = (lists[field] = new Map());
    for (const [k, v] of Object.entries(item[field] ?? {})) {
      errs.push(...validateItemResourceName(item.type, k, path.child(field).key(k)));
      keys.add(k);
      const q = parseQuantity(v, path.child(field).key(k));
      if (q instanceof Quantity) m.set(k, q);
      else errs.push(q);
    }
  };
  collect('max');
  collect('min');
  if (item.type === 'Pod') {
    if (Object.keys(item.default ?? {}).length) errs.push(forbidden(path.child('default'), "may not be specified when `type` is 'Pod'"));
    if (Object.keys(item.defaultRequest ?? {}).length) {
      errs.push(forbidden(path.child('defaultRequest'), "may not be specified when `type` is 'Pod'"));
    }
    lists.default = new Map();
    lists.defaultRequest = new Map();
  } else {
    collect('default');
    collect('defaultRequest');
  }
  if (item.type === 'PersistentVolumeClaim' && item.min?.storage === undefined && item.max?.storage === undefined) {
    errs.push(required(path.child('limits'), 'either minimum or maximum storage value is required, but neither was provided'));
  }
  collect('maxLimitRequestRatio');
  // Upstream walks a set; sorted keys keep the error order stable.
  for (const k of [...keys].sort()) {
    const min = lists.min!.get(k);
    const max = lists.max!.get(k);
    const def = lists.default!.get(k);
    const defReq = lists.defaultRequest!.get(k);
    const ratio = lists.maxLimitRequestRatio!.get(k);
    const at = (field: string) => path.child(field).key(k);
    if (min && max && min.cmp(max) > 0) errs.push(invalid(at('min'), min.toString(), `min value ${min} is greater than max value ${max}`));
    if (defReq && min && min.cmp(defReq) > 0) {
      errs.push(invalid(at('defaultRequest'), defReq.toString(), `min value ${min} is greater than default request value ${defReq}`));
    }
    if (defReq && max && defReq.cmp(max) > 0) {
      errs.push(invalid(at('defaultRequest'), defReq.toString(), `default request value ${defReq} is greater than max value ${max}`));
    }
    if (defReq && def && defReq.cmp(def) > 0) {
      errs.push(invalid(at('defaultRequest'), defReq.toString(), `default request value ${defReq} is greater than default limit value ${def}`));
    }
    if (def && min && min.cmp(def) > 0) errs.push(invalid(at('default'), min.toString(), `min value ${min} is greater than default value ${def}`));
    if (def && max && def.cmp(max) > 0) errs.push(invalid(at('default'), max.toString(), `default value ${def} is greater than max value ${max}`));
    if (ratio && ratio.cmp(Quantity.fromValue(1)) < 0) errs.push(invalid(at('maxLimitRequestRatio'), ratio.toString(), `ratio ${ratio} is less than 1`));
    if (ratio && min && max) {
      const limit = Number(max.milliValue()) / Number(min.milliValue());
      if (Number(ratio.milliValue()) / 1000 > limit) {
        errs.push(invalid(at('maxLimitRequestRatio'), ratio.toString(), `ratio ${ratio} is greater than max/min = ${goFloat(limit)}`));
      }
    }
    // Resources that cannot be overcommitted need equal default limits and requests.
    if (!isOvercommitAllowed(k) && def && defReq && def.cmp(defReq) !== 0) {
      errs.push(invalid(at('defaultRequest'), defReq.toString(), `default value ${def} must equal to defaultRequest value ${defReq} in ${k}`));
    }
  }
  return errs;
}

function validate(lr: LimitRange): FieldError[] {
  const seen = new Set<string>();
  const path = FieldPath.root('spec').child('limits');
  return (lr.spec?.limits ?? []).flatMap((item, i) => validateItem(item, path.index(i), seen));
}

export const limitRangeResource: ResourceDefinition<LimitRange> = {
  group: '',
  version: 'v1',
  kind: 'LimitRange',
  plural: 'limitranges',
  singular: 'limitrange',
  namespaced: true,
  shortNames: ['limits'],
  tracksGeneration: false,
  defaults,
  validate,
  validateUpdate: (lr) => validate(lr),
  table: createdAtTable<LimitRange>(),
};
