// core/v1 ResourceQuota: resource names and quantities of spec.hard and status, scopes and scope
// selectors, and printResourceQuota. The resource-name helpers are shared with LimitRange and Node.
import type { ResourceQuota, ResourceQuotaSpec, ResourceQuotaStatus } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, invalid, required } from '../../../apimachinery/field-errors.js';
import { Quantity } from '../../../apimachinery/quantity.js';
import { isQualifiedName } from '../../../apimachinery/validation.js';
import { AGE_COLUMN, NAME_COLUMN, age } from '../../printing.js';
import type { Mutable, ResourceDefinition } from '../../types.js';
import { parseQuantity } from './resource-validation.js';

const STANDARD_RESOURCES = new Set([
  'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'limits.cpu',
  'limits.memory', 'limits.ephemeral-storage', 'pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets',
  'persistentvolumeclaims', 'configmaps', 'storage', 'requests.storage', 'services.nodeports', 'services.loadbalancers',
]);
const STANDARD_QUOTA_RESOURCES = new Set([...STANDARD_RESOURCES].filter((r) => r !== 'storage'));
const INTEGER_RESOURCES = new Set([
  'pods', 'services', 'replicationcontrollers', 'resourcequotas', 'secrets', 'configmaps', 'persistentvolumeclaims',
  'services.nodeports', 'services.loadbalancers',
]);
const SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity'];
const POD_COMPUTE = new Set(['cpu', 'memory', 'limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory']);

const isQuotaHugePages = (n: string) => n.startsWith('hugepages-') || n.startsWith('requests.hugepages-');
export const isHugePageResourceName = (n: string) => n.startsWith('hugepages-');
/** No domain, or a kubernetes.io one. */
export const isNativeResource = (n: string) => !n.includes('/') || n.includes('kubernetes.io/');
export const isExtendedResourceName = (n: string) =>
  !isNativeResource(n) && !n.startsWith('requests.') && isQualifiedName(`requests.${n}`).length === 0;
export const isOvercommitAllowed = (n: string) => isNativeResource(n) && !isHugePageResourceName(n);

/** upstream validateResourceName: qualified, and standard when it has no domain. */
export function validateResourceName(name: string, path: FieldPath): FieldError[] {
  const errs = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (errs.length) return errs;
  if (!name.includes('/') && !STANDARD_RESOURCES.has(name) && !isQuotaHugePages(name)) {
    errs.push(invalid(path, name, 'must be a standard resource type or fully qualified'));
  }
  return errs;
}

/** A quantity's canonical form (upstream Quantity.String), or the raw value if it does not parse. */
export function quantityString(v: unknown): string {
  if (v === undefined || v === null) return '0';
  try {
    return Quantity.parse(String(v)).toString();
  } catch {
    return String(v);
  }
}

/** upstream ValidateResourceQuantityValue: parses, is non-negative, and whole for integer resources. */
export function validateResourceQuantityValue(name: string, value: unknown, path: FieldPath): FieldError[] {
  const q = parseQuantity(value, path);
  if (!(q instanceof Quantity)) return [q];
  const errs: FieldError[] = [];
  if (q.sign() < 0) errs.push(invalid(path, q.toString(), 'must be greater than or equal to 0'));
  if ((INTEGER_RESOURCES.has(name) || isExtendedResourceName(name)) && q.milliValue() % 1000n !== 0n) {
    errs.push(invalid(path, q.toString(), 'must be an integer'));
  }
  return errs;
}

function validateQuotaList(list: Record<string, unknown> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(list ?? {})) {
    const p = path.key(k);
    errs.push(...validateResourceName(k, p));
    if (!k.includes('/') && !STANDARD_QUOTA_RESOURCES.has(k) && !isQuotaHugePages(k)) {
      errs.push(invalid(p, k, 'must be a standard resource for quota'));
    }
    errs.push(...validateResourceQuantityValue(k, v, p));
  }
  return errs;
}

/** upstream IsResourceQuotaScopeValidForResource. */
function scopeFitsResource(scope: string, resource: string): boolean {
  if (scope === 'BestEffort') return resource === 'pods';
  if (['Terminating', 'NotTerminating', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity'].includes(scope)) {
    return resource === 'pods' || POD_COMPUTE.has(resource);
  }
  return true;
}

const standardHard = (spec: ResourceQuotaSpec) =>
  Object.keys(spec.hard ?? {}).filter((k) => STANDARD_QUOTA_RESOURCES.has(k) || isQuotaHugePages(k)).sort();

function conflicting(scopes: Set<string>): boolean {
  return (scopes.has('BestEffort') && scopes.has('NotBestEffort')) || (scopes.has('Terminating') && scopes.has('NotTerminating'));
}

function validateSpec(spec: ResourceQuotaSpec): FieldError[] {
  const sp = FieldPath.root('spec');
  const errs = validateQuotaList(spec.hard, sp.child('hard'));
  const scopes = spec.scopes ?? [];
  if (scopes.length) {
    const p = sp.child('scopes');
    for (const s of scopes) {
      if (!SCOPES.includes(s)) errs.push(invalid(p, scopes, 'unsupported scope'));
      for (const r of standardHard(spec)) if (!scopeFitsResource(s, r)) errs.push(invalid(p, scopes, 'unsupported scope applied to resource'));
    }
    if (conflicting(new Set(scopes))) errs.push(invalid(p, scopes, 'conflicting scopes'));
  }
  if (spec.scopeSelector) {
    const p = sp.child('scopeSelector').child('matchExpressions');
    const seen = new Set<string>();
    for (const req of spec.scopeSelector.matchExpressions ?? []) {
      if (!SCOPES.includes(req.scopeName)) errs.push(invalid(p.child('scopeName'), req.scopeName, 'unsupported scope'));
      for (const r of standardHard(spec)) {
        if (!scopeFitsResource(req.scopeName, r)) errs.push(invalid(p, spec.scopeSelector, 'unsupported scope applied to resource'));
      }
      if (req.scopeName !== 'PriorityClass' && SCOPES.includes(req.scopeName) && req.operator !== 'Exists') {
        errs.push(
          invalid(
            p.child('operator'),
            req.operator,
            'must be \'Exists\' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity',
          ),
        );
      }
      const values = req.values ?? [];
      if (req.operator === 'In' || req.operator === 'NotIn') {
        if (!values.length) {
          errs.push(required(p.child('values'), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
        }
      } else if (req.operator === 'Exists' || req.operator === 'DoesNotExist') {
        if (values.length) {
          errs.push(invalid(p.child('values'), values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
        }
      } else errs.push(invalid(p.child('operator'), req.operator, 'not a valid selector operator'));
      seen.add(req.scopeName);
    }
    if (conflicting(seen)) errs.push(invalid(p, spec.scopes ?? null, 'conflicting scopes'));
  }
  return errs;
}

function validateStatus(status: ResourceQuotaStatus | undefined): FieldError[] {
  const p = FieldPath.root('status');
  return [...validateQuotaList(status?.hard, p.child('hard')), ...validateQuotaList(status?.used, p.child('used'))];
}

/** printResourceQuota's columns: "name: used/hard" for each resource, limits.* in the second. */
export function quotaColumns(rq: ResourceQuota): [string, string] {
  const request: string[] = [];
  const limit: string[] = [];
  for (const r of Object.keys(rq.status?.hard ?? {}).sort()) {
    const cell = `${r}: ${quantityString(rq.status?.used?.[r])}/${quantityString(rq.status?.hard?.[r])}`;
    (r.split('.').length > 1 && r.split('.')[0] === 'limits' ? limit : request).push(cell);
  }
  return [request.join(', '), limit.join(', ')];
}

export const resourceQuotaResource: ResourceDefinition<ResourceQuota> = {
  group: '',
  version: 'v1',
  kind: 'ResourceQuota',
  plural: 'resourcequotas',
  singular: 'resourcequota',
  namespaced: true,
  shortNames: ['quota'],
  subresources: { status: true },
  tracksGeneration: false,
  prepareForCreate(rq) {
    (rq as Mutable<ResourceQuota>).status = {};
  },
  validate: (rq) => [...validateSpec(rq.spec ?? {}), ...validateStatus(rq.status)],
  validateUpdate(rq, old) {
    const errs = validateSpec(rq.spec ?? {});
    const a = new Set(rq.spec?.scopes ?? []);
    const b = new Set(old.spec?.scopes ?? []);
    if (a.size !== b.size || [...a].some((s) => !b.has(s))) {
      errs.push(invalid(FieldPath.root('spec').child('scopes'), rq.spec?.scopes ?? null, 'field is immutable'));
    }
    return errs;
  },
  validateStatusUpdate: (rq) => validateStatus(rq.status),
  table: {
    // Name, Age, Request, Limit: the order up to Kubernetes 1.32 (1.33 moved Age last).
    columns: [
      NAME_COLUMN,
      AGE_COLUMN,
      { name: 'Request', type: 'string', description: 'Request represents a minimum amount of cpu/memory that a container may consume.', priority: 0 },
      {
        name: 'Limit',
        type: 'string',
        description: 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
        priority: 0,
      },
    ],
    cells: (rq, now) => [rq.metadata?.name ?? '', age(rq.metadata?.creationTimestamp, now), ...quotaColumns(rq)],
  },
};
